"""name index: symmetric deletion keys

Search used to make every key one edit away from each typed word (300-700
keyed hashes for a misspelt word), and PostgreSQL spent longer planning those
IN lists than running them. The index now also stores, per word, the deletion
neighbourhood of its key ("d:" keys, names.py), so that a search sends ~10-30
keys per word. This rewrites the index rows of every case in the new form,
from the decrypted names, in batches (per batch: its rows deleted, then
written again, so a rerun after a failure is safe).

Downgrade writes the old form back: the canonical keys and skeletons alone
(the "d:" keys dropped), which is what 0007's code stores and searches.

Runs inside `flask db upgrade` (the app context gives the keys). No DDL.
Cases filed by the old code while it runs keep the old form (found when typed
exactly, not when misspelt): stop the web nodes for the upgrade, or run
`flask --app afr_aid keys reindex` once the new code serves.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-04 22:30:00

"""
import sqlalchemy as sa
from alembic import op
from flask import current_app

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

BATCH = 1000
cases = sa.table("cases", sa.column("id", sa.Integer), sa.column("person_name", sa.Text),
                 sa.column("reporter_name", sa.Text))
tokens = sa.table("case_name_tokens", sa.column("case_id", sa.Integer), sa.column("field", sa.String),
                  sa.column("token_hash", sa.LargeBinary))


def upgrade():
    _rewrite(lambda key: True)


def downgrade():
    _rewrite(lambda key: not key.startswith("d:"))


def _rewrite(keep):
    from afr_aid.infra import crypto
    from afr_aid.services.cases import names

    bind = op.get_bind()
    ring = crypto.keyring(current_app)
    hasher = crypto.index_hasher(current_app)
    last_id = 0
    while True:
        rows = bind.execute(sa.select(cases).where(cases.c.id > last_id).order_by(cases.c.id).limit(BATCH)).all()
        if not rows:
            break
        index_rows = []
        for row in rows:
            for field, value in (("p", row.person_name), ("r", row.reporter_name)):
                if value is None:
                    continue
                # Encrypted since 0003; a value no key opens stops the
                # migration (KeyProblem) rather than losing its index rows.
                plain = ring.decrypt(value)
                index_rows += [{"case_id": row.id, "field": field, "token_hash": hasher(key)}
                               for key in sorted(names.index_keys(plain)) if keep(key)]
        ids = [row.id for row in rows]
        bind.execute(tokens.delete().where(tokens.c.case_id.in_(ids)))
        if index_rows:
            bind.execute(tokens.insert(), index_rows)
        last_id = ids[-1]
    if bind.dialect.name == "postgresql":
        # The table has several times the rows it had: fresh statistics for the
        # planner now rather than when autovacuum gets to it.
        op.execute("ANALYZE case_name_tokens")
