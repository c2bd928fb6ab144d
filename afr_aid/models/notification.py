from __future__ import annotations

from datetime import datetime
from typing import Optional

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .case import Case
from .types import UTCDateTime, utcnow
from .user import User


class Notification(db.Model):
    """Outbox row, written in the same transaction as the change that causes it.
    A task delivers it after the commit; a sweep picks up what was left behind.

    status: `queued` → `sending` → `sent` (or `failed` after MAX_ATTEMPTS);
    `digest` (held for the recipient's daily digest) → `digested`; `off` (the
    recipient switched this kind off, or is inactive: kept so that alerts stay
    idempotent and the delivery log shows why nothing was sent)."""

    __tablename__ = "notifications"
    __table_args__ = (Index("ix_notifications_status_created", "status", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    case_id: Mapped[Optional[int]] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    # Unique: a retry or a second sweep can never create or send the same message twice.
    idempotency_key: Mapped[str] = mapped_column(String(120), unique=True)
    status: Mapped[str] = mapped_column(String(16), default="queued")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[Optional[str]] = mapped_column(Text)
    # Set when a worker takes the row; a row left "sending" past its lease (worker
    # killed) is taken again by the sweep.
    claimed_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    sent_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    # A row held for the daily digest points at the digest message that carried it.
    digest_id: Mapped[Optional[int]] = mapped_column(ForeignKey("notifications.id"), index=True)
    # A weekly summary message points at the stored figures it is rendered from.
    summary_id: Mapped[Optional[int]] = mapped_column(ForeignKey("weekly_summaries.id"), index=True)

    user: Mapped[User] = relationship(lazy="joined")
    case: Mapped[Optional[Case]] = relationship(lazy="joined")
