"""Fan-out at Slack's pace: a weekly nudge DM'd to 5,000 members through the outbox, against the rate-limited stand-in.

Run with the project's Python: ``python bench/fanout.py [--members 5000] [--per-minute 1800]``. For each
database (SQLite, and PostgreSQL when TEST_DATABASE_URL is set) it builds a fresh database with the real
migrations, queues one DM a member in one transaction (as a weekly job queues its posts), and drains it
with the bot's own outbox on the scheduler's cadence (a drain every DRAIN_EVERY, never two at once)
against the local Slack stand-in with Slack's rate limits on: chat.postMessage about one a second per
channel and `--per-minute` for the workspace (Slack does not publish its workspace-wide limit; 1800
a minute is a bound this machine's outbox can keep up with, so the ratio measures pacing, not CPU),
answered 429 with Retry-After beyond that.

The baseline is the stand-in's own bound, in the same run: no client can deliver N posts faster than
the workspace bucket allows (its burst at once, then `--per-minute`). It prints the delivery rate
against that bound (target >= 0.9), and counts the members who got the nudge twice or never. PASS
needs the ratio, 0 doubled and 0 lost. Exits 1 on FAIL. Everything stays on 127.0.0.1.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from slack_sdk.web.async_client import AsyncWebClient  # noqa: E402

from bench._harness import fresh_postgres  # noqa: E402
from bot.core.clock import Clock  # noqa: E402
from bot.core.outbox import Outbox  # noqa: E402
from bot.core.slack import sessions  # noqa: E402
from bot.runners.scheduler import DRAIN_EVERY  # noqa: E402
from sandbox import SlackStandIn  # noqa: E402
from sandbox.rates import RateLimits  # noqa: E402
from storage.db import Database  # noqa: E402
from storage.migrate import upgrade  # noqa: E402

TEAM = "T0001"
TARGET = 0.9
NUDGE = ("Good morning! This week's QI prompt is up in #qi-commons: what is one small change you could test "
         "before Friday? Reply in the thread, or share it with /qi-share.")


@dataclass(frozen=True)
class FanoutResult:
    backend: str
    members: int
    seconds: float
    bound_seconds: float
    delivered_once: int
    doubled: int
    lost: int
    refused: int  # 429s the outbox met on the way

    @property
    def ratio(self) -> float:
        return self.bound_seconds / self.seconds if self.seconds else 0.0

    @property
    def ok(self) -> bool:
        return self.ratio >= TARGET and self.doubled == 0 and self.lost == 0

    def row(self) -> str:
        rate, bound = self.members / self.seconds, self.members / self.bound_seconds
        return (f"{self.backend:<11}{self.members:>8}{self.seconds:>9.1f}{rate:>9.1f}{bound:>9.1f}{self.ratio:>7.2f}"
                f"{self.delivered_once:>7}{self.doubled:>9}{self.lost:>6}{self.refused:>7}")


HEADER = (f"{'database':<11}{'members':>8}{'secs':>9}{'posts/s':>9}{'bound/s':>9}{'ratio':>7}"
          f"{'once':>7}{'doubled':>9}{'lost':>6}{'429s':>7}")


def bound_seconds(limits: RateLimits, posts: int) -> float:
    """The least time the stand-in lets `posts` DMs take: its burst at once, the rest at its rate."""
    return max(posts - limits.burst("chat.postMessage"), 0) / limits.per_second("chat.postMessage")


async def drain_on_schedule(outbox: Outbox, done: asyncio.Event) -> None:
    """The scheduler's drain job: every DRAIN_EVERY, skipped while the previous one still runs."""
    every = DRAIN_EVERY.total_seconds()
    loop = asyncio.get_running_loop()
    start = loop.time()
    while not done.is_set():
        await outbox.drain()
        ticks = int((loop.time() - start) // every) + 1  # the next tick that the scheduler would fire
        try:
            await asyncio.wait_for(done.wait(), max(0.0, start + ticks * every - loop.time()))
        except TimeoutError:
            pass


async def fanout_run(database_url: str, *, backend: str, members: int, per_minute: int,
                     timeout: float) -> FanoutResult:
    await asyncio.to_thread(upgrade, database_url)
    db = Database(database_url)
    limits = RateLimits(post_per_minute=per_minute)
    people = [f"U{n:08d}" for n in range(members)]
    async with SlackStandIn(rate_limits=limits) as slack:
        for person in people:
            slack.add_user(person, name=f"member{person[1:]}")
        outbox = Outbox(db, AsyncWebClient(token=slack.bot_token, base_url=slack.api_url), Clock())
        async with db.session() as session, session.begin():
            for person in people:
                await outbox.enqueue(session, team_id=TEAM, method="chat.postMessage", purpose="weekly_nudge",
                                     args={"channel": person, "text": NUDGE})
        started = time.monotonic()
        done = asyncio.Event()
        drainer = asyncio.create_task(drain_on_schedule(outbox, done))
        dms = {person: slack.dm_channel(person) for person in people}
        delivered = False
        while not delivered and time.monotonic() - started < timeout:
            await asyncio.sleep(0.1)
            delivered = sum(1 for c in slack.calls if c.method == "chat.postMessage" and not c.failed) >= members
        seconds = time.monotonic() - started
        done.set()
        await drainer
        # Anything still owed (or a copy posted late) would show now.
        await asyncio.sleep(0.5)
        posts = Counter({person: len(slack.messages(dm)) for person, dm in dms.items()})
        refused = sum(1 for c in slack.calls if c.method == "chat.postMessage" and c.status == 429)
    await sessions.close_all()
    await db.dispose()
    if not delivered:
        print(f"{backend}: not every member had the nudge after {timeout:.0f} s")
    return FanoutResult(backend=backend, members=members, seconds=seconds, bound_seconds=bound_seconds(limits, members),
                        delivered_once=sum(1 for n in posts.values() if n == 1),
                        doubled=sum(1 for n in posts.values() if n > 1),
                        lost=sum(1 for n in posts.values() if n == 0), refused=refused)


async def main(members: int, per_minute: int, timeout: float) -> int:
    # Each 429 is a warning line in the bot's log; here they are counted in the table instead.
    logging.getLogger("bot.core.outbox").setLevel(logging.ERROR)
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        results.append(await fanout_run(f"sqlite+aiosqlite:///{tmp}/fanout.db", backend="SQLite", members=members,
                                        per_minute=per_minute, timeout=timeout))
        if os.environ.get("TEST_DATABASE_URL"):
            url = await fresh_postgres(os.environ["TEST_DATABASE_URL"], "qi_fanout")
            results.append(await fanout_run(url, backend="PostgreSQL", members=members, per_minute=per_minute,
                                            timeout=timeout))
        else:
            print("TEST_DATABASE_URL is not set: PostgreSQL not measured (make bench sets it)")
    print(f"A weekly nudge DM'd to {members} members through the outbox; the stand-in allows "
          f"{per_minute} chat.postMessage a minute for the workspace, one a second a channel")
    print(HEADER)
    for result in results:
        print(result.row())
    ok = all(result.ok for result in results)
    print("PASS" if ok else f"FAIL: the delivery rate must be >= {TARGET} of the stand-in's bound, "
                            "with nothing doubled or lost")
    return 0 if ok else 1


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=5000)
    parser.add_argument("--per-minute", type=int, default=1800, help="the workspace's chat.postMessage limit")
    parser.add_argument("--timeout", type=float, default=900, help="seconds to wait for every nudge")
    arguments = parser.parse_args()
    sys.exit(asyncio.run(main(arguments.members, arguments.per_minute, arguments.timeout)))
