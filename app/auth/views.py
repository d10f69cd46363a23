"""Account pages: register, confirm the e-mail address, log in and out, reset the password, manage the account."""

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from markupsafe import Markup

from app.auth import email_links, services
from app.auth.forms import (
    ChangePasswordForm,
    ConfirmEmailForm,
    EmailForm,
    LoginForm,
    ProfileForm,
    RegisterForm,
    ResetPasswordForm,
)
from app.auth.login import record_login, verify_login
from app.auth.services import AuthError, EmailTakenError, LoginThrottledError, ThrottledError, WrongPasswordError
from app.auth.sessions import end_session, start_session
from app.auth.two_factor import services as two_factor
from app.db import reads_first, start_writing
from app.extensions import db
from app.i18n import current_lang
from app.web import commit_or_flash

bp = Blueprint("auth", __name__, template_folder="templates")


def local_url(target: str | None) -> str | None:
    """Return the target if it is a path on this site, else None (refuses //host and /\\host)."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return None
    # Browsers drop tabs and newlines and read backslashes as slashes, turning "/\t/evil" into "//evil".
    if "\\" in target or any(ord(char) < 0x20 or ord(char) == 0x7F for char in target):
        return None
    return target


# Staff start where their work is, not on the public home page; an admin holds every role, so theirs comes first.
WORKSPACES = {
    "admin": "admin.index",
    "moderator": "moderation.index",
    "editor": "editor.index",
    "mp": "parliament.index",
}


def landing_url(user) -> str:
    """Return the page a user starts on after logging in: their role's workspace, or home."""
    endpoint = WORKSPACES.get(user.role)
    # A suspended staff member would only meet a 403 there.
    if endpoint is None or not user.has_role(user.role):
        return url_for("main.index")
    return url_for(endpoint)


def _flash_unconfirmed() -> None:
    link = Markup('<a href="{url}">{text}</a>').format(
        url=url_for("auth.resend_confirmation"), text=_("Send me a new confirmation link.")
    )
    flash(Markup("{} {}").format(_("Your e-mail address is not confirmed yet."), link), "info")


@bp.route("/register", methods=["GET", "POST"])
def register():
    """Create a citizen account and e-mail a confirmation link in the page's language."""
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    form = RegisterForm()
    status = 200
    if form.validate_on_submit():
        email = services.normalize_email(form.email.data)
        try:
            email_links.throttle_account_mail(email, request.remote_addr)
            user = services.register_user(email, form.display_name.data, form.password.data, locale=current_lang())
        except ThrottledError as error:
            db.session.rollback()
            flash(error.message, "error")
            status = 429
        except EmailTakenError as error:
            # Answer exactly as for a new account, so the form does not tell which addresses have one;
            # the owner learns of it by e-mail. The commit keeps the request counted by the throttle.
            email_links.send_email_taken_email(error.user)
            db.session.commit()
            return _registered(email)
        except AuthError as error:
            db.session.rollback()
            flash(error.message, "error")
        else:
            # The mail's outbox row commits with the account, so an SMTP outage delays the link but never loses it.
            email_links.send_confirmation_email(user)
            db.session.commit()
            return _registered(email)
    return render_template("auth/register.html", form=form), status


def _registered(email: str):
    # Not logged in: only the owner of an address that already has an account could be, which would tell.
    flash(_("We have sent a confirmation link to %(email)s. Open it, then log in.", email=email), "success")
    return redirect(url_for("auth.login"))


@bp.route("/confirm/<token>", methods=["GET", "POST"])
def confirm_email(token: str):
    """Confirm the e-mail address a link was sent to, with a button so that a GET changes nothing."""
    try:
        user = email_links.user_for_confirmation(token)
    except AuthError as error:
        return render_template("auth/link_invalid.html", message=error.message, retry="confirm"), 400
    form = ConfirmEmailForm()
    if form.validate_on_submit():
        email_links.confirm_email(user)
        db.session.commit()
        flash(_("Thank you, your e-mail address is confirmed."), "success")
        return redirect(url_for("auth.account") if current_user.is_authenticated else url_for("auth.login"))
    return render_template("auth/confirm.html", form=form, user=user, token=token)


@bp.route("/confirm", methods=["GET", "POST"])
def resend_confirmation():
    """Send a new confirmation link; the answer is the same whether or not the address has an account."""
    form = EmailForm()
    if request.method == "GET" and current_user.is_authenticated:
        form.email.data = current_user.email
    if form.validate_on_submit():

        def throttle_and_send() -> None:
            email_links.throttle_account_mail(form.email.data, request.remote_addr)
            user = services.get_user_by_email(form.email.data)
            if user is not None and not user.email_confirmed:
                email_links.send_confirmation_email(user)

        if not commit_or_flash(throttle_and_send):
            return render_template("auth/resend_confirmation.html", form=form), 429
        flash(
            _(
                "If %(email)s belongs to an account that is not confirmed yet, we have sent it a new link.",
                email=services.normalize_email(form.email.data),
            ),
            "info",
        )
        return redirect(url_for("auth.account") if current_user.is_authenticated else url_for("auth.login"))
    return render_template("auth/resend_confirmation.html", form=form)


