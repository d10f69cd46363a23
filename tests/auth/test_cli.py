"""`flask users create` and `flask users set-role`."""

import pytest

from app.auth.models import User
from app.auth.passwords import verify_password
from app.extensions import db

PASSWORD = "tulip meadow 42 river"


def get_user(email: str) -> User | None:
    db.session.expire_all()
    return db.session.execute(db.select(User).filter_by(email=email)).scalar_one_or_none()


def test_create_admin(runner):
    result = runner.invoke(
        args=["users", "create", "--email", "Boss@Example.KZ", "--role", "admin", "--password", PASSWORD]
    )
    assert result.exit_code == 0, result.output
    assert "Created boss@example.kz with role admin." in result.output
    user = get_user("boss@example.kz")
    assert user.role == "admin"
    assert user.email_confirmed
    assert user.display_name == "Boss"
    assert verify_password(user.password_hash, PASSWORD)


def test_create_prompts_for_a_hidden_password(runner):
    result = runner.invoke(
        args=["users", "create", "--email", "mod@example.kz", "--role", "moderator", "--name", "Moderator"],
        input=f"{PASSWORD}\n{PASSWORD}\n",
    )
    assert result.exit_code == 0, result.output
    assert PASSWORD not in result.output
    user = get_user("mod@example.kz")
    assert (user.role, user.display_name) == ("moderator", "Moderator")


def test_create_editor_and_mp_with_their_organisations(runner, create_agency, create_committee):
    agency, committee = create_agency(slug="justice"), create_committee(slug="legislation")
    result = runner.invoke(
        args=[
            "users",
            "create",
            "--email",
            "ed@example.kz",
            "--role",
            "editor",
            "--agency",
            "justice",
            "--password",
            PASSWORD,
        ]
    )
    assert result.exit_code == 0, result.output
    result = runner.invoke(
        args=[
            "users",
            "create",
            "--email",
            "mp@example.kz",
            "--role",
            "mp",
            "--committee",
            "legislation",
            "--password",
            PASSWORD,
        ]
    )
    assert result.exit_code == 0, result.output
    assert get_user("ed@example.kz").agency_id == agency.id
    assert get_user("mp@example.kz").committee_id == committee.id


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--role", "king"], "There is no role called king."),
        (["--role", "editor"], "An editor must belong to a drafting agency."),
        (["--role", "mp"], "A member of Parliament must belong to a parliamentary committee."),
        (["--role", "editor", "--agency", "nope"], "There is no agency with the slug 'nope'."),
        (["--role", "mp", "--committee", "nope"], "There is no committee with the slug 'nope'."),
        (["--role", "citizen", "--password", "1234567890"], "too common"),
        (["--role", "citizen", "--password", "short"], "at least 10 characters"),
    ],
)
def test_create_errors_exit_with_1(runner, args, message):
    full = ["users", "create", "--email", "new@example.kz", *args]
    if "--password" not in args:
        full += ["--password", PASSWORD]
    result = runner.invoke(args=full)
    assert result.exit_code == 1
    assert message in result.output
    assert get_user("new@example.kz") is None


def test_create_duplicate_email_exits_with_1(runner, create_user):
    create_user(email="taken@example.kz")
    result = runner.invoke(args=["users", "create", "--email", "TAKEN@example.kz", "--role", "admin"], input="")
    assert result.exit_code == 1
    assert "already exists" in result.output
    assert "Password" not in result.output, "the duplicate is found before asking for a password"


def test_set_role(runner, create_user, create_agency, create_committee):
    user = create_user()
    create_agency(slug="finance")
    create_committee(slug="budget")
    result = runner.invoke(
        args=["users", "set-role", "--email", user.email.upper(), "--role", "editor", "--agency", "finance"]
    )
    assert result.exit_code == 0, result.output
    assert f"{user.email} now has role editor." in result.output
    assert get_user(user.email).agency.slug == "finance"

    result = runner.invoke(args=["users", "set-role", "--email", user.email, "--role", "mp", "--committee", "budget"])
    assert result.exit_code == 0, result.output
    changed = get_user(user.email)
    assert (changed.role, changed.agency, changed.committee.slug) == ("mp", None, "budget")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--email", "nobody@example.kz", "--role", "admin"], "There is no account with the e-mail address"),
        (["--role", "tsar"], "There is no role called tsar."),
        (["--role", "editor"], "An editor must belong to a drafting agency."),
        (["--role", "mp", "--committee", "missing"], "There is no committee with the slug 'missing'."),
    ],
)
def test_set_role_errors_exit_with_1(runner, create_user, args, message):
    user = create_user()
    full = ["users", "set-role", *args] if "--email" in args else ["users", "set-role", "--email", user.email, *args]
    result = runner.invoke(args=full)
    assert result.exit_code == 1
    assert message in result.output
    assert get_user(user.email).role == "citizen"
