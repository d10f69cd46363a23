"""The form that links an accepted answer to the unit of a later version that changed because of it."""

from flask_babel import lazy_gettext as _l
from wtforms import RadioField, SubmitField
from wtforms.validators import Optional

from app.forms import BaseForm


class TraceForm(BaseForm):
    """Choose one of the changed units the diff offers, or remove the link the answer has."""

    # The choices are the candidates, set by the view; a unit outside them is refused by the service, which says why.
    section_id = RadioField(_l("The unit that changed"), coerce=int, validate_choice=False, validators=[Optional()])
    link = SubmitField(_l("Link the answer to this change"))
    unlink = SubmitField(_l("Remove the link"))
