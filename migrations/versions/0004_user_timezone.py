"""user time zone: times on pages are shown in the viewer's own zone

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25 15:20:00

"""
import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


# Plain ALTER TABLE on both databases (SQLite has had DROP COLUMN since 3.35):
# a batch copy of `users` would trip over the foreign keys that point at it.
def upgrade():
    op.add_column("users", sa.Column("timezone", sa.String(length=64), nullable=False,
                                     server_default="Africa/Lubumbashi"))


def downgrade():
    op.drop_column("users", "timezone")
