"""The blind index of names: search by name although names are encrypted.

Each word of a person's name and of an incident reporter's name is reduced to
spelling-tolerant keys (services/cases/names.py); the index stores a keyed hash (HMAC-SHA256,
infra/crypto.py) of each: up to L + 3 rows for a word of L letters, most of them its
deletion keys, so that a search sends ~10-30 keys a word instead of hundreds.
A search hashes the keys of what was typed and looks the hashes up: an
indexed IN, never a scan, never a decryption.

The index follows the names by itself: a session listener rewrites a case's
rows whenever its person_name or reporter_name is inserted, changed or
cleared through the ORM. Bulk UPDATEs bypass the ORM and must call `forget` or
`write_rows` themselves (retention does).
"""
from __future__ import annotations

from sqlalchemy import and_, case, delete, event, false, func, insert, or_, select, union_all
from sqlalchemy.orm import Session

from ... import permissions
from ...extensions import db
from ...infra.crypto import index_hasher
from ...infra.read_only_commit import mark_written
from ...models import Case, CaseNameToken, User
from . import names

FIELDS = {"p": "person_name", "r": "reporter_name"}
BATCH = 1000


def rows_for(case_id: int, person_name: str | None, reporter_name: str | None, hasher=None) -> list[dict]:
    """The index rows of one case (for bulk writers such as demo data)."""
    hasher = hasher or index_hasher()
    rows = []
    for field, value in (("p", person_name), ("r", reporter_name)):
        for key in names.index_keys(value):
            rows.append({"case_id": case_id, "field": field, "token_hash": hasher(key)})
    return rows


def write_rows(connection, rows: list[dict]) -> None:
    for start in range(0, len(rows), BATCH):
        connection.execute(insert(CaseNameToken), rows[start:start + BATCH])


def bulk_write_rows(connection, rows: list[dict]) -> None:
    """`write_rows` for many cases at once (demo data, a rebuild): on
    PostgreSQL through COPY, ~3x faster than batched INSERTs, which matters at
    ~10 rows a word (250,000 cases: ~3 million rows). Same transaction as the
    connection's other statements."""
    if connection.dialect.driver != "psycopg":
        write_rows(connection, rows)
        return
    table = CaseNameToken.__tablename__
    mark_written(connection)  # COPY passes no statement event (infra/read_only_commit.py)
    with connection.connection.driver_connection.cursor() as cursor:
        with cursor.copy(f"COPY {table} (case_id, field, token_hash) FROM STDIN") as copy:
            for row in rows:
                copy.write_row((row["case_id"], row["field"], row["token_hash"]))


def forget(connection, case_ids: list[int]) -> None:
    """Drops the index rows of these cases (their names were erased)."""
    for start in range(0, len(case_ids), BATCH):
        connection.execute(delete(CaseNameToken).where(CaseNameToken.case_id.in_(case_ids[start:start + BATCH])))


@event.listens_for(Session, "after_flush")
def _follow_names(session, flush_context):
    changed = []
    for obj in list(session.new) + list(session.dirty):
        if not isinstance(obj, Case) or obj.id is None:
            continue
        state = db.inspect(obj)
        if obj in session.new or any(state.attrs[name].history.has_changes() for name in FIELDS.values()):
            changed.append(obj)
    if not changed:
        return
    connection = session.connection()
    stale = [obj.id for obj in changed if obj not in session.new]
    if stale:
        forget(connection, stale)
    rows = [row for obj in changed for row in rows_for(obj.id, obj.person_name, obj.reporter_name)]
    if rows:
        write_rows(connection, rows)


def restrict(query, actor: User, text: str):
    """Narrows a SELECT of cases to those whose person's name, or reporter's
    name where the actor may see the reporter, has every word of `text` (each
    word with its spelling variants).

    The plan, on both databases: per word, index ranges on the hashes of its
    keys, grouped by case and field at once (a case whose word is the one
    typed comes up once per shared deletion key, ~8 times: a misspelt first
    and last name reads ~59,000 index entries at 250,000 cases); the words'
    groups together (UNION ALL), grouped by case and field again, keeping the
    groups found for every word; grouped by case; joined to the cases by
    primary key. Grouping each word first lets PostgreSQL hash the rows, where
    count(DISTINCT word) over them all made it sort them on disk: 39 ms, now
    20 ms, for the slowest name of the benchmark (EXPLAIN ANALYZE). A common given name matches thousands of cases,
    so this stays a hash aggregate and join: OR-ed IN subqueries instead made
    PostgreSQL filter every case row by row (minutes at 250,000 cases)."""
    per_word = names.query_keys(text)
    if not per_word:
        return query.where(false())
    hasher = index_hasher()
    token = CaseNameToken
    tagged = [select(token.case_id, token.field)
              .where(token.token_hash.in_(sorted({hasher(key) for key in keys})))
              .group_by(token.case_id, token.field)
              for keys in per_word]
    hits = (tagged[0] if len(tagged) == 1 else union_all(*tagged)).subquery("name_hits")
    complete = (select(hits.c.case_id, hits.c.field).group_by(hits.c.case_id, hits.c.field)
                .having(func.count() == len(tagged)).subquery("name_fields"))
    matches = (select(complete.c.case_id,
                      func.max(case((complete.c.field == "p", 1), else_=0)).label("in_person"),
                      func.max(case((complete.c.field == "r", 1), else_=0)).label("in_reporter"))
               .group_by(complete.c.case_id).subquery("name_matches"))
    return (query.join(matches, matches.c.case_id == Case.id)
            .where(or_(matches.c.in_person == 1,
                       and_(matches.c.in_reporter == 1, permissions.visible_reporter_clause(actor)))))


def rebuild(batch: int = 2000) -> int:
    """Rewrites the whole index from the (decrypted) names, in batches, each
    committed: after the index key changed, or to repair it. Returns the
    number of cases indexed."""
    hasher = index_hasher()
    last_id, count = 0, 0
    while True:
        chunk = db.session.execute(
            select(Case.id, Case.person_name, Case.reporter_name).where(Case.id > last_id)
            .order_by(Case.id).limit(batch)).all()
        if not chunk:
            return count
        ids = [row.id for row in chunk]
        connection = db.session.connection()
        forget(connection, ids)
        bulk_write_rows(connection, [r for row in chunk for r in rows_for(row.id, row.person_name,
                                                                           row.reporter_name, hasher)])
        db.session.commit()
        last_id, count = ids[-1], count + sum(1 for row in chunk if row.person_name or row.reporter_name)
