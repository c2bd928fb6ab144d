"""Two-step sign-in: a TOTP code (RFC 6238, any authenticator app) after the
password, or one of ten one-time recovery codes.

- The secret is stored encrypted with the key ring (User.totp_secret is
  EncryptedText). While a user enrols it is set but not enabled.
- Each time step of 30 s signs in once: the last step used is kept, and the
  claim is one conditional UPDATE, so two worker processes given the same code
  at once let only one through.
- Recovery codes are kept as SHA-256 (80 random bits each); using one is one
  conditional UPDATE as well.
- A wrong or reused code counts as a failed sign-in (services/accounts/users.py: five
  in a row lock the account): at the code step, when enrolling at sign-in,
  and on the Security page (new recovery codes, turning it off).
Nothing here logs or audits a secret or a code.
"""
from __future__ import annotations

import hashlib
import hmac
import re
import secrets

import pyotp
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, or_, select, update

from ... import clock, permissions
from ...errors import Conflict, Forbidden, Invalid
from ...extensions import db
from ...models import RecoveryCode, User
from ..notifications import security_notices
from ..protection import audit
from .users import finish_sign_in, is_locked, record_failed_sign_in, revoke_all_sessions

ISSUER = "AFR Aid"
STEP_SECONDS = 30
# A phone whose clock is up to one step (30 s) off still signs in.
DRIFT_STEPS = 1
RECOVERY_CODE_COUNT = 10
# Crockford's base32: no I, L, O, U to misread; 16 characters carry 80 bits.
RECOVERY_ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"
RECOVERY_LENGTH = 16
WRONG_CODE = _l("This code is not right, or it was already used. Enter the code your app shows now.")


class SecondFactorRefused(Exception):
    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason  # "wrong" or "locked"


def needs_second_factor(user: User) -> bool:
    """Whether signing in takes a second step: enrolled, or obliged to enrol."""
    return user.totp_enrolled or permissions.must_use_second_factor(user)


def provisioning_uri(user: User, secret: str) -> str:
    """The otpauth:// URI an authenticator app reads from the QR code."""
    return pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=ISSUER)


def _current_step() -> int:
    return int(clock.timestamp()) // STEP_SECONDS


def _matching_step(secret: str, code: str, after: int | None) -> int | None:
    code = re.sub(r"\s", "", code or "")
    if not re.fullmatch(r"\d{6}", code):
        return None
    totp = pyotp.TOTP(secret)
    now = _current_step()
    found = None
    for step in range(now - DRIFT_STEPS, now + DRIFT_STEPS + 1):
        # Compare every candidate: the time taken says nothing about which matched.
        if hmac.compare_digest(totp.generate_otp(step), code) and (after is None or step > after):
            found = step
    return found


def _claim_step(user: User, step: int) -> bool:
    """Marks the step used unless it (or a later one) already was."""
    result = db.session.execute(
        update(User).where(User.id == user.id,
                           or_(User.totp_last_step.is_(None), User.totp_last_step < step))
        .values(totp_last_step=step).execution_options(synchronize_session=False))
    if result.rowcount == 1:
        user.totp_last_step = step
        db.session.flush()
        return True
    return False


def _check_totp(user: User, code: str) -> bool:
    step = _matching_step(user.totp_secret, code, user.totp_last_step)
    return step is not None and _claim_step(user, step)


def normalise_recovery_code(code: str) -> str:
    text = re.sub(r"[\s-]", "", (code or "").lower())
    return text.replace("o", "0").replace("i", "1").replace("l", "1")


def _hash_code(normalised: str) -> str:
    return hashlib.sha256(normalised.encode()).hexdigest()


def _use_recovery_code(user: User, code: str) -> bool:
    normalised = normalise_recovery_code(code)
    if len(normalised) != RECOVERY_LENGTH or set(normalised) - set(RECOVERY_ALPHABET):
        return False
    result = db.session.execute(
        update(RecoveryCode).where(RecoveryCode.user_id == user.id,
                                   RecoveryCode.code_hash == _hash_code(normalised),
                                   RecoveryCode.used_at.is_(None))
        .values(used_at=clock.now()).execution_options(synchronize_session=False))
    return result.rowcount == 1


def _new_recovery_codes(user: User) -> list[str]:
    """Ten fresh codes replace any earlier ones; returned once, formatted."""
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = ["".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(RECOVERY_LENGTH))
             for _ in range(RECOVERY_CODE_COUNT)]
    db.session.add_all(RecoveryCode(user_id=user.id, code_hash=_hash_code(code)) for code in codes)
    return ["-".join(code[i:i + 4] for i in range(0, RECOVERY_LENGTH, 4)) for code in codes]


def recovery_codes_left(user: User) -> int:
    return db.session.scalar(select(func.count()).select_from(RecoveryCode).where(
        RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None)))


def start_enrolment(user: User) -> str:
    """The secret to show while the user enrols: made once, kept (encrypted)
    until confirmed, so reloading the page does not change the QR code."""
    if user.totp_enrolled:
        raise Conflict(_l("Two-step sign-in is already set up."))
    if not user.totp_secret:
        user.totp_secret = pyotp.random_base32()
        user.totp_last_step = None
        db.session.commit()
    return user.totp_secret


def _refuse_if_locked(user: User) -> None:
    if is_locked(user):
        audit.record(user, "login.refused", user.email, reason="locked")
        db.session.commit()
        raise SecondFactorRefused("locked")


