"""services.cases.list_cases: keyset pagination newest first, and every filter."""
from __future__ import annotations

import base64
import json
from datetime import timedelta

import pytest
from sqlalchemy import update

from afr_aid import clock
from afr_aid.errors import Invalid
from afr_aid.extensions import db
from afr_aid.models import Case
from afr_aid.services.cases import places as places_service
from afr_aid.services.cases import records as cases_service
from afr_aid.services.cases import workflow

from .conftest import age, bring_to, file


def walk(user, filters=None, limit=3):
    """Every page, following next_cursor to the end."""
    seen, cursor, pages = [], None, 0
    while True:
        items, cursor = cases_service.list_cases(user, filters or {}, limit=limit, cursor=cursor)
        assert len(items) <= limit
        seen.extend(items)
        pages += 1
        if cursor is None:
            return seen, pages
        assert pages < 100, "pagination does not end"


def refs(items):
    return {case.ref for case in items}


def test_pages_walk_every_visible_case_once_newest_first(world):
    mine = [file(world.filer, "assistance" if i % 3 else "incident") for i in range(10)]
    others = [file(world.other) for _ in range(4)]
    # Several cases filed in the very same instant: the order must still be total.
    same_instant = clock.now() - timedelta(hours=1)
    db.session.execute(update(Case).where(Case.id.in_([c.id for c in mine[2:6]])).values(created_at=same_instant))
    db.session.commit()
    for limit in (1, 3, 4, 50):
        items, pages = walk(world.filer, limit=limit)
        assert [c.id for c in items] == [c.id for c in sorted(mine, key=lambda c: (c.created_at, c.id), reverse=True)]
        assert len({c.id for c in items}) == len(items) == 10
        assert pages == -(-10 // limit)  # no empty page at the end
    everything, _ = walk(world.admin, limit=4)
    assert refs(everything) == refs(mine + others)


def test_the_last_page_says_so(world):
    for _ in range(4):
        file(world.filer)
    items, cursor = cases_service.list_cases(world.filer, {}, limit=4)
    assert len(items) == 4 and cursor is None
    items, cursor = cases_service.list_cases(world.filer, {}, limit=3)
    assert len(items) == 3 and cursor is not None
    items, cursor = cases_service.list_cases(world.filer, {}, limit=3, cursor=cursor)
    assert len(items) == 1 and cursor is None


def test_a_case_filed_while_paging_does_not_shift_the_pages(world):
    first = [file(world.filer) for _ in range(6)]
    page1, cursor = cases_service.list_cases(world.filer, {}, limit=3)
    newer = file(world.filer)
    page2, cursor = cases_service.list_cases(world.filer, {}, limit=3, cursor=cursor)
    assert refs(page1) | refs(page2) == refs(first) and not refs(page1) & refs(page2)
    assert newer.ref not in refs(page2)


def _cursor(payload) -> str:
    return base64.urlsafe_b64encode(json.dumps(payload).encode()).decode().rstrip("=")


BAD_CURSORS = [
    "not a cursor", "%%%", "é", "AAAA", _cursor("x"), _cursor([]), _cursor({"a": 1, "b": 2}),
    _cursor(["2026-01-01T00:00:00", 5]),                 # no time zone
    _cursor(["yesterday", 5]), _cursor([5, 5]), _cursor(["2026-01-01T00:00:00+00:00", "5"]),
    _cursor(["2026-01-01T00:00:00+00:00", 5, 6]), _cursor(["2026-01-01T00:00:00+00:00", 2 ** 70]),
    _cursor(["2026-01-01T00:00:00+00:00", True]), _cursor(["2026-01-01T00:00:00+00:00", None]),
    "A" * 5000,
]


def test_a_bad_cursor_is_invalid_naming_cursor(world):
    file(world.filer)
    for cursor in BAD_CURSORS:
        with pytest.raises(Invalid) as refused:
            cases_service.list_cases(world.filer, {}, limit=10, cursor=cursor)
        assert list(refused.value.fields) == ["cursor"], cursor[:60]
    # ... and a good one still works afterwards.
    items, _ = cases_service.list_cases(world.filer, {}, limit=10)
    assert len(items) == 1


# ---- filters ----------------------------------------------------------------------

@pytest.fixture
def spread(world, make_user):
    """A handful of cases that differ in every filtered field."""
    s = {}
    s["food_goma"] = file(world.filer, urgency="low", location="CD-NK-GOM",
                          person={"name": "Aline Uwimana", "language": "rw"})
    s["incident_masisi"] = file(world.filer, "incident", urgency="critical", location="CD-NK-MAS",
                                reporter={"name": "Jean Reporter"})
    s["shelter_bukavu"] = file(world.filer, urgency="high", location="CD-SK-BUK",
                               person={"name": "Claudine Mukamana"})
    s["at_province"] = file(world.filer, urgency="medium", location="CD-NK", person={"name": "ALINE NIYONSABA"})
    s["assigned_goma"] = bring_to(file(world.filer, urgency="medium", person={"name": "Eric"}), "accepted",
                                  world.coord_nk, world.assignee)
    s["closed_goma"] = bring_to(file(world.filer, "incident", urgency="high"), "closed",
                                world.coord_nk, world.assignee)
    s["late_goma"] = age(file(world.filer, urgency="critical", person={"name": "Late Case"}), hours=6)
    return s


@pytest.fixture
def listed(spread):
    """listed(user, **filters) -> the names (keys of `spread`) of the cases listed."""
    names = {case.ref: key for key, case in spread.items()}

    def run(user, **filters):
        items, cursor = cases_service.list_cases(user, filters, limit=200)
        assert cursor is None
        return {names[case.ref] for case in items if case.ref in names}

    return run


def test_filter_by_kind(world, spread, listed):
    assert listed(world.admin, kind="incident") == {"incident_masisi", "closed_goma"}
    assert listed(world.admin, kind="assistance") == set(spread) - {"incident_masisi", "closed_goma"}


def test_filter_by_a_list_of_statuses(world, spread, listed):
    assert listed(world.admin, status=["closed"]) == {"closed_goma"}
    assert listed(world.admin, status=["accepted", "closed"]) == {"assigned_goma", "closed_goma"}
    assert listed(world.admin, status=["new"]) == set(spread) - {"assigned_goma", "closed_goma"}


def test_filter_by_urgency(world, spread, listed):
    assert listed(world.admin, urgency="critical") == {"incident_masisi", "late_goma"}
    assert listed(world.admin, urgency="low") == {"food_goma"}


def test_filter_by_location_covers_every_place_below(world, spread, listed):
    assert listed(world.admin, location="CD-NK") == {"food_goma", "incident_masisi", "at_province",
                                                     "assigned_goma", "closed_goma", "late_goma"}
    assert listed(world.admin, location="CD-NK-GOM") == {"food_goma", "assigned_goma", "closed_goma", "late_goma"}
    assert listed(world.admin, location="cd-sk") == {"shelter_bukavu"}
    assert listed(world.admin, location="CD") == set(spread)
    with pytest.raises(Invalid) as refused:
        cases_service.list_cases(world.admin, {"location": "CD-ZZ"})
    assert list(refused.value.fields) == ["location"]


def test_filter_by_location_includes_imported_localities(world, spread, listed):
    places_service.import_places_csv(world.admin, b"code,name,level,parent\nCD-NK-GOM-MAJ,Majengo,locality,CD-NK-GOM\n")
    in_locality = file(world.filer, location="CD-NK-GOM-MAJ")
    items, _ = cases_service.list_cases(world.admin, {"location": "CD-NK-GOM"}, limit=200)
    assert in_locality.ref in refs(items)
    items, _ = cases_service.list_cases(world.admin, {"location": "CD-NK-GOM-MAJ"}, limit=200)
    assert refs(items) == {in_locality.ref}


def test_filter_by_assignee(world, spread, listed):
    assert listed(world.assignee, assignee="me") == {"assigned_goma", "closed_goma"}
    assert listed(world.filer, assignee="me") == set()
    assert listed(world.admin, assignee="none") == set(spread) - {"assigned_goma", "closed_goma"}
    assert listed(world.admin, assignee=world.assignee.email) == {"assigned_goma", "closed_goma"}
    assert listed(world.admin, assignee=world.assignee.email.upper()) == {"assigned_goma", "closed_goma"}
    assert listed(world.admin, assignee="nobody@tests.afr-aid.org") == set()


def test_filter_by_overdue(world, spread, listed):
    assert listed(world.admin, overdue=True) == {"late_goma"}
    assert listed(world.admin, overdue=False) == set(spread) - {"late_goma"}


def test_search_by_reference_in_any_letter_case(world, spread, listed):
    ref = spread["incident_masisi"].ref
    assert listed(world.admin, q=ref) == {"incident_masisi"}
    assert listed(world.admin, q=ref.lower()) == {"incident_masisi"}
    assert listed(world.admin, q=f"  {ref}  ") == {"incident_masisi"}


def test_search_by_person_name_ignores_letter_case(world, spread, listed):
    assert listed(world.admin, q="aline") == {"food_goma", "at_province"}
    assert listed(world.admin, q="MUKAMANA") == {"shelter_bukavu"}
    assert listed(world.admin, q="nobody like this") == set()


def test_search_takes_the_words_literally(world, spread, listed):
    """`%` and `_` are letters to search for, not wildcards."""
    assert listed(world.admin, q="%") == set()
    assert listed(world.admin, q="_") == set()
    special = file(world.filer, person={"name": "Kito_100% Bahati"})
    items, _ = cases_service.list_cases(world.admin, {"q": "Kito_100%"}, limit=200)
    assert refs(items) == {special.ref}
    items, _ = cases_service.list_cases(world.admin, {"q": "K_to"}, limit=200)
    assert items == []


def test_search_by_reporter_name_only_for_those_who_may_see_the_reporter(world, spread, listed):
    assert listed(world.filer, q="jean reporter") == {"incident_masisi"}      # the filer
    assert listed(world.coord_nk, q="Jean") == {"incident_masisi"}            # coordinator in scope
    assert listed(world.admin, q="reporter") == {"incident_masisi"}
    assert listed(world.coord_sk, q="Jean") == set()


def test_a_volunteer_assignee_cannot_find_a_case_by_its_reporters_name(world, make_user):
    masisi = make_user("volunteer", regions=["CD-NK-MAS"])
    case = file(world.filer, "incident", location="CD-NK-MAS", reporter={"name": "Hidden Witness"})
    workflow.transition(world.coord_nk, case, "assign", {"assignee": masisi.email})
    items, _ = cases_service.list_cases(masisi, {}, limit=50)
    assert refs(items) == {case.ref}  # they see the case ...
    items, _ = cases_service.list_cases(masisi, {"q": "Hidden Witness"}, limit=50)
    assert items == []                # ... but cannot search by the reporter they may not see


def test_filters_combine_and_never_widen_the_scope(world, spread, listed):
    assert listed(world.admin, kind="assistance", location="CD-NK-GOM", status=["new"]) == {"food_goma", "late_goma"}
    assert listed(world.coord_sk, location="CD-NK") == set()
    assert listed(world.outsider, q="aline") == set()
    assert listed(world.coord_sk) == {"shelter_bukavu"}


def test_search_ignores_letter_case_in_accented_names_too(world):
    """French names carry accents; a search must not depend on how they were typed."""
    case = file(world.filer, person={"name": "HÉLÈNE Bahati"})
    for q in ("hélène", "Hélène", "HÉLÈNE"):
        items, _ = cases_service.list_cases(world.admin, {"q": q}, limit=50)
        assert refs(items) == {case.ref}, q
