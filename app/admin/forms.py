"""Administration forms: the user filter and a user's role."""

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from wtforms import SearchField, SelectChoice, SelectField, SubmitField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from app.auth.models import ROLE_VALUES, Role
from app.extensions import db
from app.forms import BaseForm
from app.i18n import localized
from app.organisations.models import Agency, Committee
from app.template_helpers import ROLE_LABELS


def _id_or_none(value):
    if value in (None, "", "None"):
        return None
    return int(value)


def _role_choices() -> list[SelectChoice]:
    return [SelectChoice(role, ROLE_LABELS[role]) for role in ROLE_VALUES]


def _organisation_choices(model, empty_label) -> list[SelectChoice]:
    organisations = db.session.execute(select(model).order_by(model.slug)).scalars()
    return [SelectChoice("", empty_label)] + [
        SelectChoice(item.id, localized(item, "name")[0]) for item in organisations
    ]


class UserFilterForm(BaseForm):
    """The search box above the user list: a GET form, so no CSRF token and shareable URLs."""

    class Meta:
        csrf = False

    q = SearchField(_l("E-mail or name contains"), validators=[Optional(), Length(max=254)])
    role = SelectField(_l("Role"), validators=[Optional()])
    submit = SubmitField(_l("Search"))

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.role.choices = [SelectChoice("", _l("All roles")), *_role_choices()]


class UserRoleForm(BaseForm):
    role = SelectField(_l("Role"), validators=[DataRequired()])
    agency_id = SelectField(_l("Drafting agency"), coerce=_id_or_none, validate_choice=True)
    committee_id = SelectField(_l("Parliamentary committee"), coerce=_id_or_none, validate_choice=True)
    submit = SubmitField(_l("Save"))

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.role.choices = _role_choices()
        self.agency_id.choices = _organisation_choices(Agency, _l("No agency"))
        self.committee_id.choices = _organisation_choices(Committee, _l("No committee"))

    def validate_agency_id(self, field) -> None:
        if self.role.data == Role.EDITOR and field.data is None:
            raise ValidationError(_l("An editor must belong to a drafting agency."))

    def validate_committee_id(self, field) -> None:
        if self.role.data == Role.MP and field.data is None:
            raise ValidationError(_l("A member of Parliament must belong to a parliamentary committee."))
