"""`/qi-commons admin ...`: admins only, checked on the server for every request, refusals audited."""

from __future__ import annotations

from dataclasses import replace

from bot.core.audit import record
from bot.core.runtime import Runtime
from bot.core.text import escape
from handlers.admin import schedule
from handlers.commands.context import CommandContext, Subcommand, split_subcommand

# Filled by the features that own each admin action ("" is the console itself).
ADMIN_SUBCOMMANDS: dict[str, Subcommand] = {
    **schedule.SUBCOMMANDS,
}

REFUSAL = ("Only QI Commons admins can do that. If you lead QI or CPD for your department, ask whoever "
           "installed QI Commons to add your Slack member ID to ADMIN_USER_IDS.")


async def refuse_non_admin(runtime: Runtime, *, team_id: str, user_id: str, action: str) -> bool:
    """True (and an audit row) when `user_id` is not an admin: every admin command, action and view
    submission calls this on the server, whatever buttons the person was shown."""
    if runtime.settings.is_admin(user_id):
        return False
    async with runtime.db.session() as session, session.begin():
        record(session, team_id=team_id, actor_id=user_id, action="admin.refused", subject=action[:80],
               at=runtime.clock.now())
    return True


async def admin_command(ctx: CommandContext) -> None:
    word, rest = split_subcommand(ctx.text)
    if await refuse_non_admin(ctx.runtime, team_id=ctx.team_id, user_id=ctx.user_id, action=f"admin {word}".strip()):
        await ctx.reply(REFUSAL)
        return
    handler = ADMIN_SUBCOMMANDS.get(word)
    if handler is None:
        known = ", ".join(f"`{name}`" for name in sorted(ADMIN_SUBCOMMANDS) if name) or "none yet"
        await ctx.reply(f"I don't know the admin action `{escape(word)}`. Admin actions: {known}.")
        return
    await handler(replace(ctx, text=rest))
