"""Which primers members open: an audit row each, so the value report can count primers read.

Nothing else records it, and "primers read" is one of Wenger-Trayner's potential-value indicators
(bot/data/value_indicators.toml); the row names the topic, never the member's words.
"""

from __future__ import annotations

from bot.core.audit import record_alone
from bot.core.runtime import Runtime

PRIMER_READ = "learn.primer_read"


async def primer_read(runtime: Runtime, *, team_id: str, user_id: str, topic_id: str) -> None:
    await record_alone(runtime, team_id=team_id, actor_id=user_id, action=PRIMER_READ, subject=f"topic:{topic_id}")
