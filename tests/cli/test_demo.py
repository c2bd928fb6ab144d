"""`flask --app afr_aid demo`: demo users and about 200 cases, once, never in production."""
from __future__ import annotations

import os
import re
import stat
from collections import Counter

from sqlalchemy import func, select

from afr_aid.extensions import db
from afr_aid.models import Case, CaseEvent, User
from afr_aid.services.accounts.users import authenticate


def counts():
    return (db.session.scalar(select(func.count()).select_from(User)),
            db.session.scalar(select(func.count()).select_from(Case)),
            db.session.scalar(select(func.count()).select_from(CaseEvent)))


def test_demo_loads_users_of_every_role_and_about_200_cases_once(cli, app):
    result = cli("demo")
    assert result.exit_code == 0, result.output
    users, cases, events = counts()
    assert users == 17
    assert 150 <= cases <= 250
    assert re.search(rf"\b17 users, {cases} cases\b", result.output)
    roles = Counter(db.session.scalars(select(User.role)))
    assert roles == {"admin": 1, "donor": 1, "coordinator": 3, "volunteer": 12}
    statuses = Counter(db.session.scalars(select(Case.status)))
    assert set(statuses) == {"new", "assigned", "accepted", "in_progress", "resolved", "closed"}
    assert set(db.session.scalars(select(Case.kind))) == {"assistance", "incident"}

    # The printed password signs in, and it is kept private in the instance folder.
    password_file = os.path.join(app.instance_path, "demo_password")
    assert stat.S_IMODE(os.stat(password_file).st_mode) == 0o600
    password = open(password_file).read().strip()
    assert password in result.output
    admin = db.session.scalar(select(User).where(User.role == "admin"))
    assert authenticate(admin.email, password).id == admin.id
    db.session.rollback()

    # Every case went through the services: a timeline that starts with its filing,
    # an assignee who may take it whenever it has one.
    first_ids = select(func.min(CaseEvent.id)).group_by(CaseEvent.case_id)
    firsts = Counter(db.session.scalars(select(CaseEvent.action).where(CaseEvent.id.in_(first_ids))))
    assert firsts == {"create": cases}
    regions = {user.id: [r.path for r in user.regions] for user in db.session.scalars(select(User))}
    for path, assignee_id in db.session.execute(select(Case.place_path, Case.assignee_id)
                                                .where(Case.assignee_id.is_not(None))):
        assert any(path == r or path.startswith(r + "/") for r in regions[assignee_id]), path

    again = cli("demo")
    assert again.exit_code == 0, again.output
    assert "already" in again.output
    assert counts() == (users, cases, events)


def test_demo_is_refused_in_production(app, tmp_path):
    """AFR_ENV=production in the environment: the command refuses and writes nothing."""
    from ..conftest import _make_app

    db.session.close()
    production = _make_app(tmp_path / "prod", app.config["SQLALCHEMY_DATABASE_URI"], AFR_ENV="production")
    with production.app_context():  # the command runs in this app, not the test's
        result = production.test_cli_runner().invoke(args=["demo"])
        db.session.remove()
        production_engine = db.engine
    production_engine.dispose()
    assert result.exit_code != 0
    assert "production" in result.stderr
    assert isinstance(result.exception, SystemExit)  # a refusal, not a crash
    assert counts() == (0, 0, 0)
    assert not (tmp_path / "prod" / "demo_password").exists()


def test_demo_staff_sign_in_with_the_demo_code(cli, app):
    """Admins and coordinators of the demo need a second step: the printed key
    (kept in instance/) and `flask demo-code` give it, so the demo needs no phone."""
    from tests.conftest import csrf_from

    result = cli("demo")
    assert result.exit_code == 0, result.output
    secret_file = os.path.join(app.instance_path, "demo_totp_secret")
    assert stat.S_IMODE(os.stat(secret_file).st_mode) == 0o600
    assert open(secret_file).read().strip() in result.output
    coordinator = db.session.scalar(select(User).where(User.role == "coordinator"))
    assert coordinator.totp_enrolled
    password = open(os.path.join(app.instance_path, "demo_password")).read().strip()
    client = app.test_client()
    token = csrf_from(client.get("/login").get_data(as_text=True))
    response = client.post("/login", data={"email": coordinator.email, "password": password, "csrf_token": token})
    assert response.location.endswith("/login/code")
    code = cli("demo-code")
    assert code.exit_code == 0 and re.fullmatch(r"\d{6}\n", code.output)
    token = csrf_from(client.get("/login/code").get_data(as_text=True))
    response = client.post("/login/code", data={"code": code.output.strip(), "csrf_token": token})
    assert response.status_code == 302 and response.location.endswith("/")
    assert coordinator.name in client.get("/").get_data(as_text=True)
