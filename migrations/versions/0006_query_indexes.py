"""indexes made for the real queries at scale

The case lists, the coordinator's queue and the figures at 250,000 cases
(benchmarks/RESULTS.md, query plans in benchmarks/plans.py): partial indexes
on open cases in list order (newest first), with the urgency in front for the
filtered queue; the foreign keys of cases without an index (place, duplicate
of); closed_at for the weekly figures. The models declare the same
(models/case.py).

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-25 15:20:00

"""
import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

OPEN = "status NOT IN ('resolved','closed')"
PARTIAL = {"postgresql_where": sa.text(OPEN), "sqlite_where": sa.text(OPEN)}


def upgrade():
    op.create_index("ix_cases_open_created", "cases", ["created_at", "id"], **PARTIAL)
    op.create_index("ix_cases_open_urgency_created", "cases", ["urgency", "created_at", "id"], **PARTIAL)
    op.create_index("ix_cases_location", "cases", ["location_id"])
    op.create_index("ix_cases_duplicate_of", "cases", ["duplicate_of_id"])
    op.create_index("ix_cases_closed_at", "cases", ["closed_at"])
    # Fresh statistics for the planners (a no-op on an empty database).
    op.execute("ANALYZE cases")


def downgrade():
    for name in ("ix_cases_closed_at", "ix_cases_duplicate_of", "ix_cases_location",
                 "ix_cases_open_urgency_created", "ix_cases_open_created"):
        op.drop_index(name, table_name="cases")
