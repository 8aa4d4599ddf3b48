"""Second-factor keys sealed at rest.

Reviewed: user.totp_secret held each staff member's TOTP key in clear, so a copy of the database
(a backup, a dump) was enough to compute their codes. It now holds the key sealed with Fernet
under the "totp" sealing key (clinic/sealing.py: TOTP_SEAL_KEY, or derived from SECRET_KEY). A
sealed key is about 140 characters, so the column widens from 64 to 255 (SQLite rebuilds the
table in batch mode; see migrations/env.py for its foreign keys). Every existing key is sealed
in place; the downgrade opens them again and narrows the column. Codes keep working throughout:
the key itself does not change.

This revision uses the application's sealing helper and configuration (it runs inside the app,
as every revision here does), since the key is the installation's own.

Revision ID: 0021
Revises: 0020
Create Date: 2026-11-28
"""
from alembic import op
import sqlalchemy as sa

from clinic.sealing import open_text, seal_text


# revision identifiers, used by Alembic.
revision = '0021'
down_revision = '0020'
branch_labels = None
depends_on = None

users = sa.table('user', sa.column('id', sa.Integer), sa.column('totp_secret', sa.String))


def _rewrite(change) -> None:
    bind = op.get_bind()
    rows = bind.execute(
        sa.select(users.c.id, users.c.totp_secret).where(users.c.totp_secret.is_not(None))
    ).all()
    for user_id, value in rows:
        bind.execute(users.update().where(users.c.id == user_id).values(totp_secret=change(value)))


def upgrade():
    with op.batch_alter_table('user') as batch_op:
        batch_op.alter_column('totp_secret', existing_type=sa.String(length=64),
                              type_=sa.String(length=255), existing_nullable=True)
    _rewrite(lambda secret: seal_text('totp', secret))


def downgrade():
    _rewrite(lambda sealed: open_text('totp', sealed))
    with op.batch_alter_table('user') as batch_op:
        batch_op.alter_column('totp_secret', existing_type=sa.String(length=255),
                              type_=sa.String(length=64), existing_nullable=True)
