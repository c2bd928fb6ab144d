"""Filing cases, finding them, listing them."""
from __future__ import annotations

import base64
import functools
import json
import re
import uuid
from datetime import date, datetime, timezone

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, select, text, tuple_, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased, defaultload, with_expression

from ... import clock, permissions
from ...errors import Conflict, Forbidden, Invalid, NotFound
from ...extensions import db
from ...models import Case, CaseCounter, CaseEvent, Place, User
from ...models.case import OPEN_CASES_SQL
from ...vocab import KIND_PREFIX, OPEN_STATUSES, UNASSIGNED_ALERT_AFTER, URGENCY_DELAY
from ..notifications import notify
from ..protection import audit
from . import name_index, places, routing, workflow

REF_RE = re.compile(r"^(AR|SI)-\d{4}-\d{6}$", re.I)
IDENTIFIERS = ("name", "phone", "unhcr_id")
VICTIM_FIELDS = ("killed", "injured", "abducted", "arrested", "displaced_households")


def _next_number(kind: str, year: int) -> int:
    """Per kind and year; the UPDATE's row lock serialises concurrent filers.
    One statement but for the year's first case, which makes the row first."""
    step = (update(CaseCounter).where(CaseCounter.kind == kind, CaseCounter.year == year)
            .values(last=CaseCounter.last + 1).returning(CaseCounter.last))
    number = db.session.execute(step).scalar()
    if number is None:
        dialect = db.session.get_bind().dialect.name
        insert = pg_insert if dialect == "postgresql" else sqlite_insert
        db.session.execute(insert(CaseCounter).values(kind=kind, year=year, last=0).on_conflict_do_nothing())
        number = db.session.execute(step).scalar_one()
    return number


def _empty(value) -> bool:
    return value is None or value == ""


def check_filing(actor: User) -> None:
    """Whether the actor may file cases at all (403)."""
    if not permissions.can_file(actor):
        raise Forbidden()


def replayed(actor: User, client_uuid: uuid.UUID) -> Case | None:
    """The case this actor already filed with this client_uuid (a phone
    retrying), None if the uuid is new; 409 if another user used it."""
    # Whose it is first (one index lookup, no joins); the case itself only for a retry.
    row = db.session.execute(select(Case.id, Case.created_by_id).where(Case.client_uuid == client_uuid)).first()
    if row is None:
        return None
    _check_owner(actor, row.created_by_id)
    return db.session.get(Case, row.id)


def _field_date_today():
    """Today where the cases happen: a volunteer in Goma at 00:30 files an
    incident of "today" while it is still yesterday in UTC."""
    from flask import current_app

    return clock.today(current_app.config["BABEL_DEFAULT_TIMEZONE"])


def check_fields(kind: str, data: dict) -> dict[str, list]:
    """The checks of meaning on shape-checked values: a known place, the
    consent rule, no incident in the future. Returns {field: [messages]}."""
    errors: dict[str, list] = {}
    if places.get_place(data.get("location")) is None:
        errors["location"] = [_l("Choose a known place.")]
    consent = data.get("consent") or {}
    if not consent.get("record"):
        person = data.get("person") or {}
        for name in IDENTIFIERS:
            if not _empty(person.get(name)):
                errors.setdefault(f"person.{name}", []).append(
                    _l("Leave this empty: the person did not consent to being recorded."))
        reporter = data.get("reporter") or {}
        for name in ("name", "phone"):
            if not _empty(reporter.get(name)):
                errors.setdefault(f"reporter.{name}", []).append(
                    _l("Leave this empty: there is no consent to record it."))
    occurred_on = data.get("occurred_on")
    if kind == "incident" and isinstance(occurred_on, date) and occurred_on > _field_date_today():
        errors["occurred_on"] = [_l("The date cannot be in the future.")]
    return errors


