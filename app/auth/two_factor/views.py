"""Two-factor pages: the code after the password, the first set-up, new recovery codes; the staff session limits."""

import io
import logging

import segno
from flask import Blueprint, Response, abort, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required

from app.auth.sessions import end_session, start_session
from app.auth.two_factor import services
from app.auth.two_factor.forms import RecoveryCodesForm, SetupForm, TwoFactorForm
from app.auth.two_factor.services import TwoFactorError, TwoFactorLockedError
from app.extensions import db

logger = logging.getLogger(__name__)

bp = Blueprint("two_factor", __name__)


def _no_store(body, status: int = 200) -> Response:
    # Pages with the secret or the recovery codes must not stay in a shared computer's cache or history.
    response = make_response(body, status)
    response.headers["Cache-Control"] = "no-store"
    return response


def _pending_user_or_login():
    """Return (user, None) for the half-logged-in user, or (None, a redirect to the login page)."""
    started = services.has_pending()
    user = services.pending_user()
    if user is None:
        if started or request.method == "POST":
            flash(_("The time to enter the code has run out. Please log in again."), "info")
        services.end_staff_session()
        return None, redirect(url_for("auth.login"))
    return user, None


def _log_in(user) -> None:
    # A new session (and CSRF token) from here on; staff never get a remember-me cookie, it would outlive the limits.
    start_session(user, remember=False)
    services.start_staff_session(user)


@bp.route("/two-factor", methods=["GET", "POST"])
def verify():
    """Ask for a code from the authenticator app, or a recovery code, after the right password."""
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    user, refusal = _pending_user_or_login()
    if refusal:
        return refusal
    if not user.two_factor_enabled:
        return redirect(url_for("two_factor.setup"))
    form = TwoFactorForm()
    status = 200
    if form.validate_on_submit():
        try:
            used_recovery_code = services.check_code(user, form.code.data)
        except TwoFactorError as error:
            # The failure is what the throttle counts, so it is kept.
            db.session.commit()
            flash(error.message, "error")
            status = 429 if isinstance(error, TwoFactorLockedError) else 200
        else:
            left = services.recovery_codes_left(user) if used_recovery_code else None
            next_url = services.finish_pending()
            db.session.commit()
            _log_in(user)
            if left is not None:
                flash(
                    ngettext(
                        "You logged in with a recovery code. You have %(num)d recovery code left.",
                        "You logged in with a recovery code. You have %(num)d recovery codes left.",
                        left,
                    ),
                    "info" if left > 2 else "error",
                )
            return redirect(next_url or url_for("main.index"))
    return render_template("auth/two_factor.html", form=form, user=user), status


@bp.route("/two-factor/setup", methods=["GET", "POST"])
def setup():
    """Show a new secret as a QR code and as text; turn two-factor sign-in on with a first code."""
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    user, refusal = _pending_user_or_login()
    if refusal:
        return refusal
    if user.two_factor_enabled:
        return redirect(url_for("two_factor.verify"))
    if user.totp_secret is None:
        # Reset by an administrator since the password step: start again from there.
        services.finish_pending()
        return redirect(url_for("auth.login"))
    form = SetupForm()
    if form.validate_on_submit():
        # Not commit_or_flash: the recovery codes it returns are shown once, on the page below.
        try:
            codes = services.confirm_setup(user, form.code.data)
        except TwoFactorError as error:
            db.session.rollback()
            form.code.errors.append(error.message)
        else:
            next_url = services.finish_pending()
            db.session.commit()
            _log_in(user)
            flash(_("Two-factor sign-in is on."), "success")
            page = render_template(
                "auth/two_factor_recovery_codes.html", codes=codes, continue_url=next_url or url_for("main.index")
            )
            return _no_store(page)
    page = render_template(
        "auth/two_factor_setup.html", form=form, user=user, secret=services.format_secret(user.totp_secret)
    )
    return _no_store(page)


@bp.get("/two-factor/qr.svg")
def qr_code():
    """Draw the set-up QR code as SVG, on the server: no script, no outside service sees the secret."""
    user = services.pending_user()
    if user is None or user.totp_secret is None or user.two_factor_enabled:
        abort(404)
    svg = io.BytesIO()
    segno.make(services.provisioning_uri(user), error="m").save(
        svg,
        kind="svg",
        scale=5,
        border=4,
        light="#fff",
        xmldecl=False,
        encoding="utf-8",
        title=_("QR code for the authenticator app"),
    )
    response = _no_store(svg.getvalue())
    response.mimetype = "image/svg+xml"
    return response


@bp.post("/two-factor/recovery-codes")
@login_required
def recovery_codes():
    """Replace the recovery codes, once a current code from the app is given, and show the new ones once."""
    user = current_user._get_current_object()
    if not user.two_factor_enabled:
        abort(404)
    form = RecoveryCodesForm()
    if not form.validate_on_submit():
        flash(_("Enter the current code from your authenticator app."), "error")
        return redirect(url_for("auth.account"))
    try:
        codes = services.regenerate_recovery_codes(user, form.code.data)
    except TwoFactorError as error:
        db.session.commit()  # keep the counted failure
        flash(error.message, "error")
        return redirect(url_for("auth.account"))
    db.session.commit()
    flash(_("Your new recovery codes are ready. The old ones no longer work."), "success")
    return _no_store(
        render_template("auth/two_factor_recovery_codes.html", codes=codes, continue_url=url_for("auth.account"))
    )


def account_panel(user) -> dict | None:
    """Return what the account page shows about two-factor sign-in (None when it is off)."""
    if not user.two_factor_enabled:
        return None
    return {"codes_left": services.recovery_codes_left(user), "form": RecoveryCodesForm(formdata=None)}


def enforce_staff_session_limits():
    """Log staff out after the idle or absolute limit, or when they never passed the second step."""
    if request.endpoint in (None, "static") or not current_user.is_authenticated:
        return None
    user = current_user._get_current_object()
    if not services.is_staff(user):
        return None
    if not services.staff_session_ended(user):
        services.touch_staff_session()
        return None
    logger.info("Staff session of user %s ended", user.id)
    end_session()
    flash(_("Your session has ended; please log in again."), "info")
    next_url = request.full_path.rstrip("?") if request.method == "GET" and request.blueprint != "api" else None
    return redirect(url_for("auth.login", next=next_url) if next_url else url_for("auth.login"))
