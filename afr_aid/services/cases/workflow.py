"""The case workflow of docs/domain.md: new → assigned → accepted → in_progress →
resolved → closed, plus decline, reopen, verify, and notes.

`check_transition` says whether the actor may take the action now (403, then
409); `transition` also checks the action's fields (422) and applies it.
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ... import clock, permissions
from ...errors import Conflict, Forbidden, Invalid, NotFound
from ...extensions import db
from ...models import Case, CaseEvent, User
from ...vocab import OUTCOMES, STATUSES, TRANSITIONS, URGENCY_DELAY, label
from ..notifications import notify

ALL_BUT_CLOSED = ("new", "assigned", "accepted", "in_progress", "resolved")
ALLOWED_FROM = {
    "assign": ALL_BUT_CLOSED,
    "accept": ("assigned",),
    "decline": ("assigned",),
    "start": ("accepted",),
    "resolve": ("accepted", "in_progress"),
    "close": ALL_BUT_CLOSED,
    "reopen": ("closed",),
    "verify": ALL_BUT_CLOSED,
}
TARGET = {"assign": "assigned", "accept": "accepted", "decline": "new", "start": "in_progress",
          "resolve": "resolved", "close": "closed", "reopen": "new"}
NOTE_MAX = 10_000
VERIFY_VALUES = ("verified", "unverified", "rejected")


def check_transition(actor: User, case: Case, action: str) -> None:
    if not permissions.can_view(actor, case):
        raise NotFound()
    if action not in TRANSITIONS:
        raise Invalid(fields={"action": [_l("Unknown action.")]})
    if not permissions.may_act(actor, action, case):
        raise Forbidden(_l("You may not do this on this case."))
    if case.status not in ALLOWED_FROM[action]:
        raise Conflict(_l("This action is not possible while the case is %(status)s.",
                          status=label(STATUSES, case.status)))


def available_actions(actor: User, case: Case) -> list[str]:
    """The actions a page should offer this user now."""
    actions = []
    for action in TRANSITIONS:
        if action == "verify" and case.kind != "incident":
            continue
        if permissions.may_act(actor, action, case) and case.status in ALLOWED_FROM[action]:
            actions.append(action)
    return actions


def _text(fields: dict, name: str, required: bool, errors: dict) -> str | None:
    value = fields.get(name)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            errors.setdefault(name, []).append(_l("This field is required."))
        return None
    if not isinstance(value, str):
        errors.setdefault(name, []).append(_l("Enter text."))
        return None
    if len(value) > NOTE_MAX:
        errors.setdefault(name, []).append(_l("Use at most %(n)d characters.", n=NOTE_MAX))
        return None
    return value.strip()


def _check_fields(actor: User, case: Case, action: str, fields: dict):
    """The action's fields checked for meaning: (errors, note, detail, assignee, duplicate)."""
    errors: dict[str, list] = {}
    note = _text(fields, "reason" if action in ("decline", "reopen") else "note",
                 action in ("decline", "reopen"), errors)
    detail: dict = {}
    assignee = duplicate = None
    if action == "assign":
        assignee = _check_assignee(case, fields.get("assignee"), errors)
        if assignee:
            detail["assignee"] = assignee.email
    elif action == "close":
        outcome = fields.get("outcome")
        if outcome not in OUTCOMES[case.kind]:
            errors["outcome"] = [_l("Choose one of: %(codes)s", codes=", ".join(OUTCOMES[case.kind]))]
        else:
            detail["outcome"] = outcome
            if outcome == "duplicate":
                duplicate = _check_duplicate(actor, case, fields.get("duplicate_of"), errors)
    elif action == "verify":
        if case.kind != "incident":
            errors["action"] = [_l("Only security incidents are verified.")]
        elif fields.get("verification") not in VERIFY_VALUES:
            errors["verification"] = [_l("Choose one of: %(codes)s", codes=", ".join(VERIFY_VALUES))]
        else:
            detail["verification"] = fields["verification"]
    return errors, note, detail, assignee, duplicate


def transition_errors(actor: User, case: Case, action: str, fields: dict) -> dict[str, list]:
    """What `transition` would refuse in these fields (after `check_transition`)."""
    return _check_fields(actor, case, action, fields)[0]


