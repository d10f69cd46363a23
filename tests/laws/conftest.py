"""Fixtures for draft-law tests: the demo texts and a helper that publishes a law from them."""

from pathlib import Path

import pytest

from app.extensions import db
from app.laws.services import add_language, create_law, parse_text, publish_version

DEMO = Path(__file__).resolve().parents[2] / "app" / "laws" / "demo_texts"


def demo_text(name: str) -> str:
    return (DEMO / name).read_text(encoding="utf-8")


@pytest.fixture
def create_law_from(app, create_agency):
    """Publish a law from demo files: create_law_from([("ru", "waste.v1.ru.txt"), ...], ...)."""

    def factory(*versions, status: str = "open", agency=None, slug: str | None = None, **kwargs):
        agency = agency or create_agency()
        law = None
        for files in versions:
            (lang, name), *others = files
            text = demo_text(name)
            if law is None:
                title = parse_text(text, lang)[0].title
                law = create_law(agency=agency, created_by=None, titles={lang: title}, slug=slug, **kwargs)
            version = publish_version(law, lang=lang, text=text, filename=name)
            for other_lang, other_name in others:
                add_language(version, lang=other_lang, text=demo_text(other_name))
        law.status = status
        db.session.commit()
        return law

    return factory


@pytest.fixture
def waste_law(create_law_from):
    return create_law_from(
        [("ru", "waste.v1.ru.txt"), ("kk", "waste.v1.kk.txt")],
        [("ru", "waste.v2.ru.txt"), ("kk", "waste.v2.kk.txt")],
        slug="household-waste",
    )
