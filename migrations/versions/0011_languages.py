"""Languages: the practice's, each staff member's and each partner's.

Reviewed: three added columns with a server default of 'en' (what every page was until now), so
existing rows keep reading English; no table rebuild (practice, user and partner are referenced
by foreign keys everywhere). No CHECK constraint: the services accept only the codes of
clinic.i18n.LANGUAGES, and adding a language must not need a table rebuild.

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-28
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('practice', sa.Column('locale', sa.String(length=16), server_default='en', nullable=False))
    op.add_column('user', sa.Column('locale', sa.String(length=16), server_default='en', nullable=False))
    op.add_column('partner', sa.Column('locale', sa.String(length=16), server_default='en', nullable=False))


def downgrade():
    op.drop_column('partner', 'locale')
    op.drop_column('user', 'locale')
    op.drop_column('practice', 'locale')
