"""outbox: channel, in-flight marker and every copy posted, so a crash never posts twice

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02 19:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import storage.types

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.add_column(sa.Column('channel_id', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('in_flight_since', storage.types.UtcDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('leased_until', storage.types.UtcDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('copies', sa.JSON(), nullable=True))
        batch_op.create_index('ix_outbox_channel_status', ['channel_id', 'status'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_index('ix_outbox_channel_status')
        batch_op.drop_column('copies')
        batch_op.drop_column('leased_until')
        batch_op.drop_column('in_flight_since')
        batch_op.drop_column('channel_id')
