"""Fixtures for notifications: a request around service calls, so e-mails can build their links."""

import pytest

from app.laws.importing import publish_version
from tests.conftest import demo_text


@pytest.fixture
def in_request(app):
    """Run the test inside a request, as the views do (e-mail links need the site's address)."""
    with app.test_request_context("/en/"):
        yield


@pytest.fixture
def publish(app):
    """Publish another version of a law from a demo text; the caller commits."""

    def factory(law, name: str = "waste.v2.ru.txt", lang: str = "ru"):
        return publish_version(law, lang=lang, text=demo_text(name), filename=name)

    return factory