def file_case(actor: User, kind: str, client_uuid: uuid.UUID, data: dict,
              replay_checked: bool = False) -> tuple[Case, bool]:
    """Files a case from shape-checked values (API names, nested as in the API).
    Returns (case, created); the same client_uuid again returns the first case.
    `replay_checked`: the caller has just asked `replayed` (the API does, to
    answer a retry before checking its body). Either way the unique
    client_uuid is the guard against the same filing running at once."""
    check_filing(actor)
    if not replay_checked:
        existing = replayed(actor, client_uuid)
        if existing is not None:
            return existing, False
    errors = check_fields(kind, data)
    if errors:
        raise Invalid(fields=errors)
    place = places.get_place(data.get("location"))
    consent = data.get("consent") or {}

    now = clock.now()
    case = Case(kind=kind, client_uuid=client_uuid, status="new", urgency=data["urgency"],
                created_at=now, updated_at=now, due_at=now + URGENCY_DELAY[data["urgency"]],
                location=place, place_path=place.path, place_text=data.get("place") or None,
                created_by=actor, description=data.get("description") or None,
                consent_record=bool(consent.get("record")), consent_share=bool(consent.get("share")),
                consent_statistics=bool(consent.get("statistics")))
    if kind == "assistance":
        _set_assistance(case, data)
    else:
        _set_incident(case, data)
    # Read before the first write: on SQLite the write lock is held from there
    # to the commit (infra/database.py), so what needs no lock is done first.
    auto_routed = routing.auto_routing_on(case)
    try:
        case.year = now.year
        case.number = _next_number(kind, now.year)
        case.ref = f"{KIND_PREFIX[kind]}-{case.year}-{case.number:06d}"
        db.session.add(case)
        db.session.flush()
        event = CaseEvent(case_id=case.id, at=now, actor_id=actor.id, action="create", to_status="new")
        db.session.add(event)
        db.session.flush()
        if case.urgency in ("critical", "high"):
            notify.to_coordinators(case, "critical" if case.urgency == "critical" else "urgent", f"e{event.id}")
        if auto_routed:
            workflow.auto_assign(case)
        _commit_keeping_loaded()
    except IntegrityError:
        # The same phone retried while the first request was being written: the
        # unique client_uuid refused the second (at the INSERT or the commit).
        db.session.rollback()
        existing = db.session.scalar(select(Case).where(Case.client_uuid == client_uuid))
        if existing is None:
            raise
        return _replayed(actor, existing)
    return case, True


def _commit_keeping_loaded() -> None:
    """Commits without expiring what the session holds: the case answered is
    the one just written, with its place and people, not read again."""
    session = db.session()
    expire = session.expire_on_commit
    session.expire_on_commit = False
    try:
        session.commit()
    finally:
        session.expire_on_commit = expire


def _replayed(actor: User, existing: Case) -> tuple[Case, bool]:
    _check_owner(actor, existing.created_by_id)
    return existing, False


def _check_owner(actor: User, created_by_id: int) -> None:
    if created_by_id != actor.id:
        raise Conflict(_l("This client_uuid was already used for another case."), code="client_uuid_reused")


def _set_assistance(case: Case, data: dict) -> None:
    person = data.get("person") or {}
    case.person_name = person.get("name") or None
    case.person_sex = person.get("sex") or None
    case.person_age = person.get("age")
    case.person_age_estimated = person.get("age_estimated")
    case.person_displacement = person.get("displacement") or None
    case.person_unhcr_id = person.get("unhcr_id") or None
    case.person_phone = person.get("phone") or None
    case.household_size = person.get("household_size")
    case.person_language = person.get("language") or None
    case.needs = list(dict.fromkeys(data.get("needs") or []))
    case.vulnerabilities = list(dict.fromkeys(data.get("vulnerabilities") or []))


def _set_incident(case: Case, data: dict) -> None:
    case.occurred_on = data.get("occurred_on")
    case.occurred_time = data.get("occurred_time") or None
    case.types = list(dict.fromkeys(data.get("types") or []))
    case.perpetrator = data.get("perpetrator") or None
    case.perpetrator_detail = data.get("perpetrator_detail") or None
    case.severity = data.get("severity")
    victims = data.get("victims") or {}
    for name in VICTIM_FIELDS:
        setattr(case, f"victims_{name}", victims.get(name))
    case.source = data.get("source") or None
    case.reliability = data.get("reliability") or None
    reporter = data.get("reporter") or {}
    case.reporter_name = reporter.get("name") or None
    case.reporter_phone = reporter.get("phone") or None
    case.verification = "pending"


def get_case(actor: User, ref: str, audit_view: bool = False) -> Case:
    """The case if the actor may see it; otherwise NotFound, exactly as for a
    reference that does not exist."""
    if not ref or not REF_RE.match(ref):
        raise NotFound()
    query = (permissions.visible_cases(actor).where(Case.ref == ref.upper())
             .options(*_without_people_regions(), with_expression(Case.duplicate_ref, _duplicate_ref())))
    case = db.session.scalar(query)
    if case is None:
        raise NotFound()
    if audit_view:
        record_view(actor, case)
    return case


def _without_people_regions():
    """The filer's and assignee's places of work are not shown with a case:
    User.regions (eager everywhere else) stays unloaded here, two queries fewer.
    Nor is the parent of the case's place (joined to every Place otherwise)."""
    return (defaultload(Case.created_by).lazyload(User.regions),
            defaultload(Case.assignee).lazyload(User.regions),
            defaultload(Case.location).lazyload(Place.parent))


@functools.cache
def _duplicate_ref():
    """The reference a closed duplicate points to, in the case's own query.
    Built once: aliasing the whole Case mapper costs ~3 ms a request."""
    original = aliased(Case)
    return select(original.ref).where(original.id == Case.duplicate_of_id).scalar_subquery()


def record_view(actor: User, case: Case) -> None:
    """A view of the case's detail, to the audit log (committed at once; the
    commit expires loaded objects, so callers that show the case may first
    read it, then record the view)."""
    audit.record_now(actor, "case.view", case.ref)


