"""Admins only, checked on the server for every request, whatever buttons the person was shown."""

from __future__ import annotations

from bot.core.audit import record_alone
from bot.core.runtime import Runtime

REFUSAL = ("Only QI Commons admins can do that. If you lead QI or CPD for your department, ask whoever "
           "installed QI Commons to add your Slack member ID to ADMIN_USER_IDS.")


async def refuse_non_admin(runtime: Runtime, *, team_id: str, user_id: str, action: str) -> bool:
    """True (and an audit row) when `user_id` is not an admin: every admin command, action and view
    submission calls this on the server, whatever buttons the person was shown."""
    if runtime.settings.is_admin(user_id):
        return False
    await record_alone(runtime, team_id=team_id, actor_id=user_id, action="admin.refused", subject=action[:80])
    return True
