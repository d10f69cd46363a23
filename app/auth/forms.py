"""Account forms: registration, logging in, confirmation and reset requests, profile and password changes."""

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, EmailField, PasswordField, SelectChoice, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, Email, EqualTo, InputRequired, Length, ValidationError

from app.auth.services import EMAIL_MAX_LENGTH, PASSWORD_MAX_LENGTH, password_problem
from app.forms import BaseForm
from app.i18n import LANGUAGE_NAMES

DISPLAY_NAME_MAX_LENGTH = 80


def _email_field(label=None) -> EmailField:
    return EmailField(
        label or _l("E-mail address"),
        validators=[DataRequired(), Email(message=_l("Enter a valid e-mail address.")), Length(max=EMAIL_MAX_LENGTH)],
        filters=[lambda value: value.strip() if value else value],
        render_kw={"autocomplete": "email", "maxlength": EMAIL_MAX_LENGTH},
    )


def _new_password_field(label=None) -> PasswordField:
    return PasswordField(
        label or _l("Password"),
        validators=[InputRequired()],
        render_kw={"autocomplete": "new-password", "maxlength": PASSWORD_MAX_LENGTH},
    )


def _confirm_field(target: str) -> PasswordField:
    return PasswordField(
        _l("Repeat the password"),
        validators=[InputRequired(), EqualTo(target, message=_l("The two passwords do not match."))],
        render_kw={"autocomplete": "new-password", "maxlength": PASSWORD_MAX_LENGTH},
    )


def _display_name_field() -> StringField:
    return StringField(
        _l("Display name"),
        validators=[DataRequired(), Length(min=2, max=DISPLAY_NAME_MAX_LENGTH)],
        filters=[lambda value: value.strip() if value else value],
        render_kw={"autocomplete": "nickname", "maxlength": DISPLAY_NAME_MAX_LENGTH},
    )


class RegisterForm(BaseForm):
    email = _email_field()
    display_name = _display_name_field()
    password = _new_password_field()
    confirm = _confirm_field("password")
    submit = SubmitField(_l("Create my account"))

    # No check that the address is free: saying so would tell anyone which addresses have accounts.
    # The view answers as for a new account and e-mails the owner instead.

    def validate_password(self, field) -> None:
        problem = password_problem(field.data, email=self.email.data or "", display_name=self.display_name.data or "")
        if problem is not None:
            raise ValidationError(problem)


class LoginForm(BaseForm):
    email = _email_field()
    password = PasswordField(
        _l("Password"),
        validators=[InputRequired(), Length(max=PASSWORD_MAX_LENGTH)],
        render_kw={"autocomplete": "current-password"},
    )
    remember = BooleanField(_l("Stay logged in on this device"))
    submit = SubmitField(_l("Log in"))


class EmailForm(BaseForm):
    """Ask for an address: to resend the confirmation link or to reset the password."""

    email = _email_field()
    submit = SubmitField(_l("Send the link"))


class ConfirmEmailForm(BaseForm):
    submit = SubmitField(_l("Confirm my e-mail address"))


class _NewPasswordRules:
    """Check the new password against the rules, knowing whose password it is."""

    def __init__(self, *args, user=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

    def validate_password(self, field) -> None:
        email = self.user.email if self.user else ""
        name = self.user.display_name if self.user else ""
        problem = password_problem(field.data, email=email, display_name=name)
        if problem is not None:
            raise ValidationError(problem)


class ResetPasswordForm(_NewPasswordRules, BaseForm):
    password = _new_password_field(_l("New password"))
    confirm = _confirm_field("password")
    submit = SubmitField(_l("Save the new password"))


class ChangePasswordForm(_NewPasswordRules, BaseForm):
    current_password = PasswordField(
        _l("Current password"),
        validators=[InputRequired(), Length(max=PASSWORD_MAX_LENGTH)],
        render_kw={"autocomplete": "current-password"},
    )
    password = _new_password_field(_l("New password"))
    confirm = _confirm_field("password")
    submit = SubmitField(_l("Change the password"))


class ProfileForm(BaseForm):
    display_name = _display_name_field()
    locale = SelectField(
        _l("Preferred language"),
        choices=[SelectChoice(code, name) for code, name in LANGUAGE_NAMES.items()],
        validators=[DataRequired()],
    )
    submit = SubmitField(_l("Save"))
