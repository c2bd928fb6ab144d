"""notifications: preferences, daily digests, weekly summaries

Adds notification_preferences and weekly_summaries, and two columns to the
outbox (notifications.digest_id, notifications.summary_id).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 12:06:00.711159

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('weekly_summaries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('week', sa.String(length=8), nullable=False),
    sa.Column('scope', sa.String(length=200), nullable=False),
    sa.Column('partial', sa.Boolean(), nullable=False),
    sa.Column('figures', sa.JSON(), nullable=False),
    sa.Column('computed_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_weekly_summaries')),
    sa.UniqueConstraint('week', 'scope', 'partial', name='uq_weekly_summaries_week_scope_partial')
    )
    op.create_table('notification_preferences',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('mode', sa.String(length=16), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_notification_preferences_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notification_preferences')),
    sa.UniqueConstraint('user_id', 'kind', name='uq_notification_preferences_user_kind')
    )
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.add_column(sa.Column('digest_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('summary_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_notifications_digest_id'), ['digest_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_notifications_summary_id'), ['summary_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_notifications_summary_id_weekly_summaries'), 'weekly_summaries', ['summary_id'], ['id'])
        batch_op.create_foreign_key(batch_op.f('fk_notifications_digest_id_notifications'), 'notifications', ['digest_id'], ['id'])



def downgrade():
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_notifications_digest_id_notifications'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_notifications_summary_id_weekly_summaries'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_notifications_summary_id'))
        batch_op.drop_index(batch_op.f('ix_notifications_digest_id'))
        batch_op.drop_column('summary_id')
        batch_op.drop_column('digest_id')

    op.drop_table('notification_preferences')
    op.drop_table('weekly_summaries')
