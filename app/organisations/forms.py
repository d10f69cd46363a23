"""The form for an agency's or committee's slug and names."""

from flask_babel import lazy_gettext as _l
from wtforms import StringField, SubmitField
from wtforms.validators import DataRequired, Length, Optional, Regexp, ValidationError

from app.forms import BaseForm
from app.organisations.services import slug_taken

SLUG_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"


class OrganisationForm(BaseForm):
    """Slug and names of a drafting agency or a parliamentary committee."""

    slug = StringField(
        _l("Short name for addresses"),
        validators=[
            DataRequired(),
            Length(max=64),
            Regexp(SLUG_PATTERN, message=_l("Use lower-case Latin letters, digits and single hyphens.")),
        ],
        filters=[lambda value: value.strip().lower() if value else value],
    )
    name_kk = StringField(_l("Name in Kazakh"), validators=[DataRequired(), Length(max=300)])
    name_ru = StringField(_l("Name in Russian"), validators=[DataRequired(), Length(max=300)])
    name_en = StringField(_l("Name in English"), validators=[Optional(), Length(max=300)])
    submit = SubmitField(_l("Save"))

    def __init__(self, *args, model, current=None, **kwargs) -> None:
        super().__init__(*args, obj=current, **kwargs)
        self.model = model
        self.current = current

    def validate_slug(self, field) -> None:
        if slug_taken(self.model, field.data, current=self.current):
            raise ValidationError(_l("This short name is already used. Please choose another one."))
