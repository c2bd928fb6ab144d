"""Server-side sessions and API bearer tokens.

The browser cookie (signed by Flask) carries only a random session token. Its
SHA-256 is looked up in `user_sessions` on each request, so logout, idle and
absolute timeouts and "revoke everything" hold in every worker process, and a
copied cookie stops working the moment its row is revoked.
"""
from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from flask import current_app, request
from sqlalchemy import select, update
from sqlalchemy.orm import joinedload

from ... import clock, permissions
from ...extensions import db, login_manager
from ...models import ApiToken, User, UserSession
from ..protection import audit
from .users import finish_sign_in

# Writing last_seen on every request would turn each page view into a write.
TOUCH_EVERY = timedelta(minutes=1)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _may_stay_signed_in(user: User) -> bool:
    """Active, and enrolled in two-step sign-in if the role requires it (a
    user made coordinator while signed in must sign in again and enrol)."""
    return user.active and (user.totp_enrolled or not permissions.must_use_second_factor(user))


def open_session(user: User) -> str:
    token = secrets.token_urlsafe(32)
    db.session.add(UserSession(token_hash=_hash(token), user_id=user.id, ip=audit.client_ip()))
    user.session_token = token
    return token


def close_session(token: str | None) -> None:
    if token:
        db.session.execute(update(UserSession).where(UserSession.token_hash == _hash(token))
                           .values(revoked_at=clock.now()))
        db.session.commit()


@login_manager.user_loader
def load_user(token: str) -> User | None:
    row = db.session.scalar(select(UserSession).where(UserSession.token_hash == _hash(token)))
    if row is None or row.revoked_at is not None or not _may_stay_signed_in(row.user):
        return None
    now = clock.now()
    config = current_app.config
    if now - row.last_seen_at > config["SESSION_IDLE_TIMEOUT"] or \
            now - row.created_at > config["SESSION_ABSOLUTE_TIMEOUT"]:
        row.revoked_at = now
        db.session.commit()
        return None
    if now - row.last_seen_at > TOUCH_EVERY:
        row.last_seen_at = now
        db.session.commit()
    row.user.session_token = token
    return row.user


def issue_token(user: User) -> tuple[str, datetime]:
    token = secrets.token_urlsafe(32)
    expires = clock.now() + current_app.config["API_TOKEN_LIFETIME"]
    db.session.add(ApiToken(token_hash=_hash(token), user_id=user.id, expires_at=expires))
    return token, expires


def user_for_bearer() -> tuple[User, ApiToken] | None:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    # The user's regions in the same query: every scope check needs them.
    row = db.session.execute(select(ApiToken).where(ApiToken.token_hash == _hash(token.strip()))
                             .options(joinedload(ApiToken.user).joinedload(User.regions))).unique().scalar()
    if row is None or row.revoked_at is not None or row.expires_at < clock.now() \
            or not _may_stay_signed_in(row.user):
        return None
    return row.user, row


def revoke_token(row: ApiToken) -> None:
    row.revoked_at = clock.now()
    db.session.commit()


def sign_in(user: User) -> str:
    """A browser sign-in, every step passed: a new server-side session, its
    audit line, one commit. The caller clears the old cookie session first
    (rotation)."""
    token = open_session(user)
    finish_sign_in(user)
    audit.record(user, "login", user.email)
    db.session.commit()
    return token
