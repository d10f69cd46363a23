"""The base form every Kenes form derives from."""

import functools

from babel import support
from flask import current_app, has_request_context
from flask_babel import get_locale
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.i18n import messages_path
from wtforms.meta import DefaultMeta


def strip_nul(value):
    """Drop NUL characters: PostgreSQL cannot store them and no person types them."""
    return value.replace("\x00", "") if isinstance(value, str) else value


@functools.cache
def wtforms_catalog(locale: str) -> support.Translations:
    """WTForms' own messages in one language, read from its package once per process."""
    return support.Translations.load(messages_path(), [locale], domain="wtforms")


class _Translations:
    """WTForms' messages ("Not a valid choice") in the request's language.

    Flask-WTF's own version reads and parses WTForms' catalog again on every request that builds a form (0.3-0.6 ms
    of each comment post); the catalogs never change while the process runs.
    """

    @staticmethod
    def _catalog() -> support.Translations | None:
        return wtforms_catalog(str(get_locale())) if has_request_context() else None

    def gettext(self, string: str) -> str:
        catalog = self._catalog()
        return string if catalog is None else catalog.ugettext(string)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        catalog = self._catalog()
        if catalog is None:
            return singular if n == 1 else plural
        return catalog.ungettext(singular, plural, n)


_TRANSLATIONS = _Translations()


class BaseForm(FlaskForm):
    class Meta:
        def bind_field(self, form, unbound_field, options):
            if issubclass(unbound_field.field_class, StringField):
                options["filters"] = [*unbound_field.kwargs.get("filters", ()), strip_nul]
            return unbound_field.bind(form=form, **options)

        def get_translations(self, form):
            if not current_app.config.get("WTF_I18N_ENABLED", True):
                return DefaultMeta.get_translations(self, form)
            return _TRANSLATIONS
