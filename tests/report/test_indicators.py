"""Every figure of the value report, recomputed by hand from seeded rows (tests/report/seed.py)."""

from __future__ import annotations

from sqlalchemy import event

from bot.report.build import build_report
from bot.report.definitions import CYCLES, definitions
from bot.report.export import matrix_csv
from tests.report.seed import (
    BY_CAREER_STAGE,
    BY_PROFESSION,
    EXPECTED,
    OCTOBER,
    TEAM,
    TORONTO,
    seed_department,
)


async def _report(db):
    async with db.session() as session, session.begin():
        await seed_department(session)
    async with db.session() as session:
        return await build_report(session, TEAM, OCTOBER, TORONTO)


async def test_every_indicator_is_the_hand_count_of_the_seed(db):
    report = await _report(db)
    assert {f.indicator.id: (f.current, f.previous) for f in report.figures} == EXPECTED
    assert (report.period.label, report.previous.label) == ("October 2026", "September 2026")


async def test_participation_by_group_hides_small_cells_and_their_complements(db):
    report = await _report(db)
    assert [(g.name, str(g.current), str(g.previous)) for g in report.by_profession] == BY_PROFESSION
    assert [(g.name, str(g.current), str(g.previous)) for g in report.by_career_stage] == BY_CAREER_STAGE


async def test_twelve_months_of_participation_end_with_the_period(db):
    report = await _report(db)
    months = [(f"{m.month:%Y-%m}", str(m.active), m.shares) for m in report.months]
    assert len(months) == 12 and months[0][0] == "2025-11"
    # September's three sharers are fewer than 5 people; August's one share is there too.
    assert months[-3:] == [("2026-08", "fewer than 5", 1), ("2026-09", "fewer than 5", 3), ("2026-10", "13", 8)]


async def test_the_csv_has_every_figure_with_what_it_counts_and_its_source(db):
    report = await _report(db)
    lines = matrix_csv(report).splitlines()
    assert lines[0] == "value cycle,indicator,October 2026,September 2026,what is counted,source"
    assert len(lines) == 1 + len(definitions().indicators) + len(BY_PROFESSION) + len(BY_CAREER_STAGE)
    assert lines[1].startswith("Immediate value,Active members,13,fewer than 5,")
    credits = next(line for line in lines if line.startswith("Realized value,CPD credits"))
    assert ",15,fewer than 5 members," in credits
    assert "Participation by profession,Social work,fewer than 5,fewer than 5" in lines[-3]


async def test_the_statement_count_does_not_depend_on_the_data(db):
    statements: list[str] = []
    event.listen(db.engine.sync_engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
    async with db.session() as session:
        await build_report(session, TEAM, OCTOBER, TORONTO)
    empty = len(statements)
    async with db.session() as session, session.begin():
        await seed_department(session)
    statements.clear()
    async with db.session() as session:
        await build_report(session, TEAM, OCTOBER, TORONTO)
    assert len(statements) == empty


def test_every_indicator_has_a_query_a_source_and_says_what_it_counts():
    from bot.report.queries import QUERIES

    indicators = definitions().indicators
    assert {i.id for i in indicators} == set(QUERIES)
    assert {i.cycle for i in indicators} == set(CYCLES)
    for indicator in indicators:
        assert "cycle" in indicator.source and indicator.counts
