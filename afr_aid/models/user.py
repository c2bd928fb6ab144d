from __future__ import annotations

from datetime import datetime
from typing import Optional

from sqlalchemy import JSON, Boolean, Column, Enum, ForeignKey, Integer, String, Table
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..vocab import ROLES
from .place import Place
from .types import EncryptedText, UTCDateTime, utcnow

user_regions = Table(
    "user_regions",
    db.metadata,
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("place_id", ForeignKey("places.id"), primary_key=True, index=True),
)


class User(db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Stored lower-cased: unique regardless of case.
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    role: Mapped[str] = mapped_column(Enum(*ROLES, name="role", native_enum=False, length=16))
    password_hash: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    away: Mapped[bool] = mapped_column(Boolean, default=False)
    locale: Mapped[str] = mapped_column(String(8), default="en")
    # Times on pages are shown in this zone (the five provinces are all on Lubumbashi's).
    timezone: Mapped[str] = mapped_column(String(64), default="Africa/Lubumbashi",
                                          server_default="Africa/Lubumbashi")
    languages: Mapped[list] = mapped_column(JSON, default=list)
    skills: Mapped[list] = mapped_column(JSON, default=list)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    # Two-step sign-in (services/accounts/two_factor.py). The TOTP secret is encrypted with
    # the key ring; set but not yet enabled while the user is enrolling. The last
    # time step used refuses the same code twice.
    # Deferred: loaded (and decrypted) only by the code that checks a code.
    totp_secret: Mapped[Optional[str]] = mapped_column(EncryptedText, deferred=True)
    totp_enabled_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    totp_last_step: Mapped[Optional[int]] = mapped_column(Integer)

    regions: Mapped[list[Place]] = relationship(secondary=user_regions, lazy="selectin")

    # Flask-Login protocol. The session id, not the user id, is what the cookie carries;
    # see services/accounts/sessions.py.
    is_authenticated = True
    is_anonymous = False

    @property
    def is_active(self) -> bool:
        return self.active

    # Set by auth.sessions when a server-side session is opened or loaded.
    session_token = None

    def get_id(self) -> Optional[str]:
        return self.session_token

    @property
    def totp_enrolled(self) -> bool:
        return self.totp_enabled_at is not None

    def covers(self, place: Place) -> bool:
        return any(region.covers(place) for region in self.regions)

    def __repr__(self) -> str:
        return f"<User {self.id} {self.role}>"
