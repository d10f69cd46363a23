"""Password rules and the list of common passwords."""

import pytest
from flask_babel import force_locale

from app.auth.passwords import common_passwords, is_common_password
from app.auth.services import AuthError, check_password, password_problem


def test_common_list_is_large_lower_case_and_long_enough():
    passwords = common_passwords()
    assert len(passwords) >= 500
    assert all(password == password.lower() and len(password) >= 8 for password in passwords)
    assert sum(len(password) >= 10 for password in passwords) >= 200


@pytest.mark.parametrize(
    "password",
    ["1234567890", "qwertyuiop", "password123", "1q2w3e4r5t", "qwerty12345", "iloveyou12", "йцукенгшщз", "QwertyUiop"],
)
def test_well_known_passwords_are_common(password):
    assert is_common_password(password)


def test_rules_in_order(app):
    with force_locale("en"):
        _check_rules_in_english()


def _check_rules_in_english():
    assert password_problem("tulip meadow 42 river") is None
    assert "at least" in str(password_problem("short"))
    assert "at most" in str(password_problem("a b" * 200))
    assert "too common" in str(password_problem("kazakhstan123"))
    assert "your e-mail address or your name" in str(password_problem("dana.s@example.kz", email="Dana.S@example.kz"))
    assert "your e-mail address or your name" in str(password_problem("Dana Serikova", display_name="dana serikova"))


def test_min_length_comes_from_config(app):
    app.config["PASSWORD_MIN_LENGTH"] = 20
    with force_locale("en"), pytest.raises(AuthError, match="at least 20 characters"):
        check_password("tulip meadow 42 river"[:15])
