"""Forms of the answering pages: a decision with its reasoning, for one comment, a selection, a theme or a campaign."""

from flask_babel import lazy_gettext as _l
from wtforms import Field, IntegerField, RadioField, SelectChoice, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from app.answers.labels import DECISION_LABELS
from app.answers.models import REASONING_LANGS
from app.answers.services import MAX_REASONING
from app.forms import BaseForm

# A page lists ANSWERS_PER_PAGE comments; more ids than this were not ticked by a person.
MAX_SELECTED = 1000
MAX_ID_DIGITS = 12


def _reasoning(label) -> TextAreaField:
    return TextAreaField(
        label,
        validators=[
            Optional(),
            Length(max=MAX_REASONING, message=_l("The reasoning is too long: at most %(max)d characters.")),
        ],
    )


class AnswerForm(BaseForm):
    """The decision and its reasoning in each language the agency writes it in."""

    decision = RadioField(
        _l("Decision"),
        choices=[SelectChoice(value, label) for value, label in DECISION_LABELS.items()],
        validators=[InputRequired(_l("Choose a decision."))],
        invalid_choice_message=_l("Choose a decision."),
    )
    reasoning_kk = _reasoning(_l("Reasoning in Kazakh"))
    reasoning_ru = _reasoning(_l("Reasoning in Russian"))
    reasoning_en = _reasoning(_l("Reasoning in English"))

    def reasoning(self) -> dict[str, str | None]:
        """{lang: text} as the answers services take it."""
        return {lang: getattr(self, f"reasoning_{lang}").data for lang in REASONING_LANGS}


class IdListField(Field):
    """Every value posted under the field's name (the ticked checkboxes), as comment ids."""

    def _value(self) -> str:
        return ""

    def process_formdata(self, valuelist: list[str]) -> None:
        self.data = []
        if len(valuelist) > MAX_SELECTED:
            raise ValueError(_l("Select at most %(max)d comments at once.") % {"max": MAX_SELECTED})
        for value in valuelist:
            value = value.strip()
            if not (value.isascii() and value.isdigit() and len(value) <= MAX_ID_DIGITS):
                raise ValueError(_l("The selection is not valid: reload the page and select the comments again."))
            self.data.append(int(value))


class SelectionForm(AnswerForm):
    """One answer for the comments ticked in the workspace."""

    comment_ids = IdListField(default=list)


class GroupAnswerForm(AnswerForm):
    """One answer for a theme of a summary (its number travels with the form) or for a campaign."""

    snapshot = IntegerField(validators=[Optional(), NumberRange(min=1, max=1_000_000)])
