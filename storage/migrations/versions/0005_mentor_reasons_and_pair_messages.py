"""mentor reasons in the mentor's words; where the pair's buttons were posted

A mentor reads why they were suggested in their own words, and ending a mentorship updates the
kick-off and check-in messages whose buttons would otherwise stay live. Running pairs' messages that
the outbox still remembers (it keeps sent rows for 30 days) are filled in, so their end updates them too.

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

    _remember_running_pairs_messages()


# purpose in the outbox -> kind in mentorship_messages (handlers/mentoring/notify.py)
_PAIR_MESSAGES = {'mentorship_kickoff': 'kickoff', 'mentorship_checkin': 'checkin'}


def _remember_running_pairs_messages() -> None:
    outbox = sa.table('outbox', sa.column('team_id', sa.String), sa.column('purpose', sa.String),
                      sa.column('subject_id', sa.Integer), sa.column('status', sa.String),
                      sa.column('args', sa.JSON), sa.column('result', sa.JSON), sa.column('id', sa.Integer))
    mentorships = sa.table('mentorships', sa.column('id', sa.Integer), sa.column('status', sa.String))
    messages = sa.table('mentorship_messages', sa.column('team_id', sa.String), sa.column('mentorship_id', sa.Integer),
                        sa.column('kind', sa.String), sa.column('slack_user_id', sa.String),
                        sa.column('channel_id', sa.String), sa.column('ts', sa.String))
    bind = op.get_bind()
    sent = bind.execute(sa.select(outbox.c.team_id, outbox.c.purpose, outbox.c.subject_id, outbox.c.args,
                                  outbox.c.result)
                        .where(outbox.c.purpose.in_(list(_PAIR_MESSAGES)), outbox.c.status == 'sent',
                               outbox.c.subject_id.in_(sa.select(mentorships.c.id)
                                                       .where(mentorships.c.status == 'active')))
                        .order_by(outbox.c.id)).all()
    seen, rows = set(), []
    for team_id, purpose, mentorship_id, args, result in sent:
        channel, ts = (result or {}).get('channel'), (result or {}).get('ts')
        if not (isinstance(channel, str) and isinstance(ts, str)) or (channel, ts) in seen:
            continue
        seen.add((channel, ts))
        kind = _PAIR_MESSAGES[purpose]
        rows.append({'team_id': team_id, 'mentorship_id': mentorship_id, 'kind': kind, 'channel_id': channel,
                     'ts': ts, 'slack_user_id': (args or {}).get('channel') if kind == 'checkin' else None})
    if rows:
        op.bulk_insert(messages, rows)



def downgrade() -> None:
    with op.batch_alter_table('mentorship_candidates', schema=None) as batch_op:
        batch_op.drop_column('mentor_reasons')

    with op.batch_alter_table('mentorship_messages', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_mentorship_messages_mentorship_id'))

    op.drop_table('mentorship_messages')
