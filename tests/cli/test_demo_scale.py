"""`flask --app afr_aid demo --scale N`: bulk demo data for benchmarks. Small N
here; the timings at 250,000 are in benchmarks/RESULTS.md."""
from __future__ import annotations

import json
import os
import shutil
import stat
import uuid
from collections import Counter

from sqlalchemy import func, select

from afr_aid.extensions import db
from afr_aid.models import Case, CaseCounter, CaseEvent, CaseNameToken, User
from afr_aid.services.cases import names
from afr_aid.services.cases import records as cases_service
from afr_aid.services.demo.names import FAMILY, GIVEN
from afr_aid.services.protection import audit
from afr_aid.vocab import INCIDENT_TYPES, KIND_PREFIX, NEEDS, OPEN_STATUSES, STATUSES, URGENCIES, VULNERABILITIES

SCALE = 400


def _load(cli, seed=7, path=None):
    args = ["demo", "--scale", str(SCALE), "--seed", str(seed)] + (["--variants", str(path)] if path else [])
    result = cli(*args)
    assert result.exit_code == 0, result.output
    return result


def test_scale_loads_the_counts_and_every_vocabulary(cli, app):
    result = _load(cli)
    assert f"2000 users, {SCALE} cases" in result.output
    assert db.session.scalar(select(func.count()).select_from(User)) == 2000
    assert db.session.scalar(select(func.count()).select_from(Case)) == SCALE
    events = db.session.scalar(select(func.count()).select_from(CaseEvent))
    assert 6 * SCALE <= events <= 10 * SCALE  # ~8 a case
    roles = Counter(db.session.scalars(select(User.role)))
    assert set(roles) == {"admin", "donor", "coordinator", "volunteer"} and roles["volunteer"] > 1800

    rows = db.session.scalars(select(Case)).all()
    assert {c.kind for c in rows} == {"assistance", "incident"}
    assert {c.status for c in rows} == set(STATUSES)
    assert {c.urgency for c in rows} == set(URGENCIES)
    assert set().union(*(c.needs for c in rows if c.kind == "assistance")) <= set(NEEDS)
    assert set().union(*(c.vulnerabilities for c in rows if c.kind == "assistance")) <= set(VULNERABILITIES)
    assert set().union(*(c.types for c in rows if c.kind == "incident")) <= set(INCIDENT_TYPES)
    assert all(c.needs is None for c in rows if c.kind == "incident")  # SQL NULL, not JSON null
    # Skewed places: Goma alone has more cases than any rural territory.
    places = Counter(c.place_path for c in rows)
    assert places.most_common(1)[0][0].startswith(("CD/CD-NK/", "CD/CD-SK/"))
    # Names in the three styles, each in the blind index; none in clear in the database.
    named = [c for c in rows if c.person_name]
    assert len(named) > SCALE // 3
    styles = set()
    for c in named[:200]:
        given, family = c.person_name.split(" ", 1)
        styles |= {style for style, pool in FAMILY.items() if names.canonical(family) in
                   {names.canonical(f) for f in pool}}
    assert styles == {"rw", "sw", "fr"}
    indexed = set(db.session.scalars(select(CaseNameToken.case_id).where(CaseNameToken.field == "p")))
    assert {c.id for c in named} <= indexed
    raw = db.session.connection().exec_driver_sql("SELECT person_name FROM cases WHERE person_name IS NOT NULL")
    assert not any(given in value for (value,) in raw for given in GIVEN["fr"] if len(given) >= 7)

    # Timelines follow the workflow; numbers follow the counters; the audit chain verifies.
    for c in rows[:50]:
        timeline = db.session.scalars(select(CaseEvent).where(CaseEvent.case_id == c.id).order_by(CaseEvent.id)).all()
        assert timeline[0].action == "create"
        moves = [e for e in timeline if e.to_status and e.action != "verify"]
        assert moves[-1].to_status == c.status
        assert (c.assignee_id is None) == (c.status == "new")
        assert c.ref == f"{KIND_PREFIX[c.kind]}-{c.year}-{c.number:06d}"
    for counter in db.session.scalars(select(CaseCounter)):
        assert counter.last == db.session.scalar(select(func.max(Case.number)).where(
            Case.kind == counter.kind, Case.year == counter.year))
    assert audit.verify_chain()[:2] == (None, None)
    assert any(c.status in OPEN_STATUSES for c in rows) and any(c.status == "closed" for c in rows)
    db.session.rollback()

    # A case filed afterwards takes the next number and the next id (PostgreSQL's sequences moved on).
    volunteer = db.session.scalar(select(User).where(User.role == "volunteer").order_by(User.id))
    last_id = db.session.scalar(select(func.max(Case.id)))
    # Every year's counter before, so the case's own year is read after it is filed
    # (this test may run across a New Year's midnight).
    before = dict(db.session.execute(select(CaseCounter.year, CaseCounter.last)
                                     .where(CaseCounter.kind == "assistance")).all())
    filed, _ = cases_service.file_case(volunteer, "assistance", uuid.uuid4(), {
        "location": "CD-NK-GOM", "urgency": "low", "needs": ["food"],
        "consent": {"record": False, "share": False, "statistics": True}})
    assert (filed.id, filed.number) == (last_id + 1, before.get(filed.year, 0) + 1)

    again = cli("demo", "--scale", str(SCALE))
    assert "already" in again.output


def test_the_labelled_variants_find_their_person(cli, app):
    _load(cli)
    path = os.path.join(app.instance_path, "demo_name_variants.json")
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    labelled = json.load(open(path))["queries"]
    assert len(labelled) >= 50
    assert sum(item["q"] != item["name"] for item in labelled) >= 0.9 * len(labelled)
    admin = db.session.scalar(select(User).where(User.role == "admin").order_by(User.id))
    shares = []
    for item in labelled:
        found = set(db.session.scalars(cases_service.filtered_cases(admin, {"q": item["q"]})
                                       .with_only_columns(Case.id)))
        shares.append(len(found & set(item["expected"])) / len(item["expected"]))
    assert sum(shares) / len(shares) >= 0.9
    db.session.rollback()


def _fingerprint(app_factory, template, tmp_path, name, seed):
    from ..conftest import _make_app

    target = tmp_path / f"{name}.sqlite"
    shutil.copy(template, target)
    other = _make_app(tmp_path / name, f"sqlite:///{target}")
    with other.app_context():
        result = other.test_cli_runner().invoke(args=["demo", "--scale", "150", "--seed", str(seed)])
        assert result.exit_code == 0, result.output
        rows = db.session.execute(select(Case.ref, Case.status, Case.urgency, Case.place_path, Case.person_name,
                                         Case.needs, Case.assignee_id, Case.created_by_id).order_by(Case.id)).all()
        events = db.session.execute(select(CaseEvent.case_id, CaseEvent.action, CaseEvent.actor_id)
                                    .order_by(CaseEvent.id)).all()
        variants = json.load(open(tmp_path / name / "demo_name_variants.json"))["queries"]
        db.session.remove()
        db.engine.dispose()
    return [tuple(r) for r in rows], [tuple(e) for e in events], variants


def test_the_same_seed_gives_the_same_data(sqlite_template, tmp_path):
    """Names, places, statuses, timelines and the labelled set; not the
    ciphertexts (random IVs) nor the dates, which count back from now."""
    first = _fingerprint(None, sqlite_template, tmp_path, "one", 7)
    second = _fingerprint(None, sqlite_template, tmp_path, "two", 7)
    other = _fingerprint(None, sqlite_template, tmp_path, "three", 8)
    assert first == second
    assert first[0] != other[0]
