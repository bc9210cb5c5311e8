"""What has been done here on this": the community's own projects on a primer's topic.

Each of the topic's `community_search` phrases is one search of the team's projects (all its words,
stemmed as search does); the best of each, in order, fill up to three places. So a primer on run charts
points to the unit that already charted its falls, not only to IHI.
"""

from __future__ import annotations

from bot.core.runtime import Runtime
from bot.learn.primers import LearnTopic
from bot.search.query import Query, Result, hydrate, ranked
from bot.search.words import stems

SHOWN = 3


async def community_projects(runtime: Runtime, team_id: str, topic: LearnTopic) -> tuple[Result, ...]:
    found: dict[int, tuple[str, int, int | None]] = {}
    async with runtime.db.session() as session:
        for phrase in topic.community_search:
            words = tuple(dict.fromkeys(stems(phrase)))
            if not words:
                continue
            for hit in await ranked(session, team_id, Query(text=phrase, stems=words), limit=SHOWN,
                                    kinds=("project",)):
                found.setdefault(hit[1], hit)
            if len(found) >= SHOWN:
                break
        return tuple(await hydrate(session, team_id, list(found.values())[:SHOWN]))