def _lock(case: Case) -> None:
    """Re-reads the case under a row lock (PostgreSQL; on SQLite the FOR UPDATE
    takes the write lock, see infra/database.py). Two requests acting at once, such
    as a double tap on a slow connection, then take turns, and the second sees
    what the first did (409) instead of acting on the status both read before
    either wrote."""
    db.session.execute(select(Case.id).where(Case.id == case.id).with_for_update())
    db.session.refresh(case)


def transition(actor: User, case: Case, action: str, fields: dict) -> Case:
    _lock(case)
    check_transition(actor, case, action)
    errors, note, detail, assignee, duplicate = _check_fields(actor, case, action, fields)
    if errors:
        raise Invalid(fields=errors)
    _apply(actor, case, action, note, detail, assignee, duplicate)
    db.session.commit()
    return case


def _check_assignee(case: Case, email, errors: dict) -> User | None:
    user = None
    if isinstance(email, str) and email.strip():
        user = db.session.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None or not permissions.can_take_cases(user, case):
        errors["assignee"] = [_l("Choose an active volunteer or coordinator whose regions cover this place.")]
        return None
    return user


def _check_duplicate(actor: User, case: Case, ref, errors: dict) -> Case | None:
    from .records import get_case

    if not isinstance(ref, str) or not ref.strip():
        errors["duplicate_of"] = [_l("Give the reference of the case this one duplicates.")]
        return None
    try:
        original = get_case(actor, ref.strip())
    except NotFound:
        original = None
    if original is None or original.id == case.id:
        errors["duplicate_of"] = [_l("No other case you can see has this reference.")]
        return None
    return original


def _apply(actor: User | None, case: Case, action: str, note, detail, assignee, duplicate) -> None:
    now = clock.now()
    before = case.status
    if action == "verify":
        case.verification = detail["verification"]
    else:
        case.status = TARGET[action]
    if action == "assign":
        case.assignee = assignee
        case.assignee_id = assignee.id
    elif action == "decline":
        case.assignee = None
        case.assignee_id = None
    elif action == "resolve":
        case.resolved_at = now
    elif action == "close":
        case.closed_at, case.outcome, case.duplicate_of = now, detail["outcome"], duplicate
    elif action == "reopen":
        case.assignee, case.assignee_id = None, None
        case.closed_at = case.resolved_at = case.outcome = case.duplicate_of = None
        case.due_at = now + URGENCY_DELAY[case.urgency]
        case.unassigned_alert_at = None
    if actor is not None and case.first_action_at is None and action != "decline":
        case.first_action_at = now
    case.updated_at = now
    event = CaseEvent(case_id=case.id, at=now, actor_id=actor.id if actor else None, action=action,
                      from_status=before, to_status=case.status, note=note, detail=detail or None)
    db.session.add(event)
    db.session.flush()
    if action == "assign":
        notify.queue(assignee, "assignment", case, f"assignment:{case.id}:e{event.id}")
    elif action == "decline":
        notify.to_coordinators(case, "decline", f"e{event.id}")
        from . import routing

        if routing.auto_routing_on(case):
            auto_assign(case)
    elif action == "close" and case.created_by_id != (actor.id if actor else None):
        notify.queue(case.created_by, "closed", case, f"closed:{case.id}:e{event.id}")


def auto_assign(case: Case) -> bool:
    """Offers the case to the best suggestion not yet declined; the event's
    actor is the system (null). Runs inside the caller's transaction."""
    from . import routing

    best = next(iter(routing.rank(case, exclude_ids=routing.declined_by(case))), None)
    if best is None:
        return False
    _apply(None, case, "assign", None, {"assignee": best.user.email}, best.user, None)
    return True


def check_note(actor: User, case: Case) -> None:
    """Whether the actor may add a note to this case (404, then 403)."""
    if not permissions.can_view(actor, case):
        raise NotFound()
    if not permissions.can_add_note(actor, case):
        raise Forbidden()


def add_note(actor: User, case: Case, body) -> CaseEvent:
    check_note(actor, case)
    errors: dict[str, list] = {}
    text = _text({"body": body}, "body", True, errors)
    if errors:
        raise Invalid(fields=errors)
    event = CaseEvent(case_id=case.id, at=clock.now(), actor_id=actor.id, action="note", note=text)
    db.session.add(event)
    db.session.commit()
    return event
