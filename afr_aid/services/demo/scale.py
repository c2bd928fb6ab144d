"""Demo data at the scale of a whole region's caseload (`flask demo --scale N`),
for benchmarks and for trying the service with realistic volumes.

Unlike demo.py, which files ~200 cases one by one through the services, this
writes rows in bulk (Core executemany): at 250,000 cases and ~8 events each,
the services' one-commit-per-action would take hours. It keeps what those
services guarantee: reference numbers that follow the counters, timelines
that go through the workflow in order, assignees whose regions cover the
case, names encrypted (the column type does it) and in the blind index, and
an audit chain that still verifies. Deterministic for a seed, except the
ciphertexts (random IVs) and the time it runs at: dates count back from now.

It also writes a labelled set of spelling variants: searches as someone
would type them, each with the ids of the cases of the person meant (whose
names were themselves recorded in various spellings), for the recall
benchmark (benchmarks/name_search.py)."""
from __future__ import annotations

import json
import os
import random
import uuid
from datetime import timedelta
from pathlib import Path

from sqlalchemy import JSON, func, insert, select, text

from ... import clock
from ...extensions import db
from ...infra.crypto import index_hasher
from ...models import Case, CaseCounter, CaseEvent, Place, User
from ...vocab import INCIDENT_TYPES, KIND_PREFIX, NEEDS, URGENCY_DELAY, VULNERABILITIES
from ..cases import name_index
from . import names as demo_names
from . import sample as demo
from .scale_users import bulk_users

CHUNK = 5000
HISTORY_DAYS = 3 * 365
# Where cases come from: the cities and the territories around them with
# most of the displaced; the other territories get a weight of 1.
PLACE_WEIGHTS = {"CD-NK-GOM": 16, "CD-NK-RUT": 9, "CD-NK-MAS": 9, "CD-NK-NYI": 6, "CD-NK-BEN": 7, "CD-NK-BUT": 4,
                 "CD-NK-LUB": 4, "CD-NK-WAL": 2, "CD-SK-BUK": 10, "CD-SK-UVI": 6, "CD-SK-FIZ": 4, "CD-SK-KAL": 4,
                 "CD-SK-KAB": 3, "CD-SK-WAL": 2, "CD-IT-BUN": 5, "CD-IT-DJU": 4, "CD-IT-IRU": 2, "CD-TA-KAL": 3,
                 "CD-MA-KIN": 2}
# Language (and so name style) by province.
PROVINCE_STYLES = {"CD-NK": (("rw", 6), ("sw", 3), ("fr", 1)), "CD-SK": (("rw", 4), ("sw", 5), ("fr", 1)),
                   "CD-IT": (("sw", 6), ("fr", 4)), "CD-TA": (("sw", 7), ("fr", 3)), "CD-MA": (("sw", 7), ("fr", 3))}
OPEN_RECENT = (("new", 25), ("assigned", 20), ("accepted", 15), ("in_progress", 20), ("resolved", 10), ("closed", 10))
OPEN_OLD = (("new", 2), ("assigned", 2), ("accepted", 2), ("in_progress", 3), ("resolved", 8), ("closed", 83))
PATH = ("assign", "accept", "start", "resolve", "close")
AFTER = {"assign": "assigned", "accept": "accepted", "start": "in_progress", "resolve": "resolved", "close": "closed"}
NOTES = ["Visited the family.", "Called back, no answer.", "Referred to the health centre.", "Follow-up next week.",
         "Documents checked.", "Partner informed.", "Household moved to another site.", "Waiting for transport."]
OUTCOMES = {"assistance": (("assisted", 70), ("referred", 15), ("no_longer_needed", 6), ("unreachable", 6),
                           ("invalid", 3)),
            "incident": (("documented", 60), ("referred", 15), ("advocacy", 20), ("invalid", 5))}


def _pick(rng: random.Random, weighted) -> str:
    values, weights = zip(*weighted)
    return rng.choices(values, weights)[0]


