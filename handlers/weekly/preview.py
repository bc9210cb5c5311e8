"""`/qi-commons digest preview`: an admin sees, ephemerally, the digest that would be posted now."""

from __future__ import annotations

from bot.core.audit import record_alone
from bot.weekly.schedules import DIGEST, day_label, schedule_overview
from handlers.admin.guard import REFUSAL, refuse_non_admin
from handlers.commands.context import CommandContext
from handlers.weekly.blocks import MESSAGE_BLOCKS
from handlers.weekly.jobs import Workspace, digest_preview, workspace


async def digest_command(ctx: CommandContext) -> None:
    runtime = ctx.runtime
    if await refuse_non_admin(runtime, team_id=ctx.team_id, user_id=ctx.user_id, action="digest preview"):
        await ctx.reply(REFUSAL)
        return
    if ctx.text.lower() not in ("", "preview"):
        await ctx.reply("Try `/qi-commons admin digest preview` to see the weekly digest as it would be posted now.")
        return
    now = runtime.clock.now()
    space = Workspace(ctx.team_id, (await workspace(runtime)).url)
    # One block is kept for the note that says this is a preview.
    message, _ = await digest_preview(runtime, space, until=now, max_blocks=MESSAGE_BLOCKS - 1)
    digest_schedule = next(item for item in await schedule_overview(runtime, ctx.team_id) if item.job == DIGEST)
    when = digest_schedule.next_post
    posts = (f"The next digest posts {day_label(when.date())} at {when:%H:%M %Z} and covers everything up to then."
             if when else "The digest is paused or skipped for the next year.")
    note = {"type": "context", "elements": [{"type": "mrkdwn", "text": (
        f":eyes: *Preview*, only you can see this. {posts} `/qi-commons admin schedule` shows pauses and skip dates.")}]}
    await record_alone(runtime, team_id=ctx.team_id, actor_id=ctx.user_id, action="digest.previewed")
    await ctx.reply(f"Preview: {message['text']}", [note, *message["blocks"]])
