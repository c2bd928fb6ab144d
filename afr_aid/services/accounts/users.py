"""Users: creation and changes by admins (or the CLI), sign-in with lockout."""
from __future__ import annotations

from email_validator import EmailNotValidError, validate_email
from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, tuple_, update

from ... import clock, permissions
from ...errors import Forbidden, Invalid, NotFound
from ...extensions import db
from ...models import ApiToken, Place, User, UserSession
from ...vocab import LANGUAGES, ROLES, SKILLS
from ..protection import audit
from .passwords import dummy_hash, hash_password, password_problems, verify_password

UI_LOCALES = ("rw", "sw", "fr", "en", "ln")


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()


def find_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == normalise_email(email)))


def _check_profile(email, name, role, region_codes, languages, skills, errors) -> list[Place]:
    if not name or not name.strip():
        errors.setdefault("name", []).append(_l("Enter a name."))
    elif len(name) > 120:
        errors.setdefault("name", []).append(_l("Use at most %(n)d characters.", n=120))
    if role not in ROLES:
        errors.setdefault("role", []).append(_l("Choose a role."))
    bad = [code for code in languages if code not in LANGUAGES]
    if bad:
        errors.setdefault("languages", []).append(_l("Unknown language: %(codes)s", codes=", ".join(bad)))
    bad = [code for code in skills if code not in SKILLS]
    if bad:
        errors.setdefault("skills", []).append(_l("Unknown skill: %(codes)s", codes=", ".join(bad)))
    regions = []
    for code in region_codes:
        place = db.session.scalar(select(Place).where(Place.code == code.strip().upper()))
        if place is None:
            errors.setdefault("regions", []).append(_l("Unknown place: %(code)s", code=code[:40]))
        else:
            regions.append(place)
    if role == "coordinator" and not region_codes:
        errors.setdefault("regions", []).append(_l("A coordinator needs at least one region."))
    return regions


def create_user(actor: User | None, *, email: str, name: str, role: str, password: str,
                regions: list[str] = (), languages: list[str] = (), skills: list[str] = (),
                locale: str | None = None) -> User:
    """`actor` is None only for the command line, run by whoever holds the server."""
    if actor is not None and not permissions.can_manage_users(actor):
        raise Forbidden()
    errors: dict[str, list] = {}
    email_norm = normalise_email(email)
    try:
        validate_email(email_norm, check_deliverability=False)
    except EmailNotValidError:
        errors.setdefault("email", []).append(_l("Enter a valid email address."))
    else:
        if find_by_email(email_norm):
            errors.setdefault("email", []).append(_l("A user with this email already exists."))
    languages, skills = list(dict.fromkeys(languages)), list(dict.fromkeys(skills))
    places = _check_profile(email_norm, name, role, regions, languages, skills, errors)
    problems = password_problems(password or "", email_norm, name or "")
    if problems:
        errors["password"] = problems
    if locale is not None and locale not in UI_LOCALES:
        errors.setdefault("locale", []).append(_l("Unknown language."))
    if errors:
        raise Invalid(fields=errors)
    user = User(email=email_norm, name=name.strip(), role=role, password_hash=hash_password(password),
                languages=languages, skills=skills, regions=places, active=True,
                locale=locale or next((code for code in languages if code in UI_LOCALES), "en"))
    db.session.add(user)
    db.session.flush()
    audit.record(actor, "user.create", user.email, role=role, regions=[p.code for p in places])
    db.session.commit()
    return user


def update_user(actor: User, user: User, *, name: str, role: str, regions: list[str],
                languages: list[str], skills: list[str], active: bool, away: bool, locale: str,
                password: str | None = None) -> User:
    if not permissions.can_manage_users(actor):
        raise Forbidden()
    errors: dict[str, list] = {}
    languages, skills = list(dict.fromkeys(languages)), list(dict.fromkeys(skills))
    places = _check_profile(user.email, name, role, regions, languages, skills, errors)
    if locale not in UI_LOCALES:
        errors.setdefault("locale", []).append(_l("Unknown language."))
    if password:
        problems = password_problems(password, user.email, name)
        if problems:
            errors["password"] = problems
    if user.id == actor.id and (role != "admin" or not active):
        errors.setdefault("role", []).append(_l("You cannot remove your own administrator access."))
    if errors:
        raise Invalid(fields=errors)
    changes = {}
    for field, value in (("name", name.strip()), ("role", role), ("languages", languages),
                         ("skills", skills), ("active", active), ("away", away), ("locale", locale)):
        if getattr(user, field) != value:
            # Names are personal data: the audit log records that it changed, not the value.
            changes[field] = "changed" if field == "name" else value
            setattr(user, field, value)
    if sorted(p.code for p in user.regions) != sorted(p.code for p in places):
        changes["regions"] = [p.code for p in places]
        user.regions = places
    if password:
        user.password_hash = hash_password(password)
        user.failed_logins, user.locked_until = 0, None
        changes["password"] = "reset"
    if not active or password:
        revoke_all_sessions(user)
    audit.record(actor, "user.update", user.email, **changes)
    db.session.commit()
    return user


