from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Optional

from sqlalchemy import JSON, Boolean, Date, Enum, ForeignKey, Index, Integer, String, Text, UniqueConstraint, Uuid, text
from sqlalchemy.orm import Mapped, mapped_column, query_expression, relationship

from ..extensions import db
from ..vocab import (
    ALL_OUTCOMES,
    DISPLACEMENTS,
    KINDS,
    PERPETRATORS,
    RELIABILITIES,
    SEXES,
    SOURCES,
    STATUSES,
    URGENCIES,
    VERIFICATIONS,
)
from .place import Place
from .types import EncryptedText, UTCDateTime, utcnow
from .user import User

# The condition of the partial indexes on open cases, written the same way in
# the indexes and in the queries that must match them (SQLite uses a partial
# index only when the query has its condition term for term, with literals).
OPEN_CASES_SQL = "status NOT IN ('resolved','closed')"


def _enum(values, name):
    return Enum(*values, name=name, native_enum=False, length=32)


class Case(db.Model):
    """Both kinds in one table: they share one workflow, timeline and access rule;
    kind-specific columns stay empty for the other kind."""

    __tablename__ = "cases"
    __table_args__ = (
        UniqueConstraint("kind", "year", "number", name="uq_cases_kind_year_number"),
        Index("ix_cases_scope_created", "place_path", "created_at", "id"),
        Index("ix_cases_created", "created_at", "id"),
        Index("ix_cases_assignee_status", "assignee_id", "status"),
        Index("ix_cases_created_by", "created_by_id"),
        Index("ix_cases_open_due", "due_at", postgresql_where=text(OPEN_CASES_SQL),
              sqlite_where=text(OPEN_CASES_SQL)),
        # Migration 0006: what the lists, the queue and the figures ask for at
        # 250,000 cases. Lists are newest first: the open-case lists walk a
        # partial index in that order (with the urgency in front when it is
        # filtered on) and stop at the page's end; services/cases/records.py adds the
        # partial indexes' own condition to those queries so that both
        # databases see they may use them.
        Index("ix_cases_open_created", "created_at", "id", postgresql_where=text(OPEN_CASES_SQL),
              sqlite_where=text(OPEN_CASES_SQL)),
        Index("ix_cases_open_urgency_created", "urgency", "created_at", "id",
              postgresql_where=text(OPEN_CASES_SQL), sqlite_where=text(OPEN_CASES_SQL)),
        # Migration 0009: the coordinator's queue, one range per urgency (services/cases/queue.py).
        Index("ix_cases_open_urgency_due", "urgency", "due_at", "id",
              postgresql_where=text(OPEN_CASES_SQL), sqlite_where=text(OPEN_CASES_SQL)),
        # Foreign keys without an index of their own; closed_at for the figures.
        Index("ix_cases_location", "location_id"),
        Index("ix_cases_duplicate_of", "duplicate_of_id"),
        Index("ix_cases_closed_at", "closed_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    ref: Mapped[str] = mapped_column(String(20), unique=True)
    kind: Mapped[str] = mapped_column(_enum(KINDS, "case_kind"))
    year: Mapped[int] = mapped_column(Integer)
    number: Mapped[int] = mapped_column(Integer)
    client_uuid: Mapped[uuid.UUID] = mapped_column(Uuid, unique=True)
    status: Mapped[str] = mapped_column(_enum(STATUSES, "case_status"), default="new")
    urgency: Mapped[str] = mapped_column(_enum(URGENCIES, "urgency"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    first_action_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    resolved_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    closed_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    unassigned_alert_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)

    location_id: Mapped[int] = mapped_column(ForeignKey("places.id"))
    # Copy of the place's path: the scope filter is a prefix match on this column.
    place_path: Mapped[str] = mapped_column(String(400))
    place_text: Mapped[Optional[str]] = mapped_column(String(200))
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    assignee_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"))
    # Free text names people and places as often as the fields do: encrypted too.
    description: Mapped[Optional[str]] = mapped_column(EncryptedText)
    consent_record: Mapped[bool] = mapped_column(Boolean)
    consent_share: Mapped[bool] = mapped_column(Boolean)
    consent_statistics: Mapped[bool] = mapped_column(Boolean)
    outcome: Mapped[Optional[str]] = mapped_column(_enum(ALL_OUTCOMES, "outcome"))
    duplicate_of_id: Mapped[Optional[int]] = mapped_column(ForeignKey("cases.id"))
    # When the direct identifiers were erased (retention, or on request).
    identifiers_erased_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)

    # Assistance request
    # Direct identifiers are encrypted (EncryptedText); forms and schemas keep
    # their length limits, the ciphertext is longer.
    person_name: Mapped[Optional[str]] = mapped_column(EncryptedText)
    person_sex: Mapped[Optional[str]] = mapped_column(_enum(SEXES, "sex"))
    person_age: Mapped[Optional[int]] = mapped_column(Integer)
    person_age_estimated: Mapped[Optional[bool]] = mapped_column(Boolean)
    person_displacement: Mapped[Optional[str]] = mapped_column(_enum(DISPLACEMENTS, "displacement"))
    person_unhcr_id: Mapped[Optional[str]] = mapped_column(EncryptedText)
    person_phone: Mapped[Optional[str]] = mapped_column(EncryptedText)
    household_size: Mapped[Optional[int]] = mapped_column(Integer)
    person_language: Mapped[Optional[str]] = mapped_column(String(8))
    needs: Mapped[Optional[list]] = mapped_column(JSON)
    vulnerabilities: Mapped[Optional[list]] = mapped_column(JSON)

    # Security incident
    occurred_on: Mapped[Optional[date]] = mapped_column(Date)
    occurred_time: Mapped[Optional[str]] = mapped_column(String(5))
    types: Mapped[Optional[list]] = mapped_column(JSON)
    perpetrator: Mapped[Optional[str]] = mapped_column(_enum(PERPETRATORS, "perpetrator"))
    perpetrator_detail: Mapped[Optional[str]] = mapped_column(EncryptedText)
    severity: Mapped[Optional[int]] = mapped_column(Integer)
    victims_killed: Mapped[Optional[int]] = mapped_column(Integer)
    victims_injured: Mapped[Optional[int]] = mapped_column(Integer)
    victims_abducted: Mapped[Optional[int]] = mapped_column(Integer)
    victims_arrested: Mapped[Optional[int]] = mapped_column(Integer)
    victims_displaced_households: Mapped[Optional[int]] = mapped_column(Integer)
    source: Mapped[Optional[str]] = mapped_column(_enum(SOURCES, "source"))
    reliability: Mapped[Optional[str]] = mapped_column(_enum(RELIABILITIES, "reliability"))
    reporter_name: Mapped[Optional[str]] = mapped_column(EncryptedText)
    reporter_phone: Mapped[Optional[str]] = mapped_column(EncryptedText)
    verification: Mapped[Optional[str]] = mapped_column(_enum(VERIFICATIONS, "verification"))

    location: Mapped[Place] = relationship(lazy="joined", innerjoin=True)
    created_by: Mapped[User] = relationship(foreign_keys=[created_by_id], lazy="joined", innerjoin=True)
    assignee: Mapped[Optional[User]] = relationship(foreign_keys=[assignee_id], lazy="joined")
    duplicate_of: Mapped[Optional["Case"]] = relationship(remote_side=[id], lazy="select")
    # The duplicated case's reference, when the query asks for it
    # (services/cases.get_case): the detail then needs no query of its own.
    duplicate_ref: Mapped[Optional[str]] = query_expression()

    IDENTIFIERS = ("person_name", "person_phone", "person_unhcr_id", "reporter_name", "reporter_phone",
                   "perpetrator_detail")

    def is_overdue(self, now: datetime) -> bool:
        return self.status not in ("resolved", "closed") and self.due_at < now

    def __repr__(self) -> str:
        return f"<Case {self.ref}>"


class CaseCounter(db.Model):
    """Last reference number handed out, per kind and year."""

    __tablename__ = "case_counters"

    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    last: Mapped[int] = mapped_column(Integer, default=0)