def _wrong_code(user: User) -> Invalid:
    """A wrong code where it counts as a failed sign-in: counted (commits);
    SecondFactorRefused("locked") when that locked the account, else the
    Invalid to raise."""
    record_failed_sign_in(user, "second_factor")
    if is_locked(user):
        raise SecondFactorRefused("locked")
    return Invalid(fields={"code": [WRONG_CODE]})


def confirm_enrolment(user: User, code: str, *, signing_in: bool = False) -> list[str]:
    """The first code from the app turns two-step sign-in on; returns the
    recovery codes, which are shown this once and never again. While signing
    in (`signing_in`), a locked account is refused and a wrong code counts as
    a failed sign-in: SecondFactorRefused("locked") when the account is (or
    just became) locked."""
    if user.totp_enrolled:
        raise Conflict(_l("Two-step sign-in is already set up."))
    if signing_in:
        _refuse_if_locked(user)
    if not user.totp_secret or not _check_totp(user, code):
        if signing_in:
            raise _wrong_code(user)
        raise Invalid(fields={"code": [WRONG_CODE]})
    user.totp_enabled_at = clock.now()
    codes = _new_recovery_codes(user)
    audit.record(user, "2fa.enrol", user.email)
    security_notices.send(user, "security_enrolled")
    db.session.commit()
    return codes


def enrol_now(actor: User | None, user: User, secret: str | None = None,
              notify: bool = True) -> tuple[str, list[str]]:
    """Enrols (or re-enrols) without a confirming code: the command line, for
    staff whose phones cannot scan, and the demo data. Returns the secret and
    the recovery codes. `actor` is None only for the command line. The owner
    gets the security notice in the same transaction unless `notify` is False
    (demo data and test fixtures, which no one owns)."""
    if actor is not None and not permissions.can_reset_second_factor(actor):
        raise Forbidden()
    secret = secret or pyotp.random_base32()
    user.totp_secret, user.totp_last_step = secret, None
    user.totp_enabled_at = clock.now()
    codes = _new_recovery_codes(user)
    audit.record(actor, "2fa.enrol", user.email, via="command")
    if notify:
        security_notices.send(user, "security_enrolled")
    db.session.commit()
    return secret, codes


def verify(user: User, code: str | None) -> str:
    """The second step of signing in: "totp" or "recovery" for a good code.
    A wrong, reused or missing code is a failed sign-in. Does not commit on
    success: the caller commits it with the new session or token."""
    if is_locked(user):
        audit.record(user, "login.refused", user.email, reason="locked")
        db.session.commit()
        raise SecondFactorRefused("locked")
    code = (code or "").strip()
    if user.totp_enrolled and code:
        if _check_totp(user, code):
            finish_sign_in(user)
            return "totp"
        if _use_recovery_code(user, code):
            finish_sign_in(user)
            audit.record(user, "2fa.recovery_code_used", user.email, left=recovery_codes_left(user))
            security_notices.send(user, "security_recovery_used")
            return "recovery"
    record_failed_sign_in(user, "second_factor")
    raise SecondFactorRefused("wrong")


def renew_recovery_codes(user: User, code: str) -> list[str]:
    """New codes (the old ones stop working), against a current app code.
    A wrong code counts as a failed sign-in (a stolen session cookie must not
    try codes without end); SecondFactorRefused("locked") when the account is
    (or just became) locked: the caller ends the session."""
    if not user.totp_enrolled:
        raise Invalid(fields={"code": [WRONG_CODE]})
    _refuse_if_locked(user)
    if not _check_totp(user, code):
        raise _wrong_code(user)
    codes = _new_recovery_codes(user)
    audit.record(user, "2fa.recovery_codes_renewed", user.email)
    security_notices.send(user, "security_codes_renewed")
    db.session.commit()
    return codes


def _clear(user: User) -> None:
    user.totp_secret = user.totp_enabled_at = user.totp_last_step = None
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))


def turn_off(user: User, code: str) -> None:
    """Someone who chose two-step sign-in may drop it; admins and
    coordinators may not. A wrong code counts, as for renew_recovery_codes."""
    if permissions.must_use_second_factor(user):
        raise Forbidden(_l("Your role must use two-step sign-in."))
    if not user.totp_enrolled:
        raise Invalid(fields={"code": [WRONG_CODE]})
    _refuse_if_locked(user)
    if not _check_totp(user, code):
        raise _wrong_code(user)
    _clear(user)
    audit.record(user, "2fa.disable", user.email)
    security_notices.send(user, "security_disabled")
    db.session.commit()


def admin_reset(actor: User, user: User) -> None:
    """A lost or replaced phone: the second factor is cleared and every
    session and token of the user ends. An admin or coordinator enrols again
    at the next sign-in."""
    if not permissions.can_reset_second_factor(actor):
        raise Forbidden()
    _clear(user)
    revoke_all_sessions(user)
    audit.record(actor, "2fa.reset", user.email)
    security_notices.send(user, "security_reset")
    db.session.commit()


def pending_user(user_id: int, password_mark: str) -> User | None:
    """The user half-way through signing in (password done), if still allowed:
    active, and the password not changed since."""
    user = db.session.get(User, user_id)
    if user is None or not user.active or not hmac.compare_digest(password_mark, mark_password(user)):
        return None
    return user


def mark_password(user: User) -> str:
    """A short fingerprint of the password hash: a half-finished sign-in ends
    when the password changes."""
    return hashlib.sha256(user.password_hash.encode()).hexdigest()[:16]
