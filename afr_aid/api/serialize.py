"""A case, an event, a suggestion as the caller may see them: plain dicts of
Python values that the answer schemas (schemas/) dump to JSON.

Who sees which field is asked of permissions.py; nothing here queries the
database, except `duplicate_of` on a case's detail (one small read).
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from .. import clock, permissions
from ..extensions import db
from ..models import Case, CaseEvent, Place, User
from ..services.cases.records import VICTIM_FIELDS


def user_ref(user: User | None) -> dict | None:
    return {"email": user.email, "name": user.name} if user is not None else None


def place_ref(place: Place) -> dict:
    return {"code": place.code, "name": place.name}


def case(viewer: User, case: Case, now: datetime | None = None, detail: bool = True) -> dict:
    now = now or clock.now()
    out = {
        "ref": case.ref, "kind": case.kind, "status": case.status, "urgency": case.urgency,
        "due_at": case.due_at, "overdue": case.is_overdue(now),
        "location": place_ref(case.location), "place": case.place_text,
        "created_at": case.created_at, "created_by": user_ref(case.created_by),
        "assignee": user_ref(case.assignee), "description": case.description,
        "consent": {"record": case.consent_record, "share": case.consent_share,
                    "statistics": case.consent_statistics},
    }
    if case.status == "closed":
        out["outcome"] = case.outcome
        if detail and case.outcome == "duplicate":
            out["duplicate_of"] = case.duplicate_ref or _ref_of(case.duplicate_of_id)
    if case.kind == "assistance":
        out.update(_assistance(case))
    else:
        out.update(_incident(viewer, case))
    return out


def _ref_of(case_id: int | None) -> str | None:
    # One column, not the whole case with its people and places.
    if case_id is None:
        return None
    return db.session.scalar(select(Case.ref).where(Case.id == case_id))


def _assistance(case: Case) -> dict:
    return {
        "person": {"name": case.person_name, "sex": case.person_sex, "age": case.person_age,
                   "age_estimated": case.person_age_estimated, "displacement": case.person_displacement,
                   "unhcr_id": case.person_unhcr_id, "phone": case.person_phone,
                   "household_size": case.household_size, "language": case.person_language},
        "needs": list(case.needs or []),
        "vulnerabilities": list(case.vulnerabilities or []),
    }


def _incident(viewer: User, case: Case) -> dict:
    out = {
        "occurred_on": case.occurred_on, "occurred_time": case.occurred_time,
        "types": list(case.types or []), "perpetrator": case.perpetrator,
        "severity": case.severity, "source": case.source, "reliability": case.reliability,
        "victims": {name: getattr(case, f"victims_{name}") for name in VICTIM_FIELDS},
        "verification": case.verification or "pending",
    }
    if permissions.can_see_perpetrator_detail(viewer, case):
        out["perpetrator_detail"] = case.perpetrator_detail
    if permissions.can_see_reporter(viewer, case):
        out["reporter"] = {"name": case.reporter_name, "phone": case.reporter_phone}
    return out


# Keys of an event's `detail` that the timeline shows.
EVENT_DETAIL_KEYS = ("assignee", "outcome", "verification")


def event(item: CaseEvent) -> dict:
    out = {"at": item.at, "actor": user_ref(item.actor), "action": item.action,
           "from_status": item.from_status, "to_status": item.to_status, "note": item.note}
    for key in EVENT_DETAIL_KEYS:
        if isinstance(item.detail, dict) and item.detail.get(key) is not None:
            out[key] = item.detail[key]
    return out


def suggestion(item) -> dict:
    return {"email": item.user.email, "name": item.user.name, "score": item.score,
            "reasons": [str(reason) for reason in item.reasons], "open_cases": item.open_cases}


def me(user: User) -> dict:
    return {"email": user.email, "name": user.name, "role": user.role,
            "regions": [place.code for place in user.regions], "languages": list(user.languages or []),
            "skills": list(user.skills or []), "locale": user.locale}


def location(place: Place) -> dict:
    return {"code": place.code, "name": place.name, "level": place.level,
            "parent": place.parent.code if place.parent is not None else None}
