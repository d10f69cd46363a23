"""Locale handling: the language is the first segment of every page URL (/kk/..., /ru/..., /en/...)."""

from typing import Any

from flask import Flask, current_app, g, has_app_context, has_request_context, request
from flask_babel import get_locale
from werkzeug.routing import BaseConverter

LANGUAGE_NAMES = {"kk": "Қазақша", "ru": "Русский", "en": "English"}


class LangConverter(BaseConverter):
    """Match only the configured UI languages, so /xx/... is a plain 404."""

    def __init__(self, url_map, *args):
        super().__init__(url_map)
        self.regex = "(?:kk|ru|en)"


def select_locale() -> str:
    """Pick the URL's language, else the browser's preference, else Kazakh."""
    lang = g.get("lang")
    if lang:
        return lang
    if has_request_context():
        # A URL no route matched (a 404) still names its language in its first segment: answer in it.
        prefix = request.path.lstrip("/").split("/", 1)[0]
        if prefix in current_app.config["LANGUAGES"]:
            return prefix
        return request.accept_languages.best_match(
            current_app.config["LANGUAGES"], default=current_app.config["DEFAULT_LANGUAGE"]
        )
    # No reader without a request: commands and logs speak to operators, in English. Mail to a user
    # is written inside force_locale(user.locale).
    return current_app.config["OPERATOR_LANGUAGE"]


def current_lang() -> str:
    """Return the language of the current page as a plain code."""
    return g.get("lang") or str(get_locale() or current_app.config["DEFAULT_LANGUAGE"])


CONTENT_LANGUAGES = ("kk", "ru", "en")


def fallback_order(lang: str) -> tuple[str, ...]:
    """Languages to try for content: the reader's own, then those of config CONTENT_FALLBACK, then the rest."""
    configured = current_app.config.get("CONTENT_FALLBACK", {}) if has_app_context() else {}
    # The reader's own language always comes first, and no language is ever left out, whatever the setting says.
    order = [lang, *configured.get(lang, ()), *CONTENT_LANGUAGES]
    return tuple(code for n, code in enumerate(order) if code in CONTENT_LANGUAGES and code not in order[:n])


def localized(obj: Any, field: str, lang: str | None = None) -> tuple[str, str | None]:
    """Return (text, language it is in) for a per-language field, falling back when missing."""
    lang = lang or current_lang()
    for code in fallback_order(lang):
        value = getattr(obj, f"{field}_{code}", None)
        if value:
            return value, code
    return "", None


def init_app(app: Flask) -> None:
    """Register the language URL converter and the hooks that carry the prefix."""
    app.url_map.converters["lang"] = LangConverter

    @app.url_value_preprocessor
    def _pull_lang(endpoint, values):
        if values and "lang" in values:
            g.lang = values.pop("lang")

    @app.url_defaults
    def _add_lang(endpoint, values):
        if "lang" in values or not endpoint:
            return
        if app.url_map.is_endpoint_expecting(endpoint, "lang"):
            values["lang"] = current_lang()

    @app.context_processor
    def _i18n_context():
        return {
            "current_lang": current_lang(),
            "language_names": LANGUAGE_NAMES,
            "localized": localized,
        }