@bp.route("/login", methods=["GET", "POST"])
@reads_first
def login():
    """Log in with e-mail and password, then go back to a local `next` page or to the user's workspace."""
    next_url = local_url(request.args.get("next"))
    if current_user.is_authenticated:
        return redirect(next_url or landing_url(current_user))
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        try:
            checked = verify_login(form.email.data, form.password.data, ip=request.remote_addr)
            start_writing()  # the hashing is done: only now does this request hold SQLite's write lock
            user = record_login(checked)
        except LoginThrottledError as error:
            db.session.rollback()  # nothing to keep: the write lock, if taken, goes before the page is rendered
            flash(error.message, "error")
            status = 429
        except AuthError as error:
            # The failed attempt is what the throttle counts, so it is kept.
            db.session.commit()
            flash(error.message, "error")
        else:
            # Staff are not logged in yet: the second step (a code from their app) does that.
            second_step = two_factor.begin(user, next_url or landing_url(user))
            db.session.commit()
            if second_step:
                return redirect(url_for(second_step))
            start_session(user, remember=form.remember.data)
            if not user.email_confirmed:
                _flash_unconfirmed()
            return redirect(next_url or landing_url(user))
    return render_template("auth/login.html", form=form, next_url=next_url), status


@bp.post("/logout")
def logout():
    """Log out everywhere: rotating the session token voids every copy of the session cookie."""
    if current_user.is_authenticated:
        services.end_sessions(current_user._get_current_object())
        db.session.commit()
    end_session()
    flash(_("You have logged out."), "info")
    return redirect(url_for("main.index"))


@bp.route("/reset", methods=["GET", "POST"])
def reset_request():
    """E-mail a password reset link; the answer is the same whether or not the address has an account."""
    form = EmailForm()
    if form.validate_on_submit():

        def throttle_and_send() -> None:
            email_links.throttle_account_mail(form.email.data, request.remote_addr)
            user = services.get_user_by_email(form.email.data)
            # An imported author has no password to reset (and an address that receives no mail).
            if user is not None and not user.external:
                email_links.send_password_reset_email(user)

        if not commit_or_flash(throttle_and_send):
            return render_template("auth/reset_request.html", form=form), 429
        flash(
            _(
                "If %(email)s belongs to an account, we have sent it a link to choose a new password.",
                email=services.normalize_email(form.email.data),
            ),
            "info",
        )
        return redirect(url_for("auth.login"))
    return render_template("auth/reset_request.html", form=form)


@bp.route("/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    """Choose a new password from a reset link; the link stops working once the password changes."""
    try:
        user = email_links.user_for_password_reset(token)
    except AuthError as error:
        return render_template("auth/link_invalid.html", message=error.message, retry="reset"), 400
    form = ResetPasswordForm(user=user)
    if form.validate_on_submit():
        if commit_or_flash(
            lambda: email_links.reset_password(user, form.password.data), on_error=form.password.errors.append
        ):
            if current_user.is_authenticated:
                logout_user()
            flash(_("Your new password is saved. You can log in with it now."), "success")
            return redirect(url_for("auth.login"))
    return render_template("auth/reset_password.html", form=form, token=token)


def _account_page(profile_form: ProfileForm, password_form: ChangePasswordForm):
    return render_template("auth/account.html", profile_form=profile_form, password_form=password_form)


@bp.route("/account", methods=["GET", "POST"])
@login_required
def account():
    """Show the account and save changes to the display name and preferred language."""
    user = current_user._get_current_object()
    profile_form = ProfileForm(obj=user)
    password_form = ChangePasswordForm(user=user, formdata=None)
    if profile_form.validate_on_submit():
        if commit_or_flash(
            lambda: services.update_profile(user, profile_form.display_name.data, profile_form.locale.data),
            _("Your account is updated."),
        ):
            # The preferred language is also the one to show the account in from now on.
            return redirect(url_for("auth.account", lang=user.locale))
    return _account_page(profile_form, password_form)


@bp.post("/account/password")
@login_required
def change_password():
    """Change the password, log out every other session and keep this one logged in."""
    user = current_user._get_current_object()
    password_form = ChangePasswordForm(user=user)
    profile_form = ProfileForm(obj=user, formdata=None)
    status = 200
    if password_form.validate_on_submit():
        try:
            services.change_password(user, password_form.current_password.data, password_form.password.data)
        except ThrottledError as error:
            db.session.rollback()
            password_form.current_password.errors.append(error.message)
            status = 429
        except WrongPasswordError as error:
            # The failure is what the throttle counts, so it is kept.
            db.session.commit()
            password_form.current_password.errors.append(error.message)
        except AuthError as error:
            db.session.rollback()
            password_form.current_password.errors.append(error.message)
        else:
            db.session.commit()
            # The session token was rotated; log this session in again under the new one.
            remembered = current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token") in request.cookies
            login_user(user, remember=remembered)
            flash(_("Your password is changed. Other devices have been logged out."), "success")
            return redirect(url_for("auth.account"))
    return _account_page(profile_form, password_form), status
