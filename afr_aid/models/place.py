from __future__ import annotations

from typing import Optional

from sqlalchemy import Boolean, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db

LEVELS = ("country", "province", "territory", "locality")


class Place(db.Model):
    """A node of the place tree. `path` lists the codes from the root, joined by
    '/', so "everything below a region" is one indexed prefix match."""

    __tablename__ = "places"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    level: Mapped[str] = mapped_column(String(16))
    parent_id: Mapped[Optional[int]] = mapped_column(ForeignKey("places.id"), index=True)
    path: Mapped[str] = mapped_column(String(400), index=True)

    parent: Mapped[Optional["Place"]] = relationship(remote_side=[id], lazy="joined", join_depth=1)

    def covers(self, other: "Place") -> bool:
        return other.path == self.path or other.path.startswith(self.path + "/")

    @property
    def depth(self) -> int:
        return self.path.count("/")

    def province_code(self) -> Optional[str]:
        parts = self.path.split("/")
        return parts[1] if len(parts) > 1 else None

    def __repr__(self) -> str:
        return f"<Place {self.code}>"


class RegionSetting(db.Model):
    """Per-region switches set by coordinators (auto-routing)."""

    __tablename__ = "region_settings"

    place_id: Mapped[int] = mapped_column(ForeignKey("places.id"), primary_key=True)
    auto_routing: Mapped[bool] = mapped_column(Boolean, default=False)

    place: Mapped[Place] = relationship()
