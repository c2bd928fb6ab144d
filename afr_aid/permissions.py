"""Every access rule of afr_aid, and nothing else.

Who sees which cases (`visible_cases`), who may take which action, who sees
which field. Views, API, tasks and exports ask here; no other module filters
cases by role.
"""
from __future__ import annotations

from sqlalchemy import and_, false, or_, select, true
from sqlalchemy.sql.elements import ColumnElement

from .models import Case, Place, User

FILERS = ("volunteer", "coordinator", "admin")
CASE_WORKERS = ("volunteer", "coordinator", "admin")  # everyone but donors


def region_clause(paths: list[str]) -> ColumnElement[bool]:
    """Cases whose place lies at or below one of these place paths."""
    if not paths:
        return false()
    return or_(*(or_(Case.place_path == p, Case.place_path.startswith(p + "/", autoescape=True))
                 for p in paths))


def visible_clause(user: User) -> ColumnElement[bool]:
    if user.role == "admin":
        return true()
    own = or_(Case.created_by_id == user.id, Case.assignee_id == user.id)
    if user.role == "coordinator":
        return or_(own, region_clause([r.path for r in user.regions]))
    if user.role == "volunteer":
        return own
    return false()


def visible_cases(user: User):
    """The one scope helper: a SELECT of the cases this user may see."""
    return select(Case).where(visible_clause(user))


def can_view(user: User, case: Case) -> bool:
    if user.role == "admin":
        return True
    if user.role == "donor":
        return False
    if case.created_by_id == user.id or case.assignee_id == user.id:
        return True
    return user.role == "coordinator" and in_scope(user, case)


def in_scope(user: User, case: Case) -> bool:
    """A coordinator whose regions cover the case's place."""
    return user.role == "coordinator" and user.covers(case.location)


def manages(user: User, case: Case) -> bool:
    """Coordinators in scope and admins: assign, close, reopen, verify."""
    return user.role == "admin" or in_scope(user, case)


def may_act(user: User, action: str, case: Case) -> bool:
    """Whether the role and relation allow an action, whatever the status."""
    if action in ("accept", "decline", "start"):
        return case.assignee_id == user.id
    if action == "resolve":
        return case.assignee_id == user.id or manages(user, case)
    if action in ("assign", "close", "reopen", "verify"):
        return manages(user, case)
    return False


def can_file(user: User) -> bool:
    return user.role in FILERS


def can_list_cases(user: User) -> bool:
    return user.role in CASE_WORKERS


def can_add_note(user: User, case: Case) -> bool:
    return user.role in CASE_WORKERS and can_view(user, case)


def can_see_reporter(user: User, case: Case) -> bool:
    return case.created_by_id == user.id or manages(user, case)


def can_see_perpetrator_detail(user: User, case: Case) -> bool:
    return manages(user, case)


def can_see_suggestions(user: User, case: Case) -> bool:
    return manages(user, case)


def can_take_cases(candidate: User, case: Case) -> bool:
    """Who a case may be assigned to."""
    return (candidate.active and candidate.role in ("volunteer", "coordinator")
            and candidate.covers(case.location))


def can_manage_users(user: User) -> bool:
    return user.role == "admin"


def can_manage_places(user: User) -> bool:
    return user.role == "admin"


def can_read_audit(user: User) -> bool:
    return user.role == "admin"


def can_set_auto_routing(user: User, place: Place) -> bool:
    return user.role == "admin" or (user.role == "coordinator" and user.covers(place))


def can_view_dashboard(user: User) -> bool:
    return user.role in ("donor", "coordinator", "admin")


def works_the_queue(user: User) -> bool:
    """Coordinators and admins start from the queue of open cases; volunteers
    from their own cases."""
    return user.role in ("coordinator", "admin")


def donor_view(user: User) -> bool:
    """Donors see anonymous aggregates only: nothing below province, no case."""
    return user.role == "donor"


def stats_clause(user: User) -> ColumnElement[bool]:
    """Which cases feed the figures a user sees. Outside AFR (donors) only the
    cases with consent to statistics count."""
    if user.role == "donor":
        return Case.consent_statistics.is_(True)
    return visible_clause(user)


