"""Who sees which case (permissions.visible_cases / can_view, get_case).

A case out of reach must look exactly like one that does not exist."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from afr_aid import permissions
from afr_aid.errors import Forbidden, NotFound
from afr_aid.extensions import db
from afr_aid.services.cases import places as places_service
from afr_aid.services.cases import records as cases_service
from afr_aid.services.cases import workflow

from .conftest import bring_to, file


def visible_refs(user) -> set[str]:
    return {case.ref for case in db.session.scalars(permissions.visible_cases(user))}


def assert_views_agree(user, all_cases):
    """The list query and the single-case check give the same answer for every case."""
    listed = visible_refs(user)
    for case in all_cases:
        assert permissions.can_view(user, case) == (case.ref in listed), (user.name, case.ref)


def test_a_volunteer_sees_what_they_filed_or_is_assigned_to_them_now(world, make_user):
    mine = file(world.filer, location="CD-NK-GOM")
    filed_far_away = file(world.filer, location="CD-IT-BUN")  # anywhere: the filer keeps seeing it
    assigned_to_me = file(world.other, location="CD-NK-GOM")
    workflow.transition(world.coord_nk, assigned_to_me, "assign", {"assignee": world.filer.email})
    not_mine = file(world.other, location="CD-NK-GOM")  # same territory, filed by someone else
    all_cases = [mine, filed_far_away, assigned_to_me, not_mine]
    assert visible_refs(world.filer) == {mine.ref, filed_far_away.ref, assigned_to_me.ref}
    assert_views_agree(world.filer, all_cases)
    with pytest.raises(NotFound):
        cases_service.get_case(world.filer, not_mine.ref)


def test_a_volunteer_loses_a_case_reassigned_to_someone_else_unless_they_filed_it(world):
    theirs = file(world.other)
    own = file(world.assignee)
    for case in (theirs, own):
        workflow.transition(world.coord_nk, case, "assign", {"assignee": world.assignee.email})
    assert {theirs.ref, own.ref} <= visible_refs(world.assignee)
    for case in (theirs, own):
        workflow.transition(world.coord_nk, case, "assign", {"assignee": world.outsider.email})
    assert visible_refs(world.assignee) == {own.ref}
    with pytest.raises(NotFound):
        cases_service.get_case(world.assignee, theirs.ref)
    assert cases_service.get_case(world.assignee, own.ref).id == own.id
    assert_views_agree(world.assignee, [theirs, own])


def test_a_coordinator_sees_everything_below_their_regions_plus_their_own(world, make_user):
    goma_coord = make_user("coordinator", regions=["CD-NK-GOM", "CD-IT"])
    in_goma = file(world.filer, location="CD-NK-GOM")
    in_masisi = file(world.filer, location="CD-NK-MAS")
    in_bunia = file(world.filer, location="CD-IT-BUN")
    at_province = file(world.filer, location="CD-NK")  # a case placed at province level
    in_bukavu = file(world.filer, location="CD-SK-BUK")
    own_elsewhere = file(goma_coord, location="CD-TA-KAL")
    all_cases = [in_goma, in_masisi, in_bunia, at_province, in_bukavu, own_elsewhere]

    assert visible_refs(goma_coord) == {in_goma.ref, in_bunia.ref, own_elsewhere.ref}
    assert visible_refs(world.coord_nk) == {in_goma.ref, in_masisi.ref, at_province.ref}
    assert visible_refs(world.coord_sk) == {in_bukavu.ref}
    for coordinator in (goma_coord, world.coord_nk, world.coord_sk):
        assert_views_agree(coordinator, all_cases)
    with pytest.raises(NotFound):
        cases_service.get_case(goma_coord, in_masisi.ref)


def test_a_region_covers_its_localities_but_not_a_sibling_whose_code_starts_alike(world, make_user, app):
    admin = world.admin
    places_service.import_places_csv(admin, (
        "code,name,level,parent\n"
        "CD-NK-GOM-KAT,Katindo,locality,CD-NK-GOM\n"
        "CD-NKX,Not North Kivu,province,CD\n"
        "CD-NK-GOMX,Not Goma,territory,CD-NK\n").encode())
    goma_coord = make_user("coordinator", regions=["CD-NK-GOM"])
    locality = file(world.filer, location="CD-NK-GOM-KAT")
    lookalike_province = file(world.filer, location="CD-NKX")
    lookalike_territory = file(world.filer, location="CD-NK-GOMX")
    assert visible_refs(goma_coord) == {locality.ref}
    assert visible_refs(world.coord_nk) == {locality.ref, lookalike_territory.ref}
    for coordinator in (goma_coord, world.coord_nk):
        assert_views_agree(coordinator, [locality, lookalike_province, lookalike_territory])


def test_an_admin_sees_every_case_and_a_donor_none(world, make_user):
    all_cases = [file(world.filer, location=code) for code in ("CD-NK-GOM", "CD-SK-UVI", "CD-MA-KIN")]
    all_cases.append(file(world.coord_sk, "incident", location="CD-TA-MOB"))
    assert visible_refs(world.admin) == {c.ref for c in all_cases}
    assert visible_refs(world.donor) == set()
    for case in all_cases:
        assert permissions.can_view(world.admin, case)
        assert not permissions.can_view(world.donor, case)
        with pytest.raises(NotFound):
            cases_service.get_case(world.donor, case.ref)
    with pytest.raises(Forbidden):
        cases_service.list_cases(world.donor, {})


def test_a_case_out_of_reach_answers_exactly_like_one_that_does_not_exist(world):
    case = file(world.other, location="CD-NK-GOM")
    missing = f"AR-{case.year}-{case.number + 500:06d}"
    answers = []
    for ref in (case.ref, missing, case.ref.lower(), "AR-20-1", "", "../etc/passwd", "SI-2026-00000x"):
        for user in (world.filer, world.coord_sk, world.donor):
            with pytest.raises(NotFound) as refused:
                cases_service.get_case(user, ref)
            answers.append((type(refused.value), refused.value.code, str(refused.value.message),
                            refused.value.fields))
    assert len(set(map(repr, answers))) == 1
    # ... while those who may see it get it, by reference in any letter case.
    assert cases_service.get_case(world.coord_nk, case.ref.lower()).id == case.id


def test_filers_outside_their_regions_keep_seeing_what_they_filed(world):
    case = file(world.coord_sk, "incident", location="CD-NK-GOM")
    assert cases_service.get_case(world.coord_sk, case.ref).id == case.id
    assert cases_service.get_case(world.coord_nk, case.ref).id == case.id  # the place's coordinators
    # Moving along the workflow does not take it away from the filer.
    bring_to(case, "closed", world.coord_nk, world.assignee)
    assert case.ref in visible_refs(world.coord_sk)


def test_viewing_a_case_detail_can_be_written_to_the_audit_log(world):
    from afr_aid.models import AuditEntry

    case = file(world.filer)
    cases_service.get_case(world.coord_nk, case.ref, audit_view=True)
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "case.view")).one()
    assert (entry.actor_id, entry.target) == (world.coord_nk.id, case.ref)
    assert "Test Person" not in repr(entry.detail)  # never a person's name in the audit log
