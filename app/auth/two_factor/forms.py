"""Two-factor forms: the code at login, the first code at set-up, a code to make new recovery codes."""

from flask_babel import lazy_gettext as _l
from wtforms import StringField, SubmitField
from wtforms.validators import DataRequired, Length

from app.forms import BaseForm

# A recovery code typed with dashes and spaces is about 20 characters; anything far longer is not a code.
CODE_MAX_LENGTH = 40


def _strip(value):
    return value.strip() if value else value


def _app_code_field(label) -> StringField:
    return StringField(
        label,
        validators=[DataRequired(), Length(max=CODE_MAX_LENGTH)],
        filters=[_strip],
        render_kw={
            "autocomplete": "one-time-code",
            "inputmode": "numeric",
            "maxlength": CODE_MAX_LENGTH,
            "spellcheck": "false",
        },
    )


class TwoFactorForm(BaseForm):
    """The second step of logging in: a code from the app or a recovery code."""

    code = StringField(
        _l("Code from the app or a recovery code"),
        validators=[DataRequired(), Length(max=CODE_MAX_LENGTH)],
        filters=[_strip],
        # Not inputmode=numeric: recovery codes have letters.
        render_kw={
            "autocomplete": "one-time-code",
            "autocapitalize": "off",
            "maxlength": CODE_MAX_LENGTH,
            "spellcheck": "false",
            "autofocus": True,
        },
    )
    submit = SubmitField(_l("Log in"))


class SetupForm(BaseForm):
    code = _app_code_field(_l("The 6-digit code the app shows"))
    submit = SubmitField(_l("Turn on two-factor sign-in"))


class RecoveryCodesForm(BaseForm):
    code = _app_code_field(_l("Current code from the app"))
    submit = SubmitField(_l("Make new recovery codes"))
