"""chart signals: each run-chart signal announced once

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03 06:50:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import storage.types

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('chart_signals',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('team_id', sa.String(length=32), nullable=False),
    sa.Column('measure_id', sa.Integer(), nullable=False),
    sa.Column('rule', sa.String(length=40), nullable=False),
    sa.Column('verdict', sa.String(length=40), nullable=False),
    sa.Column('first_on', sa.Date(), nullable=False),
    sa.Column('last_on', sa.Date(), nullable=False),
    sa.Column('points', sa.Integer(), nullable=False),
    sa.Column('found_at', storage.types.UtcDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['measure_id'], ['qi_measures.id'], name=op.f('fk_chart_signals_measure_id_qi_measures'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_chart_signals')),
    sa.UniqueConstraint('measure_id', 'rule', 'first_on', name=op.f('uq_chart_signals_measure_id_rule_first_on'))
    )
    op.create_index('ix_chart_signals_team_found', 'chart_signals', ['team_id', 'found_at'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_chart_signals_team_found', table_name='chart_signals')
    op.drop_table('chart_signals')