def load_scale(scale: int, seed: int = 7, variants_path: str | Path | None = None,
               echo=lambda message: None) -> dict | None:
    """Loads `scale` cases and 2,000 users (the demo sign-ins among them).
    Returns counts, or None when demo data is already there."""
    if db.session.scalar(select(User.id).where(User.email == f"admin@{demo.DEMO_DOMAIN}")):
        return None
    rng = random.Random(seed)
    now = clock.now().replace(microsecond=0)
    people = demo.create_demo_users(demo.demo_password())
    territories = list(db.session.scalars(select(Place).where(Place.level == "territory").order_by(Place.code)))
    users = bulk_users(rng, now, people, territories)
    echo(f"{len(users.all)} users")
    counters = {(kind, year): last for kind, year, last in db.session.execute(
        select(CaseCounter.kind, CaseCounter.year, CaseCounter.last))}
    next_case = (db.session.scalar(select(func.max(Case.id))) or 0) + 1
    next_event = (db.session.scalar(select(func.max(CaseEvent.id))) or 0) + 1
    weights = [PLACE_WEIGHTS.get(p.code, 1) for p in territories]
    # Filing times, oldest first (ids follow time, as in real use); more recent cases than old ones.
    ages = sorted((HISTORY_DAYS * 86400 * rng.random() ** 1.5 for _ in range(scale)), reverse=True)
    persons: list[dict] = []
    hasher = index_hasher()
    token_cache: dict[str, list[bytes]] = {}
    totals = {"cases": 0, "events": 0, "tokens": 0}
    connection = db.session.connection()
    for start in range(0, scale, CHUNK):
        case_rows, event_rows, token_rows = [], [], []
        for age in ages[start:start + CHUNK]:
            place = rng.choices(territories, weights)[0]
            created = now - timedelta(seconds=int(age))
            case_id = next_case
            next_case += 1
            row, person = _case_row(rng, case_id, created, now, place, users, counters, persons)
            events = _timeline(rng, row, now, users)
            for event in events:
                event["id"] = next_event
                next_event += 1
            _finish(row, events)
            case_rows.append(row)
            event_rows.extend(events)
            for field, name in (("p", row["person_name"]), ("r", row["reporter_name"])):
                if name:
                    if name not in token_cache:
                        token_cache[name] = [hasher(key) for key in demo_names_keys(name)]
                    token_rows.extend({"case_id": case_id, "field": field, "token_hash": h}
                                      for h in token_cache[name])
            if person is not None and row["person_name"]:
                person["cases"].append(case_id)
        _insert(connection, Case.__table__, case_rows)
        _insert(connection, CaseEvent.__table__, event_rows)
        name_index.bulk_write_rows(connection, token_rows)
        totals["cases"] += len(case_rows)
        totals["events"] += len(event_rows)
        totals["tokens"] += len(token_rows)
        echo(f"{totals['cases']} cases, {totals['events']} events")
    _save_counters(connection, counters)
    _fix_sequences(connection)
    db.session.commit()
    # Planner statistics for the new volume (PostgreSQL's autovacuum would
    # get there later; SQLite has none until asked).
    _analyze()
    labelled = _labelled_variants(random.Random(seed + 1), persons)
    path = Path(variants_path) if variants_path else variants_file()
    _write_private(path, {"seed": seed, "scale": scale, "queries": labelled})
    return {"users": len(users.all), **totals, "variants": len(labelled), "variants_path": str(path)}


def _analyze() -> None:
    """Planner statistics for the new volume (PostgreSQL's autovacuum would
    get there later; SQLite has none until asked), and on PostgreSQL a VACUUM
    so that the visibility map lets the name index answer from the index
    alone. On the driver's connection, outside any transaction: VACUUM
    refuses one, and SQLite's would be rolled back (infra/database.py begins every
    transaction itself)."""
    raw = db.engine.raw_connection()
    try:
        driver = raw.driver_connection
        if db.engine.dialect.name == "postgresql":
            driver.autocommit = True
            try:
                driver.execute("VACUUM ANALYZE")
            finally:
                driver.autocommit = False
        else:
            driver.execute("ANALYZE")
    finally:
        raw.close()


def demo_names_keys(name: str):
    from ..cases import names

    return sorted(names.index_keys(name))


def variants_file() -> Path:
    from flask import current_app

    return Path(current_app.instance_path) / "demo_name_variants.json"


