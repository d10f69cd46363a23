"""Which language a draft is read in when it lacks the reader's, and the notice that says so."""

import pytest
from flask_babel import force_locale, gettext

from app.i18n import fallback_order


def test_fallback_order_follows_the_setting_and_never_drops_a_language(app):
    assert fallback_order("en") == ("en", "ru", "kk")
    assert fallback_order("kk") == ("kk", "ru", "en")
    app.config["CONTENT_FALLBACK"] = {"en": ["kk"], "ru": ["xx", "ru", "en"]}
    assert fallback_order("en") == ("en", "kk", "ru")
    assert fallback_order("ru") == ("ru", "en", "kk")
    assert fallback_order("kk") == ("kk", "ru", "en")


def test_the_order_is_configurable(client, app, waste_law):
    app.config["CONTENT_FALLBACK"] = {**app.config["CONTENT_FALLBACK"], "en": ["en", "kk", "ru"]}
    page = client.get(f"/en/laws/{waste_law.slug}/").get_data(as_text=True)
    assert '<article class="law-text-view" lang="kk">' in page
    assert "You are reading the Kazakh text: this draft has no English version." in page


@pytest.mark.parametrize("lang", ["kk", "ru"])
def test_no_notice_when_the_text_is_in_the_page_language(client, waste_law, lang):
    page = client.get(f"/{lang}/laws/{waste_law.slug}/").get_data(as_text=True)
    assert f'<article class="law-text-view" lang="{lang}">' in page
    assert "fallback-notice" not in page


def test_section_page_says_which_language_it_shows(client, article):
    page = client.get(f"/en/laws/{article.version.law.slug}/sections/{article.id}/").get_data(as_text=True)
    assert 'class="law-text-view section-focus" lang="ru"' in page
    assert "You are reading the Russian text: this draft has no English version." in page


def test_russian_readers_of_a_kazakh_only_draft_are_told(client, create_law_from):
    law = create_law_from([("kk", "air-quality.kk.txt")], slug="air-quality")
    page = client.get(f"/ru/laws/{law.slug}/").get_data(as_text=True)
    assert '<article class="law-text-view" lang="kk">' in page
    with force_locale("ru"):
        notice = gettext("You are reading the Kazakh text: this draft has no Russian version.")
    assert notice in page
