"""Load what a worker's first requests would otherwise load: deploy/gunicorn.conf.py calls warm_up in each worker.

The language model (an 8 MB LZMA file), the screening word lists, the Markdown renderer, the MinHash tables and
WTForms' catalogs are read lazily. Measured under gunicorn, a fresh worker's first comment post spent 1-2 s on
them, and gunicorn replaces each worker every max_requests: that was some visitor's post. Not in create_app: every
`flask` command and test app would pay the 0.6 s.
"""

from flask import Flask

from app.laws.models import LANGS

# One short text per language, as comments are written.
SAMPLES = (
    "Заң жобасының 5-бабын қайта қарау керек, мерзім тым қысқа.",
    "Предлагаю изменить статью 5: срок слишком короткий.",
    "Article 5 should be changed: the deadline is too short.",
)


def warm_up(app: Flask) -> None:
    """Load the models, word lists and catalogs every comment post uses, once, in this process."""
    from app.comments.language import detect_language
    from app.comments.rendering import render_comment
    from app.forms import wtforms_catalog
    from app.moderation.minhash import signature
    from app.moderation.screening import screen

    with app.app_context():
        for text in SAMPLES:
            detect_language(text)
            render_comment(text)
            screen(text)
            signature(text)
        for lang in LANGS:
            wtforms_catalog(lang)