def events_of(actor: User, case: Case) -> list[CaseEvent]:
    if not permissions.can_view(actor, case):
        raise NotFound()
    return list(db.session.scalars(select(CaseEvent).where(CaseEvent.case_id == case.id)
                                   .options(defaultload(CaseEvent.actor).lazyload(User.regions))
                                   .order_by(CaseEvent.id)))


# ---- listing ---------------------------------------------------------------

def encode_cursor(case: Case) -> str:
    raw = json.dumps([case.created_at.isoformat(), case.id]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


CURSOR_MAX = 200


def decode_cursor(cursor: str) -> tuple[datetime, int]:
    try:
        if len(cursor) > CURSOR_MAX:
            raise ValueError
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        created, case_id = json.loads(raw)
        created_at = datetime.fromisoformat(created)
        # A forged cursor must not reach the database: a boolean or huge id, or a
        # time that cannot be moved to UTC, would fail there instead of here.
        if created_at.tzinfo is None or type(case_id) is not int or not 0 < case_id < 2**63:
            raise ValueError
        return created_at.astimezone(timezone.utc), case_id
    except (ValueError, TypeError, OverflowError, RecursionError):
        raise Invalid(fields={"cursor": [_l("This cursor is not valid; start from the first page.")]})


def check_listing(actor: User) -> None:
    """Whether the actor may list cases at all (donors may not: 403)."""
    if not permissions.can_list_cases(actor):
        raise Forbidden()


def filtered_cases(actor: User, filters: dict):
    """The scope helper's SELECT narrowed by the list filters of docs/domain.md."""
    check_listing(actor)
    query = permissions.visible_cases(actor)
    if filters.get("kind"):
        query = query.where(Case.kind == filters["kind"])
    statuses = set(filters.get("status") or ())
    if statuses == set(OPEN_STATUSES):
        # Every open status (the queue): the same condition, spelt as the
        # partial indexes on open cases are, so that both databases use them.
        query = query.where(text(OPEN_CASES_SQL))
    elif statuses:
        query = query.where(Case.status.in_(filters["status"]))
        if statuses < set(OPEN_STATUSES):
            # Implied already; lets the partial indexes serve this list too.
            query = query.where(text(OPEN_CASES_SQL))
    if filters.get("urgency"):
        query = query.where(Case.urgency == filters["urgency"])
    if filters.get("location"):
        place = places.get_place(filters["location"])
        if place is None:
            raise Invalid(fields={"location": [_l("Choose a known place.")]})
        query = query.where(permissions.region_clause([place.path]))
    assignee = filters.get("assignee")
    if assignee == "me":
        query = query.where(Case.assignee_id == actor.id)
    elif assignee == "none":
        query = query.where(Case.assignee_id.is_(None))
    elif assignee:
        target = db.session.scalar(select(User.id).where(User.email == assignee.strip().lower()))
        query = query.where(Case.assignee_id == (target or -1))
    if filters.get("overdue") is not None:
        overdue = and_(Case.status.in_(OPEN_STATUSES), Case.due_at < clock.now())
        query = query.where(overdue if filters["overdue"] else ~overdue)
    q = (filters.get("q") or "").strip()
    if q:
        if REF_RE.match(q):
            query = query.where(Case.ref == q.upper())
        else:
            # Names are encrypted: whole words, spelling variants allowed, through the blind index.
            query = name_index.restrict(query, actor, q)
    return query


def list_cases(actor: User, filters: dict, limit: int = 50, cursor: str | None = None):
    """Newest first, keyset-paginated: (items, next_cursor or None)."""
    query = filtered_cases(actor, filters)
    if cursor:
        created_at, case_id = decode_cursor(cursor)
        # A row-value comparison: both databases seek the (created_at, id)
        # indexes to it, so page 2,000 costs what page 1 does. The plain
        # bound lets PostgreSQL's planner see the range too.
        query = query.where(Case.created_at <= created_at, tuple_(Case.created_at, Case.id) < (created_at, case_id))
    query = query.options(*_without_people_regions())
    rows = list(db.session.scalars(query.order_by(Case.created_at.desc(), Case.id.desc()).limit(limit + 1)))
    next_cursor = encode_cursor(rows[limit - 1]) if len(rows) > limit else None
    return rows[:limit], next_cursor


def attention_flags(case: Case, now: datetime) -> list[str]:
    """`overdue` when due_at has passed on an open case; `unassigned` when a
    critical or high case has waited longer than docs/domain.md allows without an
    assignee."""
    flags = []
    if case.is_overdue(now):
        flags.append("overdue")
    wait = UNASSIGNED_ALERT_AFTER.get(case.urgency)
    if wait and case.status == "new" and case.assignee_id is None and now - case.created_at > wait:
        flags.append("unassigned")
    return flags
