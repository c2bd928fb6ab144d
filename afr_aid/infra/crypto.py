"""Keys for data at rest.

- The Fernet key ring that encrypts direct identifiers (models/types.py
  EncryptedText). Keys come from AFR_ENCRYPTION_KEYS (comma-separated, newest
  first) or else from instance/encryption_keys (one per line, newest first,
  made on first use with mode 0600, like the secret key). The newest key
  encrypts; every key decrypts, so rows written before a rotation still read.
- The key of the blind name index (services/cases/name_index.py):
  AFR_BLIND_INDEX_KEY or instance/blind_index_key. Kept apart from SECRET_KEY
  so that changing the session secret does not blind the search.

Neither key may live in the database: a copy of the database file alone must
give away no name.
"""
from __future__ import annotations

import hashlib
import hmac
import os
import tempfile
import threading
import time
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from flask import Flask, current_app

from ..config import _instance_secret

KEYS_FILE = "encryption_keys"
INDEX_KEY_FILE = "blind_index_key"
# A process notices a key file changed by `flask keys rotate` within this time.
RELOAD_SECONDS = 2.0
_EXTENSION = "afr_keyring"
_lock = threading.Lock()


class KeyProblem(RuntimeError):
    """A key is missing or malformed, or a value cannot be decrypted with any
    key of the ring. Never carries the value or a key."""


def generate_key() -> str:
    return Fernet.generate_key().decode()


def _parse(lines) -> list[bytes]:
    keys = []
    for line in lines:
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        try:
            Fernet(line.encode())
        except (ValueError, TypeError):
            raise KeyProblem("An encryption key is not a valid Fernet key (32 url-safe base64 bytes).") from None
        keys.append(line.encode())
    if not keys:
        raise KeyProblem("No encryption key configured.")
    return keys


def keys_file(instance_path: str | Path) -> Path:
    return Path(instance_path) / KEYS_FILE


def _write_keys(path: Path, keys: list[bytes]) -> None:
    """Atomically, mode 0600: a reader never sees half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".keys-")
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write("# Fernet keys, newest first. Losing them loses every encrypted name.\n")
            handle.write("".join(key.decode() + "\n" for key in keys))
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _file_keys(path: Path) -> list[bytes]:
    if not path.exists():
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass  # another process made it first
        else:
            with os.fdopen(fd, "w") as handle:
                handle.write(generate_key() + "\n")
    return _parse(path.read_text().splitlines())


class KeyRing:
    """MultiFernet over the configured keys, reloaded when the key file
    changes (so a rotation reaches running workers without a restart)."""

    def __init__(self, configured: str, path: Path):
        self.from_env = bool(configured.strip())
        self.path = path
        self._configured = configured
        self._checked = 0.0
        self._mtime = None
        self._load()

    def _load(self) -> None:
        if self.from_env:
            keys = _parse(self._configured.split(","))
        else:
            keys = _file_keys(self.path)
            self._mtime = self.path.stat().st_mtime_ns
        self.keys = keys
        self._primary = Fernet(keys[0])
        self._ring = MultiFernet([Fernet(k) for k in keys])
        self._checked = time.monotonic()

    def reload_if_changed(self, force: bool = False) -> None:
        if self.from_env or (not force and time.monotonic() - self._checked < RELOAD_SECONDS):
            return
        self._checked = time.monotonic()
        try:
            changed = self.path.stat().st_mtime_ns != self._mtime
        except FileNotFoundError:
            raise KeyProblem("The encryption key file has gone.") from None
        if changed or force:
            with _lock:
                self._load()

    def encrypt(self, text: str) -> str:
        self.reload_if_changed()
        return self._ring.encrypt(text.encode()).decode()

    def decrypt(self, token: str) -> str:
        try:
            return self._ring.decrypt(token.encode()).decode()
        except InvalidToken:
            # Written by a process that already has a newer key than ours?
            self.reload_if_changed(force=True)
            try:
                return self._ring.decrypt(token.encode()).decode()
            except InvalidToken:
                raise KeyProblem("A stored value cannot be decrypted with any configured key.") from None

    def try_decrypt(self, value: str) -> str | None:
        """The plain text if `value` is a token of this ring, else None (for
        the migration that encrypts plain text left from before)."""
        try:
            return self._ring.decrypt(value.encode()).decode()
        except (InvalidToken, ValueError, TypeError):
            return None

    def is_current(self, token: str) -> bool:
        """Encrypted with the newest key?"""
        try:
            self._primary.decrypt(token.encode())
            return True
        except InvalidToken:
            return False

    def rotate(self, token: str) -> str:
        """The same value, encrypted with the newest key."""
        try:
            return self._ring.rotate(token.encode()).decode()
        except InvalidToken:
            raise KeyProblem("A stored value cannot be decrypted with any configured key.") from None


def keyring(app: Flask | None = None) -> KeyRing:
    app = app or current_app._get_current_object()
    ring = app.extensions.get(_EXTENSION)
    if ring is None:
        with _lock:
            ring = app.extensions.get(_EXTENSION)
            if ring is None:
                ring = KeyRing(app.config.get("ENCRYPTION_KEYS", ""), keys_file(app.instance_path))
                app.extensions[_EXTENSION] = ring
    return ring


def prepend_new_key(app: Flask | None = None) -> None:
    """Rotation, first step: a fresh key becomes the one that encrypts."""
    ring = keyring(app)
    if ring.from_env:
        raise KeyProblem("Keys come from AFR_ENCRYPTION_KEYS: put a new key first there and restart.")
    _write_keys(ring.path, [generate_key().encode()] + _file_keys(ring.path))
    ring.reload_if_changed(force=True)


def retire_old_keys(app: Flask | None = None) -> int:
    """Drops every key but the newest from the key file; returns how many."""
    ring = keyring(app)
    if ring.from_env:
        raise KeyProblem("Keys come from AFR_ENCRYPTION_KEYS: remove the old ones there and restart.")
    keys = _file_keys(ring.path)
    _write_keys(ring.path, keys[:1])
    ring.reload_if_changed(force=True)
    return len(keys) - 1


def index_key(app: Flask | None = None) -> bytes:
    app = app or current_app._get_current_object()
    configured = app.config.get("BLIND_INDEX_KEY", "")
    secret = configured or _instance_secret(Path(app.instance_path), INDEX_KEY_FILE)
    return secret.encode()


class IndexHasher:
    """HMAC-SHA256 of index keys, cut to 16 bytes (no collision in any
    realistic number of names; half the index size)."""

    SIZE = 16

    def __init__(self, key: bytes):
        self._base = hmac.new(key, digestmod=hashlib.sha256)

    def __call__(self, text: str) -> bytes:
        mac = self._base.copy()
        mac.update(text.encode())
        return mac.digest()[: self.SIZE]


def index_hasher(app: Flask | None = None) -> IndexHasher:
    app = app or current_app._get_current_object()
    hasher = app.extensions.get("afr_index_hasher")
    if hasher is None:
        hasher = app.extensions["afr_index_hasher"] = IndexHasher(index_key(app))
    return hasher
