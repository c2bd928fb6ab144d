"""Who should take a case: ranked suggestions and auto-routing."""
from __future__ import annotations

import pytest

from afr_aid.errors import Forbidden, NotFound
from afr_aid.extensions import db
from afr_aid.services.cases import places as places_service
from afr_aid.services.cases import routing, workflow

from .conftest import events, file, notifications, reload


def names(suggestions):
    return [s.user.name for s in suggestions]


def test_only_active_available_volunteers_whose_regions_cover_the_place(world, make_user):
    territory = make_user("volunteer", regions=["CD-NK-GOM"], name="Goma volunteer")
    province = make_user("volunteer", regions=["CD-NK"], name="North Kivu volunteer")
    country = make_user("volunteer", regions=["CD"], name="Country volunteer")
    make_user("volunteer", regions=["CD-NK-MAS"], name="Masisi volunteer")
    make_user("volunteer", regions=["CD-SK"], name="South Kivu volunteer")
    inactive = make_user("volunteer", regions=["CD-NK-GOM"], name="Inactive volunteer")
    away = make_user("volunteer", regions=["CD-NK-GOM"], name="Away volunteer")
    inactive.active, away.away = False, True
    db.session.commit()
    make_user("coordinator", regions=["CD-NK-GOM"], name="Goma coordinator")
    case = file(make_user("admin"), location="CD-NK-GOM")
    expected = {territory.name, province.name, country.name,
                world.filer.name, world.assignee.name, world.other.name, world.outsider.name}
    assert set(names(routing.rank(case))) == expected


def test_the_nearest_region_comes_first_whatever_else(world, make_user):
    """A territory volunteer with nothing else going for them beats a province
    volunteer who speaks the language, has the skills and no open case."""
    for user in (world.filer, world.assignee, world.other, world.outsider):
        user.away = True
    db.session.commit()
    near = make_user("volunteer", regions=["CD-NK-GOM"], languages=["ln"], skills=["education"], name="Near")
    make_user("volunteer", regions=["CD-NK"], languages=["sw"], skills=["food", "medical"], name="Province")
    make_user("volunteer", regions=["CD"], languages=["sw"], skills=["food", "medical"], name="Country")
    for _ in range(3):  # the near volunteer is busy
        busy = file(world.admin, location="CD-NK-GOM")
        workflow.transition(world.admin, busy, "assign", {"assignee": near.email})
    case = file(world.admin, location="CD-NK-GOM", needs=["food", "health"],
                person={"name": "P", "language": "sw"})
    ranked = routing.rank(case)
    assert names(ranked) == ["Near", "Province", "Country"]
    assert ranked[0].open_cases == 3 and ranked[1].open_cases == 0


def _only(world, make_user, *specs):
    """Make these volunteers (all in Goma) the only candidates."""
    for user in (world.filer, world.assignee, world.other, world.outsider):
        user.away = True
    db.session.commit()
    return [make_user("volunteer", regions=["CD-NK-GOM"], **spec) for spec in specs]


def test_then_the_persons_language(world, make_user):
    _only(world, make_user,
          dict(name="Skilled", languages=["fr"], skills=["food", "medical", "shelter"]),
          dict(name="Speaks Swahili", languages=["sw"], skills=[]))
    case = file(world.admin, needs=["food", "health", "shelter"], person={"name": "P", "language": "sw"})
    assert names(routing.rank(case)) == ["Speaks Swahili", "Skilled"]


def test_language_beats_any_number_of_matching_skills(world, make_user):
    every_need = ["health", "psychosocial", "legal", "documentation", "protection", "child_protection",
                  "shelter", "food", "wash", "transport", "education", "livelihood"]
    _only(world, make_user,
          dict(name="All skills", languages=["fr"],
               skills=["medical", "psychosocial", "legal", "documentation", "protection", "child_protection",
                       "shelter", "food", "wash", "transport", "education", "livelihood"]),
          dict(name="Speaks Kinyarwanda", languages=["rw"], skills=[]))
    case = file(world.admin, needs=every_need, person={"name": "P", "language": "rw"})
    assert names(routing.rank(case)) == ["Speaks Kinyarwanda", "All skills"]


