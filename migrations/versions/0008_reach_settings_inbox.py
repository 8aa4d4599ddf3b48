"""Reaching the people: practice zone, hours and reminder defaults; reminder switches; inbox reads.

Reviewed: only added columns with server defaults on existing tables (no SQLite table rebuild:
practice is referenced by every table's foreign keys), so existing practices get UTC, 9:00-17:00
on weekdays, reminders two days before, on the day and one day after. Two new tables: per-user
read marks of portal items (no foreign key to the items: they live in three tables) and the
daily digest subscriptions.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-28
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


# Plain ALTER TABLE ADD/DROP COLUMN (SQLite 3.35+ has both): a batch rebuild of these tables would
# drop them, which their foreign keys refuse on a populated SQLite database.


def upgrade():
    op.create_table('digest_subscription',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_considered_on', sa.Date(), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_digest_subscription_user_id_user')),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_digest_subscription'))
    )
    op.create_table('inbox_read',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=12), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('read_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("kind in ('submission', 'exception', 'scale')", name=op.f('ck_inbox_read_kind')),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_inbox_read_user_id_user')),
    sa.PrimaryKeyConstraint('user_id', 'kind', 'item_id', name=op.f('pk_inbox_read'))
    )
    op.add_column('couple', sa.Column('reminders_off', sa.Boolean(), server_default=sa.false(), nullable=False))
    op.add_column('partner', sa.Column('reminders_paused', sa.Boolean(), server_default=sa.false(), nullable=False))
    op.add_column('practice', sa.Column('timezone', sa.String(length=64), server_default='UTC', nullable=False))
    op.add_column('practice', sa.Column('opens_at', sa.Time(), server_default='09:00:00', nullable=False))
    op.add_column('practice', sa.Column('closes_at', sa.Time(), server_default='17:00:00', nullable=False))
    op.add_column('practice', sa.Column('open_days', sa.String(length=7), server_default='12345', nullable=False))
    op.add_column('practice', sa.Column('remind_days_before', sa.Integer(), server_default='2', nullable=True))
    op.add_column('practice', sa.Column('remind_on_due_day', sa.Boolean(), server_default=sa.true(), nullable=False))
    op.add_column('practice', sa.Column('remind_overdue_days', sa.Integer(), server_default='1', nullable=True))


def downgrade():
    op.drop_column('practice', 'remind_overdue_days')
    op.drop_column('practice', 'remind_on_due_day')
    op.drop_column('practice', 'remind_days_before')
    op.drop_column('practice', 'open_days')
    op.drop_column('practice', 'closes_at')
    op.drop_column('practice', 'opens_at')
    op.drop_column('practice', 'timezone')
    op.drop_column('partner', 'reminders_paused')
    op.drop_column('couple', 'reminders_off')
    op.drop_table('inbox_read')
    op.drop_table('digest_subscription')
