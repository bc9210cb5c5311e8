"""Benchmark: search over 10,000 projects and 100,000 updates, and what index upkeep adds to a share.

Run with the project's Python: ``python bench/search.py [--projects 10000] [--updates 100000]``. For each
database (SQLite, and PostgreSQL when TEST_DATABASE_URL is set) it migrates a fresh database, stores a
seeded corpus of projects and updates written from a QI vocabulary (with their search documents, as the
services index them), then times

    query:   200 searches of one to three words (common and rare), each the full search: the full-text
             match and ranking in the database (bot.search.query.ranked) and loading the ten results
             shown; against a `LIKE '%word%'` scan of the same tables for the first word, in the same run;
             target p95 under 50 ms;
    upkeep:  300 shares to projects through bot.sharing.services.share_update, with index upkeep and with
             it switched off (the same shares, the same database); target: upkeep adds under 20%.

Each prints its milliseconds and ratio to its baseline. Exits 1 on any FAIL.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import insert, select, text  # noqa: E402

from bench._harness import fresh_postgres  # noqa: E402
from bot.core.clock import FrozenClock  # noqa: E402
from bot.core.config import load_settings  # noqa: E402
from bot.runners.app import build_runtime  # noqa: E402
from bot.search import query as search  # noqa: E402
from bot.search.words import terms  # noqa: E402
from bot.sharing import services  # noqa: E402
from bot.sharing.updates import UpdateFields  # noqa: E402
from handlers.sharing.posting import RENDER  # noqa: E402
from storage.db import Database  # noqa: E402
from storage.migrate import upgrade  # noqa: E402
from storage.models import QiProject, QiUpdate, SearchDocument  # noqa: E402

SEED = 20261203
TEAM = "TBENCH"
QUERY_TARGET_MS = 50.0
UPKEEP_TARGET = 0.20
QUERIES = 200
SHARES = 300
BATCH = 2_000
COMMON = ("falls restraint discharge summary readmission handover medication reconciliation screening metabolic "
          "antipsychotic delirium sleep suicide risk assessment safety plan family meeting huddle checklist audit "
          "nurses residents pharmacy emergency inpatient outpatient clinic wait time referral follow-up "
          "appointment booking patients staff training survey feedback chart run measure baseline goal change "
          "idea test cycle plan study act adopt adapt abandon night shift weekend unit ward team").split()
# A long tail of rarer words, as real notes have: unit names, drug names, local jargon.
RARE = [f"{stem}{n}" for stem in ("unit", "ward", "drug", "form", "site", "clinic") for n in range(400)]


def sentence(rng: random.Random, words: int) -> str:
    return " ".join(rng.choice(COMMON) if rng.random() < 0.85 else rng.choice(RARE) for _ in range(words))


async def seed(db: Database, projects: int, updates: int, rng: random.Random) -> list[int]:
    start = datetime(2025, 1, 1, tzinfo=UTC)
    async with db.session() as session, session.begin():
        project_rows = [dict(team_id=TEAM, owner_id=f"U{n % 500:05d}", slug=f"p-{n}", title=sentence(rng, 5).title(),
                             aim=sentence(rng, 18), change_ideas=sentence(rng, 10), pdsa_stage="do",
                             progress_score=Decimal("1.0"), status="active", tags=[rng.choice(COMMON)],
                             created_at=start + timedelta(minutes=n)) for n in range(projects)]
        for at in range(0, projects, BATCH):
            await session.execute(insert(QiProject), project_rows[at:at + BATCH])
        ids = list((await session.scalars(select(QiProject.id).where(QiProject.team_id == TEAM)
                                          .order_by(QiProject.id))).all())
        docs = [dict(team_id=TEAM, kind="project", ref_id=pid, project_id=pid, owner_id=row["owner_id"],
                     title_terms=terms(row["title"]), topic_terms=terms(*row["tags"]),
                     body_terms=terms(row["aim"], row["change_ideas"]), happened_at=row["created_at"])
                for pid, row in zip(ids, project_rows, strict=True)]
        for at in range(0, len(docs), BATCH):
            await session.execute(insert(SearchDocument), docs[at:at + BATCH])
    for at in range(0, updates, BATCH):
        async with db.session() as session, session.begin():
            rows = []
            for n in range(at, min(at + BATCH, updates)):
                rows.append(dict(team_id=TEAM, project_id=rng.choice(ids), author_id=f"U{n % 500:05d}",
                                 tried=sentence(rng, 25), learned=sentence(rng, 12), pdsa_stage="do",
                                 post_status="posted", created_at=start + timedelta(minutes=n)))
            await session.execute(insert(QiUpdate), rows)
            update_ids = list((await session.scalars(select(QiUpdate.id).where(QiUpdate.team_id == TEAM)
                                                     .order_by(QiUpdate.id.desc()).limit(len(rows)))).all())[::-1]
            await session.execute(insert(SearchDocument), [
                dict(team_id=TEAM, kind="update", ref_id=uid, project_id=row["project_id"], owner_id=row["author_id"],
                     title_terms="", topic_terms="", body_terms=terms(row["tried"], row["learned"]),
                     happened_at=row["created_at"]) for uid, row in zip(update_ids, rows, strict=True)])
    if db.backend == "postgresql":  # as autovacuum would after a load this size; committed, or it is undone
        async with db.engine.begin() as connection:
            await connection.execute(text("ANALYZE"))
    return ids


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1]


async def time_queries(db: Database, rng: random.Random) -> tuple[list[float], list[float]]:
    queries = [" ".join(rng.choice(COMMON) if rng.random() < 0.7 else rng.choice(RARE)
                        for _ in range(rng.choice((1, 1, 2, 2, 3)))) for _ in range(QUERIES)]
    fts, like = [], []
    async with db.session() as session:
        for typed in queries[:10]:  # warm the caches both ways
            await search.ranked(session, TEAM, search.parse(typed), limit=11)
        for typed in queries:
            started = time.perf_counter()
            hits = await search.ranked(session, TEAM, search.parse(typed), limit=search.PAGE_SIZE + 1)
            await search.hydrate(session, TEAM, hits[:search.PAGE_SIZE])
            fts.append((time.perf_counter() - started) * 1000)
            word = f"%{typed.split()[0]}%"
            started = time.perf_counter()
            await session.execute(text(
                "SELECT id FROM qi_projects WHERE team_id = :t AND (title LIKE :w OR aim LIKE :w OR change_ideas LIKE :w) "
                "ORDER BY created_at DESC LIMIT 11"), {"t": TEAM, "w": word})
            await session.execute(text(
                "SELECT id FROM qi_updates WHERE team_id = :t AND (tried LIKE :w OR learned LIKE :w) "
                "ORDER BY created_at DESC LIMIT 11"), {"t": TEAM, "w": word})
            like.append((time.perf_counter() - started) * 1000)
    return fts, like


async def time_shares(database_url: str, db: Database, project_ids: list[int], rng: random.Random) -> tuple[float, float]:
    settings = load_settings(slack_bot_token="xoxb-bench", database_url=database_url, _env_file=None)
    runtime = build_runtime(settings, clock=FrozenClock(datetime(2026, 12, 3, 9, tzinfo=UTC)), db=db)

    async def shares(n: int) -> float:
        started = time.perf_counter()
        for _ in range(n):
            project_id = rng.choice(project_ids)
            owner = f"U{(project_id - project_ids[0]) % 500:05d}"
            # A share as a member makes it: stored, indexed, and its channel post queued in the same transaction.
            await services.share_update(runtime, team_id=TEAM, user_id=owner, project_id=project_id, render=RENDER,
                                        fields=UpdateFields(tried=sentence(rng, 25), learned=sentence(rng, 12)))
        return (time.perf_counter() - started) * 1000 / n

    async def nothing(*_args, **_kw) -> None:
        return None

    await shares(20)  # warm-up
    indexed, index_project, index_update = [], services.index_project, services.index_update
    bare = []
    for _ in range(3):  # interleaved, so a slow moment of the machine falls on both
        indexed.append(await shares(SHARES // 3))
        services.index_project, services.index_update = nothing, nothing
        try:
            bare.append(await shares(SHARES // 3))
        finally:
            services.index_project, services.index_update = index_project, index_update
    return statistics.median(indexed), statistics.median(bare)


async def measure(backend: str, database_url: str, projects: int, updates: int) -> tuple[str, list[tuple[bool, str]]]:
    await asyncio.to_thread(upgrade, database_url)
    db = Database(database_url)
    rng = random.Random(SEED)
    try:
        started = time.perf_counter()
        ids = await seed(db, projects, updates, rng)
        seeded = time.perf_counter() - started
        fts, like = await time_queries(db, rng)
        indexed, bare = await time_shares(database_url, db, ids, rng)
    finally:
        await db.dispose()
    upkeep = indexed / bare - 1
    rows = (f"{backend:<11} {projects:>8,} {updates:>8,} {seeded:>7.0f} s {p95(fts):>9.1f} {statistics.median(fts):>9.1f} "
            f"{p95(like):>9.1f} {p95(fts) / p95(like):>6.2f} {indexed:>8.1f} {bare:>8.1f} {upkeep:>+7.0%}")
    checks = [(p95(fts) < QUERY_TARGET_MS, f"{backend}: search p95 {p95(fts):.1f} ms (target under "
                                           f"{QUERY_TARGET_MS:.0f} ms; LIKE scan p95 {p95(like):.1f} ms)"),
              (upkeep < UPKEEP_TARGET, f"{backend}: index upkeep adds {upkeep:.0%} to a share "
                                       f"(target under {UPKEEP_TARGET:.0%})")]
    return rows, checks


async def main(projects: int, updates: int) -> int:
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        results.append(await measure("SQLite", f"sqlite+aiosqlite:///{tmp}/search.db", projects, updates))
        if os.environ.get("TEST_DATABASE_URL"):
            url = await fresh_postgres(os.environ["TEST_DATABASE_URL"], "qi_search_bench")
            results.append(await measure("PostgreSQL", url, projects, updates))
        else:
            print("TEST_DATABASE_URL is not set: PostgreSQL not measured (make bench sets it)")
    print(f"{'database':<11} {'projects':>8} {'updates':>8} {'seeded':>9} {'p95 ms':>9} {'p50 ms':>9} "
          f"{'LIKE p95':>9} {'ratio':>6} {'share ms':>8} {'no index':>8} {'upkeep':>7}")
    for rows, _ in results:
        print(rows)
    checks = [check for _, found in results for check in found]
    for ok, line in checks:
        print(("PASS " if ok else "FAIL ") + line)
    return 0 if all(ok for ok, _ in checks) else 1


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--projects", type=int, default=10_000)
    parser.add_argument("--updates", type=int, default=100_000)
    args = parser.parse_args()
    sys.exit(asyncio.run(main(args.projects, args.updates)))
