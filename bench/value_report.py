"""Benchmark: the value-creation report for a year of a 2,000-member department, against 100 members, on SQLite.

Run with the project's Python: ``python bench/value_report.py``. It builds two temporary SQLite
databases with the real migrations, from a fixed seed:

    full:  2,000 members, a year of 200,000 audit events and 20,000 updates, with kudos, quick
           questions, mentorships, CPD entries, run-chart signals and value stories;
    small: 100 members and a twentieth of everything else (the baseline, measured in the same run).

It then builds the report for the last month (every indicator beside the month before, both
breakdowns, twelve months of participation, the stories) with its Block Kit summary and its CSV,
counting SQL statements with a `before_cursor_execute` listener, and draws the PNG apart. PASS
needs the same statement count for both sizes (no query per member or row) and the full report
built in under a second. Exits 1 on any FAIL.
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

from bot.report.build import build_report  # noqa: E402
from bot.report.chart import participation_png  # noqa: E402
from bot.report.definitions import definitions  # noqa: E402
from bot.report.export import matrix_csv  # noqa: E402
from bot.report.periods import Period  # noqa: E402
from handlers.report.blocks import report_message  # noqa: E402
from storage.db import Database  # noqa: E402
from storage.migrate import upgrade  # noqa: E402
from storage.models import (  # noqa: E402
    AuditLog,
    ChartSignal,
    CpdEntry,
    Kudos,
    Member,
    Mentorship,
    MentorshipRequest,
    QiMeasure,
    QiProject,
    QiUpdate,
    ValueStory,
)

SEED = 20261201
TEAM = "TBENCH"
TZ = ZoneInfo("America/Toronto")
PERIOD = Period(date(2026, 11, 1), 1)
UNTIL = datetime(2026, 12, 1, tzinfo=TZ).astimezone(UTC)
YEAR = timedelta(days=365)
RUNS = 7
TARGET_MS = 1000.0
BATCH = 5_000
PROFESSIONS = ["psychiatry", "nursing", "social-work", "psychology", "occupational-therapy", None]
STAGES = ["resident", "early-career", "mid-career", "late-career", None]
OTHER_ACTIONS = ["admin.refused", "schedule.pause", "privacy.export", "digest.previewed"]


@dataclass(frozen=True)
class Size:
    name: str
    members: int
    audit_events: int
    updates: int
    kudos: int
    questions: int
    mentorships: int
    cpd_entries: int
    stories: int


FULL = Size("2,000 members", 2_000, 200_000, 20_000, 10_000, 1_000, 600, 8_000, 300)
SMALL = Size("100 members", 100, 10_000, 1_000, 500, 50, 30, 400, 15)


def _when(rng: random.Random) -> datetime:
    return UNTIL - YEAR * rng.random()


def _rows(size: Size, rng: random.Random) -> list[tuple[type, list[dict]]]:
    users = [f"U{n:07d}" for n in range(size.members)]
    actions = list(definitions().participation_actions) + OTHER_ACTIONS
    members = [dict(team_id=TEAM, slack_user_id=u, profession=rng.choice(PROFESSIONS), career_stage=rng.choice(STAGES),
                    cpd_framework="rcpsc-moc", do_not_match=[], created_at=UNTIL - YEAR) for u in users]
    audit = [dict(team_id=TEAM, actor_id=rng.choice(users), action=rng.choice(actions), subject=f"thing:{n % 97}",
                  detail={}, created_at=_when(rng)) for n in range(size.audit_events)]
    updates = [dict(id=n + 1, team_id=TEAM, author_id=rng.choice(users), tried="Tried it",
                    pdsa_stage=rng.choice(["plan", "do", "study", "act"]), feedback_received=False,
                    post_status="posted", created_at=_when(rng)) for n in range(size.updates)]
    kudos = {(rng.randint(1, size.updates), rng.choice(users)) for _ in range(size.kudos)}
    questions = [dict(id=n + 1, team_id=TEAM, mentee_id=rng.choice(users), kind="informal", topics=[],
                      needs="A question", status="claimed", created_at=_when(rng)) for n in range(size.questions)]
    return [
        (Member, members),
        (AuditLog, audit),
        (QiUpdate, updates),
        (Kudos, [dict(team_id=TEAM, update_id=u, slack_user_id=who, created_at=_when(rng)) for u, who in kudos]),
        (MentorshipRequest, questions),
        (Mentorship, [dict(team_id=TEAM, request_id=q["id"], mentor_id=rng.choice(users), mentee_id=q["mentee_id"],
                           kind="informal", status="ended", started_at=q["created_at"] + timedelta(hours=rng.randint(1, 48)))
                      for q in questions[:size.mentorships]]),
        (CpdEntry, [dict(team_id=TEAM, member_id=rng.choice(users), framework="rcpsc-moc",
                         activity_type="s3-practice-assessment", occurred_on=_when(rng).date(), hours=Decimal(1),
                         title="QI with feedback", source=rng.choice(["qi_update", "mentoring", "manual"]),
                         created_at=_when(rng)) for _ in range(size.cpd_entries)]),
        (QiProject, [dict(id=1, team_id=TEAM, owner_id=users[0], slug="falls", title="Falls", pdsa_stage="do",
                          progress_score=Decimal("2.5"), status="active", tags=[], created_at=UNTIL - YEAR)]),
        (QiMeasure, [dict(id=1, team_id=TEAM, project_id=1, name="Falls", kind="outcome")]),
        (ChartSignal, [dict(team_id=TEAM, measure_id=1, rule="shift", verdict=rng.choice(["improvement", "deterioration"]),
                            first_on=date(2026, 1, 1) + timedelta(days=n), last_on=date(2026, 1, 1) + timedelta(days=n),
                            points=6, found_at=_when(rng)) for n in range(size.members // 20)]),
        (ValueStory, [dict(team_id=TEAM, author_id=rng.choice(users), what_happened="It helped",
                           difference="We changed our handover", cycle=rng.choice(["applied", "reframing"]),
                           consent=rng.choice(["named", "anonymous", "admins"]), created_at=_when(rng))
                      for _ in range(size.stories)]),
    ]


async def build_database(size: Size, directory: Path) -> tuple[Database, float]:
    url = f"sqlite+aiosqlite:///{directory / (size.name.replace(',', '').replace(' ', '-') + '.db')}"
    await asyncio.to_thread(upgrade, url)
    db = Database(url)
    started = time.perf_counter()
    async with db.engine.begin() as connection:
        for model, rows in _rows(size, random.Random(SEED)):
            for start in range(0, len(rows), BATCH):
                await connection.execute(insert(model.__table__), rows[start:start + BATCH])
    return db, time.perf_counter() - started


async def measure(db: Database) -> tuple[float, int, float, str]:
    """Median build time (ms, data + summary + CSV), statements per build, PNG ms, active members."""
    statements: list[str] = []

    def count(_conn, _cursor, statement, *_args) -> None:
        statements.append(statement)

    timings, drawings, active = [], [], ""
    for _ in range(RUNS):
        statements.clear()
        event.listen(db.engine.sync_engine, "before_cursor_execute", count)
        started = time.perf_counter()
        async with db.session() as session:
            report = await build_report(session, TEAM, PERIOD, TZ)
        report_message(report)
        matrix_csv(report)
        timings.append((time.perf_counter() - started) * 1000)
        event.remove(db.engine.sync_engine, "before_cursor_execute", count)
        started = time.perf_counter()
        participation_png(report)
        drawings.append((time.perf_counter() - started) * 1000)
        active = report.figure("active_members").current
    return statistics.median(timings[1:]), len(statements), statistics.median(drawings[1:]), active


async def main() -> int:
    results = {}
    with tempfile.TemporaryDirectory() as directory:
        for size in (SMALL, FULL):
            db, load_seconds = await build_database(size, Path(directory))
            try:
                results[size.name] = (size, load_seconds, *await measure(db))
            finally:
                await db.dispose()

    print(f"{'department':<14} {'members':>8} {'audit':>8} {'updates':>8} {'load s':>7} {'statements':>11} "
          f"{'build ms':>9} {'png ms':>7} {'active':>7}")
    for size, load_seconds, ms, statements, png_ms, active in results.values():
        print(f"{size.name:<14} {size.members:>8,} {size.audit_events:>8,} {size.updates:>8,} {load_seconds:>7.1f} "
              f"{statements:>11} {ms:>9.1f} {png_ms:>7.1f} {active:>7}")
    _, _, small_ms, small_statements, _, _ = results[SMALL.name]
    _, _, full_ms, full_statements, _, _ = results[FULL.name]
    print(f"ratio full / small: time x{full_ms / small_ms:.1f}, statements x{full_statements / small_statements:.2f}")

    checks = [
        (full_statements == small_statements,
         f"statement count does not grow with the department ({small_statements} small, {full_statements} full)"),
        (full_ms < TARGET_MS, f"full report builds in {full_ms:.0f} ms (target under {TARGET_MS:.0f} ms)"),
    ]
    for ok, line in checks:
        print(("PASS " if ok else "FAIL ") + line)
    return 0 if all(ok for ok, _ in checks) else 1


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