def coordinators_clause(case: Case) -> ColumnElement[bool]:
    """Active coordinators whose regions cover the case's place (for alerts)."""
    from .models import user_regions

    ancestors = _ancestor_paths(case.place_path)
    return and_(User.role == "coordinator", User.active.is_(True),
                User.id.in_(select(user_regions.c.user_id).join(Place, Place.id == user_regions.c.place_id)
                            .where(Place.path.in_(ancestors))))


def _ancestor_paths(path: str) -> list[str]:
    parts = path.split("/")
    return ["/".join(parts[: i + 1]) for i in range(len(parts))]


def visible_reporter_clause(user: User) -> ColumnElement[bool]:
    """Cases whose incident reporter this user may see (and so search by)."""
    if user.role == "admin":
        return true()
    if user.role == "coordinator":
        return or_(Case.created_by_id == user.id, region_clause([r.path for r in user.regions]))
    if user.role == "volunteer":
        return Case.created_by_id == user.id
    return false()


def can_manage_auto_routing(user: User) -> bool:
    """Who gets the auto-routing page at all; each region is still checked
    with can_set_auto_routing."""
    return user.role in ("coordinator", "admin")


# Notifications (issue 4): the delivery log, the .eml outbox, summary previews
# and preferences.

def can_read_delivery_log(user: User) -> bool:
    """Delivery log and .eml outbox: who was sent what, when. Admins only."""
    return user.role == "admin"


def can_preview_summaries(user: User) -> bool:
    return user.role == "admin"


def can_set_preferences(actor: User, user: User) -> bool:
    """Everyone sets their own; admins may set anyone's (e.g. for staff
    without a working mailbox)."""
    return actor.id == user.id or actor.role == "admin"


def summary_clause(region_paths: list[str] | None) -> ColumnElement[bool]:
    """Cases counted in an emailed weekly summary. A mailbox lies outside AFR,
    so only cases with consent to statistics count, for donors (movement-wide,
    region_paths None) and coordinators (their regions) alike."""
    consent = Case.consent_statistics.is_(True)
    if region_paths is None:
        return consent
    return and_(consent, region_clause(region_paths))


def summary_overdue_clause(region_paths: list[str]) -> ColumnElement[bool]:
    """Cases whose reference a coordinator's summary lists as overdue: every
    case in their regions (a reference names nobody)."""
    return region_clause(region_paths)


# Data protection (issue 6).

def can_erase_identifiers(user: User) -> bool:
    """Erasing a person's identifiers on their request: the data protection
    lead (admins), on any case they can see."""
    return user.role == "admin"


# Exports (issue 6): a spreadsheet of the cases a user may see.

def can_export_cases(user: User) -> bool:
    """Case workers export what they may list (visible_cases); donors get
    figures only, never a case (403)."""
    return user.role in CASE_WORKERS


def may_ever_see_perpetrator_detail(user: User) -> bool:
    """Whether an export of this user's has a perpetrator-detail column at all
    (each row still asks can_see_perpetrator_detail)."""
    return user.role in ("coordinator", "admin")


def exported_identifiers(user: User, case: Case) -> set[str]:
    """Which identifiers of a case an export carries for this user: those the
    case page shows them, and none at all without consent to share (docs/domain.md:
    nothing identifying leaves AFR; a file is gone once downloaded)."""
    if not case.consent_share:
        return set()
    shown = {"person", "free_text"}
    if can_see_reporter(user, case):
        shown.add("reporter")
    if can_see_perpetrator_detail(user, case):
        shown.add("perpetrator_detail")
    return shown


# Two-step sign-in (issue 6).

SECOND_FACTOR_ROLES = ("admin", "coordinator")


def must_use_second_factor(user: User) -> bool:
    """Admins and coordinators see whole regions of cases: a password alone
    never signs them in. Everyone else may choose it."""
    return user.role in SECOND_FACTOR_ROLES


def can_reset_second_factor(user: User) -> bool:
    return user.role == "admin"
