"""Crash test: quick shares streamed at a real `qi-commons run --http` while it is killed with SIGKILL.

Run with the project's Python: ``python bench/crash.py [--shares 200] [--kills 3]``. For each database
(SQLite, and PostgreSQL when TEST_DATABASE_URL is set) it starts the bot against the local Slack
stand-in, streams signed `/qi-share` quick shares (paced at 10 a second, with bursts of 8 at once),
kills the bot with SIGKILL at random moments and restarts it, then waits for the outbox to drain and
prints the table of issue 17: acked, stored, posted once, posted twice, lost (acked but not stored or
never posted), and the seconds it took to drain after the last restart. PASS needs every acked share
stored, every stored share posted exactly once (a share committed just before a kill cut off its ack
is stored but not acked), nothing lost, and a drain under 30 s. Exits 1 on FAIL. Everything stays on 127.0.0.1 and stops by itself.

tests/runners/test_crash.py runs the same harness, smaller, in the suite.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import aiohttp

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import select  # noqa: E402

from bench._harness import CHANNEL, BotProcess, fresh_postgres  # noqa: E402
from sandbox import SlackDriver, SlackStandIn  # noqa: E402
from storage.db import Database  # noqa: E402
from storage.models import QiUpdate  # noqa: E402

SIGNING_SECRET = "crash-test-signing-secret-0123456789"
SHARE = re.compile(r"Crash test share \d{4}")
DRAIN_TARGET = 30.0


@dataclass(frozen=True)
class CrashResult:
    backend: str
    sent: int
    acked: int
    stored: int
    posted_once: int
    posted_twice: int
    lost: int  # acked but never stored or never posted
    drain_seconds: float

    @property
    def ok(self) -> bool:
        # stored may exceed acked by the shares whose ack the kill cut off after they were committed:
        # the member saw an error, but their share is kept and posted, once.
        return (self.acked <= self.stored == self.posted_once and self.posted_twice == 0 and self.lost == 0
                and self.drain_seconds < DRAIN_TARGET)

    def row(self) -> str:
        return (f"{self.backend:<11}{self.sent:>6}{self.acked:>7}{self.stored:>8}{self.posted_once:>13}"
                f"{self.posted_twice:>14}{self.lost:>6}{self.drain_seconds:>10.1f}")


HEADER = f"{'database':<11}{'sent':>6}{'acked':>7}{'stored':>8}{'posted once':>13}{'posted twice':>14}{'lost':>6}{'drain s':>10}"


async def crash_run(database_url: str, *, backend: str, shares: int, kills: int, seed: int = 7,
                    workdir: Path, drain_timeout: float = 90.0) -> CrashResult:
    rng = random.Random(seed)
    texts = [f"Crash test share {n:04d}" for n in range(shares)]
    acked: set[str] = set()
    async with SlackStandIn() as slack:
        bot = BotProcess(slack, database_url, workdir, signing_secret=SIGNING_SECRET, SCHEDULE_GRACE_HOURS="0")
        await bot.start()
        driver = SlackDriver.over_http(bot.url, signing_secret=SIGNING_SECRET, standin=slack)
        kill_at = sorted(rng.sample(range(shares // 8, shares), kills)) if kills else []

        async def share(text: str) -> None:
            try:
                response = await asyncio.wait_for(driver.command("/qi-share", text, response_url=slack.response_url()), 5)
            except (aiohttp.ClientError, TimeoutError, OSError):
                return  # no ack: Slack would tell the member it failed
            if response.status == 200:
                acked.add(text)

        n = 0
        while n < len(texts):
            if kill_at and n >= kill_at[0]:
                kill_at.pop(0)
                # Kill while requests are in flight: a burst goes out and the kill lands among them.
                burst = [asyncio.ensure_future(share(t)) for t in texts[n:n + 8]]
                await asyncio.sleep(rng.uniform(0.0, 0.15))
                await bot.kill()
                await asyncio.gather(*burst)
                n += len(burst)
                await bot.start()
                continue
            if rng.random() < 0.2:  # a burst of 8 at once
                await asyncio.gather(*(share(t) for t in texts[n:n + 8]))
                n += 8
            else:
                await share(texts[n])
                n += 1
                await asyncio.sleep(0.1)

        restarted = time.monotonic()
        posted = Counter()
        stored: set[str] = set()
        db = Database(database_url)
        try:
            deadline = restarted + drain_timeout
            while True:
                posted = Counter(match[0] for m in slack.messages(CHANNEL)
                                 for match in [SHARE.search(json.dumps(m.get("blocks")) + (m.get("text") or ""))]
                                 if match)
                async with db.session() as session:
                    stored = set((await session.scalars(select(QiUpdate.tried).where(QiUpdate.tried.in_(texts)))).all())
                if (stored and all(posted[t] for t in stored)) or time.monotonic() > deadline:
                    break
                await asyncio.sleep(0.25)
            drained = time.monotonic() - restarted
        finally:
            await db.dispose()
            await bot.stop()
    lost = len([t for t in acked if t not in stored or not posted[t]])
    return CrashResult(backend=backend, sent=shares, acked=len(acked), stored=len(stored),
                       posted_once=sum(1 for t in stored if posted[t] == 1),
                       posted_twice=sum(1 for t in texts if posted[t] > 1), lost=lost, drain_seconds=drained)


async def main(shares: int, kills: int) -> int:
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        results.append(await crash_run(f"sqlite+aiosqlite:///{workdir}/crash.db", backend="SQLite", shares=shares,
                                       kills=kills, workdir=workdir))
        if os.environ.get("TEST_DATABASE_URL"):
            url = await fresh_postgres(os.environ["TEST_DATABASE_URL"], "qi_crash")
            results.append(await crash_run(url, backend="PostgreSQL", shares=shares, kills=kills, workdir=workdir))
        else:
            print("TEST_DATABASE_URL is not set: PostgreSQL not measured (make bench sets it)")
    print(f"{shares} quick shares, {kills} SIGKILLs and restarts each")
    print(HEADER)
    for result in results:
        print(result.row())
    ok = all(result.ok for result in results)
    print("PASS" if ok else f"FAIL: every acked share must be stored, every stored one posted exactly once, "
                            f"drain < {DRAIN_TARGET:.0f} s")
    return 0 if ok else 1


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shares", type=int, default=200)
    parser.add_argument("--kills", type=int, default=3)
    arguments = parser.parse_args()
    sys.exit(asyncio.run(main(arguments.shares, arguments.kills)))
