"""The base form every Kenes form derives from."""

from flask_wtf import FlaskForm
from wtforms import StringField


def strip_nul(value):
    """Drop NUL characters: PostgreSQL cannot store them and no person types them."""
    return value.replace("\x00", "") if isinstance(value, str) else value


class BaseForm(FlaskForm):
    class Meta:
        def bind_field(self, form, unbound_field, options):
            if issubclass(unbound_field.field_class, StringField):
                options["filters"] = [*unbound_field.kwargs.get("filters", ()), strip_nul]
            return unbound_field.bind(form=form, **options)
