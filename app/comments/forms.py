"""Forms for commenting, replying, voting and reporting."""

import uuid

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, RadioField, SelectChoice, SelectField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional, ValidationError

from app.comments.labels import FLAG_LABELS
from app.comments.proposals import is_unchanged
from app.comments.services import MAX_BODY, MAX_WORDING
from app.forms import BaseForm
from app.laws.models import Section

STANCE_CHOICES = [
    SelectChoice("support", _l("I support it")),
    SelectChoice("oppose", _l("I oppose it")),
    SelectChoice("neutral", _l("Neutral remark")),
    SelectChoice("amend", _l("I propose new wording")),
]
LANGUAGE_CHOICES = [
    SelectChoice("auto", _l("Detect automatically")),
    SelectChoice("kk", _l("Kazakh")),
    SelectChoice("ru", _l("Russian")),
    SelectChoice("en", _l("English")),
]
FLAG_CHOICES = [SelectChoice(code, text) for code, text in FLAG_LABELS.items()]


def new_token() -> str:
    return uuid.uuid4().hex


class ProposalForm(BaseForm):
    """A form with a proposed wording that starts as the section's text: one left as it was proposes nothing."""

    # The section and its points (proposals.load_subtree), set by the view before validating.
    unit: list[Section] | None = None

    def validate_proposed_wording(self, field):
        if self.stance.data == "amend" and self.unit and is_unchanged(self.unit, field.data):
            raise ValidationError(_l("Change the text to propose new wording."))


class CommentForm(ProposalForm):
    # Lengths are checked by the service too; here they give the form its maxlength and counter.
    stance = RadioField(_l("Your position"), choices=STANCE_CHOICES, validators=[InputRequired()])
    body = TextAreaField(_l("Your comment"), validators=[InputRequired(), Length(max=MAX_BODY)])
    proposed_wording = TextAreaField(_l("Proposed wording"), validators=[Optional(), Length(max=MAX_WORDING)])
    lang = SelectField(_l("Language of the comment"), choices=LANGUAGE_CHOICES, default="auto")
    parent_id = HiddenField()
    client_token = HiddenField(default=new_token)
    submit = SubmitField(_l("Post the comment"))


class ReplyForm(BaseForm):
    body = TextAreaField(_l("Your reply"), validators=[InputRequired(), Length(max=MAX_BODY)])
    parent_id = HiddenField()
    client_token = HiddenField(default=new_token)
    submit = SubmitField(_l("Reply"))


class EditCommentForm(ProposalForm):
    stance = RadioField(_l("Your position"), choices=STANCE_CHOICES, validators=[InputRequired()])
    body = TextAreaField(_l("Your comment"), validators=[InputRequired(), Length(max=MAX_BODY)])
    proposed_wording = TextAreaField(_l("Proposed wording"), validators=[Optional(), Length(max=MAX_WORDING)])
    lang = SelectField(_l("Language of the comment"), choices=LANGUAGE_CHOICES[1:])
    submit = SubmitField(_l("Save changes"))


class LanguageForm(BaseForm):
    lang = SelectField(_l("Language:"), choices=LANGUAGE_CHOICES[1:])
    submit = SubmitField(_l("Change language"))


class FlagForm(BaseForm):
    reason = RadioField(_l("Why are you reporting this comment?"), choices=FLAG_CHOICES, validators=[InputRequired()])
    note = TextAreaField(_l("Anything the moderators should know (optional)"), validators=[Optional(), Length(max=500)])
    submit = SubmitField(_l("Report to the moderators"))


class ActionForm(BaseForm):
    """A button-only POST form (vote, withdraw): it only carries the CSRF token."""
