"""Makes "stored before the ack" observable in a test.

A listener that acks first and stores after usually finishes its one short transaction before the test
reads the database, so the wrong order would pass unnoticed. `slow_store` makes the store take a moment
(as it may under load): stored after the ack, it is still running when the ack comes back; stored before,
the ack waits for it. Read the database right after the driver call, before `env.settle()`.
"""

from __future__ import annotations

import asyncio
from typing import Any

DELAY = 0.2  # seconds: well inside Slack's 3 s, long enough for the ack of the wrong order to come back first


def slow_store(monkeypatch, owner: Any, name: str, seconds: float = DELAY) -> None:
    """Replace `owner.name` (the service as the listener looks it up) with one that waits, then stores."""
    real = getattr(owner, name)

    async def slowed(*args: Any, **kwargs: Any) -> Any:
        await asyncio.sleep(seconds)
        return await real(*args, **kwargs)

    monkeypatch.setattr(owner, name, slowed)
