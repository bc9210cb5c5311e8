"""Benchmark: the weekly digest for a large community, against a small one, on SQLite.

Run with the project's Python: ``python bench/digest.py``. It builds two temporary SQLite databases
with the real migrations, from a fixed seed:

    full:  10,000 members, 1,000 projects, 100,000 updates over two years (about 1,000 in the
           digest's week), kudos, mentors, mentorships, requests and CPD entries;
    small: 100 members and a hundredth of everything else.

It then builds the digest (the query service and the Block Kit rendering) for the last week of
each, counting SQL statements with a `before_cursor_execute` listener. The small community is the
baseline measured in the same run. PASS needs the same statement count for both (no query per
update, project or member) and the full build well under a second. Exits 1 on any FAIL.
"""

from __future__ import annotations

import asyncio
import random
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import event, insert

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.weekly.digest import build_weekly_digest  # noqa: E402
from handlers.weekly.blocks import digest_message  # noqa: E402
from storage.db import Database  # noqa: E402
from storage.migrate import upgrade  # noqa: E402
from storage.models import (  # noqa: E402
    CpdEntry,
    Kudos,
    Member,
    MentorProfile,
    Mentorship,
    MentorshipRequest,
    QiProject,
    QiUpdate,
)

SEED = 20261127
TEAM = "TBENCH"
CHANNEL = "C0COMMUNITY"
TZ = ZoneInfo("America/Toronto")
UNTIL = datetime(2026, 11, 27, 15, 0, tzinfo=TZ).astimezone(UTC)
SINCE = UNTIL - timedelta(days=7)
HISTORY = timedelta(days=730)
RUNS = 7
TARGET_MS = 500.0  # "well under a second" on SQLite, with room for a busy machine
BATCH = 5_000


@dataclass(frozen=True)
class Size:
    name: str
    members: int
    projects: int
    updates: int
    kudos: int
    mentors: int
    mentorships: int
    requests: int
    cpd_entries: int


FULL = Size("full", 10_000, 1_000, 100_000, 50_000, 500, 1_000, 300, 50_000)
SMALL = Size("100 members", 100, 10, 1_000, 500, 5, 10, 3, 500)


def _when(rng: random.Random) -> datetime:
    """A moment spread evenly over the two years before the digest."""
    return UNTIL - HISTORY * rng.random()


def _rows(size: Size, rng: random.Random) -> list[tuple[type, list[dict]]]:
    users = [f"U{n:07d}" for n in range(size.members)]
    members = [dict(team_id=TEAM, slack_user_id=u, cpd_framework="rcpsc-moc", name_in_digest_shares=rng.random() < 0.9,
                    name_in_digest_mentoring=rng.random() < 0.3, do_not_match=[], created_at=UNTIL - HISTORY)
               for u in users]
    projects = [dict(id=p + 1, team_id=TEAM, owner_id=rng.choice(users), slug=f"project-{p}", title=f"Project {p}",
                     pdsa_stage=rng.choice(["plan", "do", "study", "act"]), progress_score=Decimal("2.5"), tags=[],
                     status="active", channel_id=CHANNEL, thread_ts=f"1700000000.{p:06d}", created_at=_when(rng))
                for p in range(size.projects)]
    updates = [dict(id=n + 1, team_id=TEAM, project_id=rng.randint(1, size.projects), author_id=rng.choice(users),
                    tried=f"Tried change idea {n}\nwith details", pdsa_stage="do", progress_score=Decimal("3.0"),
                    help_wanted="Anyone tried this?" if rng.random() < 0.05 else None, feedback_received=False,
                    post_status="posted", channel_id=CHANNEL, ts=f"1700100000.{n:06d}", created_at=_when(rng))
               for n in range(size.updates)]
    kudos = {(rng.randint(1, size.updates), rng.choice(users)) for _ in range(size.kudos)}
    mentors = rng.sample(users, size.mentors)
    return [
        (Member, members),
        (QiProject, projects),
        (QiUpdate, updates),
        (Kudos, [dict(team_id=TEAM, update_id=u, slack_user_id=who, created_at=UNTIL - timedelta(days=1))
                 for u, who in kudos]),
        (MentorProfile, [dict(team_id=TEAM, slack_user_id=m, capacity=rng.randint(1, 4), accepting=True, expertise=[],
                              formats=[], modes=[], source="self", created_at=UNTIL - HISTORY) for m in mentors]),
        (Mentorship, [dict(team_id=TEAM, mentor_id=rng.choice(mentors), mentee_id=rng.choice(users), kind="formal",
                           status=rng.choice(["active", "ended"]), started_at=_when(rng))
                      for _ in range(size.mentorships)]),
        (MentorshipRequest, [dict(team_id=TEAM, mentee_id=rng.choice(users), kind="formal", topics=[], needs="help",
                                  status=rng.choice(["shortlisted", "matched", "unmatched"]), created_at=_when(rng))
                             for _ in range(size.requests)]),
        (CpdEntry, [dict(team_id=TEAM, member_id=rng.choice(users), framework="rcpsc-moc", activity_type="s1",
                         occurred_on=date(2026, 1, 1), hours=Decimal("1.5"), title="Rounds", source="manual",
                         created_at=_when(rng)) for _ in range(size.cpd_entries)]),
    ]


