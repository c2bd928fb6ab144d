"""protection: encrypted identifiers, blind name index, audit hash chain, retention

- cases: the direct identifiers become TEXT and are encrypted in place with
  the instance's key ring (crypto.py); `identifiers_erased_at` added.
- case_name_tokens: the blind index of names, built for existing cases.
- audit_log: `prev_hash` and `hash`; existing entries chained in id order;
  audit_chain_head holds the end of the chain.

Runs inside `flask db upgrade` (the app context gives the keys). Data steps go
in batches and skip what is already done, so a rerun after a failure is safe.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25 13:00:00

"""
import re

import sqlalchemy as sa
from alembic import op
from flask import current_app

# revision identifiers, used by Alembic.
revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

BATCH = 1000
# name -> type before this revision
IDENTIFIERS = {"person_name": sa.String(200), "person_phone": sa.String(40), "person_unhcr_id": sa.String(40),
               "reporter_name": sa.String(200), "reporter_phone": sa.String(40), "perpetrator_detail": sa.Text()}
cases = sa.table("cases", sa.column("id", sa.Integer), *(sa.column(name, sa.Text) for name in IDENTIFIERS))
tokens = sa.table("case_name_tokens", sa.column("case_id", sa.Integer), sa.column("field", sa.String),
                  sa.column("token_hash", sa.LargeBinary))


