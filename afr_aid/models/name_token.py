from __future__ import annotations

from sqlalchemy import ForeignKey, Index, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db


class CaseNameToken(db.Model):
    """The blind index of names: keyed hashes (services/cases/name_index.py) of the
    spelling-tolerant keys of each word of a case's names (services/cases/names.py). Without
    the index key, a hash says nothing about the name it came from.

    `field`: "p" the person's name, "r" the incident reporter's (searchable
    only by those who may see the reporter)."""

    __tablename__ = "case_name_tokens"
    __table_args__ = (Index("ix_case_name_tokens_lookup", "token_hash", "field", "case_id"),)

    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), primary_key=True)
    field: Mapped[str] = mapped_column(String(1), primary_key=True)
    token_hash: Mapped[bytes] = mapped_column(LargeBinary(16), primary_key=True)