def revoke_all_sessions(user: User) -> None:
    """Ends every browser session and API token of the user (a lost phone)."""
    now = clock.now()
    db.session.execute(update(UserSession).where(UserSession.user_id == user.id,
                                                 UserSession.revoked_at.is_(None)).values(revoked_at=now))
    db.session.execute(update(ApiToken).where(ApiToken.user_id == user.id,
                                              ApiToken.revoked_at.is_(None)).values(revoked_at=now))


def admin_revoke_sessions(actor: User, user: User) -> None:
    if not permissions.can_manage_users(actor):
        raise Forbidden()
    revoke_all_sessions(user)
    audit.record(actor, "user.sessions_revoked", user.email)
    db.session.commit()


class SignInRefused(Exception):
    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason  # "bad_credentials" or "locked"; both look the same to the user


def authenticate(email: str, password: str) -> User:
    """Checks credentials; 5 failures lock the account for 15 minutes. The
    counter lives in the database so every worker process agrees."""
    now = clock.now()
    user = find_by_email(email)
    if user is None:
        verify_password(dummy_hash(), password or "")
        audit.record(None, "login.failed", None, reason="unknown_user")
        db.session.commit()
        raise SignInRefused("bad_credentials")
    if user.locked_until and user.locked_until > now:
        audit.record(user, "login.refused", user.email, reason="locked")
        db.session.commit()
        raise SignInRefused("locked")
    if not user.active or not verify_password(user.password_hash, password or ""):
        record_failed_sign_in(user, "inactive" if not user.active else "password")
        raise SignInRefused("bad_credentials")
    if not (user.totp_enrolled or permissions.must_use_second_factor(user)):
        finish_sign_in(user)
    # Otherwise the failure count stands until the second step succeeds too, so
    # wrong codes after a right password still lock the account.
    return user


def record_failed_sign_in(user: User, reason: str) -> None:
    """One failed sign-in (password or second step); the fifth in a row locks
    the account. Commits."""
    now = clock.now()
    # Atomic increment: two processes failing at once both count.
    db.session.execute(update(User).where(User.id == user.id)
                       .values(failed_logins=User.failed_logins + 1))
    db.session.refresh(user)
    if user.failed_logins >= current_app.config["LOGIN_MAX_FAILURES"]:
        user.locked_until = now + current_app.config["LOGIN_LOCKOUT"]
        user.failed_logins = 0
        audit.record(user, "login.locked", user.email)
    audit.record(user, "login.failed", user.email, reason=reason)
    db.session.commit()


def is_locked(user: User) -> bool:
    return bool(user.locked_until and user.locked_until > clock.now())


def finish_sign_in(user: User) -> None:
    """Every step passed: the failure count starts again. The caller commits."""
    user.failed_logins, user.locked_until, user.last_login_at = 0, None, clock.now()


def count_admins() -> int:
    return db.session.scalar(select(func.count()).select_from(User).where(User.role == "admin",
                                                                           User.active.is_(True)))


def set_own_locale(actor: User, locale: str) -> None:
    """The language switcher, signed in: the choice also follows the user's
    mail and the next sign-in on another phone."""
    if locale not in UI_LOCALES:
        raise Invalid(fields={"locale": [_l("Unknown language.")]})
    _set_own(actor, "locale", locale)


def set_own_timezone(actor: User, zone: str) -> None:
    """Times on pages are shown in this zone (a donor abroad, a coordinator travelling)."""
    from .time_zones import CHOICES

    if zone not in CHOICES:
        raise Invalid(fields={"timezone": [_l("Choose one of the time zones listed.")]})
    _set_own(actor, "timezone", zone)


def _set_own(actor: User, field: str, value: str) -> None:
    """A setting users change for themselves, audited when it changes."""
    if getattr(actor, field) != value:
        setattr(actor, field, value)
        audit.record(actor, "user.update", actor.email, **{field: value})
        db.session.commit()


def list_users(actor: User, q: str | None = None, role: str | None = None, after: int | None = None,
               limit: int = 50) -> tuple[list[User], int | None]:
    """A page of users by name, and the id to pass as `after` for the next
    page (None on the last); `q` matches name or email. Admins only. Keyset
    on (name, id): the demo movement's 2,000 users made one page of 457 KB, too
    much for a field connection."""
    if not permissions.can_manage_users(actor):
        raise Forbidden()
    name_key = func.lower(User.name)
    query = select(User).order_by(name_key, User.id)
    if role in ROLES:
        query = query.where(User.role == role)
    q = (q or "").strip().lower()
    if q:
        pattern = f"%{q}%"
        query = query.where(name_key.like(pattern) | User.email.like(pattern))
    # The page after that user, wherever a rename since has put them; from
    # the start when no such user exists (a link made up or kept too long).
    after_key = db.session.scalar(select(func.lower(User.name)).where(User.id == after)) if after else None
    if after_key is not None:
        query = query.where(tuple_(name_key, User.id) > tuple_(after_key, after))
    rows = list(db.session.scalars(query.limit(limit + 1)))
    return rows[:limit], (rows[limit - 1].id if len(rows) > limit else None)


def get_user(actor: User, user_id: int) -> User:
    if not permissions.can_manage_users(actor):
        raise Forbidden()
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound()
    return user
