"""The place tree: lookups and loading more places from CSV."""
from __future__ import annotations

import csv
import io
import re
from typing import Iterable

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ... import permissions
from ...errors import Forbidden, Invalid
from ...extensions import db
from ...models import Place, User
from ...models.place import LEVELS
from ...vocab import PLACE_LEVELS, label
from ..protection import audit

CODE_RE = re.compile(r"^[A-Z]{2}(-[A-Z0-9]{1,12}){0,4}$")
# What each level may lie under: the tree is country → province → territory →
# locality (localities may nest). Donors see down to provinces and regions are
# chosen down to territories by level, so a level must match the place's depth.
PARENT_LEVELS = {"country": (), "province": ("country",), "territory": ("province",),
                 "locality": ("territory", "locality")}


def get_place(code: str | None) -> Place | None:
    """The place of this code. Asked several times in one request (the API's
    checks, then the service's): one query, the place kept on the session
    while it stays in it (codes never change; renames reach it through the
    identity map)."""
    if not code:
        return None
    key = code.strip().upper()
    known = db.session.info.setdefault("places_by_code", {})
    place = known.get(key)
    if place is not None and place in db.session:
        return place
    place = db.session.scalar(select(Place).where(Place.code == key))
    if place is not None:
        known[key] = place
    return place


def all_places(max_level: str | None = None) -> list[Place]:
    query = select(Place).order_by(Place.path)
    if max_level:
        query = query.where(Place.level.in_(LEVELS[: LEVELS.index(max_level) + 1]))
    return list(db.session.scalars(query))


def regions_choices() -> list[Place]:
    return all_places("territory")


def upsert_places(rows: Iterable[dict]) -> tuple[int, int]:
    """Insert or rename places given as {code, name, level, parent}; parents
    must come first or already exist. Returns (added, updated)."""
    by_code = {p.code: p for p in db.session.scalars(select(Place))}
    added = updated = 0
    errors: dict[str, list] = {}
    for line, row in enumerate(rows, start=2):
        code = (row.get("code") or "").strip().upper()
        name = (row.get("name") or "").strip()
        level = (row.get("level") or "").strip().lower()
        parent_code = (row.get("parent") or "").strip().upper()
        problems = []
        if not CODE_RE.match(code):
            problems.append(_l("Line %(line)d: the code %(code)s is not valid.", line=line, code=code[:40]))
        if not name or len(name) > 120:
            problems.append(_l("Line %(line)d: a name of 1 to 120 characters is needed.", line=line))
        if level not in LEVELS:
            problems.append(_l("Line %(line)d: the level must be country, province, territory or locality.",
                               line=line))
        parent = by_code.get(parent_code) if parent_code else None
        if parent_code and parent is None:
            problems.append(_l("Line %(line)d: the parent %(code)s is unknown.", line=line, code=parent_code[:40]))
        if level != "country" and not parent_code:
            problems.append(_l("Line %(line)d: only a country has no parent.", line=line))
        if level in LEVELS and parent is not None and parent.level not in PARENT_LEVELS[level]:
            problems.append(_l("Line %(line)d: a place of level %(level)s cannot lie under one of level "
                               "%(parent)s.", line=line, level=label(PLACE_LEVELS, level),
                               parent=label(PLACE_LEVELS, parent.level)))
        if problems:
            errors.setdefault("file", []).extend(problems)
            continue
        path = f"{parent.path}/{code}" if parent else code
        place = by_code.get(code)
        if place is None:
            place = Place(code=code, name=name, level=level, parent=parent, path=path)
            db.session.add(place)
            by_code[code] = place
            added += 1
        elif place.name != name:
            place.name = name
            updated += 1
    if errors:
        db.session.rollback()
        raise Invalid(fields=errors)
    return added, updated


def csv_rows(data: bytes) -> csv.DictReader:
    """The rows of a places CSV file (UTF-8, columns code, name, level, parent)."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise Invalid(fields={"file": [_l("The file must be UTF-8 text.")]})
    reader = csv.DictReader(io.StringIO(text))
    if not reader.fieldnames or not {"code", "name", "level", "parent"} <= set(reader.fieldnames):
        raise Invalid(fields={"file": [_l("The file needs the columns code, name, level and parent.")]})
    return reader


def import_places_csv(actor: User | None, data: bytes) -> tuple[int, int]:
    """`actor` is None only for the command line, run by whoever holds the server."""
    if actor is not None and not permissions.can_manage_places(actor):
        raise Forbidden()
    added, updated = upsert_places(csv_rows(data))
    audit.record(actor, "places.import", None, added=added, updated=updated)
    db.session.commit()
    return added, updated


def tree_with_locality_counts() -> tuple[list[Place], dict[str, int]]:
    """Places down to territories, and how many localities lie below each
    territory: thousands of localities would not fit on one page."""
    shown, counts = [], {}
    for place in all_places():
        if place.level == "locality":
            parts = place.path.split("/")
            if len(parts) > 2:
                counts[parts[2]] = counts.get(parts[2], 0) + 1
        else:
            shown.append(place)
    return shown, counts


def below(place: Place) -> list[Place]:
    """Every place under this one, in tree order."""
    return list(db.session.scalars(select(Place).where(Place.path.startswith(place.path + "/", autoescape=True))
                                   .order_by(Place.path)))
