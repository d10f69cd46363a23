"""What a developer sees at the terminal: commands without Alembic's chatter, `make run` on the port asked for."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
MAKE = shutil.which("make")


def test_flask_commands_do_not_print_alembic_plugin_lines(tmp_path):
    env = {**os.environ, "FLASK_APP": "wsgi.py", "KENES_INSTANCE_DIR": str(tmp_path)}
    result = subprocess.run(  # noqa: S603 - our own interpreter and arguments
        [sys.executable, "-m", "flask", "laws", "--help"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert "list" in result.stdout and "open" in result.stdout and "close" in result.stdout
    assert "setup plugin" not in result.stderr + result.stdout


@pytest.mark.skipif(MAKE is None, reason="make is not installed")
@pytest.mark.parametrize(("args", "port"), [([], "5000"), (["PORT=5001"], "5001")])
def test_make_run_serves_on_the_port_asked_for(args, port):
    result = subprocess.run(  # noqa: S603 - make with fixed arguments, dry run
        # --no-print-directory: under `make test` the parent make would have this one print "Entering directory".
        [MAKE, "--no-print-directory", "-n", "run", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    serve = next(line for line in result.stdout.splitlines() if "flask run" in line)
    assert f"flask run --host 127.0.0.1 --port {port}" in serve
    # Ctrl-C ends the server as a clean exit, so make reports neither "Interrupt" nor "Terminated".
    assert serve.startswith("trap 'exit 0' INT TERM;")
