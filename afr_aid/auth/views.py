"""Signing in and out, and the language switcher."""
from __future__ import annotations

from flask import Blueprint, flash, g, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_user, logout_user

from .. import clock
from ..extensions import login_manager
from ..infra.throttle import PENDING_KEY, account_digest, sign_in_failed, sign_in_step
from ..services.accounts import sessions, two_factor, users
from ..web.helpers import me, safe_next
from .forms import LocaleForm, LoginForm, LogoutForm

bp = Blueprint("auth", __name__, template_folder="templates")
# How long the second step may wait after the password.
SECOND_STEP_SECONDS = 600


@bp.record_once
def _login_messages(state):
    login_manager.login_message = _l("Sign in to see this page.")
    login_manager.login_message_category = "info"
    login_manager.localize_callback = str  # a lazy string cannot be stored in the session


def _fresh_cookie_session() -> None:
    """Drops everything the old cookie carried (rotation), except the language
    the person chose on the sign-in page."""
    locale = session.get("locale")
    session.clear()
    g.pop("csrf_token", None)  # Flask-WTF's per-request copy of the old token
    if locale:
        session["locale"] = locale


@bp.route("/login", methods=["GET", "POST"])
@sign_in_step
def login():
    target = safe_next(request.args.get("next"), url_for("cases.home"))
    if current_user.is_authenticated:
        return redirect(target)
    form = LoginForm()
    failed = False
    if form.validate_on_submit():
        try:
            user = users.authenticate(form.email.data, form.password.data)
        except users.SignInRefused:
            # Same words for a wrong password, an unknown email and a locked account.
            failed = True
            sign_in_failed()
        else:
            _fresh_cookie_session()
            if two_factor.needs_second_factor(user):
                # Half signed in: no session row, nobody is logged in yet.
                session[PENDING_KEY] = {"user": user.id, "password": two_factor.mark_password(user),
                                        "account": account_digest(user.email), "next": target,
                                        "until": int(clock.timestamp()) + SECOND_STEP_SECONDS}
                return redirect(url_for("auth.second_step" if user.totp_enrolled else "auth.enrol"))
            complete_sign_in(user)
            return redirect(target)
    return render_template("auth/login.html", form=form, failed=failed)


def complete_sign_in(user) -> None:
    """Every step passed: a fresh cookie session (rotated again) and a new
    server-side session."""
    _fresh_cookie_session()
    sessions.sign_in(user)
    login_user(user)


@bp.route("/logout", methods=["GET", "POST"])
def logout():
    if not current_user.is_authenticated:
        return redirect(url_for("auth.login"))
    form = LogoutForm()
    if request.method == "POST" and form.validate_on_submit():
        sessions.close_session(current_user.session_token)
        logout_user()
        _fresh_cookie_session()
        flash(_("You are signed out."), "success")
        response = redirect(url_for("auth.login"))
        # The phone forgets everything afr_aid kept on it: the offline queue and
        # drafts (IndexedDB), the cached forms and the service worker.
        response.headers["Clear-Site-Data"] = '"cache", "storage"'
        return response
    # A GET only asks: a link on another site must not sign anyone out.
    return render_template("auth/logout.html", form=form)


@bp.route("/locale", methods=["POST"])
def set_locale():
    form = LocaleForm()
    target = safe_next(form.next.data, url_for("cases.home"))
    if form.validate_on_submit():
        session["locale"] = form.locale.data
        if current_user.is_authenticated:
            users.set_own_locale(me(), form.locale.data)
    return redirect(target)


from . import two_factor_views  # noqa: E402,F401,I001  (registers the second step and the security page)
from . import account_views  # noqa: E402,F401  (the account page: time zone)
