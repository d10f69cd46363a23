"""Forms of the moderation workspace and of appeals."""

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, IntegerField, SelectChoice, SelectField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange, Optional, Regexp
from wtforms.widgets import HiddenInput

from app.comments.labels import REJECTION_LABELS
from app.forms import BaseForm

REASON_CHOICES = [SelectChoice("", _l("— choose a reason —"))] + [
    SelectChoice(code, text) for code, text in REJECTION_LABELS.items()
]


class DecisionForm(BaseForm):
    action = HiddenField(validators=[InputRequired()])
    reason = SelectField(_l("Reason (from the moderation policy)"), choices=REASON_CHOICES, validators=[Optional()])
    note = TextAreaField(_l("Note to the author (optional; required for “other”)"), validators=[Length(max=1000)])


class ItemDecisionForm(DecisionForm):
    # The version of the comment the moderator read; the decision is refused if the text moved since.
    version = IntegerField(widget=HiddenInput(), validators=[InputRequired(), NumberRange(min=1, max=2**31 - 1)])


class CampaignDecisionForm(DecisionForm):
    # A digest of the pending members and their versions when the page was shown (decisions.campaign_revision).
    revision = HiddenField(validators=[InputRequired(), Regexp(r"^[0-9a-f]{32}$")])


class SuspendForm(BaseForm):
    reason = TextAreaField(_l("Reason for the suspension"), validators=[InputRequired(), Length(max=1000)])
    submit = SubmitField(_l("Suspend the account"))


class AppealForm(BaseForm):
    text = TextAreaField(_l("Why should the decision change?"), validators=[InputRequired(), Length(max=1000)])
    submit = SubmitField(_l("Send the appeal"))


class AppealDecisionForm(BaseForm):
    outcome = HiddenField(validators=[InputRequired()])
    note = TextAreaField(_l("Note to the author (optional)"), validators=[Length(max=1000)])
