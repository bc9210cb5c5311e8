"""A topic button: show that primer to the person who clicked, below the list."""

from __future__ import annotations

import re
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.respond.async_respond import AsyncRespond

from bot.core.runtime import Runtime
from bot.learn.community import community_projects
from bot.learn.primers import find_topic
from bot.learn.reads import primer_read
from handlers.learn.blocks import OPEN_TOPIC, primer, topic_list
from handlers.search.commands import workspace_url
from handlers.tenant import team_of


def register(app: AsyncApp, runtime: Runtime) -> None:
    # Each button has its own action id (Slack wants them unique within a block); all share the prefix.
    @app.action(re.compile(f"^{OPEN_TOPIC}_"))
    async def open_topic(ack: AsyncAck, body: dict[str, Any], context: dict[str, Any], action: dict[str, Any], respond: AsyncRespond) -> None:
        await ack()
        topic = find_topic(action.get("value") or "")
        if topic is None:
            text, blocks = topic_list()
        else:
            projects = await community_projects(runtime, team_of(context), topic)
            text, blocks = primer(topic, projects, await workspace_url(runtime))
        await respond(text=text, blocks=blocks, response_type="ephemeral", replace_original=False)
        if topic is not None:
            await primer_read(runtime, team_id=team_of(context), user_id=body["user"]["id"], topic_id=topic.id)
