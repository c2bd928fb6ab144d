"""The audit log is a hash chain: `flask audit verify` finds an edited or a
removed entry and names the first bad row."""
from __future__ import annotations

import threading

from sqlalchemy import func, select, text

from afr_aid.extensions import db
from afr_aid.models import AuditEntry
from afr_aid.services.protection import audit

from ..conftest import _make_app


def _entries(app, make_user, n=6):
    admin = make_user("admin", regions=["CD"])
    for i in range(n):
        audit.record_now(admin, "case.view", f"AR-2026-{i:06d}", note=i)
    return list(db.session.scalars(select(AuditEntry.id).order_by(AuditEntry.id)))


def _verify(app):
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["audit", "verify"])
    db.session.expire_all()
    return result


def test_an_untouched_log_verifies(app, make_user):
    ids = _entries(app, make_user)
    result = _verify(app)
    assert result.exit_code == 0, result.output
    assert f"audit log intact: {len(ids)} entries" in result.output
    first = db.session.get(AuditEntry, ids[0])
    assert first.prev_hash == audit.GENESIS and len(first.hash) == 64


def test_an_edited_detail_is_caught_and_named(app, make_user):
    ids = _entries(app, make_user)
    victim = ids[3]
    db.session.execute(text("UPDATE audit_log SET detail = :d WHERE id = :id"), {"d": '{"note": 99}', "id": victim})
    result = _verify(app)
    assert result.exit_code != 0
    assert f"row {victim} was changed" in result.output


def test_an_edited_row_with_its_own_hash_recomputed_breaks_the_next_link(app, make_user):
    ids = _entries(app, make_user)
    entry = db.session.get(AuditEntry, ids[2])
    entry.target = "AR-2026-999999"
    entry.hash = audit.entry_hash(entry, entry.prev_hash)
    db.session.commit()
    result = _verify(app)
    assert result.exit_code != 0 and f"row {ids[3]} does not follow" in result.output


def test_a_removed_middle_row_is_caught(app, make_user):
    ids = _entries(app, make_user)
    db.session.execute(text("DELETE FROM audit_log WHERE id = :id"), {"id": ids[2]})
    result = _verify(app)
    assert result.exit_code != 0
    assert f"row {ids[3]} does not follow the entry before it" in result.output


def test_removed_newest_rows_are_caught(app, make_user):
    ids = _entries(app, make_user)
    db.session.execute(text("DELETE FROM audit_log WHERE id >= :id"), {"id": ids[-2]})
    result = _verify(app)
    assert result.exit_code != 0
    assert f"entries after id {ids[-3]} were removed" in result.output


def test_concurrent_writers_never_fork_the_chain(app, make_user):
    """Four threads, each its own session and connection, append at once."""
    admin_id = make_user("admin", regions=["CD"]).id
    db.session.commit()
    before = db.session.scalar(select(func.count()).select_from(AuditEntry))  # creating the user is audited
    db.session.commit()  # end the read: the writers below each open their own transactions
    url, instance = app.config["SQLALCHEMY_DATABASE_URI"], app.instance_path
    errors = []
    apps = [_make_app(instance, url) for _ in range(4)]  # create_app is not made for threads

    def writer(n):
        other = apps[n]
        try:
            with other.app_context():
                from afr_aid.models import User

                actor = db.session.get(User, admin_id)
                for i in range(10):
                    audit.record_now(actor, "case.view", f"SI-2026-{n:03d}{i:03d}")
                db.session.remove()
                db.engine.dispose()
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(repr(error))

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    bad, problem, checked = audit.verify_chain(batch=7)
    assert (bad, problem) == (None, None) and checked == before + 40
    hashes = list(db.session.scalars(select(AuditEntry.prev_hash)))
    assert len(hashes) == len(set(hashes))  # no two entries chained onto the same one
