"""`/qi-commons learn [topic]`."""

from __future__ import annotations

from bot.learn.community import community_projects
from bot.learn.primers import find_topic, suggest
from bot.learn.reads import primer_read
from handlers.commands.context import CommandContext
from handlers.learn.blocks import not_found, primer, topic_list
from handlers.search.commands import workspace_url


async def learn(ctx: CommandContext) -> None:
    if not ctx.text:
        await ctx.reply(*topic_list())
        return
    topic = find_topic(ctx.text)
    if topic is None:
        await ctx.reply(*not_found(ctx.text, suggest(ctx.text)))
        return
    projects = await community_projects(ctx.runtime, ctx.team_id, topic)
    await ctx.reply(*primer(topic, projects, await workspace_url(ctx.runtime)))
    await primer_read(ctx.runtime, team_id=ctx.team_id, user_id=ctx.user_id, topic_id=topic.id)
