"""the coordinator's queue reads an index in its own order

The queue (services/queue.py) lists open cases overdue first, then by urgency
and due time. Sorting every open case of a region on each view grew with the
caseload; the queue is now eight index ranges, one per urgency and side of
"now", read from this partial index in due-time order. The model declares the
same (models/case.py).

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-04 22:40:00

"""
import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

OPEN = "status NOT IN ('resolved','closed')"
PARTIAL = {"postgresql_where": sa.text(OPEN), "sqlite_where": sa.text(OPEN)}


def upgrade():
    op.create_index("ix_cases_open_urgency_due", "cases", ["urgency", "due_at", "id"], **PARTIAL)
    op.execute("ANALYZE cases")


def downgrade():
    op.drop_index("ix_cases_open_urgency_due", table_name="cases")
