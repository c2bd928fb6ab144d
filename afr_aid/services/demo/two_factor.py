"""Two-step sign-in for the demo admin and coordinators: they share one TOTP
secret, random, made on first run and kept in instance/demo_totp_secret (mode
0600) beside the demo password. `flask demo-code` prints the current code, so
the demo needs no phone; an authenticator app given the secret works too."""
from __future__ import annotations

import os
from pathlib import Path

import pyotp
from flask import current_app
from sqlalchemy import select

from ... import clock
from ...extensions import db
from ...models import User
from ...permissions import SECOND_FACTOR_ROLES
from ..accounts import two_factor

SECRET_FILE = "demo_totp_secret"


def demo_totp_secret() -> str:
    path = Path(current_app.instance_path) / SECRET_FILE
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    with os.fdopen(fd, "w") as handle:
        handle.write(pyotp.random_base32() + "\n")
    return path.read_text().strip()


def enrol_demo_staff(domain: str) -> int:
    """Enrols the demo admins and coordinators not enrolled yet; how many."""
    secret = demo_totp_secret()
    staff = db.session.scalars(select(User).where(User.email.like(f"%@{domain}"),
                                                  User.role.in_(SECOND_FACTOR_ROLES),
                                                  User.totp_enabled_at.is_(None))).all()
    for user in staff:
        two_factor.enrol_now(None, user, secret=secret, notify=False)
    return len(staff)


def demo_code() -> str:
    return pyotp.TOTP(demo_totp_secret()).at(clock.timestamp())


def demo_uri() -> str:
    return pyotp.TOTP(demo_totp_secret()).provisioning_uri(name="demo staff", issuer_name=two_factor.ISSUER)