def _write_private(path: Path, data: dict) -> None:
    """Mode 0600: invented names, but the file sits next to the keys."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        json.dump(data, handle, ensure_ascii=False)


# ---- cases -----------------------------------------------------------------

def _case_row(rng, case_id, created, now, place, users, counters, persons):
    kind = "incident" if rng.random() < 0.3 else "assistance"
    key = (kind, created.year)
    counters[key] = number = counters.get(key, 0) + 1
    urgency = _pick(rng, (("low", 3), ("medium", 4), ("high", 2), ("critical", 1)))
    province = place.path.split("/")[1]
    style = _pick(rng, PROVINCE_STYLES[province])
    members = users.by_territory[place.path]
    filer = rng.choice(members)[0] if members and rng.random() < 0.9 else users.coordinators[place.path]
    record = rng.random() > 0.12
    row = dict.fromkeys(c.name for c in Case.__table__.columns)
    row.update(id=case_id, kind=kind, year=created.year, number=number,
               ref=f"{KIND_PREFIX[kind]}-{created.year}-{number:06d}", client_uuid=uuid.UUID(int=rng.getrandbits(128)),
               status="new", urgency=urgency, created_at=created, updated_at=created,
               due_at=created + URGENCY_DELAY[urgency], location_id=place.id, place_path=place.path,
               place_text=f"Site {rng.randint(1, 60)}" if rng.random() < 0.6 else None,
               created_by_id=filer, description="Demo case, invented for testing.",
               consent_record=record, consent_share=record and rng.random() > 0.3,
               consent_statistics=rng.random() > 0.08)
    person = None
    if kind == "assistance":
        if record:
            # A third of the people come back (another need, another visit).
            if persons and rng.random() < 0.3:
                person = rng.choice(persons)
            else:
                person = {"name": demo_names.full_name(rng, style), "cases": []}
                persons.append(person)
            row["person_name"] = demo_names.recorded(person["name"], rng)
            if rng.random() < 0.5:
                row["person_phone"] = f"+243 9{rng.randint(10, 99)} {rng.randint(100, 999)} {rng.randint(100, 999)}"
            if rng.random() < 0.3:
                row["person_unhcr_id"] = f"{rng.randint(100, 999)}-{rng.randint(10, 99)}C{rng.randint(10000, 99999)}"
        row.update(person_sex=_pick(rng, (("female", 52), ("male", 45), ("unknown", 3))),
                   person_age=rng.randint(0, 85), person_age_estimated=rng.random() < 0.3,
                   person_displacement=_pick(rng, (("refugee", 6), ("asylum_seeker", 2), ("idp", 2),
                                                   ("returnee", 1), ("unknown", 1))),
                   household_size=rng.randint(1, 12), person_language=style,
                   needs=rng.sample(list(NEEDS), rng.randint(1, 3)),
                   vulnerabilities=rng.sample(list(VULNERABILITIES), rng.choice([0, 0, 1, 1, 2])))
    else:
        row.update(occurred_on=(created - timedelta(days=rng.choice([0, 0, 1, 2, 5]))).date(),
                   occurred_time=f"{rng.randint(0, 23):02d}:{rng.choice(['00', '15', '30', '45'])}"
                   if rng.random() < 0.5 else None,
                   types=rng.sample(list(INCIDENT_TYPES), rng.randint(1, 2)),
                   perpetrator=_pick(rng, (("armed_group", 5), ("state_forces", 2), ("criminal", 2), ("unknown", 3))),
                   perpetrator_detail="Group seen near the market." if rng.random() < 0.2 else None,
                   severity=rng.randint(1, 5), victims_killed=rng.choice([0, 0, 0, 0, 1, 2]),
                   victims_injured=rng.randint(0, 5), victims_abducted=rng.choice([0, 0, 0, 1]),
                   victims_arrested=rng.choice([0, 0, 0, 1]), victims_displaced_households=rng.randint(0, 40),
                   source=_pick(rng, (("victim", 3), ("witness", 4), ("third_party", 2), ("media", 1))),
                   reliability=_pick(rng, (("confirmed", 2), ("probable", 3), ("unconfirmed", 2))),
                   verification="pending")
        if record and rng.random() < 0.3:
            row["reporter_name"] = demo_names.recorded(demo_names.full_name(rng, style), rng)
            row["reporter_phone"] = f"+243 8{rng.randint(10, 99)} {rng.randint(100, 999)} {rng.randint(100, 999)}"
    return row, person


def _timeline(rng, row, now, users) -> list[dict]:
    """The events of one case, in workflow order, at increasing times that
    stay in the past; sets the case's status fields as it goes."""
    created = row["created_at"]
    age_days = (now - created).total_seconds() / 86400
    target = _pick(rng, OPEN_RECENT if age_days < 30 else OPEN_OLD)
    members = users.by_territory[row["place_path"]] or [(row["created_by_id"], None)]
    coordinator = users.coordinators[row["place_path"]]
    # A case's life: mostly days, at most two months, never past now.
    span = max(60.0, min((now - created).total_seconds(), 60 * 86400.0))
    steps = sorted(rng.random() ** 2 * span for _ in range(12))
    clock = iter(steps)

    def at():
        return created + timedelta(seconds=1 + int(next(clock, span)))

    events = [_event(row, created, row["created_by_id"], "create", None, "new")]
    assignee = None
    if target != "new":
        if rng.random() < 0.1:  # offered to someone who declined first
            first = rng.choice(members)
            events.append(_event(row, at(), coordinator, "assign", "new", "assigned",
                                 detail={"assignee": users.emails.get(first[0])}))
            events.append(_event(row, at(), first[0], "decline", "assigned", "new", note="Not available this week."))
        for action in PATH:
            actor = coordinator if action in ("assign", "close") else assignee
            detail = None
            if action == "assign":
                assignee = rng.choice(members)[0]
                detail = {"assignee": users.emails.get(assignee)}
            elif action == "close":
                detail = {"outcome": _pick(rng, OUTCOMES[row["kind"]])}
                row["outcome"] = detail["outcome"]
            events.append(_event(row, at(), actor, action, events[-1]["to_status"], AFTER[action], detail=detail,
                                 note="Done." if action == "resolve" else None))
            if AFTER[action] == target:
                break
        row["assignee_id"] = assignee
    if row["kind"] == "incident" and target != "new" and rng.random() < 0.6:
        verification = _pick(rng, (("verified", 6), ("unverified", 3), ("rejected", 1)))
        status = events[-1]["to_status"]
        events.append(_event(row, at(), coordinator, "verify", status, status, detail={"verification": verification}))
        row["verification"] = verification
    for _ in range(rng.randint(0, 5)):
        who = rng.choice([coordinator, assignee or row["created_by_id"], row["created_by_id"]])
        events.append(_event(row, at(), who, "note", None, None, note=rng.choice(NOTES)))
    events.sort(key=lambda e: e["at"])
    return events


