"""Idempotency keys are unique per partner, not across the whole database.

Reviewed: a portal post's key only has to tell one partner's retries apart. Unique across every
partner, another partner's key (a copied page, a guessed or reused value) made a post fail at
the database and lost its text. The single-column unique constraints on exception_entry and
scale_placement become (partner_id, idempotency_key). NULL keys (entries made in session) stay
unconstrained on both databases. Existing rows already satisfy the narrower rule. On SQLite the
two tables are rebuilt by batch mode (a copy inside the migration's transaction).

Revision ID: 0017
Revises: 0016
Create Date: 2026-11-28
"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None

TABLES = ('exception_entry', 'scale_placement')


def upgrade():
    for table in TABLES:
        with op.batch_alter_table(table) as batch_op:
            batch_op.drop_constraint(f'uq_{table}_idempotency_key', type_='unique')
            batch_op.create_unique_constraint(f'uq_{table}_partner_key', ['partner_id', 'idempotency_key'])


def downgrade():
    # Fails if two partners now share a key: then the narrower rule is already relied upon.
    for table in TABLES:
        with op.batch_alter_table(table) as batch_op:
            batch_op.drop_constraint(f'uq_{table}_partner_key', type_='unique')
            batch_op.create_unique_constraint(f'uq_{table}_idempotency_key', ['idempotency_key'])
