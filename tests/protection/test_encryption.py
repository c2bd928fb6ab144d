"""Direct identifiers are encrypted at rest with the instance's key ring, and
the ring can be rotated without losing a row."""
from __future__ import annotations

import os
import stat
import uuid

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import select, text

from afr_aid.extensions import db
from afr_aid.infra import crypto
from afr_aid.models import Case
from afr_aid.services.cases.records import file_case as file_service
from afr_aid.services.protection import keys

from ..conftest import _make_app, assistance_data, incident_data

COLUMNS = ", ".join(Case.IDENTIFIERS)


def _file_both(make_user, file_case):
    filer = make_user("volunteer")
    person = file_case(filer, person={"name": "Aline Uwimana", "phone": "+243990001111", "unhcr_id": "COD-17-0042"})
    incident = file_case(filer, "incident", reporter={"name": "Jean Temoin", "phone": "+243990002222"},
                         perpetrator_detail="Commander Kivu Nord")
    return person, incident


def _raw(case_id):
    return db.session.execute(text(f"SELECT {COLUMNS} FROM cases WHERE id = :id"), {"id": case_id}).one()


def test_identifiers_are_stored_as_fernet_tokens_and_read_back_plain(app, make_user, file_case):
    person, incident = _file_both(make_user, file_case)
    for case in (person, incident):
        raw = _raw(case.id)
        stored = [value for value in raw if value is not None]
        assert stored and all(value.startswith("gAAAA") for value in stored)
    db.session.expire_all()
    person, incident = db.session.get(Case, person.id), db.session.get(Case, incident.id)
    assert (person.person_name, person.person_phone, person.person_unhcr_id) == (
        "Aline Uwimana", "+243990001111", "COD-17-0042")
    assert (incident.reporter_name, incident.reporter_phone, incident.perpetrator_detail) == (
        "Jean Temoin", "+243990002222", "Commander Kivu Nord")


def test_the_key_file_is_made_once_private_and_the_same_key_decrypts_elsewhere(app, make_user, file_case):
    person, _ = _file_both(make_user, file_case)
    path = crypto.keys_file(app.instance_path)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    key = [line for line in path.read_text().splitlines() if not line.startswith("#")][0]
    assert Fernet(key.encode()).decrypt(_raw(person.id).person_name.encode()) == b"Aline Uwimana"


def test_keys_from_the_environment_are_used_newest_first(tmp_path):
    new, old = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    written_before = Fernet(old.encode()).encrypt(b"Neema Bahati").decode()
    app = _make_app(tmp_path / "inst", f"sqlite:///{tmp_path / 'x.sqlite'}", AFR_ENCRYPTION_KEYS=f"{new}, {old}")
    with app.app_context():
        ring = crypto.keyring()
        assert ring.from_env and not crypto.keys_file(app.instance_path).exists()
        assert Fernet(new.encode()).decrypt(ring.encrypt("x").encode()) == b"x"
        assert ring.decrypt(written_before) == "Neema Bahati"
        with pytest.raises(crypto.KeyProblem):
            crypto.prepend_new_key()


def test_a_malformed_key_is_refused_without_showing_it(tmp_path):
    app = _make_app(tmp_path / "inst", f"sqlite:///{tmp_path / 'x.sqlite'}", AFR_ENCRYPTION_KEYS="not-a-key-123")
    with app.app_context(), pytest.raises(crypto.KeyProblem) as refused:
        crypto.keyring()
    assert "not-a-key-123" not in str(refused.value)


def test_comparing_an_encrypted_column_in_sql_is_refused(app):
    with pytest.raises(NotImplementedError):
        select(Case).where(Case.person_name == "Aline")
    with pytest.raises(NotImplementedError):
        select(Case).where(Case.person_name.contains("Aline"))
    select(Case).where(Case.person_name.is_(None), Case.reporter_name != None)  # noqa: E711 - allowed


