"""value stories: members' own accounts of the value QI Commons created, their monthly opt-in, and an
audit-log index by action for the value report

Revision ID: 0010
Revises: 0007
Create Date: 2026-12-03 08:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import storage.types

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('value_stories',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('team_id', sa.String(length=32), nullable=False),
    sa.Column('author_id', sa.String(length=32), nullable=False),
    sa.Column('what_happened', sa.Text(), nullable=False),
    sa.Column('difference', sa.Text(), nullable=False),
    sa.Column('cycle', sa.String(length=40), nullable=False),
    sa.Column('consent', sa.String(length=40), nullable=False),
    sa.Column('created_at', storage.types.UtcDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_value_stories'))
    )
    op.create_index('ix_value_stories_team_created', 'value_stories', ['team_id', 'created_at'], unique=False)
    # The value report counts audit actions by kind over a period, and who did them, from this index alone.
    op.create_index('ix_audit_log_team_action_created', 'audit_log', ['team_id', 'action', 'created_at', 'actor_id'],
                    unique=False)
    # Existing members have not opted in: the monthly question is asked only of those who ask for it.
    with op.batch_alter_table('members', schema=None) as batch_op:
        batch_op.add_column(sa.Column('value_story_asks', sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    op.drop_index('ix_audit_log_team_action_created', table_name='audit_log')
    with op.batch_alter_table('members', schema=None) as batch_op:
        batch_op.drop_column('value_story_asks')
    op.drop_index('ix_value_stories_team_created', table_name='value_stories')
    op.drop_table('value_stories')
