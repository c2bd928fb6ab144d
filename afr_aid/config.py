"""Settings read from the environment (and an optional `.env`), in one class.

No secret lives in code: when SECRET_KEY is unset, one is generated on first
start and kept in `instance/secret_key` with mode 0600, so every worker process
and every restart share it.
"""
from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path


def _bool(value: str | None, default: bool = False) -> bool:
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _instance_secret(instance_path: Path, name: str, nbytes: int = 48) -> str:
    """Read a secret kept in instance/, creating it (mode 0600) the first time."""
    instance_path.mkdir(parents=True, exist_ok=True)
    path = instance_path / name
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    with os.fdopen(fd, "w") as handle:
        handle.write(secrets.token_urlsafe(nbytes))
    return path.read_text().strip()


class Config:
    """Built from an environment mapping so tests can pass their own."""

    def __init__(self, instance_path: str | Path, env: dict[str, str] | None = None):
        env = dict(os.environ if env is None else env)
        instance = Path(instance_path)
        self.AFR_ENV = env.get("AFR_ENV", "development")
        self.SECRET_KEY = env.get("SECRET_KEY") or _instance_secret(instance, "secret_key")
        default_db = f"sqlite:///{instance / 'afr_aid.sqlite'}"
        self.SQLALCHEMY_DATABASE_URI = _normalise_db_url(env.get("DATABASE_URL") or default_db)
        self.SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
        self.BASE_URL = env.get("BASE_URL", "http://127.0.0.1:5000").rstrip("/")
        self.REDIS_URL = env.get("REDIS_URL", "")
        self.CELERY_BROKER_URL = env.get("CELERY_BROKER_URL", "")
        self.MAIL_SERVER = env.get("MAIL_SERVER", "")
        self.MAIL_PORT = int(env.get("MAIL_PORT", "25") or 25)
        self.MAIL_USE_TLS = _bool(env.get("MAIL_USE_TLS"))
        self.MAIL_USERNAME = env.get("MAIL_USERNAME", "")
        self.MAIL_PASSWORD = env.get("MAIL_PASSWORD", "")
        self.MAIL_DEFAULT_SENDER = env.get("MAIL_DEFAULT_SENDER", "afr-aid@localhost")
        # Explicit: Flask-Mailman would silently keep mail in memory under TESTING.
        self.MAIL_BACKEND = "smtp"
        self.MAIL_TIMEOUT = 20
        self.MAIL_DIR = str(instance / "mail")
        # How long a worker may hold a notification it is sending before the sweep
        # takes it back (its worker is then presumed dead). Far above MAIL_TIMEOUT.
        self.NOTIFICATION_LEASE_SECONDS = int(env.get("NOTIFICATION_LEASE_SECONDS", "120") or 120)
        # The sweep leaves rows younger than this to the task published at their commit.
        self.NOTIFICATION_SWEEP_GRACE_SECONDS = int(env.get("NOTIFICATION_SWEEP_GRACE_SECONDS", "20") or 20)
        # Publish delivery tasks after each commit (tests that need no worker turn it off).
        self.CELERY_DISPATCH = _bool(env.get("CELERY_DISPATCH"), default=True)

        # Sessions: cookie only carries a random id; the row lives in the database.
        self.SESSION_IDLE_TIMEOUT = timedelta(minutes=int(env.get("SESSION_IDLE_MINUTES", "30")))
        # A phone that has not opened afr_aid for this many days erases its offline
        # queue, drafts and cached cases (static/js/offline.js).
        self.OFFLINE_KEEP_DAYS = int(env.get("OFFLINE_KEEP_DAYS", "14"))
        self.SESSION_ABSOLUTE_TIMEOUT = timedelta(hours=int(env.get("SESSION_ABSOLUTE_HOURS", "12")))
        self.API_TOKEN_LIFETIME = timedelta(hours=int(env.get("API_TOKEN_HOURS", "12")))
        self.PERMANENT_SESSION_LIFETIME = self.SESSION_ABSOLUTE_TIMEOUT
        self.SESSION_COOKIE_HTTPONLY = True
        self.SESSION_COOKIE_SAMESITE = "Lax"
        self.PREFERRED_URL_SCHEME = "http"
        self.FORCE_HTTPS = _bool(env.get("FORCE_HTTPS"))
        self.SESSION_COOKIE_SECURE = self.FORCE_HTTPS
        self.REMEMBER_COOKIE_SECURE = self.FORCE_HTTPS
        self.LOGIN_MAX_FAILURES = int(env.get("LOGIN_MAX_FAILURES", "5"))
        self.LOGIN_LOCKOUT = timedelta(minutes=int(env.get("LOGIN_LOCKOUT_MINUTES", "15")))
        # Throttling (infra/throttle.py, Flask-Limiter): failed sign-in steps per account and
        # per client address. Shared by every worker process only with Redis; the
        # lockout above lives in the database either way.
        self.RATELIMIT_STORAGE_URI = (env.get("RATELIMIT_STORAGE_URI") or env.get("REDIS_URL")
                                      or "memory://")
        self.RATELIMIT_KEY_PREFIX = env.get("RATELIMIT_KEY_PREFIX", "afr_aid")
        self.RATELIMIT_HEADERS_ENABLED = False  # Retry-After is added to 429 answers only
        self.RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True  # Redis down: throttle per process
        self.RATELIMIT_ENABLED = _bool(env.get("RATELIMIT_ENABLED"), default=True)
        self.SIGN_IN_LIMIT_PER_ACCOUNT = env.get("SIGN_IN_LIMIT_PER_ACCOUNT", "10 per 15 minutes")
        self.SIGN_IN_LIMIT_PER_ADDRESS = env.get("SIGN_IN_LIMIT_PER_ADDRESS", "120 per minute")

        # Data at rest (infra/crypto.py): Fernet keys, newest first, else instance/encryption_keys;
        # the blind name index key, else instance/blind_index_key.
        self.ENCRYPTION_KEYS = env.get("AFR_ENCRYPTION_KEYS", "")
        self.BLIND_INDEX_KEY = env.get("AFR_BLIND_INDEX_KEY", "")
        # Closed cases lose their direct identifiers this long after closing.
        self.RETENTION_DAYS = int(env.get("RETENTION_DAYS", "365") or 365)

        self.MAX_CONTENT_LENGTH = 256 * 1024
        self.WTF_CSRF_TIME_LIMIT = None  # the session's own timeout bounds the token
        self.BABEL_DEFAULT_LOCALE = "en"
        self.BABEL_DEFAULT_TIMEZONE = env.get("AFR_TIMEZONE", "Africa/Lubumbashi")
        self.LANGUAGES = ["rw", "sw", "fr", "en", "ln"]
        self.BABEL_TRANSLATION_DIRECTORIES = str(Path(__file__).resolve().parent.parent / "translations")
        self.SUMMARY_TIMEZONE = env.get("SUMMARY_TIMEZONE", "Africa/Lubumbashi")

        # flask-smorest / OpenAPI
        self.API_TITLE = "AFR Aid API"
        self.API_VERSION = "v1"
        self.OPENAPI_VERSION = "3.0.3"
        self.OPENAPI_URL_PREFIX = "/api/v1"
        self.OPENAPI_JSON_PATH = "openapi.json"
        self.JSON_SORT_KEYS = False
        self.TESTING = _bool(env.get("TESTING"))

    def as_dict(self) -> dict:
        return {k: v for k, v in vars(self).items() if k.isupper()}


def _normalise_db_url(url: str) -> str:
    # Heroku-style URLs and bare postgresql:// both mean psycopg 3 here.
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://"):]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    return url
