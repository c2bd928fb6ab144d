from __future__ import annotations

from datetime import datetime
from typing import Optional

from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .types import EncryptedText, UTCDateTime, utcnow
from .user import User


class CaseEvent(db.Model):
    """One line of a case's timeline: its filing, each action, each note.
    Never edited; `actor_id` is null for the system (auto-routing)."""

    __tablename__ = "case_events"
    __table_args__ = (Index("ix_case_events_case_at", "case_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"), index=True)
    action: Mapped[str] = mapped_column(String(16))
    from_status: Mapped[Optional[str]] = mapped_column(String(16))
    to_status: Mapped[Optional[str]] = mapped_column(String(16))
    # Encrypted like the case's identifiers: a note is free text about people.
    note: Mapped[Optional[str]] = mapped_column(EncryptedText)
    # Structured effect of the action: assignee email, outcome, verification.
    detail: Mapped[Optional[dict]] = mapped_column(JSON)

    actor: Mapped[Optional[User]] = relationship(lazy="joined")
