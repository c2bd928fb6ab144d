"""two-factor sign-in (TOTP secrets, recovery codes)

Placeholder in the chain; the two-factor work fills in the operations.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25 15:20:00

"""
import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
