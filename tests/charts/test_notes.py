"""Notes on a project's run charts (PDSA cycles, changes): written by its owner, shown on the chart and in its CSV."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import select

from bot.charts.analysis import Point
from bot.charts.markers import Note, markers
from sandbox import state_values
from storage.models import AuditLog, ChartAnnotation, QiMeasure, QiProjectMember
from tests.charts.helpers import WAIT_AFTER, WAIT_BASELINE
from tests.charts.test_chart_in_slack import _dm_files, _points, _project
from tests.conftest import MEMBER_ID, OTHER_ID
from tests.sharing_helpers import posts


async def _note(env, slug, text, user_id=MEMBER_ID):
    return (await env.driver.command("/qi-share", f"#{slug} {text}", user_id=user_id)).json()["text"]


async def _notes(env):
    async with env.runtime.db.session() as session:
        rows = (await session.scalars(select(ChartAnnotation).order_by(ChartAnnotation.noted_on))).all()
    return [(r.noted_on.isoformat(), r.text, r.written_by) for r in rows]


async def test_the_owner_notes_a_change_and_the_chart_and_its_csv_show_it(env):
    slug = await _project(env, WAIT_BASELINE + WAIT_AFTER)
    first_after = sorted(p for p, _ in await _points(env))[24]
    assert await _note(env, slug, f"note {first_after} PDSA 2: new triage form") == (
        f"Noted on {date.fromisoformat(first_after):%d %b %Y} for `#{slug}`: “PDSA 2: new triage form”. It shows "
        f"on the project's run charts (`/qi-commons chart #{slug}`).")
    assert await _notes(env) == [(first_after, "PDSA 2: new triage form", MEMBER_ID)]
    async with env.runtime.db.session() as session:
        audit = await session.scalar(select(AuditLog).where(AuditLog.action == "chart_note.added"))
    assert audit.actor_id == MEMBER_ID and audit.detail == {"noted_on": first_after}  # never the words

    await env.driver.command("/qi-commons", f"chart #{slug}")
    await env.settle()
    assert "Note at" in _dm_files(env, MEMBER_ID)[-1].alt_txt and "PDSA 2: new triage form." in (
        _dm_files(env, MEMBER_ID)[-1].alt_txt)
    await env.driver.command("/qi-commons", f"chart #{slug} csv")
    await env.settle()
    lines = _dm_files(env, MEMBER_ID)[-1].content.decode("utf-8-sig").splitlines()
    [noted] = [line for line in lines if line.endswith("PDSA 2: new triage form")]
    assert noted.startswith(first_after)


async def test_a_note_is_changed_by_writing_on_its_date_listed_and_removed(env):
    slug = await _project(env, [3, 4])
    await _note(env, slug, "note 2026-11-02 PDSA 1 started")
    changed = await _note(env, slug, "note 2026-11-02 PDSA 1: paper checklist")
    assert changed.startswith("Changed the note on 02 Nov 2026")
    await _note(env, slug, "note 2026-11-16 PDSA 2")
    assert await _note(env, slug, "notes") == (f"Notes on `#{slug}`'s run charts:\n• 02 Nov 2026: PDSA 1: paper "
                                               "checklist\n• 16 Nov 2026: PDSA 2")
    assert await _note(env, slug, "note remove 2026-11-02") == f"Removed the note on 02 Nov 2026 from `#{slug}`."
    assert await _note(env, slug, "note remove 2026-11-02") == (f"`#{slug}` has no note on 02 Nov 2026: nothing "
                                                                "was removed.")
    assert [n[:2] for n in await _notes(env)] == [("2026-11-16", "PDSA 2")]
    async with env.runtime.db.session() as session:
        actions = (await session.scalars(select(AuditLog.action).where(AuditLog.action.like("chart_note.%"))
                                         .order_by(AuditLog.id))).all()
    assert actions == ["chart_note.added", "chart_note.changed", "chart_note.added", "chart_note.removed"]


async def test_bad_notes_say_what_to_fix_and_store_nothing(env):
    slug = await _project(env, [3, 4])
    assert await _note(env, slug, "note 2026-11-02 PDSA", user_id=OTHER_ID) == (
        "Only the project's owner (or a QI Commons admin) can write notes on its charts.")
    assert await _note(env, slug, "note remove 2026-11-02", user_id=OTHER_ID) == (
        "Only the project's owner (or a QI Commons admin) can write notes on its charts.")
    refused = await _note(env, slug, "note 2026-11-02 called pt at 416-555-0199")
    assert "*The note* contains a phone number" in refused and "416-555-0199" not in refused
    assert (await _note(env, slug, "note 2026-13-45 PDSA")).startswith("2026-13-45 is not a date on the calendar")
    assert await _note(env, slug, "note 2027-01-04 PDSA") == (
        "04 Jan 2027 is in the future: give the date the value was measured.")
    assert (await _note(env, slug, "note 2026-11-02")).startswith("Write the note after the date")
    assert await _note(env, slug, "notes") == (
        f"`#{slug}` has no notes on its charts yet. A note marks a change on the project's run charts: "
        f"`/qi-share #{slug} note 2026-11-30 PDSA 2: new triage form`. `note remove 2026-11-30` takes it away; "
        "`notes` lists them.")
    assert await _notes(env) == []
    # Words after "note" that are not a date are an ordinary update.
    await env.driver.command("/qi-share", f"#{slug} note that the night shift liked the form")
    await env.settle()
    assert "note that the night shift liked the form" in str(posts(env)[-1]["blocks"])


async def test_the_add_data_form_carries_a_note_for_the_owner(env):
    slug = await _project(env, [5, 6])
    [card] = [m for m in posts(env) if "QI project:" in m["text"] and m.get("thread_ts") in (None, m["ts"])]
    await env.driver.action("charts_add_data", value=slug, message=card)
    await env.settle()
    form = env.slack.opened_views[-1]["view"]
    measure = form["blocks"][1]["element"]["options"][0]["value"]

    def values(note, on="2026-11-24"):
        return state_values(measure={"value": {"selected": measure}}, on={"value": {"selected_date": on}},
                            value={"value": "7"}, note={"value": note})

    async with env.runtime.db.session() as session, session.begin():  # a teammate adds data, not notes
        project_id = (await session.scalar(select(QiMeasure).where(QiMeasure.id == int(measure)))).project_id
        session.add(QiProjectMember(team_id="T0001", project_id=project_id, slack_user_id=OTHER_ID))
    teammate = await env.driver.submit_view("charts_add_data", values("PDSA 3"), view=form, user_id=OTHER_ID)
    assert teammate.json()["errors"] == {"note": "Only the project's owner (or a QI Commons admin) can write notes "
                                                 "on its charts."}
    phi_note = await env.driver.submit_view("charts_add_data", values("MRN 4433221"), view=form)
    assert phi_note.json()["errors"]["note"].startswith("Remove the")
    assert ("2026-11-24", "7") not in await _points(env)  # the point waits with its note

    ok = await env.driver.submit_view("charts_add_data", values("PDSA 3: huddle at 8"), view=form)
    assert ok.status == 200 and not ok.body
    assert ("2026-11-24", "7") in await _points(env)
    assert [n[:2] for n in await _notes(env)] == [("2026-11-24", "PDSA 3: huddle at 8")]


def test_a_note_marks_the_first_point_on_or_after_its_date():
    points = tuple(Point(date(2026, 1, 5) + timedelta(weeks=i), Decimal(i)) for i in range(4))
    notes = [Note(date(2026, 1, 1), "before the first"), Note(date(2026, 1, 12), "on the second"),
             Note(date(2026, 1, 13), "between"), Note(date(2026, 1, 14), "same week"),
             Note(date(2026, 3, 1), "after the last")]
    found = markers(points, notes)
    assert [(a.index, a.label) for a in found] == [(1, "on the second"), (2, "between; same week")]
