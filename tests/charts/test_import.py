"""Importing a series from a CSV: the form's file_input, the file read with the bot token, a dry run first,
then all rows or none."""

from __future__ import annotations

import json
from datetime import date, timedelta

import aiohttp
from sqlalchemy import select

from sandbox import state_values
from storage.models import AuditLog, MeasureDataPoint, QiMeasure
from tests.charts.test_chart_in_slack import _points, _project
from tests.conftest import MEMBER_ID, OTHER_ID
from tests.golden import assert_golden
from tests.sharing_helpers import button, posts

VIEW_KEYS = ("type", "title", "submit", "close", "blocks")


def _shown(view):
    return {k: view[k] for k in VIEW_KEYS if k in view}


async def _measures(env):
    async with env.runtime.db.session() as session:
        return {m.kind: m for m in (await session.scalars(select(QiMeasure).order_by(QiMeasure.id))).all()}


async def _open_form(env, slug):
    await env.driver.command("/qi-share", f"#{slug} import")
    await env.settle()
    return env.slack.opened_views[-1]["view"]


async def _check(env, form, content: bytes, *, measure="each", name="series.csv", user_id=MEMBER_ID):
    """Pick the file in the form and press Check file: Slack's answer (the dry run, or field errors)."""
    picked = env.slack.add_user_file(user_id, name, content)
    values = state_values(measure={"value": {"selected": str(measure)}}, file={"value": {"files": [picked]}})
    return (await env.driver.submit_view("charts_import_csv", values, view=form, user_id=user_id)).json()


async def _confirm(env, dry_run, choice=None, user_id=MEMBER_ID):
    values = state_values(duplicates={"value": {"radio": choice}}) if choice else {}
    return (await env.driver.submit_view("charts_import_confirm", values, view=dry_run, user_id=user_id)).json()


def _csv(*lines: str) -> bytes:
    return ("\n".join(lines) + "\n").encode()


async def test_import_csv_on_a_card_and_by_command_opens_a_form_with_a_file_input(env):
    slug = await _project(env, [3, 4])
    [card] = [m for m in posts(env) if "QI project:" in m["text"] and m.get("thread_ts") in (None, m["ts"])]
    assert button(card, "charts_import_csv")["text"]["text"] == "Import CSV"
    await env.driver.action("charts_import_csv", value=slug, message=card)
    await env.settle()
    form = env.slack.opened_views[-1]["view"]
    assert form["callback_id"] == "charts_import_csv"
    [file_input] = [b["element"] for b in form["blocks"] if b.get("block_id") == "file"]
    assert file_input == {"type": "file_input", "action_id": "value", "filetypes": ["csv", "txt"], "max_files": 1}
    assert_golden("charts_import_modal", _shown(form))

    await env.driver.command("/qi-share", f"#{slug} import")
    await env.settle()
    assert env.slack.opened_views[-1]["view"]["blocks"] == form["blocks"]
    await env.driver.command("/qi-share", "#no-such-project import")
    await env.settle()
    assert env.slack.responses()[-1]["text"].startswith("I can't find a project called `#no-such-project`.")


async def test_a_csv_is_checked_first_then_imported_all_at_once_and_audited(env):
    slug = await _project(env, [])
    measures = await _measures(env)
    form = await _open_form(env, slug)
    rows = [f"{date(2026, 6, 1) + timedelta(weeks=i)},{v}" for i, v in enumerate([19, 21, 18, 20, 17])]
    answer = await _check(env, form, _csv("date,value", *rows), measure=measures["outcome"].id)

    assert answer["response_action"] == "update"
    dry_run = answer["view"]
    assert_golden("charts_import_dry_run", _shown(dry_run))
    assert "Ready to import *5 points*:\n• Wait to first assessment: 5 points, 01 Jun 2026 to 29 Jun 2026" in (
        dry_run["blocks"][1]["text"]["text"])
    assert await _points(env) == []  # the dry run stores nothing
    # The file was read from its url_private with the bot token, as Slack requires.
    [read] = [c for c in env.slack.calls if c.method == "files-pri"]
    assert read.headers["Authorization"] == "Bearer xoxb-test"

    done = await _confirm(env, {**form, **dry_run})
    assert done["response_action"] == "update"
    assert_golden("charts_import_done", _shown(done["view"]))
    assert [v for _, v in await _points(env)] == ["19", "21", "18", "20", "17"]
    async with env.runtime.db.session() as session:
        [audit] = (await session.scalars(select(AuditLog).where(AuditLog.action == "qi_measure.data_imported"))).all()
    assert audit.actor_id == MEMBER_ID and audit.detail == {"points": 5, "first_on": "2026-06-01",
                                                            "last_on": "2026-06-29", "replaced": 0}