def upgrade():
    _identifier_columns_to_text()
    op.add_column("cases", sa.Column("identifiers_erased_at", sa.DateTime(timezone=True), nullable=True))
    op.create_table(
        "case_name_tokens",
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("field", sa.String(length=1), nullable=False),
        sa.Column("token_hash", sa.LargeBinary(length=16), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_case_name_tokens_case_id_cases"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("case_id", "field", "token_hash", name=op.f("pk_case_name_tokens")),
    )
    op.create_index("ix_case_name_tokens_lookup", "case_name_tokens", ["token_hash", "field", "case_id"])
    if op.get_bind().dialect.name == "postgresql":
        # A common name has thousands of rows, a typo's neighbour none: with the
        # default sample the planner guessed every hash as common and scanned.
        op.execute("ALTER TABLE case_name_tokens ALTER COLUMN token_hash SET STATISTICS 1000")
    op.add_column("audit_log", sa.Column("prev_hash", sa.String(length=64), nullable=True))
    op.add_column("audit_log", sa.Column("hash", sa.String(length=64), nullable=True))
    op.create_table(
        "audit_chain_head",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("last_hash", sa.String(length=64), nullable=False),
        sa.Column("entries", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_chain_head")),
    )
    _encrypt_and_index()
    _chain_audit_log()


def _identifier_columns_to_text():
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        for name, old in IDENTIFIERS.items():
            if not isinstance(old, sa.Text):
                op.alter_column("cases", name, type_=sa.Text(), existing_type=old, existing_nullable=True)
        return
    # SQLite: VARCHAR(n) and TEXT are stored alike (TEXT affinity, no length
    # check), so only the declared type changes. Rebuilding the table instead
    # (Alembic's batch mode) would drop `cases` under the foreign keys of the
    # timeline and fail on any database with data, since the pragma that
    # switches them off does nothing inside the migration's transaction.
    # This is SQLite's documented procedure for changes that leave the stored
    # content as it is (writable_schema, then a new schema_version).
    sql = bind.exec_driver_sql("SELECT sql FROM sqlite_master WHERE type='table' AND name='cases'").scalar()
    new_sql = sql
    for name, old in IDENTIFIERS.items():
        new_sql = re.sub(rf'(["`]?\b{name}\b["`]?\s+)VARCHAR\(\d+\)', r"\1TEXT", new_sql)
    if new_sql == sql:
        return
    version = bind.exec_driver_sql("PRAGMA schema_version").scalar()
    bind.exec_driver_sql("PRAGMA writable_schema=ON")
    try:
        bind.exec_driver_sql("UPDATE sqlite_master SET sql=? WHERE type='table' AND name='cases'", (new_sql,))
        bind.exec_driver_sql(f"PRAGMA schema_version={int(version) + 1}")
    finally:
        bind.exec_driver_sql("PRAGMA writable_schema=OFF")


def _encrypt_and_index():
    """Encrypts what is still plain text and writes the index rows, per batch."""
    from afr_aid.infra import crypto
    from afr_aid.services.cases.name_index import rows_for

    bind = op.get_bind()
    ring = crypto.keyring(current_app)
    hasher = crypto.index_hasher(current_app)
    last_id = 0
    while True:
        rows = bind.execute(sa.select(cases).where(cases.c.id > last_id).order_by(cases.c.id).limit(BATCH)).all()
        if not rows:
            return
        updates, index_rows = [], []
        for row in rows:
            plain, stored = {}, {}
            for name in IDENTIFIERS:
                value = getattr(row, name)
                if value is None:
                    continue
                decrypted = ring.try_decrypt(value)
                plain[name] = value if decrypted is None else decrypted
                if decrypted is None:
                    stored[name] = ring.encrypt(value)
            if stored:
                updates.append({"_id": row.id, **{name: stored.get(name, getattr(row, name)) for name in IDENTIFIERS}})
            index_rows += rows_for(row.id, plain.get("person_name"), plain.get("reporter_name"), hasher)
        if updates:
            bind.execute(cases.update().where(cases.c.id == sa.bindparam("_id"))
                         .values({name: sa.bindparam(name) for name in IDENTIFIERS}), updates)
        ids = [row.id for row in rows]
        bind.execute(tokens.delete().where(tokens.c.case_id.in_(ids)))
        if index_rows:
            bind.execute(tokens.insert(), index_rows)
        last_id = ids[-1]


def _chain_audit_log():
    from afr_aid.models.types import UTCDateTime
    from afr_aid.services.protection.audit import GENESIS, entry_hash

    bind = op.get_bind()
    log = sa.table("audit_log", sa.column("id", sa.Integer), sa.column("at", UTCDateTime()),
                   sa.column("actor_id", sa.Integer), sa.column("action", sa.String),
                   sa.column("target", sa.String), sa.column("ip", sa.String), sa.column("detail", sa.JSON),
                   sa.column("prev_hash", sa.String), sa.column("hash", sa.String))
    prev, last_id, count = GENESIS, 0, 0
    while True:
        rows = bind.execute(sa.select(log).where(log.c.id > last_id).order_by(log.c.id).limit(BATCH)).all()
        if not rows:
            break
        updates = []
        for row in rows:
            digest = entry_hash(row, prev)
            updates.append({"_id": row.id, "prev_hash": prev, "hash": digest})
            prev, last_id, count = digest, row.id, count + 1
        bind.execute(log.update().where(log.c.id == sa.bindparam("_id"))
                     .values(prev_hash=sa.bindparam("prev_hash"), hash=sa.bindparam("hash")), updates)
    bind.execute(sa.text("DELETE FROM audit_chain_head"))
    bind.execute(sa.text("INSERT INTO audit_chain_head (id, last_hash, entries) VALUES (1, :h, :n)"),
                 {"h": prev, "n": count})


def downgrade():
    """Back to plain text (the keys must still be there)."""
    from afr_aid.infra import crypto

    bind = op.get_bind()
    ring = crypto.keyring(current_app)
    last_id = 0
    while True:
        rows = bind.execute(sa.select(cases).where(cases.c.id > last_id).order_by(cases.c.id).limit(BATCH)).all()
        if not rows:
            break
        updates = [{"_id": row.id, **{name: (None if getattr(row, name) is None else
                                            (ring.try_decrypt(getattr(row, name)) or getattr(row, name)))
                                      for name in IDENTIFIERS}} for row in rows]
        bind.execute(cases.update().where(cases.c.id == sa.bindparam("_id"))
                     .values({name: sa.bindparam(name) for name in IDENTIFIERS}), updates)
        last_id = rows[-1].id
    op.drop_table("audit_chain_head")
    with op.batch_alter_table("audit_log") as batch_op:
        batch_op.drop_column("hash")
        batch_op.drop_column("prev_hash")
    op.drop_index("ix_case_name_tokens_lookup", table_name="case_name_tokens")
    op.drop_table("case_name_tokens")
    if bind.dialect.name == "sqlite":
        # Same reason as on the way up: no table rebuild under foreign keys.
        op.execute("ALTER TABLE cases DROP COLUMN identifiers_erased_at")
    else:
        op.drop_column("cases", "identifiers_erased_at")
        for name, old in IDENTIFIERS.items():
            if not isinstance(old, sa.Text):
                op.alter_column("cases", name, type_=old, existing_type=sa.Text(), existing_nullable=True)
