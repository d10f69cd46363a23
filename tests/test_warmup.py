"""A gunicorn worker loads what posting a comment needs before its first request, and forms keep their languages."""

import importlib.util
from pathlib import Path

from app.comments import language
from app.forms import wtforms_catalog

GUNICORN_CONF = Path(__file__).resolve().parents[1] / "deploy" / "gunicorn.conf.py"


def test_the_worker_hook_loads_the_language_model_before_any_request(app, monkeypatch):
    monkeypatch.setattr(language, "_identifier", None)
    wtforms_catalog.cache_clear()
    spec = importlib.util.spec_from_file_location("gunicorn_conf", GUNICORN_CONF)
    conf = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(conf)

    conf.post_worker_init(type("Worker", (), {"wsgi": app})())

    assert language._identifier is not None  # a fresh worker's first post no longer reads the 8 MB model
    assert wtforms_catalog.cache_info().currsize >= 3


def test_wtforms_own_messages_follow_the_page_language(app):
    # A message of WTForms itself (not ours), from its catalogs read once per process.
    from flask_babel import refresh
    from wtforms import IntegerField

    from app.forms import BaseForm

    class Choice(BaseForm):
        pick = IntegerField()

    texts = {}
    for lang in ("ru", "en", "kk"):
        with app.test_request_context(f"/{lang}/", method="POST", data={"pick": "zzz"}):
            refresh()  # the fixture's app context outlives each request: forget the last one's language
            app.preprocess_request()  # picks the page's language
            form = Choice(meta={"csrf": False})
            form.validate()
            texts[lang] = form.pick.errors[0]
    assert texts["en"] == "Not a valid integer value."
    assert texts["ru"] == "Неверное целое число."
    assert texts["kk"] not in (texts["en"], texts["ru"])
