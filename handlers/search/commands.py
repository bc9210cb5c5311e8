"""`/qi-commons search WORDS`: ranked results as an ephemeral reply, with "More results"."""

from __future__ import annotations

from bot.core.phi import ContainsPhi, describe
from bot.core.runtime import Runtime
from bot.search import query as search
from handlers.commands.context import CommandContext
from handlers.installed import workspace
from handlers.search.blocks import refusal, results_message


async def workspace_url(runtime: Runtime) -> str | None:
    """For links to a project's thread when Slack has not given us its permalink (asked once per token)."""
    try:
        return (await workspace(runtime)).url
    except Exception:  # noqa: BLE001 - links are a nicety: results without them beat no results
        return None


async def run_search(runtime: Runtime, team_id: str, typed: str, offset: int = 0) -> tuple[str, list | None]:
    """(text, blocks) to show: the results, or what to do instead. The query itself is never logged."""
    try:
        page = await search.search(runtime, team_id=team_id, typed=typed, offset=offset)
    except ContainsPhi as refused:
        return describe(refused.hits, {"query": "Your search"}), None
    except search.BadQuery as refused:
        return refusal(refused), None
    message = results_message(page, await workspace_url(runtime))
    return message["text"], message["blocks"]


async def search_command(ctx: CommandContext) -> None:
    await ctx.reply(*await run_search(ctx.runtime, ctx.team_id, ctx.text))
