"""measure details: which way is better, a goal, a frozen baseline and a change's date, for run charts

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03 06:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('qi_measures') as batch:
        batch.add_column(sa.Column('direction', sa.String(length=4), nullable=True))
        batch.add_column(sa.Column('goal', sa.Numeric(precision=14, scale=4), nullable=True))
        batch.add_column(sa.Column('baseline_points', sa.Integer(), nullable=True))
        batch.add_column(sa.Column('change_on', sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('qi_measures') as batch:
        batch.drop_column('change_on')
        batch.drop_column('baseline_points')
        batch.drop_column('goal')
        batch.drop_column('direction')