NEED_SKILLS = {  # docs/domain.md, "need → skill used for routing"
    "health": {"medical"}, "psychosocial": {"psychosocial"}, "legal": {"legal"},
    "documentation": {"documentation"}, "protection": {"protection"}, "child_protection": {"child_protection"},
    "gbv": {"protection", "psychosocial"}, "shelter": {"shelter"}, "food": {"food"}, "wash": {"wash"},
    "transport": {"transport"}, "education": {"education"}, "livelihood": {"livelihood"},
    "family_tracing": {"protection"}, "cash": {"livelihood"},
}


def test_then_the_skills_that_match_the_needs(world, make_user):
    """docs/domain.md's need → skill map, one need at a time: one volunteer per skill,
    those whose skill serves the need come first."""
    skills = sorted({skill for wanted in NEED_SKILLS.values() for skill in wanted} | {"interpretation"})
    _only(world, make_user, *[dict(name=f"Has {skill}", skills=[skill]) for skill in skills])
    for need, wanted in NEED_SKILLS.items():
        case = file(world.admin, needs=[need], person={"name": "P", "language": "ln"})
        ranked = routing.rank(case)
        top = set(names(ranked)[:len(wanted)])
        assert top == {f"Has {skill}" for skill in wanted}, need
        assert all(any(str(r).startswith("Skills:") for r in s.reasons) for s in ranked[:len(wanted)]), need
        assert not any(any(str(r).startswith("Skills:") for r in s.reasons) for s in ranked[len(wanted):]), need


def test_gbv_prefers_someone_with_both_protection_and_psychosocial_skills(world, make_user):
    _only(world, make_user, dict(name="Protection", skills=["protection"]),
          dict(name="Both", skills=["psychosocial", "protection"]),
          dict(name="Psychosocial", skills=["psychosocial"]))
    case = file(world.admin, needs=["gbv"], person={"name": "P"})
    assert names(routing.rank(case))[0] == "Both"


def test_then_the_fewest_open_cases(world, make_user):
    busy, idle, closed_only = _only(world, make_user, dict(name="Busy"), dict(name="Idle"),
                                    dict(name="Only closed cases"))
    for _ in range(2):
        workflow.transition(world.admin, file(world.admin), "assign", {"assignee": busy.email})
    done = file(world.admin)
    workflow.transition(world.admin, done, "assign", {"assignee": closed_only.email})
    workflow.transition(world.admin, done, "close", {"outcome": "assisted"})
    workflow.transition(world.admin, file(world.admin), "assign", {"assignee": idle.email})
    case = file(world.admin, person={"name": "P", "language": "ln"})
    ranked = routing.rank(case)
    assert names(ranked) == ["Only closed cases", "Idle", "Busy"]
    assert [s.open_cases for s in ranked] == [0, 1, 2]


def test_each_suggestion_says_why(world, make_user):
    _only(world, make_user, dict(name="Fit", languages=["sw"], skills=["food"]))
    case = file(world.admin, needs=["food"], person={"name": "P", "language": "sw"})
    top = routing.rank(case)[0]
    reasons = [str(r) for r in top.reasons]
    assert any("CD-NK-GOM" in r for r in reasons)
    assert any("Swahili" in r for r in reasons)
    assert any("Food" in r for r in reasons)
    assert any("0 open" in r for r in reasons)
    assert isinstance(top.score, int)


