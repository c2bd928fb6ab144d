from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .types import UTCDateTime, utcnow


class WeeklySummary(db.Model):
    """A week's figures for one scope, computed once and kept: every email of
    that week and scope is rendered from this row, so a resend is identical.

    `scope` is `movement` (donors) or `regions:<codes>` (coordinators sharing
    the same regions). The figures are stored already masked: what is kept is
    exactly what may be shown. Who received which summary is the notification
    outbox (kind `summary`, idempotency key `summary:<week>:<user id>`)."""

    __tablename__ = "weekly_summaries"
    __table_args__ = (UniqueConstraint("week", "scope", "partial", name="uq_weekly_summaries_week_scope_partial"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    week: Mapped[str] = mapped_column(String(8))  # ISO week, "2026-W47"
    scope: Mapped[str] = mapped_column(String(200))
    partial: Mapped[bool] = mapped_column(Boolean, default=False)
    figures: Mapped[dict] = mapped_column(JSON)
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
