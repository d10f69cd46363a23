"""Two-factor sign-in (TOTP and recovery codes) for staff, and the time limits of staff sessions."""

from flask import Flask
from flask_login import user_logged_out


def init_app(app: Flask) -> None:
    """Check every request against the staff session limits and give the account page its panel."""
    from app.auth.two_factor import services, views

    app.before_request(views.enforce_staff_session_limits)
    user_logged_out.connect(lambda sender, **extra: services.end_staff_session(), app, weak=False)
    app.jinja_env.globals.update(two_factor_panel=views.account_panel)
