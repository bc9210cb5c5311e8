"""The audit log: who did what to which kind of thing, never the content."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.runtime import Runtime
from storage.models import AuditLog


def record(session: AsyncSession, *, team_id: str, actor_id: str | None, action: str, at: datetime,
           subject: str | None = None, detail: dict[str, Any] | None = None) -> None:
    """Add an audit row to the caller's unit of work (it commits with the change it describes)."""
    session.add(AuditLog(team_id=team_id, actor_id=actor_id, action=action, subject=subject,
                         detail=detail or {}, created_at=at))


async def record_alone(runtime: Runtime, *, team_id: str, actor_id: str | None, action: str,
                       subject: str | None = None) -> None:
    """Audit something that changes nothing else (a refusal, a preview, a view), in its own transaction."""
    async with runtime.db.session() as session, session.begin():
        record(session, team_id=team_id, actor_id=actor_id, action=action, at=runtime.clock.now(), subject=subject)
