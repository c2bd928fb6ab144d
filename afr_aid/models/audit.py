from __future__ import annotations

from datetime import datetime
from typing import Optional

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .types import UTCDateTime, utcnow
from .user import User


class AuditEntry(db.Model):
    """Who did or saw what, when, from where. Holds codes and references, never
    a person's name, phone or a case description."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_at", "at", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"), index=True)
    action: Mapped[str] = mapped_column(String(40), index=True)
    target: Mapped[Optional[str]] = mapped_column(String(254), index=True)
    ip: Mapped[Optional[str]] = mapped_column(String(64))
    detail: Mapped[Optional[dict]] = mapped_column(JSON)
    # Hash chain (services/protection/audit.py): each entry's hash covers its fields and
    # the hash of the entry before it, so a changed or removed row shows.
    prev_hash: Mapped[Optional[str]] = mapped_column(String(64))
    hash: Mapped[Optional[str]] = mapped_column(String(64))

    actor: Mapped[Optional[User]] = relationship(lazy="joined")


class AuditChainHead(db.Model):
    """The end of the audit hash chain, one row (id 1). Each writer locks it
    for the rest of its transaction, so two writers never chain onto the same
    entry; it also shows when the newest entries were removed."""

    __tablename__ = "audit_chain_head"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    last_hash: Mapped[str] = mapped_column(String(64))
    entries: Mapped[int] = mapped_column(BigInteger, default=0)
