"""free text encrypted: case descriptions and timeline notes

A description or a note is where a volunteer writes "X was taken from her
house near Y": as dangerous in a leaked copy as the name field. Both become
EncryptedText (same TEXT column, so no DDL); existing plain values are
encrypted in batches, and a rerun skips what is already encrypted.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-25 16:05:00

"""
import sqlalchemy as sa
from alembic import op
from flask import current_app

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

BATCH = 1000
COLUMNS = (("cases", "description"), ("case_events", "note"))


def upgrade():
    from afr_aid.infra import crypto

    ring = crypto.keyring(current_app)
    for table, column in COLUMNS:
        _rewrite(table, column, lambda value: value if ring.try_decrypt(value) is not None else ring.encrypt(value))


def downgrade():
    from afr_aid.infra import crypto

    ring = crypto.keyring(current_app)
    for table, column in COLUMNS:
        _rewrite(table, column, lambda value: _plain(ring, value))


def _plain(ring, value):
    plain = ring.try_decrypt(value)
    return value if plain is None else plain


def _rewrite(table_name, column, change):
    bind = op.get_bind()
    table = sa.table(table_name, sa.column("id", sa.Integer), sa.column(column, sa.Text))
    last_id = 0
    while True:
        rows = bind.execute(sa.select(table.c.id, table.c[column])
                            .where(table.c.id > last_id, table.c[column].is_not(None))
                            .order_by(table.c.id).limit(BATCH)).all()
        if not rows:
            return
        updates = [{"_id": row.id, "value": change(row[1])} for row in rows]
        updates = [u for u, row in zip(updates, rows) if u["value"] != row[1]]
        if updates:
            bind.execute(table.update().where(table.c.id == sa.bindparam("_id"))
                         .values({column: sa.bindparam("value")}), updates)
        last_id = rows[-1].id
