"""Administration pages: users, their roles and two-factor sign-in."""

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.admin import services
from app.admin.forms import UserFilterForm, UserRoleForm
from app.auth.decorators import require_role
from app.auth.models import ROLE_VALUES, User
from app.auth.two_factor import services as two_factor
from app.extensions import db
from app.organisations.models import Agency, Committee
from app.web import commit_or_flash

bp = Blueprint("admin", __name__, template_folder="templates")

# Far beyond any real list; keeps a hand-typed ?page=10**30 from overflowing the database's OFFSET.
MAX_PAGE = 100_000


@bp.before_request
@require_role("admin")
def _admins_only():
    """Let only administrators in; checking here means a new admin page cannot forget it."""


def _page_number() -> int:
    # Anything that is not a positive number (abc, -1, 0) means the first page.
    page = request.args.get("page", 1, type=int)
    return min(page, MAX_PAGE) if page >= 1 else 1


@bp.get("/")
def index():
    """Open the administration on the user list."""
    return redirect(url_for("admin.users"))


@bp.get("/users")
def users():
    """List users, searchable by e-mail or name and filterable by role."""
    form = UserFilterForm(request.args)
    search = (form.q.data or "").strip()
    role = form.role.data if form.role.data in ROLE_VALUES else ""
    query = services.users_query(search, role)
    per_page = current_app.config["ADMIN_USERS_PER_PAGE"]
    pagination = db.paginate(query, page=_page_number(), per_page=per_page, error_out=False)
    if pagination.pages and pagination.page > pagination.pages:
        pagination = db.paginate(query, page=pagination.pages, per_page=per_page, error_out=False)
    filtered = bool(search or role)
    return render_template("admin/users.html", form=form, pagination=pagination, filtered=filtered)


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
def edit_user(user_id: int):
    """Change a user's role, agency and committee."""
    user = db.get_or_404(User, user_id)
    form = UserRoleForm(obj=user)
    if form.validate_on_submit():
        agency = db.session.get(Agency, form.agency_id.data) if form.agency_id.data else None
        committee = db.session.get(Committee, form.committee_id.data) if form.committee_id.data else None
        if commit_or_flash(
            lambda: services.change_role(current_user._get_current_object(), user, form.role.data, agency, committee),
            _("The role of %(name)s is saved.", name=user.display_name),
        ):
            return redirect(url_for("admin.users"))
    return render_template("admin/user_edit.html", form=form, user=user)


@bp.post("/users/<int:user_id>/two-factor/reset")
def reset_two_factor(user_id: int):
    """Turn off a user's two-factor sign-in, e.g. after a lost phone; they set it up again at the next login."""
    user = db.get_or_404(User, user_id)
    two_factor.reset(user, acting_user=current_user._get_current_object())
    db.session.commit()
    flash(
        _(
            "Two-factor sign-in of %(name)s is reset and they are logged out. Staff set it up again at next login.",
            name=user.display_name,
        ),
        "success",
    )
    return redirect(url_for("admin.edit_user", user_id=user.id))