def _event(row, at, actor, action, before, after, note=None, detail=None) -> dict:
    return {"case_id": row["id"], "at": at, "actor_id": actor, "action": action, "from_status": before,
            "to_status": after, "note": note, "detail": detail}


def _finish(row, events) -> None:
    """The case's status and times, from its timeline."""
    for event in events:
        action = event["action"]
        if event["to_status"] and action != "verify":
            row["status"] = event["to_status"]
        if action == "assign" and row["first_action_at"] is None:
            row["first_action_at"] = event["at"]
        elif action == "resolve":
            row["resolved_at"] = event["at"]
        elif action == "close":
            row["closed_at"] = event["at"]
            row["resolved_at"] = row["resolved_at"] or event["at"]
    row["updated_at"] = events[-1]["at"]
    if row["status"] == "new":
        row["assignee_id"] = None


def _insert(connection, table, rows) -> None:
    """executemany, with an empty JSON column left out rather than None:
    None would store JSON null, which is not SQL NULL (and coalesce() over
    needs/types, as the figures do, would stop at it). Rows are grouped by
    the columns they fill, as one executemany needs."""
    json_columns = [c.name for c in table.columns if c.type._type_affinity is JSON]
    groups: dict[tuple, list] = {}
    for row in rows:
        for name in json_columns:
            if row.get(name, 0) is None:
                del row[name]
        groups.setdefault(tuple(row), []).append(row)
    for group in groups.values():
        connection.execute(insert(table), group)


def _save_counters(connection, counters) -> None:
    connection.execute(CaseCounter.__table__.delete())
    connection.execute(insert(CaseCounter.__table__),
                       [{"kind": kind, "year": year, "last": last} for (kind, year), last in sorted(counters.items())])


def _fix_sequences(connection) -> None:
    """Rows were written with explicit ids: PostgreSQL's sequences must move on."""
    if connection.dialect.name != "postgresql":
        return
    for table in ("users", "cases", "case_events", "audit_log"):
        connection.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                f"(SELECT coalesce(max(id), 1) FROM {table}))"))


# ---- the labelled set for the recall benchmark ------------------------------

def _labelled_variants(rng, persons, count: int = 500) -> list[dict]:
    """Searches as typed on a phone (one word, sometimes both, written
    differently), each with the ids of every case of the person meant."""
    known = [p for p in persons if p["cases"]]
    chosen = rng.sample(known, min(count, len(known)))
    out = []
    for person in chosen:
        words_changed = 2 if rng.random() < 0.2 else 1
        query = demo_names.variant(person["name"], rng, words_changed=words_changed)
        out.append({"q": query, "name": person["name"], "expected": sorted(person["cases"])})
    return out
