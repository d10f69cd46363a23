"""The files in deploy/ agree with the app: body size, proxy count, cookie names, the settings they name."""

import re
from pathlib import Path

from werkzeug.test import EnvironBuilder

from app import create_app
from config import Config, TestConfig

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
NGINX = (DEPLOY / "nginx" / "kenes.conf").read_text()
PROXY = (DEPLOY / "nginx" / "kenes-proxy.conf").read_text()
ENV = dict(
    line.split("=", 1) for line in (DEPLOY / "kenes.env.example").read_text().splitlines() if line and line[0] != "#"
)
UNITS = {
    "kenes-web.service",
    "kenes-worker.service",
    "kenes-scheduler.service",
    "kenes-scheduler.timer",
    "kenes-backup.service",
    "kenes-backup.timer",
}


def _size(value: str) -> int:
    number, unit = re.fullmatch(r"(\d+)([kKmMgG]?)", value).groups()
    return int(number) * {"": 1, "k": 1024, "m": 1024**2, "g": 1024**3}[unit.lower()]


def test_nginx_lets_through_exactly_what_the_app_accepts():
    sizes = re.findall(r"^\s*client_max_body_size\s+(\S+);", NGINX, re.M)
    assert sizes and all(_size(size) == Config.MAX_CONTENT_LENGTH for size in sizes)


def test_one_proxy_sets_the_headers_the_app_trusts():
    assert ENV["PROXY_COUNT"] == "1"
    # nginx sets one entry, not appends to what the client sent: the app trusts exactly PROXY_COUNT of them.
    assert re.search(r"proxy_set_header X-Forwarded-For \$remote_addr;", PROXY)
    assert re.search(r"proxy_set_header X-Forwarded-Proto \$scheme;", PROXY)
    app = create_app(type("Config", (TestConfig,), {"PROXY_COUNT": int(ENV["PROXY_COUNT"])}))
    seen = {}

    @app.get("/_proxy_probe")
    def _probe():
        from flask import request

        seen.update(addr=request.remote_addr, scheme=request.scheme)
        return "ok"

    headers = {"X-Forwarded-For": "203.0.113.7", "X-Forwarded-Proto": "https"}
    environ = EnvironBuilder("/_proxy_probe", headers=headers, environ_base={"REMOTE_ADDR": "127.0.0.1"}).get_environ()
    with app.app_context():
        app.test_client().open(environ)
    assert seen == {"addr": "203.0.113.7", "scheme": "https"}


def test_nginx_cache_is_bypassed_with_the_apps_session_cookies():
    cookies = re.search(r"map \$http_cookie \$kenes_signed_in \{.*?\"~(.*?)\" 1;", NGINX, re.S).group(1)
    app = create_app(TestConfig)
    for name in (app.config["SESSION_COOKIE_NAME"], app.config.get("REMEMBER_COOKIE_NAME", "remember_token")):
        assert re.search(cookies, f"lang=kk; {name}=abc")
    assert not re.search(cookies, "lang=kk")
    assert "proxy_cache_bypass $kenes_signed_in;" in NGINX and "proxy_no_cache $kenes_signed_in;" in NGINX


def test_static_files_and_healthz_have_their_own_locations():
    static = re.search(r"location /static/ \{\s*alias (\S+);", NGINX).group(1)
    assert static.endswith("/app/static/")
    assert re.search(r"location = /healthz \{[^}]*proxy_cache off;", NGINX)


def test_env_example_names_only_settings_the_app_reads():
    config_source = (DEPLOY.parent / "config.py").read_text() + (DEPLOY / "gunicorn.conf.py").read_text()
    unknown = [name for name in ENV if name != "FLASK_APP" and f'"{name}"' not in config_source]
    assert not unknown, unknown


def test_systemd_units_run_the_commands_that_exist(app):
    assert {path.name for path in (DEPLOY / "systemd").iterdir()} == UNITS
    commands = set(app.cli.list_commands(None))
    for unit in UNITS - {name for name in UNITS if name.endswith(".timer")}:
        text = (DEPLOY / "systemd" / unit).read_text()
        assert "EnvironmentFile=/etc/kenes/kenes.env" in text
        for command in re.findall(r"\.venv/bin/flask (\S+)", text):
            assert command in commands, f"{unit}: flask {command}"
