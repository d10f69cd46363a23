"""Every refusal meant for the user is a UserError; commit_or_flash and the error pages treat them alike."""

import importlib
import pkgutil

import pytest
from flask import get_flashed_messages
from flask_babel import lazy_gettext as _l

import app as app_package
from app.errors import UserError
from app.extensions import db
from app.web import commit_or_flash

# Raised and caught inside the code, never shown to anyone as they are.
INTERNAL = {
    "app.laws.parser.ParseError",  # a code the web layer and the CLI turn into a sentence
    "app.auth.tokens.InvalidTokenError",  # turned into AuthError or UnsubscribeError by the services
    "app.auth.tokens.ExpiredTokenError",
    "app.auth.passwords.PasswordHashBusyError",  # an HTTP 503, answered by the HTTP error page
    "app.search.backend.SearchUnavailableError",  # logged; the search page degrades
    "app.ops.backup.BackupError",  # for operators: `flask backup` and `flask restore` print it
    "app.moderation.decisions._UndoBulkError",  # unwinds a savepoint
}

REFUSALS = {
    "app.auth.services.AuthError",
    "app.auth.services.ThrottledError",
    "app.auth.services.LoginThrottledError",
    "app.auth.services.WrongPasswordError",
    "app.auth.services.EmailTakenError",
    "app.auth.two_factor.services.TwoFactorError",
    "app.auth.two_factor.services.TwoFactorLockedError",
    "app.comments.services.CommentError",
    "app.moderation.errors.ModerationError",
    "app.moderation.errors.CommentChangedError",
    "app.moderation.errors.CampaignChangedError",
    "app.laws.services.LawError",
    "app.laws.importing.AlignmentError",
    "app.admin.services.AdminError",
    "app.organisations.services.OrganisationError",
    "app.notifications.optouts.UnsubscribeError",
}


def _error_classes() -> dict[str, type[Exception]]:
    """Import every module of the app and return its own exception classes named *Error, by dotted name."""
    found = {}
    for module_info in pkgutil.walk_packages(app_package.__path__, "app."):
        module = importlib.import_module(module_info.name)
        for value in vars(module).values():
            if (
                isinstance(value, type)
                and issubclass(value, Exception)
                and value.__name__.endswith("Error")
                and value.__module__ == module.__name__
            ):
                found[f"{value.__module__}.{value.__qualname__}"] = value
    return found


def test_every_refusal_is_a_user_error():
    classes = _error_classes()
    assert REFUSALS <= set(classes)
    not_user_errors = {name for name, cls in classes.items() if not issubclass(cls, UserError)}
    # A new error class is either a refusal the user reads (subclass UserError) or listed in INTERNAL with why.
    assert not_user_errors == INTERNAL


def test_moderation_refusals_are_not_comment_refusals():
    from app.comments.services import CommentError
    from app.moderation.errors import ModerationError

    assert not issubclass(ModerationError, CommentError)


def test_message_is_filled_in_when_shown():
    error = UserError(_l("At most %(max)d characters."), max=5)
    assert str(error) == "At most 5 characters."
    assert error.status == 400
    assert str(UserError("100% sure.", status=409)) == "100% sure."


def _rename(user, name: str, refuse: bool = False):
    def action():
        user.display_name = name
        db.session.flush()
        if refuse:
            raise UserError(_l("Not allowed."), status=403)

    return action


def test_commit_or_flash_commits_and_flashes_success(app, create_user):
    user = create_user(display_name="Before")
    with app.test_request_context():
        assert commit_or_flash(_rename(user, "After"), "Saved.") is True
        assert get_flashed_messages(with_categories=True) == [("success", "Saved.")]
    db.session.rollback()
    assert user.display_name == "After"


def test_commit_or_flash_rolls_back_and_flashes_the_refusal(app, create_user):
    user = create_user(display_name="Before")
    with app.test_request_context():
        assert commit_or_flash(_rename(user, "After", refuse=True), "Saved.") is False
        assert get_flashed_messages(with_categories=True) == [("error", "Not allowed.")]
    assert user.display_name == "Before"


def test_commit_or_flash_gives_the_refusal_to_on_error(app, create_user):
    user = create_user(display_name="Before")
    shown: list[str] = []
    with app.test_request_context():
        assert commit_or_flash(_rename(user, "After", refuse=True), "Saved.", on_error=shown.append) is False
        assert get_flashed_messages() == []
    assert shown == ["Not allowed."]
    assert user.display_name == "Before"


def test_commit_or_flash_lets_other_errors_through(app, create_user):
    user = create_user(display_name="Before")

    def broken():
        raise RuntimeError("a bug, not a refusal")

    with app.test_request_context(), pytest.raises(RuntimeError):
        commit_or_flash(broken, "Saved.")
    assert user.display_name == "Before"


@pytest.mark.parametrize("path", ["/en/uncaught-refusal", "/api/uncaught-refusal"])
def test_an_uncaught_refusal_answers_with_its_status_and_message(app, client, path):
    def view():
        raise UserError(_l("Not allowed."), status=403)

    app.add_url_rule(path, "uncaught_refusal", view)
    response = client.get(path)
    assert response.status_code == 403
    assert "Not allowed." in response.get_data(as_text=True)
