"""`flask users ...`: create accounts and give roles from the command line."""

import click
from flask.cli import AppGroup
from flask_babel import force_locale
from sqlalchemy import select

from app.auth import services
from app.auth.models import ROLE_VALUES
from app.auth.services import AuthError
from app.auth.two_factor import services as two_factor
from app.extensions import db
from app.organisations.models import Agency, Committee

users_cli = AppGroup("users", help="Manage user accounts.")

ROLE_HELP = f"One of: {', '.join(ROLE_VALUES)}."


def _organisation(model, slug: str | None, kind: str):
    if not slug:
        return None
    found = db.session.execute(select(model).filter_by(slug=slug)).scalar_one_or_none()
    if found is None:
        raise click.ClickException(f"There is no {kind} with the slug {slug!r}.")
    return found


def _fail(error: AuthError):
    db.session.rollback()
    # Operators read the CLI in English, whatever the site's default language is.
    with force_locale("en"):
        return click.ClickException(str(error.message))


@users_cli.command("create")
@click.option("--email", required=True, help="E-mail address (stored lower-cased).")
@click.option("--role", required=True, help=ROLE_HELP)
@click.option("--name", "display_name", help="Display name; defaults to the part of the e-mail before @.")
@click.option("--password", help="Password; asked for with hidden input when left out.")
@click.option("--agency", "agency_slug", help="Slug of the drafting agency (required for editors).")
@click.option("--committee", "committee_slug", help="Slug of the parliamentary committee (required for MPs).")
def create_user_command(email, role, display_name, password, agency_slug, committee_slug):
    """Create a confirmed account with a role."""
    agency = _organisation(Agency, agency_slug, "agency")
    committee = _organisation(Committee, committee_slug, "committee")
    try:
        # Fail on the role and the address before asking for a password that would be thrown away.
        services.check_membership(role, agency, committee)
        if services.get_user_by_email(email) is not None:
            raise AuthError(services.DUPLICATE_EMAIL)
        if password is None:
            password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
        user = services.create_user(
            email,
            display_name or email.strip().partition("@")[0],
            password,
            role=role,
            agency=agency,
            committee=committee,
            confirmed=True,
        )
    except AuthError as error:
        raise _fail(error) from error
    db.session.commit()
    click.echo(f"Created {user.email} with role {user.role}.")


@users_cli.command("set-role")
@click.option("--email", required=True, help="E-mail address of the account.")
@click.option("--role", required=True, help=ROLE_HELP)
@click.option("--agency", "agency_slug", help="Slug of the drafting agency (required for editors).")
@click.option("--committee", "committee_slug", help="Slug of the parliamentary committee (required for MPs).")
def set_role_command(email, role, agency_slug, committee_slug):
    """Give an existing account a role."""
    user = services.get_user_by_email(email)
    if user is None:
        raise click.ClickException(f"There is no account with the e-mail address {email.strip()!r}.")
    agency = _organisation(Agency, agency_slug, "agency")
    committee = _organisation(Committee, committee_slug, "committee")
    try:
        services.assign_role(user, role, agency=agency, committee=committee)
    except AuthError as error:
        raise _fail(error) from error
    db.session.commit()
    click.echo(f"{user.email} now has role {user.role}.")


@users_cli.command("reset-two-factor")
@click.option("--email", required=True, help="E-mail address of the account.")
def reset_two_factor_command(email):
    """Turn off an account's two-factor sign-in (lost phone and codes) and log it out everywhere."""
    user = services.get_user_by_email(email)
    if user is None:
        raise click.ClickException(f"There is no account with the e-mail address {email.strip()!r}.")
    two_factor.reset(user)
    db.session.commit()
    click.echo(f"Two-factor sign-in of {user.email} is reset; staff set it up again at their next login.")
