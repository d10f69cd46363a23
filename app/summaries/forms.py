"""Forms of the summary pages: start a build, edit a built summary's prose, submit it, mark it unread."""

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from app.forms import BaseForm
from app.summaries.review import INTRODUCTION_MAX


class ActionForm(BaseForm):
    """A POST button: build a summary, mark a summary unread."""


class ReviewForm(BaseForm):
    """The introduction; the edited summary texts are fields named after their part (see edit_field_name)."""

    introduction = TextAreaField(
        _l("Introduction by the drafting agency"), validators=[Optional(), Length(max=INTRODUCTION_MAX)]
    )
    save = SubmitField(_l("Save the changes"))


class SubmitForm(BaseForm):
    confirm = BooleanField(
        _l("I have reviewed this summary. Once sent, it cannot be changed."),
        validators=[DataRequired(_l("Confirm that you have reviewed the summary."))],
    )
    submit = SubmitField(_l("Send to the committee"))


def edit_field_name(key: str) -> str:
    """The form field of an editable part: "12/summary/kk" → "edit-12-kk" (letters, digits and hyphens only)."""
    section_id, _slash, field = key.partition("/")
    return f"edit-{section_id}-{field.rpartition('/')[2]}"