async def test_dates_already_stored_ask_replace_or_keep_both_and_nothing_is_stored_before(env):
    slug = await _project(env, [])
    await env.driver.command("/qi-share", f"#{slug} data wait=12 2026-06-08")
    form = await _open_form(env, slug)
    file = _csv("date,measure,value", "2026-06-01,wait,19", "2026-06-08,wait,21", "2026-06-08,triage,4")
    dry_run = (await _check(env, form, file))["view"]
    assert_golden("charts_import_dry_run_duplicates", _shown(dry_run))
    [ask] = [b for b in dry_run["blocks"] if b.get("block_id") == "duplicates"]
    assert ask["label"]["text"] == "1 date already has a value (e.g. Wait to first assessment, 08 Jun 2026)"

    unanswered = await _confirm(env, {**form, **dry_run}, choice=None)
    assert unanswered["response_action"] == "update" and unanswered["view"]["blocks"] == dry_run["blocks"]
    assert len(await _points(env)) == 1

    replaced = await _confirm(env, {**form, **dry_run}, choice="replace")
    assert "(1 stored value replaced)" in replaced["view"]["blocks"][0]["text"]["text"]
    assert sorted(await _points(env)) == [("2026-06-01", "19"), ("2026-06-08", "21"), ("2026-06-08", "4")]

    again = (await _check(env, await _open_form(env, slug), _csv("date,measure,value", "2026-06-08,1,22")))["view"]
    await _confirm(env, {**form, **again}, choice="keep_both")
    assert sorted(v for d, v in await _points(env) if d == "2026-06-08") == ["21", "22", "4"]


async def test_every_bad_row_is_listed_by_row_and_column_and_nothing_is_imported(env):
    slug = await _project(env, [])
    form = await _open_form(env, slug)
    file = _csv(
        "date,measure,value",
        "2026-06-01,wait,19",           # row 2: fine
        "2026-06-08,wait,lots",         # not a number
        "2026-06-15,wait,62%",          # a percentage for a measure in days
        "2027-01-04,wait,12",           # in the future (today is 25 Nov 2026)
        "2015-01-05,wait,12",           # more than ten years back
        "30/11/2026,wait,12",           # not YYYY-MM-DD
        "2026-06-01,wait,20",           # the date of row 2 again
        "2026-06-22,1234-567-897,3",    # an identifier where a measure's name goes
        "2026-06-22,readmissions,3",    # not one of the project's measures
        "2026-06-29,wait",              # a column short
    )
    dry_run = (await _check(env, form, file))["view"]
    assert_golden("charts_import_errors", _shown(dry_run))
    assert "submit" not in dry_run  # nothing can be imported until they are fixed
    text = dry_run["blocks"][1]["text"]["text"]
    assert text.startswith("*9 rows need fixing*, so nothing will be imported yet (1 row is fine):")
    for expected in (
        "Row 3, value: That is not a number",
        "Row 4, value: This measure is counted in days, and that value is a percentage",
        "Row 5, date: 04 Jan 2027 is in the future",
        "Row 6, date: 05 Jan 2015 is more than ten years ago",
        "Row 7, date: Write the date as YYYY-MM-DD",
        "Row 8, date: Row 2 has the same date for this measure",
        "Row 9, measure: Remove the Ontario health card number",
        "Row 10, measure: Not one of the project's measures (1. Wait to first assessment; 2. Triage forms used)",
        "Row 11, row: It has 2 columns, the header 3.",
    ):
        assert expected in text, expected
    assert "1234-567-897" not in json.dumps(dry_run) and "readmissions" not in json.dumps(dry_run)
    assert await _points(env) == []


async def test_a_file_that_cannot_be_imported_is_refused_on_the_form(env):
    slug = await _project(env, [])
    measures = await _measures(env)
    form = await _open_form(env, slug)
    too_many = _csv("date,value", *(f"{date(2020, 1, 1) + timedelta(days=i % 2000)},1" for i in range(10_001)))
    cases = {
        "wrong header": (_csv("day,count", "2026-06-01,3"), "Row 1 should be the header `date,value`"),
        "too many rows": (too_many, "This file has 10,001 rows of data; an import takes at most 10,000."),
        "no measure": (_csv("date,value", "2026-06-01,3"), "This file has no measure column"),
        "not text": (b"PK\x03\x04\x00\x00binary", "This file is not a CSV text file."),
        "empty": (b"\n\n", "This file is empty."),
    }
    for case, (content, expected) in cases.items():
        answer = await _check(env, form, content)
        assert answer["response_action"] == "errors", case
        assert answer["errors"]["file"].startswith(expected), case
    nothing = await env.driver.submit_view("charts_import_csv", state_values(
        measure={"value": {"selected": str(measures["outcome"].id)}}, file={"value": {"files": []}}), view=form)
    assert nothing.json()["errors"] == {"file": "Choose the CSV file to import."}
    assert await _points(env) == []


