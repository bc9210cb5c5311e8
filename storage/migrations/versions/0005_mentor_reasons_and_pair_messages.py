"""mentor reasons in the mentor's words; where the pair's buttons were posted

A mentor reads why they were suggested in their own words, and ending a mentorship updates the
kick-off and check-in messages whose buttons would otherwise stay live.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03 05:40:41
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('mentorship_messages',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('team_id', sa.String(length=32), nullable=False),
    sa.Column('mentorship_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('slack_user_id', sa.String(length=32), nullable=True),
    sa.Column('channel_id', sa.String(length=32), nullable=False),
    sa.Column('ts', sa.String(length=32), nullable=False),
    sa.ForeignKeyConstraint(['mentorship_id'], ['mentorships.id'], name=op.f('fk_mentorship_messages_mentorship_id_mentorships'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mentorship_messages')),
    sa.UniqueConstraint('channel_id', 'ts', name=op.f('uq_mentorship_messages_channel_id_ts'))
    )
    with op.batch_alter_table('mentorship_messages', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_mentorship_messages_mentorship_id'), ['mentorship_id'], unique=False)

    with op.batch_alter_table('mentorship_candidates', schema=None) as batch_op:
        batch_op.add_column(sa.Column('mentor_reasons', sa.Text(), nullable=True))



def downgrade() -> None:
    with op.batch_alter_table('mentorship_candidates', schema=None) as batch_op:
        batch_op.drop_column('mentor_reasons')

    with op.batch_alter_table('mentorship_messages', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_mentorship_messages_mentorship_id'))

    op.drop_table('mentorship_messages')
