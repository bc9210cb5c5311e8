"""Whether Slack still lets us into the workspace: uninstalls, revoked tokens and reinstalls.

One bot token means one installation per process. When Slack says the app was uninstalled or its
bot token revoked, nothing more is sent (the outbox holds its pending calls, nudges and weekly posts
wait) until a start-up's auth.test shows a working token again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.audit import record
from bot.core.runtime import Runtime
from storage.models import OutboxMessage, Workspace

ACTIVE = "active"
GONE = ("uninstalled", "tokens_revoked")


@dataclass(frozen=True)
class Installation:
    team_id: str
    status: str
    changed_at: datetime

    @property
    def active(self) -> bool:
        return self.status == ACTIVE

    def describe(self) -> str:
        when = self.changed_at.strftime("%Y-%m-%d %H:%M UTC")
        return {"uninstalled": f"the app was uninstalled from {self.team_id} on {when}",
                "tokens_revoked": f"the bot token for {self.team_id} was revoked on {when}"}.get(self.status, "ok")


async def mark_gone(runtime: Runtime, *, team_id: str, status: str) -> None:
    """Slack told us we are out: hold everything we owe that workspace (kept, not retried)."""
    assert status in GONE
    now = runtime.clock.now()
    async with runtime.db.session() as session, session.begin():
        await _set(session, team_id, status, now)
        # One bot token, one installation: whatever is pending was for it.
        await session.execute(update(OutboxMessage).where(OutboxMessage.status == "pending").values(status="held"))
        record(session, team_id=team_id, actor_id=None, action=f"workspace.{status}", subject="workspace", at=now)


async def mark_active(runtime: Runtime, *, team_id: str) -> bool:
    """A working token again (a start after a reinstall): resume what was held. True if anything was shut out.

    The uninstall may have come org-wide (keyed by the enterprise id) and the token may name the
    workspace: with one installation per process, a working token ends every shut-out.
    """
    now = runtime.clock.now()
    async with runtime.db.session() as session, session.begin():
        lost = await lost_installations(session)
        if not lost:
            return False
        for installation in lost:
            await _set(session, installation.team_id, ACTIVE, now)
        await session.execute(update(OutboxMessage).where(OutboxMessage.status == "held")
                              .values(status="pending", next_attempt_at=now))
        record(session, team_id=team_id, actor_id=None, action="workspace.reinstalled", subject="workspace", at=now)
    return True


async def lost_installations(session: AsyncSession) -> list[Installation]:
    """Workspaces Slack has shut us out of."""
    rows = (await session.scalars(select(Workspace).where(Workspace.status.in_(GONE)))).all()
    return [Installation(row.team_id, row.status, row.changed_at) for row in rows]


async def _set(session: AsyncSession, team_id: str, status: str, now: datetime) -> None:
    row = await session.get(Workspace, team_id)
    if row is None:
        session.add(Workspace(team_id=team_id, status=status, changed_at=now))
    else:
        row.status, row.changed_at = status, now
