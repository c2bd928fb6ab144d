"""Two-step sign-in pages: the code after the password, enrolling (obliged
for admins and coordinators, before anything else), and the Security page.

The half-signed-in state is only a note in the cookie session (which user,
until when): no server-side session exists, so nothing counts it as signed in.
"""
from __future__ import annotations

import segno
from flask import flash, redirect, render_template, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, logout_user

from .. import clock, permissions
from ..errors import Conflict, Forbidden, Invalid
from ..infra.throttle import PENDING_KEY, code_step, sign_in_failed, signed_in_code_check
from ..services.accounts import sessions, two_factor
from ..web.forms import apply_service_errors
from ..web.helpers import flash_domain_error, me
from .forms import CodeForm, EnrolForm
from .views import _fresh_cookie_session, bp, complete_sign_in


def _pending():
    """(user, where to go afterwards) of a sign-in half done, or None."""
    data = session.get(PENDING_KEY)
    if not isinstance(data, dict) or data.get("until", 0) < clock.timestamp():
        session.pop(PENDING_KEY, None)
        return None
    user = two_factor.pending_user(data.get("user"), data.get("password", ""))
    if user is None:
        session.pop(PENDING_KEY, None)
        return None
    return user, data.get("next") or url_for("cases.home")


def _back_to_sign_in():
    flash(_("Sign in again."), "info")
    return redirect(url_for("auth.login"))


def _locked_out():
    """The account is locked (too many failed sign-ins, wrong codes included):
    a half-finished sign-in ends, and so does this signed-in session (a stolen
    cookie must not keep trying). A lock refuses new sign-ins; it does not end
    the user's other sessions (else anyone could sign a user out everywhere by
    typing wrong passwords)."""
    if current_user.is_authenticated:
        sessions.close_session(current_user.session_token)
        logout_user()
        _fresh_cookie_session()
        flash(_("You are signed out."), "info")
    else:
        session.pop(PENDING_KEY, None)
    flash(_("Sign-in failed. Check your email and password. After several failed tries "
            "the account is locked for a while."), "error")
    return redirect(url_for("auth.login"))


def qr_data_uri(uri: str) -> str:
    """The otpauth URI as a QR code, drawn here (no outside service, no script),
    as an SVG data: URI (the CSP allows img-src data:)."""
    return segno.make(uri, error="m").svg_data_uri(scale=5, border=2, dark="#000", light="#fff")


def _enrol_page(user, form, template, **context):
    secret = two_factor.start_enrolment(user)
    uri = two_factor.provisioning_uri(user, secret)
    grouped = " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))
    return render_template(template, form=form, qr=qr_data_uri(uri), secret=grouped, **context)


@bp.route("/login/code", methods=["GET", "POST"])
@code_step
def second_step():
    if current_user.is_authenticated:
        return redirect(url_for("cases.home"))
    pending = _pending()
    if pending is None:
        return _back_to_sign_in()
    user, target = pending
    if not user.totp_enrolled:
        return redirect(url_for("auth.enrol"))
    form = CodeForm()
    failed = False
    if form.validate_on_submit():
        try:
            method = two_factor.verify(user, form.code.data)
        except two_factor.SecondFactorRefused as refused:
            sign_in_failed()
            if refused.reason == "locked":
                return _locked_out()
            failed = True
        else:
            complete_sign_in(user)
            if method == "recovery":
                flash(_("You signed in with a recovery code; it will not work again. Codes left: "
                        "%(n)d. Make new ones on the Security page.", n=two_factor.recovery_codes_left(user)),
                      "info")
            return redirect(target)
    return render_template("auth/second_step.html", form=form, failed=failed)


@bp.route("/login/setup", methods=["GET", "POST"])
@code_step
def enrol():
    """Admins and coordinators who have not enrolled land here after the
    password; nothing else opens until they have."""
    if current_user.is_authenticated:
        return redirect(url_for("auth.security"))
    pending = _pending()
    if pending is None:
        return _back_to_sign_in()
    user, target = pending
    if user.totp_enrolled:
        return redirect(url_for("auth.second_step"))
    form = EnrolForm()
    leftover = []
    if form.validate_on_submit():
        try:
            codes = two_factor.confirm_enrolment(user, form.code.data, signing_in=True)
        except two_factor.SecondFactorRefused:
            sign_in_failed()
            return _locked_out()
        except Invalid as error:
            sign_in_failed()
            leftover = apply_service_errors(form, error)
        else:
            complete_sign_in(user)
            return render_template("auth/recovery_codes.html", codes=codes, target=target)
    return _enrol_page(user, form, "auth/enrol.html", leftover=leftover, signing_in=True)


@bp.route("/account/security")
@login_required
def security():
    user = me()
    return render_template("auth/security.html", user=user, required=permissions.must_use_second_factor(user),
                           codes_left=two_factor.recovery_codes_left(user) if user.totp_enrolled else 0,
                           renew_form=CodeForm(formdata=None, prefix="renew"),
                           off_form=CodeForm(formdata=None, prefix="off"))


@bp.route("/account/security/setup", methods=["GET", "POST"])
@login_required
def security_setup():
    user = me()
    if user.totp_enrolled:
        return redirect(url_for("auth.security"))
    form = EnrolForm()
    leftover = []
    if form.validate_on_submit():
        try:
            codes = two_factor.confirm_enrolment(user, form.code.data)
        except Invalid as error:
            leftover = apply_service_errors(form, error)
        else:
            return render_template("auth/recovery_codes.html", codes=codes, target=url_for("auth.security"))
    return _enrol_page(user, form, "auth/enrol.html", leftover=leftover, signing_in=False)


@bp.route("/account/security/recovery-codes", methods=["POST"])
@login_required
@signed_in_code_check
def renew_recovery_codes():
    def done(codes):
        return render_template("auth/recovery_codes.html", codes=codes, target=url_for("auth.security"))

    return _with_current_code("renew", two_factor.renew_recovery_codes, done)


@bp.route("/account/security/off", methods=["POST"])
@login_required
@signed_in_code_check
def turn_off():
    def done(_result):
        flash(_("Two-step sign-in is off."), "success")
        return redirect(url_for("auth.security"))

    return _with_current_code("off", two_factor.turn_off, done)


def _with_current_code(prefix, action, done):
    """A Security-page change that asks for the code the app shows now: a
    wrong code counts as a failed sign-in, a locked account is signed out."""
    form = CodeForm(prefix=prefix)
    if not form.validate_on_submit():
        flash(_("Enter the code."), "error")
        return redirect(url_for("auth.security"))
    try:
        result = action(me(), form.code.data)
    except two_factor.SecondFactorRefused:
        sign_in_failed()
        return _locked_out()
    except Invalid as error:
        sign_in_failed()
        flash_domain_error(error, {})
    except (Forbidden, Conflict) as error:
        flash_domain_error(error, {})
    else:
        return done(result)
    return redirect(url_for("auth.security"))