def test_suggestions_are_for_coordinators_in_scope_and_admins(world):
    case = file(world.filer)
    assert names(routing.suggestions_for(world.coord_nk, case))
    assert names(routing.suggestions_for(world.admin, case)) == names(routing.suggestions_for(world.coord_nk, case))
    with pytest.raises(Forbidden):
        routing.suggestions_for(world.filer, case)
    filed_out_of_scope = file(world.coord_sk, location="CD-NK-GOM")  # they see it, as its filer
    with pytest.raises(Forbidden):
        routing.suggestions_for(world.coord_sk, filed_out_of_scope)
    for stranger in (world.outsider, world.donor):
        with pytest.raises(NotFound):
            routing.suggestions_for(stranger, case)


# ---- auto-routing --------------------------------------------------------------

def test_with_auto_routing_a_new_case_goes_to_the_top_suggestion_by_the_system(world, make_user):
    best, = _only(world, make_user, dict(name="Best", languages=["sw"], skills=["food"]))
    routing.set_auto_routing(world.coord_nk, places_service.get_place("CD-NK"), True)
    case = file(world.filer, needs=["food"], person={"name": "P", "language": "sw"}, location="CD-NK-GOM")
    case = reload(case)
    assert case.status == "assigned" and case.assignee_id == best.id
    timeline = events(case)
    assert [(e.action, e.actor_id, e.from_status, e.to_status) for e in timeline] == [
        ("create", world.filer.id, None, "new"), ("assign", None, "new", "assigned")]
    assert timeline[-1].detail == {"assignee": best.email}
    assert [n.user_id for n in notifications(case_id=case.id, kind="assignment")] == [best.id]


def test_auto_routing_stays_inside_its_region(world, make_user):
    routing.set_auto_routing(world.coord_nk, places_service.get_place("CD-NK-MAS"), True)
    make_user("volunteer", regions=["CD-NK-GOM"])
    in_goma = file(world.filer, location="CD-NK-GOM")
    assert reload(in_goma).status == "new" and in_goma.assignee_id is None


def test_auto_routing_with_nobody_to_take_the_case_leaves_it_new(world):
    routing.set_auto_routing(world.coord_sk, places_service.get_place("CD-SK"), True)
    case = file(world.filer, location="CD-SK-SHA")  # no volunteer covers Shabunda
    assert reload(case).status == "new" and [e.action for e in events(case)] == ["create"]


def test_a_decline_offers_the_case_to_the_next_volunteer_never_back_to_the_decliner(world, make_user):
    first, second = _only(world, make_user, dict(name="First", languages=["sw"], skills=["food"]),
                          dict(name="Second", languages=["sw"]))
    routing.set_auto_routing(world.coord_nk, places_service.get_place("CD-NK"), True)
    case = file(world.filer, needs=["food"], person={"name": "P", "language": "sw"})
    assert reload(case).assignee_id == first.id
    workflow.transition(first, case, "decline", {"reason": "Out of town"})
    case = reload(case)
    assert case.status == "assigned" and case.assignee_id == second.id
    assert [(e.action, e.actor_id) for e in events(case)][-2:] == [("decline", first.id), ("assign", None)]
    workflow.transition(second, case, "decline", {"reason": "Too busy"})
    case = reload(case)
    assert case.status == "new" and case.assignee_id is None  # nobody left who has not declined
    assert [e.action for e in events(case)][-1] == "decline"


def test_switching_auto_routing_needs_a_coordinator_of_that_region_or_an_admin(world):
    goma = places_service.get_place("CD-NK-GOM")
    for user in (world.coord_sk, world.filer, world.donor):
        with pytest.raises(Forbidden):
            routing.set_auto_routing(user, goma, True)
    assert routing.auto_routed_regions() == []
    routing.set_auto_routing(world.coord_nk, goma, True)
    routing.set_auto_routing(world.admin, places_service.get_place("CD-SK"), True)
    assert sorted(routing.auto_routed_regions()) == ["CD-NK-GOM", "CD-SK"]
    routing.set_auto_routing(world.admin, goma, False)
    assert routing.auto_routed_regions() == ["CD-SK"]
