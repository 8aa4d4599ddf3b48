"""Foundation: practices, users, couples with partners and history, the audit log.

The audit log is append-only in the database too: triggers refuse UPDATE and DELETE on
audit_event, on SQLite and PostgreSQL alike.

Revision ID: 0001
Revises:
Create Date: 2026-11-22
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('practice',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=160), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_practice'))
    )
    op.create_table('user',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('practice_id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('password_hash', sa.String(length=255), nullable=False),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('session_version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_login_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("role in ('owner', 'clinician', 'supervisor')", name=op.f('ck_user_role')),
    sa.ForeignKeyConstraint(['practice_id'], ['practice.id'], name=op.f('fk_user_practice_id_practice')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_user')),
    sa.UniqueConstraint('email', name=op.f('uq_user_email'))
    )
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_user_practice_id'), ['practice_id'], unique=False)

    op.create_table('couple',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('practice_id', sa.Integer(), nullable=False),
    sa.Column('primary_clinician_id', sa.Integer(), nullable=False),
    sa.Column('case_label', sa.String(length=120), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('current_stage', sa.Integer(), nullable=False),
    sa.Column('pseudonym', sa.String(length=20), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_activity_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("status in ('active', 'paused', 'closed')", name=op.f('ck_couple_status')),
    sa.CheckConstraint('current_stage between 1 and 6', name=op.f('ck_couple_stage')),
    sa.ForeignKeyConstraint(['practice_id'], ['practice.id'], name=op.f('fk_couple_practice_id_practice')),
    sa.ForeignKeyConstraint(['primary_clinician_id'], ['user.id'], name=op.f('fk_couple_primary_clinician_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_couple')),
    sa.UniqueConstraint('practice_id', 'pseudonym', name='uq_couple_practice_pseudonym')
    )
    with op.batch_alter_table('couple', schema=None) as batch_op:
        batch_op.create_index('ix_couple_practice_activity', ['practice_id', 'last_activity_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_couple_primary_clinician_id'), ['primary_clinician_id'], unique=False)

    op.create_table('couple_change',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('couple_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('from_value', sa.String(length=20), nullable=True),
    sa.Column('to_value', sa.String(length=20), nullable=False),
    sa.Column('changed_by_id', sa.Integer(), nullable=False),
    sa.Column('changed_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("kind in ('created', 'stage', 'status')", name=op.f('ck_couple_change_kind')),
    sa.ForeignKeyConstraint(['changed_by_id'], ['user.id'], name=op.f('fk_couple_change_changed_by_id_user')),
    sa.ForeignKeyConstraint(['couple_id'], ['couple.id'], name=op.f('fk_couple_change_couple_id_couple')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_couple_change'))
    )
    with op.batch_alter_table('couple_change', schema=None) as batch_op:
        batch_op.create_index('ix_couple_change_couple_at', ['couple_id', 'changed_at'], unique=False)

    op.create_table('partner',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('couple_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.String(length=1), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('preferred_name', sa.String(length=80), nullable=True),
    sa.Column('pronouns', sa.String(length=40), nullable=True),
    sa.Column('email', sa.String(length=254), nullable=True),
    sa.CheckConstraint("position in ('A', 'B')", name=op.f('ck_partner_position')),
    sa.ForeignKeyConstraint(['couple_id'], ['couple.id'], name=op.f('fk_partner_couple_id_couple')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_partner')),
    sa.UniqueConstraint('couple_id', 'position', name='uq_partner_couple_position')
    )
    op.create_table('audit_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('practice_id', sa.Integer(), nullable=True),
    sa.Column('actor_user_id', sa.Integer(), nullable=True),
    sa.Column('actor_partner_id', sa.Integer(), nullable=True),
    sa.Column('action', sa.String(length=60), nullable=False),
    sa.Column('object_type', sa.String(length=40), nullable=True),
    sa.Column('object_id', sa.Integer(), nullable=True),
    sa.Column('couple_id', sa.Integer(), nullable=True),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ip', sa.String(length=64), nullable=True),
    sa.Column('detail', sa.JSON(), nullable=True),
    sa.ForeignKeyConstraint(['actor_partner_id'], ['partner.id'], name=op.f('fk_audit_event_actor_partner_id_partner')),
    sa.ForeignKeyConstraint(['actor_user_id'], ['user.id'], name=op.f('fk_audit_event_actor_user_id_user')),
    sa.ForeignKeyConstraint(['couple_id'], ['couple.id'], name=op.f('fk_audit_event_couple_id_couple')),
    sa.ForeignKeyConstraint(['practice_id'], ['practice.id'], name=op.f('fk_audit_event_practice_id_practice')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_event'))
    )
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_event_actor_user_id'), ['actor_user_id'], unique=False)
        batch_op.create_index('ix_audit_event_couple', ['couple_id'], unique=False)
        batch_op.create_index('ix_audit_event_practice_at', ['practice_id', 'at'], unique=False)

    _append_only_triggers()


def _append_only_triggers():
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE FUNCTION audit_event_append_only() RETURNS trigger AS $$ "
            "BEGIN RAISE EXCEPTION 'audit events are append-only'; END; $$ LANGUAGE plpgsql"
        )
        op.execute(
            "CREATE TRIGGER audit_event_append_only BEFORE UPDATE OR DELETE ON audit_event "
            "FOR EACH ROW EXECUTE FUNCTION audit_event_append_only()"
        )
    else:
        for verb in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER audit_event_no_{verb.lower()} BEFORE {verb} ON audit_event "
                "BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END"
            )


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_event_append_only ON audit_event")
        op.execute("DROP FUNCTION IF EXISTS audit_event_append_only()")
    else:
        op.execute("DROP TRIGGER IF EXISTS audit_event_no_update")
        op.execute("DROP TRIGGER IF EXISTS audit_event_no_delete")
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_event_practice_at')
        batch_op.drop_index('ix_audit_event_couple')
        batch_op.drop_index(batch_op.f('ix_audit_event_actor_user_id'))

    op.drop_table('audit_event')
    op.drop_table('partner')
    with op.batch_alter_table('couple_change', schema=None) as batch_op:
        batch_op.drop_index('ix_couple_change_couple_at')

    op.drop_table('couple_change')
    with op.batch_alter_table('couple', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_couple_primary_clinician_id'))
        batch_op.drop_index('ix_couple_practice_activity')

    op.drop_table('couple')
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_user_practice_id'))

    op.drop_table('user')
    op.drop_table('practice')
