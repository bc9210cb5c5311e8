"""`/cpd-log 1.5h s1 Grand rounds on suicide risk`: log an activity in one line."""

from __future__ import annotations

from bot.core.phi import ContainsPhi, describe, guard
from bot.core.text import escape
from bot.cpd.entries import NewEntry, add_entry, get_profile
from bot.cpd.quick_entry import NeedsType, ParseError, parse_quick_entry
from handlers.commands.context import CommandContext
from handlers.cpd.blocks import logged_message, type_question_message


async def quick_entry(ctx: CommandContext) -> None:
    profile = await get_profile(ctx.runtime, ctx.team_id, ctx.user_id)
    parsed = parse_quick_entry(ctx.text, profile.framework, profile.today)
    if isinstance(parsed, ParseError):
        await ctx.reply(escape(parsed.message))
        return
    if isinstance(parsed, NeedsType):  # unsure of the type: ask, never guess
        try:  # the question shows the title back, so an identifier in it is refused first, as on logging
            guard(ctx.runtime.settings.staff_email_domains, title=parsed.entry.title)
        except ContainsPhi as refused:
            await ctx.reply(describe(refused.hits, {"title": "Your entry's title"}))
            return
        question = type_question_message(parsed)
        await ctx.reply(question["text"], question["blocks"])
        return
    try:
        entry = await add_entry(ctx.runtime, ctx.team_id, ctx.user_id, NewEntry(
            activity_type=parsed.activity_type, date=parsed.date, hours=parsed.hours, quantity=parsed.quantity,
            title=parsed.title, source="quick"))
    except ContainsPhi as refused:
        await ctx.reply(describe(refused.hits, {"title": "Your entry's title"}))
        return
    message = logged_message(entry, parsed.assumptions)
    await ctx.reply(message["text"], message["blocks"])
