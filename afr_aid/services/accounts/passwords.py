"""Password hashing (argon2id) and the policy for new passwords."""
from __future__ import annotations

import gzip
import re
from functools import lru_cache
from importlib import resources

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app, has_app_context
from flask_babel import lazy_gettext as _l

MIN_LENGTH = 12
MAX_LENGTH = 256
_default = PasswordHasher()  # argon2id with the library's current recommended parameters


def _hasher() -> PasswordHasher:
    """Tests may set ARGON2_PARAMS to a cheaper cost; real deployments never do."""
    params = current_app.config.get("ARGON2_PARAMS") if has_app_context() else None
    return PasswordHasher(**params) if params else _default


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def verify_password(stored_hash: str, password: str) -> bool:
    try:
        return _hasher().verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def dummy_hash() -> str:
    """Verified against on unknown emails so a wrong email costs as long as a wrong password."""
    return _hasher().hash("not-a-real-password-only-for-timing")


@lru_cache(maxsize=1)
def _common() -> frozenset[str]:
    data = resources.files("afr_aid.data").joinpath("common-passwords.txt.gz").read_bytes()
    return frozenset(gzip.decompress(data).decode().split())


def password_problems(password: str, email: str = "", name: str = "") -> list:
    """Messages for each way the password falls short; empty when it is fine."""
    problems = []
    if len(password) < MIN_LENGTH:
        problems.append(_l("Use at least %(n)d characters.", n=MIN_LENGTH))
    if len(password) > MAX_LENGTH:
        problems.append(_l("Use at most %(n)d characters.", n=MAX_LENGTH))
    lowered = password.lower()
    core = re.sub(r"[^a-z]", "", lowered)
    personal = {p for p in re.split(r"[^a-z0-9]+", f"{email.split('@')[0]} {name}".lower()) if len(p) >= 4}
    if lowered in _common() or (len(core) >= 4 and core in _common()) or len(set(lowered)) < 4:
        problems.append(_l("This password is too common."))
    elif any(part in lowered for part in personal):
        problems.append(_l("Do not use your name or email in the password."))
    return problems
