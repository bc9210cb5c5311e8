"""`/cpd-log 1.5h s1 Grand rounds on suicide risk`: log an activity in one line, stored before the ack,
which carries the answer (the entry logged, a question, or what to fix)."""

from __future__ import annotations

from bot.core.phi import ContainsPhi, describe, guard
from bot.core.text import escape
from bot.cpd.entries import log_quick_entry
from bot.cpd.quick_entry import NeedsType, ParseError
from handlers.commands.context import Answer, CommandContext, message
from handlers.cpd.blocks import logged_message, type_question_message


async def quick_entry(ctx: CommandContext) -> Answer:
    try:
        parsed, entry = await log_quick_entry(ctx.runtime, ctx.team_id, ctx.user_id, ctx.text)
    except ContainsPhi as refused:
        return message(describe(refused.hits, {"title": "Your entry's title"}))
    if isinstance(parsed, ParseError):
        return message(escape(parsed.message))
    if isinstance(parsed, NeedsType):  # unsure of the type: ask, never guess
        try:  # the question shows the title back, so an identifier in it is refused first, as on logging
            guard(ctx.runtime.settings.staff_email_domains, title=parsed.entry.title)
        except ContainsPhi as refused:
            return message(describe(refused.hits, {"title": "Your entry's title"}))
        question = type_question_message(parsed)
        return message(question["text"], question["blocks"])
    assert entry is not None
    logged = logged_message(entry, parsed.assumptions)
    return message(logged["text"], logged["blocks"])
