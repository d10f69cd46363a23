"""Forms of the notifications pages: buttons whose only field is the CSRF token, and the unsubscribe button."""

from flask_babel import lazy_gettext as _l
from wtforms import SubmitField

from app.forms import BaseForm


class ActionForm(BaseForm):
    """A POST button: follow, stop following, mark as read."""


class UnsubscribeForm(BaseForm):
    submit = SubmitField(_l("Stop these e-mails"))
