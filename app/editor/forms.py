"""Forms for editors: importing a draft's text, editing its details, moving its status."""

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import DateTimeLocalField, HiddenField, SelectChoice, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import Length, Optional

from app.forms import BaseForm

LANGUAGE_CHOICES = [
    SelectChoice("kk", _l("Kazakh")),
    SelectChoice("ru", _l("Russian")),
    SelectChoice("en", _l("English")),
]


class ImportTextForm(BaseForm):
    """The text of a draft (pasted or uploaded) in one language, previewed before it is published."""

    lang = SelectField(_l("Language of the text"), choices=LANGUAGE_CHOICES)
    text = TextAreaField(_l("Text of the draft law"), validators=[Optional()])
    upload = FileField(_l("…or upload a file (.txt or .docx)"))
    fingerprint = HiddenField()
    preview = SubmitField(_l("Preview the structure"))
    publish = SubmitField(_l("Publish"))

    def publishing(self) -> bool:
        """Return True when a button that writes the previewed text was pressed."""
        return bool(self.publish.data)


class NewLawForm(ImportTextForm):
    """A new draft: saved in preparation, or published with its consultation opened at once."""

    title = StringField(_l("Title"), validators=[Optional(), Length(max=500)])
    slug = StringField(_l("Web address (optional)"), validators=[Optional(), Length(max=60)])
    agency = SelectField(_l("Drafting agency"), coerce=int)
    committee = SelectField(_l("Responsible committee"), coerce=int)
    closes_at = DateTimeLocalField(_l("Consultation closes (Almaty time)"), validators=[Optional()])
    publish = SubmitField(_l("Save as a draft in preparation"))
    open_consultation = SubmitField(_l("Publish and open the consultation"))

    def publishing(self) -> bool:
        return bool(self.publish.data or self.open_consultation.data)


class NewVersionForm(ImportTextForm):
    note = TextAreaField(_l("What changed in this version"), validators=[Optional(), Length(max=2000)])


class LawDetailsForm(BaseForm):
    title_kk = StringField(_l("Title in Kazakh"), validators=[Optional(), Length(max=500)])
    title_ru = StringField(_l("Title in Russian"), validators=[Optional(), Length(max=500)])
    title_en = StringField(_l("Title in English"), validators=[Optional(), Length(max=500)])
    description_kk = TextAreaField(_l("Short description in Kazakh"), validators=[Optional(), Length(max=5000)])
    description_ru = TextAreaField(_l("Short description in Russian"), validators=[Optional(), Length(max=5000)])
    description_en = TextAreaField(_l("Short description in English"), validators=[Optional(), Length(max=5000)])
    committee = SelectField(_l("Responsible committee"), coerce=int)
    opens_at = DateTimeLocalField(_l("Consultation opens (Almaty time)"), validators=[Optional()])
    closes_at = DateTimeLocalField(_l("Consultation closes (Almaty time)"), validators=[Optional()])
    save = SubmitField(_l("Save"))


class StatusForm(BaseForm):
    status = HiddenField()