async def test_a_file_french_excel_saved_is_read(env):
    slug = await _project(env, [])
    measures = await _measures(env)
    form = await _open_form(env, slug)
    french = "\ufeffDate;Valeur\r\n\r\n2026-06-01;3,5\r\n;\r\n2026-06-08;1 234,5\r\n2026-06-15;12\r\n".encode()
    dry_run = (await _check(env, form, french, measure=measures["outcome"].id))["view"]
    assert "Ready to import *3 points*" in dry_run["blocks"][1]["text"]["text"]
    await _confirm(env, {**form, **dry_run})
    assert await _points(env) == [("2026-06-01", "3.5"), ("2026-06-08", "1234.5"), ("2026-06-15", "12")]
    # Windows-1252, as Excel on Windows writes accents, reads too.
    cp1252 = "date;mesure;valeur\n2026-06-22;Triage;4\n".encode("cp1252")
    assert "Ready to import *1 point*" in (await _check(env, form, cp1252))["view"]["blocks"][1]["text"]["text"]


async def test_only_the_projects_team_imports(env):
    slug = await _project(env, [])
    form = await _open_form(env, slug)
    answer = await _check(env, form, _csv("date,measure,value", "2026-06-01,wait,19"), user_id=OTHER_ID)
    assert answer["errors"]["measure"].startswith("Only the project's team can add its data.")


async def test_a_file_is_read_only_with_the_bot_token_and_files_read(env):
    slug = await _project(env, [])
    picked = env.slack.add_user_file(MEMBER_ID, "series.csv", b"date,value\n")
    async with aiohttp.ClientSession() as http:
        for headers in ({}, {"Authorization": "Bearer xoxb-wrong"}):
            async with http.get(picked["url_private"], headers=headers, allow_redirects=False) as answer:
                assert answer.status == 302 and "/signin" in answer.headers["Location"]
            async with http.get(picked["url_private"], headers=headers) as answer:  # followed: Slack's sign-in page
                assert answer.content_type == "text/html"
        async with http.get(picked["url_private_download"], headers={"Authorization": "Bearer xoxb-test"}) as answer:
            assert answer.status == 200 and await answer.read() == b"date,value\n"

    env.slack.scopes = env.slack.scopes - {"files:read"}
    form = await _open_form(env, slug)
    answer = await _check(env, form, _csv("date,measure,value", "2026-06-01,wait,19"))
    assert "may need the files:read permission" in answer["errors"]["file"]


async def test_a_file_address_that_is_not_slacks_is_never_fetched(env):
    slug = await _project(env, [])
    form = await _open_form(env, slug)
    forged = {**env.slack.add_user_file(MEMBER_ID, "s.csv", b"date,measure,value\n2026-06-01,wait,1\n"),
              "url_private": "http://169.254.169.254/latest/meta-data", "url_private_download": None}
    answer = await env.driver.submit_view("charts_import_csv", state_values(
        measure={"value": {"selected": "each"}}, file={"value": {"files": [forged]}}), view=form)
    assert answer.json()["errors"]["file"].startswith("I can't read that file: it is not one Slack holds.")
    assert [c for c in env.slack.calls if c.method == "files-pri"] == []


async def test_the_stand_in_refuses_a_file_input_outside_an_input_block(env):
    view = {"type": "modal", "title": {"type": "plain_text", "text": "Import"},
            "blocks": [{"type": "actions", "elements": [{"type": "file_input", "action_id": "f", "max_files": 11}]}]}
    async with aiohttp.ClientSession() as http, http.post(
            env.slack.api_url + "views.open", json={"trigger_id": env.slack.issue_trigger(), "view": view},
            headers={"Authorization": "Bearer xoxb-test"}) as answer:
        refused = await answer.json()
    assert refused["ok"] is False and refused["error"] == "invalid_arguments"
    problems = refused["response_metadata"]["messages"]
    assert any("unsupported type: file_input" in m for m in problems) and any("max_files" in m for m in problems)


async def test_an_import_looks_for_new_signals(env):
    from tests.charts.helpers import WAIT_AFTER, WAIT_BASELINE

    slug = await _project(env, [])
    form = await _open_form(env, slug)
    start = env.clock.now().date() - timedelta(weeks=38)
    rows = [f"{start + timedelta(weeks=i)},wait,{v}" for i, v in enumerate(WAIT_BASELINE + WAIT_AFTER)]
    dry_run = (await _check(env, form, _csv("date,measure,value", *rows)))["view"]
    await _confirm(env, {**form, **dry_run})
    await env.settle()
    await env.runtime.outbox.drain()
    # The project has no card in a channel yet (nothing shared), so its owner hears it.
    told = [m for m in env.slack.messages(env.slack.dm_channel(MEMBER_ID)) if "A signal of" in m.get("text", "")]
    assert len(told) == 1 and told[0]["text"].startswith("A signal of improvement in Wait to first assessment")
    async with env.runtime.db.session() as session:
        assert len((await session.scalars(select(MeasureDataPoint))).all()) == 39
