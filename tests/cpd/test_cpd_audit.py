"""Every CPD change leaves an audit row: who did what to which entry, never the entry's words."""

from __future__ import annotations

import json

from sqlalchemy import select

from handlers.cpd.blocks import UNDO_CONFIRM
from storage.models import AuditLog
from tests.conftest import MEMBER_ID


async def _audit(env) -> list[AuditLog]:
    async with env.runtime.db.session() as session:
        return list((await session.scalars(select(AuditLog).where(AuditLog.action.like("cpd_%"))
                                           .order_by(AuditLog.id))).all())


async def test_logging_and_undoing_an_entry_are_audited_without_its_title(env):
    await env.driver.command("/cpd-log", "1.5h s1 Grand rounds on suicide risk")
    await env.settle()
    await env.driver.command("/cpd-log", "undo")
    await env.settle()
    entry_id = (await _audit(env))[0].subject.partition(":")[2]
    await env.driver.action(UNDO_CONFIRM, value=entry_id)  # "Remove it"
    await env.settle()
    rows = await _audit(env)
    assert [(row.action, row.actor_id) for row in rows] == [("cpd_entry.logged", MEMBER_ID),
                                                           ("cpd_entry.deleted", MEMBER_ID)]
    assert rows[0].subject == rows[1].subject and rows[0].subject.startswith("cpd_entry:")
    assert "suicide" not in json.dumps([row.detail for row in rows])