async def build_database(size: Size, directory: Path) -> tuple[Database, float]:
    url = f"sqlite+aiosqlite:///{directory / (size.name.replace(' ', '-') + '.db')}"
    await asyncio.to_thread(upgrade, url)
    db = Database(url)
    started = time.perf_counter()
    async with db.engine.begin() as connection:
        for model, rows in _rows(size, random.Random(SEED)):
            for start in range(0, len(rows), BATCH):
                await connection.execute(insert(model.__table__), rows[start:start + BATCH])  # executemany
    return db, time.perf_counter() - started


async def measure(db: Database) -> tuple[float, int, int]:
    """Median build time (ms), statements per build, and updates in the week."""
    statements: list[str] = []

    def count(_conn, _cursor, statement, *_args) -> None:
        statements.append(statement)

    timings, in_week = [], 0
    for _ in range(RUNS):
        statements.clear()
        event.listen(db.engine.sync_engine, "before_cursor_execute", count)
        started = time.perf_counter()
        async with db.session() as session:
            digest = await build_weekly_digest(session, TEAM, SINCE, UNTIL)
        digest_message(digest, channel_id=CHANNEL, tz=TZ, workspace_url="https://example.slack.com/")
        timings.append((time.perf_counter() - started) * 1000)
        event.remove(db.engine.sync_engine, "before_cursor_execute", count)
        in_week = digest.update_count
    return statistics.median(timings[1:]), len(statements), in_week  # the first run warms caches


async def main() -> int:
    results = {}
    with tempfile.TemporaryDirectory() as directory:
        for size in (SMALL, FULL):
            db, load_seconds = await build_database(size, Path(directory))
            try:
                results[size.name] = (size, load_seconds, *await measure(db))
            finally:
                await db.dispose()

    print(f"{'community':<12} {'members':>8} {'updates':>8} {'in week':>8} {'load s':>7} {'statements':>11} "
          f"{'build ms':>9}")
    for size, load_seconds, ms, statements, in_week in results.values():
        print(f"{size.name:<12} {size.members:>8,} {size.updates:>8,} {in_week:>8,} {load_seconds:>7.1f} "
              f"{statements:>11} {ms:>9.1f}")
    _, _, small_ms, small_statements, _ = results[SMALL.name]
    _, _, full_ms, full_statements, _ = results[FULL.name]
    print(f"ratio full / small: time x{full_ms / small_ms:.1f}, statements x{full_statements / small_statements:.2f}")

    checks = [
        (full_statements == small_statements,
         f"statement count does not grow with the data ({small_statements} small, {full_statements} full)"),
        (full_ms < TARGET_MS, f"full digest builds in {full_ms:.0f} ms (target under {TARGET_MS:.0f} ms)"),
    ]
    for ok, line in checks:
        print(("PASS " if ok else "FAIL ") + line)
    return 0 if all(ok for ok, _ in checks) else 1


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