def test_rotation_keeps_old_rows_readable_and_moves_every_row_to_the_new_key(app, make_user, file_case):
    before = [file_case(make_user("volunteer"), person={"name": f"Person {n}", "phone": f"+2439900{n:05d}"})
              for n in range(7)]
    _, incident = _file_both(make_user, file_case)
    old_key = crypto.keyring().keys[0]

    # A new key first: rows written under the old one still read.
    crypto.prepend_new_key()
    ring = crypto.keyring()
    assert len(ring.keys) == 2 and ring.keys[1] == old_key
    db.session.expire_all()
    assert [db.session.get(Case, c.id).person_name for c in before] == [f"Person {n}" for n in range(7)]
    assert keys.stale_values() == 7 * 2 + 6

    # Re-encryption, in batches smaller than the table.
    assert keys.rotate(new_key=False, batch=3) == 7 * 2 + 6
    assert keys.stale_values() == 0
    new_key = Fernet(ring.keys[0])
    for case in before + [incident]:
        for value in _raw(case.id):
            if value is not None:
                new_key.decrypt(value.encode())  # raises unless under the new key
    # With the old key retired, everything still reads.
    assert crypto.retire_old_keys() == 1
    db.session.expire_all()
    assert db.session.get(Case, incident.id).reporter_name == "Jean Temoin"
    assert [db.session.get(Case, c.id).person_phone for c in before] == [f"+2439900{n:05d}" for n in range(7)]


def test_keys_rotate_command(app, make_user, file_case):
    _file_both(make_user, file_case)
    db.session.commit()
    runner = app.test_cli_runner()
    result = runner.invoke(args=["keys", "rotate", "--batch-size", "1"])
    assert result.exit_code == 0, result.output
    assert "6 values re-encrypted; 0 still under an older key; 2 keys in the ring" in result.output
    refused = runner.invoke(args=["keys", "retire"])
    assert refused.exit_code == 0 and "1 old keys removed" in refused.output
    assert "Aline" not in result.output + refused.output


def test_another_process_notices_a_rotation(app, make_user, file_case, tmp_path):
    """A second app on the same instance (another gunicorn worker) reads rows
    re-encrypted under a key it has not loaded yet."""
    person_id = _file_both(make_user, file_case)[0].id
    worker = _make_app(app.instance_path, app.config["SQLALCHEMY_DATABASE_URI"])
    with worker.app_context():
        crypto.keyring()  # loaded with the old key only
    keys.rotate()
    db.session.commit()
    with worker.app_context():
        assert db.session.get(Case, person_id).person_name == "Aline Uwimana"
        db.session.remove()


def test_filing_through_the_service_with_every_identifier(app, make_user):
    filer = make_user("volunteer")
    data = assistance_data(person={"name": "Émilienne Mukamana", "phone": "0999", "unhcr_id": "X1"})
    case, _ = file_service(filer, "assistance", uuid.uuid4(), data)
    incident, _ = file_service(filer, "incident", uuid.uuid4(), incident_data(
        occurred_on=__import__("datetime").date(2026, 1, 5), reporter={"name": "R", "phone": "1"}))
    assert all(v is None or v.startswith("gAAAA") for v in tuple(_raw(case.id)) + tuple(_raw(incident.id)))


def test_descriptions_and_notes_are_encrypted_and_rotated_too(app, make_user, file_case):
    from sqlalchemy import text

    from afr_aid.services.cases.workflow import add_note

    filer = make_user("volunteer")
    case = file_case(filer, description="Taken near the market by two men.")
    add_note(filer, case, "Her brother called back.")
    stored = db.session.execute(text("SELECT description FROM cases WHERE id = :id"), {"id": case.id}).scalar()
    notes = db.session.execute(text("SELECT note FROM case_events WHERE case_id = :id AND note IS NOT NULL"),
                               {"id": case.id}).scalars().all()
    assert stored.startswith("gAAAA") and len(notes) == 1 and notes[0].startswith("gAAAA")
    crypto.prepend_new_key()
    assert keys.stale_values() == 3  # the person's name, the description, the note
    assert keys.rotate(new_key=False) == 3 and keys.stale_values() == 0
    assert crypto.retire_old_keys() == 1
    db.session.expire_all()
    assert db.session.get(Case, case.id).description == "Taken near the market by two men."
