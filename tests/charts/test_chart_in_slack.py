"""A project's run chart in Slack: `/qi-commons chart` to the member's DM, "Run chart" into the project's thread."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select, update

from bot.sharing import services
from bot.sharing.projects import ProjectFields
from bot.sharing.updates import DataPoint, UpdateFields
from handlers.charts import data_entry
from handlers.sharing.posting import RENDER, publish
from sandbox import state_values
from storage.models import AuditLog, ChartSignal, QiMeasure
from tests.ack_order import slow_store
from tests.charts.helpers import WAIT_AFTER, WAIT_BASELINE
from tests.conftest import MEMBER_ID, OTHER_ID
from tests.sharing_helpers import button, posts

TEAM = "T0001"
PNG = b"\x89PNG\r\n\x1a\n"


async def _project(env, values, *, measures=(("outcome", "Wait to first assessment"), ("process", "Triage forms used")),
                   slug_title="Faster first assessment", direction="down", baseline=24):
    saved = await services.save_project(env.runtime, team_id=TEAM, user_id=MEMBER_ID, fields=ProjectFields(
        title=slug_title, aim="First assessment within 14 days", measures=measures, change_ideas=None,
        pdsa_stage="do", progress_score=Decimal("3.0"), members=(), tags=()))
    project = await services.project_to_change(env.runtime, TEAM, MEMBER_ID, saved.project_id)
    if not project.measures:
        return saved.slug
    outcome = project.measures[0]
    async with env.runtime.db.session() as session, session.begin():
        await session.execute(update(QiMeasure).where(QiMeasure.id == outcome.id).values(
            direction=direction, baseline_points=baseline, unit="days"))
    today = env.clock.now().date()
    for weeks_ago, value in zip(range(len(values) - 1, -1, -1), values, strict=True):
        shared = await services.share_update(
            env.runtime, team_id=TEAM, user_id=MEMBER_ID, project_id=saved.project_id, render=RENDER,
            fields=UpdateFields(tried=f"Week {len(values) - weeks_ago}", pdsa_stage="do"),
            data_point=DataPoint(outcome.id, Decimal(value), today - timedelta(weeks=weeks_ago)))
        # Each share posted before the next, as members share week by week (and as the share form posts it).
        await publish(env.runtime, team_id=TEAM, update_id=shared.update_id, queued=shared.queued)
    await env.settle()
    return saved.slug


def _dm_files(env, user_id):
    dm = env.slack.dm_channel(user_id)
    return [f for f in env.slack.files if f.channel == dm]


async def test_the_chart_command_sends_the_png_and_the_signal_in_words_to_the_members_dm(env):
    slug = await _project(env, WAIT_BASELINE + WAIT_AFTER)
    await env.driver.command("/qi-commons", f"chart #{slug}", user_id=OTHER_ID)  # any member of the team may chart
    await env.settle()

    [sent] = _dm_files(env, OTHER_ID)
    assert sent.content.startswith(PNG) and sent.filename == f"run-chart-{slug}.png"
    signal = "Median 19 over the first 24 points; 15 points in a row below it (limit 8): a signal of improvement."
    assert sent.alt_txt.startswith(f"Run chart of Wait to first assessment (Faster first assessment). {signal}")
    assert sent.initial_comment.startswith(f"*Run chart: Wait to first assessment* (`#{slug}`, 39 points)\n{signal}")
    assert "Other measures: Triage forms used." in sent.initial_comment
    reply = env.slack.responses()[-1]
    assert reply["response_type"] == "ephemeral"
    assert reply["text"].startswith("Sent the run chart of Wait to first assessment to our direct messages.")
    assert env.slack.messages("C0COMMUNITY") == posts(env)  # nothing new in the channel


async def test_which_way_is_better_decides_improvement_or_deterioration_and_unsaid_calls_neither(env):
    slug = await _project(env, WAIT_BASELINE + WAIT_AFTER, direction="up")
    await env.driver.command("/qi-commons", f"chart #{slug}")
    await env.settle()
    assert "a signal of deterioration" in _dm_files(env, MEMBER_ID)[-1].initial_comment

    async with env.runtime.db.session() as session, session.begin():
        await session.execute(update(QiMeasure).values(direction=None))
    await env.driver.command("/qi-commons", f"chart #{slug}")
    await env.settle()
    words = _dm_files(env, MEMBER_ID)[-1].initial_comment
    assert "a signal of non-random variation" in words
    assert "Nobody has said yet whether higher or lower is better" in words


async def test_a_measure_is_chosen_by_name_part_or_number(env):
    slug = await _project(env, [3, 4, 5])
    async with env.runtime.db.session() as session:
        process = await session.scalar(select(QiMeasure).where(QiMeasure.kind == "process"))
    await env.driver.command("/qi-commons", f"chart #{slug} triage")
    await env.settle()
    assert "Triage forms used\" has 0 data points so far" in env.slack.responses()[-1]["text"]
    await env.driver.command("/qi-commons", f"chart #{slug} 1")
    await env.settle()
    assert "*Run chart: Wait to first assessment*" in _dm_files(env, MEMBER_ID)[-1].initial_comment
    await env.driver.command("/qi-commons", f"chart #{slug} readmissions")
    await env.settle()
    assert env.slack.responses()[-1]["text"] == (
        "This project has no measure called \"readmissions\". Its measures: 1. Wait to first assessment; "
        f"2. {process.name}.")


async def test_bad_requests_are_answered_in_words(env):
    await env.driver.command("/qi-commons", "chart")
    await env.settle()
    assert env.slack.responses()[-1]["text"].startswith("Send `/qi-commons chart #project` for its main measure")
    await env.driver.command("/qi-commons", "chart #no-such-project")
    await env.settle()
    assert env.slack.responses()[-1]["text"] == ("I can't find a project called `#no-such-project`. "
                                                 "`/qi-share list` shows yours.")
    slug = await _project(env, [], measures=())
    await env.driver.command("/qi-commons", f"chart #{slug}")
    await env.settle()
    assert env.slack.responses()[-1]["text"].startswith(f"`#{slug}` has no measures yet.")
    assert env.slack.files == []


async def test_the_run_chart_button_on_a_project_card_posts_the_chart_in_its_thread(env):
    slug = await _project(env, WAIT_BASELINE + WAIT_AFTER)
    [card] = [m for m in posts(env) if m.get("thread_ts") in (None, m["ts"]) and "QI project:" in m["text"]]
    chart_button = button(card, "charts_run_chart")
    assert chart_button["text"]["text"] == "Run chart" and chart_button["value"] == slug
    await env.driver.action("charts_run_chart", value=slug, message=card, user_id=OTHER_ID)
    await env.settle()
    [sent] = env.slack.files
    assert (sent.channel, sent.thread_ts) == ("C0COMMUNITY", card["ts"])
    assert "a signal of improvement" in sent.initial_comment


async def test_a_measure_name_is_shown_literally(env):
    slug = await _project(env, [3, 4, 5], measures=(("outcome", "Falls <!channel> & *bold*"),))
    await env.driver.command("/qi-commons", f"chart #{slug}")
    await env.settle()
    comment = _dm_files(env, MEMBER_ID)[-1].initial_comment
    assert "Falls &lt;!channel&gt; &amp; *bold*" in comment and "<!channel>" not in comment


def _details(direction=None, unit=None, goal=None, baseline=None):
    return state_values(direction={"value": {"selected": direction or "none"}}, unit={"value": unit or ""},
                        goal={"value": goal or ""}, baseline={"value": baseline or ""})


async def _open_details(env, user_id=MEMBER_ID):
    reply = env.slack.responses()[-1]
    [details] = [b["accessory"] for b in reply["blocks"] if b.get("accessory", {}).get("action_id") == "charts_measure_details"]
    await env.driver.action("charts_measure_details", value=details["value"], user_id=user_id)
    await env.settle()
    return details["value"]


async def test_the_owner_sets_which_way_is_better_and_the_next_chart_follows_it(env):
    slug = await _project(env, WAIT_BASELINE + WAIT_AFTER, direction=None, baseline=None)
    await env.driver.command("/qi-commons", f"chart #{slug}")
    await env.settle()
    assert "non-random variation" in _dm_files(env, MEMBER_ID)[-1].initial_comment
    await _open_details(env)
    modal = env.slack.opened_views[-1]["view"]
    assert modal["callback_id"] == "charts_measure_details"

    bad = await env.driver.submit_view("charts_measure_details", _details("down", goal="quatorze", baseline="0"),
                                       view=modal)
    assert set(bad.json()["errors"]) == {"goal", "baseline"}
    ok = await env.driver.submit_view("charts_measure_details", _details("down", "days", "14,5", "24"), view=modal)
    assert ok.status == 200 and not ok.body
    async with env.runtime.db.session() as session:
        measure = await session.scalar(select(QiMeasure).where(QiMeasure.kind == "outcome"))
        audit = await session.scalar(select(AuditLog).where(AuditLog.action == "qi_measure.details_changed"))
    assert (measure.direction, measure.unit, measure.goal, measure.baseline_points) == ("down", "days", Decimal("14.5"), 24)
    assert audit.actor_id == MEMBER_ID

    await env.driver.command("/qi-commons", f"chart #{slug}")
    await env.settle()
    assert "Median 19 over the first 24 points; 15 points in a row below it (limit 8): a signal of improvement." in (
        _dm_files(env, MEMBER_ID)[-1].initial_comment)


async def test_only_the_owner_or_an_admin_may_change_a_measure(env):
    slug = await _project(env, [3, 4, 5])
    await env.driver.command("/qi-commons", f"chart #{slug}", user_id=OTHER_ID)
    await env.settle()
    assert env.slack.responses()[-1].get("blocks") in (None, [])  # no details button for them
    async with env.runtime.db.session() as session:
        measure = await session.scalar(select(QiMeasure).where(QiMeasure.kind == "outcome"))
    await env.driver.action("charts_measure_details", value=str(measure.id), user_id=OTHER_ID)  # a forged click
    await env.settle()
    assert env.slack.responses()[-1]["text"] == "Only the project's owner (or a QI Commons admin) can change its measures."
    await env.driver.command("/qi-commons", f"chart #{slug}")
    await env.settle()
    await _open_details(env)
    modal = env.slack.opened_views[-1]["view"]
    forged = await env.driver.submit_view("charts_measure_details", _details("up"), view=modal, user_id=OTHER_ID)
    assert "Only the project's owner" in forged.json()["errors"]["direction"]
    async with env.runtime.db.session() as session:
        assert (await session.get(QiMeasure, measure.id)).direction == "down"


async def test_a_unit_with_an_identifier_is_refused_and_nothing_is_stored(env):
    slug = await _project(env, [3, 4, 5])
    await env.driver.command("/qi-commons", f"chart #{slug}")
    await env.settle()
    await _open_details(env)
    refused = await env.driver.submit_view("charts_measure_details", _details("up", unit="pt 1234-567-897"),
                                           view=env.slack.opened_views[-1]["view"])
    assert "health card number" in refused.json()["errors"]["unit"]
    async with env.runtime.db.session() as session:
        assert (await session.scalar(select(QiMeasure).where(QiMeasure.kind == "outcome"))).unit == "days"


async def test_csv_sends_the_series_with_its_analysis(env):
    slug = await _project(env, WAIT_BASELINE + WAIT_AFTER)
    await env.driver.command("/qi-commons", f"chart #{slug} wait csv")
    await env.settle()
    [sent] = _dm_files(env, MEMBER_ID)
    assert sent.filename == f"run-chart-{slug}.csv"
    lines = sent.content.decode("utf-8-sig").splitlines()
    assert lines[0] == "date,value,part,centre_line,in_longest_run,signal,note"
    assert len(lines) == 40  # the header and 39 points
    assert lines[-1].split(",")[1:5] == ["11", "1", "19", "yes"] and "longest_run" in lines[-1]
    assert env.slack.responses()[-1]["text"].startswith("Sent the data of the run chart of Wait to first assessment")


async def test_the_home_offers_each_projects_run_chart_and_sends_it_by_dm(env):
    slug = await _project(env, WAIT_BASELINE + WAIT_AFTER)
    await env.driver.event({"type": "app_home_opened", "user": MEMBER_ID, "tab": "home", "channel": "D0HOME"})
    await env.settle()
    home = env.slack.home_view(MEMBER_ID)
    [chart_button] = [e for b in home["blocks"] if b["type"] == "actions" for e in b["elements"]
                      if e["action_id"] == "charts_run_chart_dm"]
    assert chart_button["value"] == slug
    await env.driver.action("charts_run_chart_dm", value=slug, view=home)
    await env.settle()
    [sent] = _dm_files(env, MEMBER_ID)
    assert sent.content.startswith(PNG) and "a signal of improvement" in sent.initial_comment

    await env.driver.action("charts_run_chart_dm", value="gone-project", view=home)  # deleted meanwhile
    await env.settle()
    assert "I can't find a project called `#gone-project`" in env.slack.messages(env.slack.dm_channel(MEMBER_ID))[-1]["text"]


async def _announcements(env, channel):
    await env.settle()
    await env.runtime.outbox.drain()
    return [m for m in env.slack.messages(channel) if "A signal of" in m.get("text", "")]


async def test_a_signal_of_improvement_is_told_in_the_projects_thread_once(env):
    slug = await _project(env, WAIT_BASELINE + WAIT_AFTER)
    said = await _announcements(env, "C0COMMUNITY")
    assert len(said) == 1  # its shift, then its long run: one change, told once
    async with env.runtime.db.session() as session:
        assert {s.rule for s in (await session.scalars(select(ChartSignal))).all()} >= {"shift", "longest_run"}
    [card] = [m for m in posts(env) if "QI project:" in m["text"] and m.get("thread_ts") in (None, m["ts"])]
    assert all(m["thread_ts"] == card["ts"] for m in said)
    assert said[0]["text"] == f"A signal of improvement in Wait to first assessment (#{slug})"

    # One more point on the same run: the same signals, so nothing new is said.
    async with env.runtime.db.session() as session:
        outcome = await session.scalar(select(QiMeasure).where(QiMeasure.kind == "outcome"))
    await services.share_update(env.runtime, team_id=TEAM, user_id=MEMBER_ID, render=RENDER,
                                project_id=outcome.project_id, fields=UpdateFields(tried="Week 40", pdsa_stage="do"),
                                data_point=DataPoint(outcome.id, Decimal(12), env.clock.now().date()))
    assert len(await _announcements(env, "C0COMMUNITY")) == len(said)


async def test_a_signal_of_deterioration_is_told_to_the_owner_alone(env):
    await _project(env, WAIT_BASELINE + WAIT_AFTER, direction="up")
    assert await _announcements(env, "C0COMMUNITY") == []
    told = await _announcements(env, env.slack.dm_channel(MEMBER_ID))
    assert told and all("A signal of deterioration" in m["text"] for m in told)
    assert "only you see this" in told[0]["blocks"][0]["text"]["text"]


async def test_the_weeks_signals_of_improvement_are_in_the_digest(env):
    from handlers.weekly.jobs import run_weekly_job

    slug = await _project(env, WAIT_BASELINE + WAIT_AFTER)
    await _announcements(env, "C0COMMUNITY")
    env.clock.advance(timedelta(days=3))  # past Friday's digest time
    assert (await run_weekly_job(env.runtime, "digest")).outcome == "posted"
    digest = env.slack.messages("C0COMMUNITY")[-1]
    [signals] = [b for b in digest["blocks"] if "Signals of improvement" in b.get("text", {}).get("text", "")]
    text = signals["text"]["text"]
    assert f"*Wait to first assessment* in Faster first assessment (`#{slug}`)" in text
    assert text.count("Wait to first assessment") == 1  # its shift and its long run: one line


async def test_a_refused_upload_is_told_and_asked_again(env):
    slug = await _project(env, [3, 4, 5])
    env.slack.fail("files.completeUploadExternal", error="internal_error")
    await env.driver.command("/qi-commons", f"chart #{slug}")
    await env.settle()
    assert env.slack.responses()[-1]["text"] == ("I couldn't upload the chart just now. The data is safe; "
                                                 "please try again in a minute.")


async def _points(env):
    from storage.models import MeasureDataPoint

    async with env.runtime.db.session() as session:
        rows = (await session.scalars(select(MeasureDataPoint).order_by(MeasureDataPoint.observed_on,
                                                                       MeasureDataPoint.id))).all()
    return [(r.observed_on.isoformat(), f"{r.value.normalize():f}") for r in rows]


async def test_data_points_in_one_line_are_stored_before_the_ack_and_a_second_value_on_a_date_asks(env):
    slug = await _project(env, [])
    response = await env.driver.command("/qi-share", f"#{slug} data wait=12,5 triage=3 2026-11-20")
    assert response.json()["response_type"] == "ephemeral"
    assert response.json()["text"] == (f"Added Wait to first assessment = 12.5, Triage forms used = 3 on 20 Nov 2026 "
                                       f"to `#{slug}`. `/qi-commons chart #{slug}` shows the run chart.")
    assert await _points(env) == [("2026-11-20", "12.5"), ("2026-11-20", "3")]
    await env.driver.command("/qi-share", f"#{slug} data wait=14")  # today, where the member is
    assert (await _points(env))[-1] == ("2026-11-25", "14")

    asked = (await env.driver.command("/qi-share", f"#{slug} data wait=11 2026-11-20")).json()
    assert asked["text"].startswith("Wait to first assessment already has a value on 20 Nov 2026.")
    assert len(await _points(env)) == 3  # nothing stored until they choose
    replace = asked["blocks"][1]["elements"][0]
    await env.driver.action("charts_data_replace", value=replace["value"])
    await env.settle()
    assert ("2026-11-20", "11") in await _points(env) and ("2026-11-20", "12.5") not in await _points(env)
    async with env.runtime.db.session() as session:
        assert await session.scalar(select(AuditLog).where(AuditLog.action == "qi_measure.data_added",
                                                           AuditLog.detail["replaced"].as_boolean())) is not None


async def test_bad_data_lines_say_what_to_fix_and_store_nothing(env):
    slug = await _project(env, [])
    answers = {}
    for text in ("wait=abc", "wait=3 2026-13-45", "wait=3 2027-06-01", "wait=3 2010-01-01", "readmissions=3",
                 "wait=", "wait = 3", "=3"):
        answers[text] = (await env.driver.command("/qi-share", f"#{slug} data {text}")).json()["text"]
    assert answers["wait=abc"].startswith("wait: That is not a number")
    assert answers["wait=3 2026-13-45"].startswith("2026-13-45 is not a date on the calendar")
    assert answers["wait=3 2027-06-01"] == "01 Jun 2027 is in the future: give the date the value was measured."
    assert answers["wait=3 2010-01-01"] == "01 Jan 2010 is more than ten years ago: check the year."
    assert answers["readmissions=3"].startswith("This project has no measure called \"readmissions\"")
    assert answers["wait="].startswith("Put the value right after `=`")
    assert answers["wait = 3"].startswith("Put the value right after `=`")
    assert answers["=3"].startswith("Put the measure's name right before `=`")
    assert await _points(env) == []
    refused = (await env.driver.command("/qi-share", f"#{slug} data wait=3", user_id=OTHER_ID)).json()
    assert refused["text"].startswith("Only the project's team can add its data.")
    assert await _points(env) == [] and posts(env) == [m for m in posts(env) if "QI project:" in m["text"]]


async def test_add_data_on_a_project_card_opens_a_form_that_stores_the_point(env):
    slug = await _project(env, [5, 6])
    [card] = [m for m in posts(env) if "QI project:" in m["text"] and m.get("thread_ts") in (None, m["ts"])]
    assert button(card, "charts_add_data")["value"] == slug
    await env.driver.action("charts_add_data", value=slug, message=card)
    await env.settle()
    form = env.slack.opened_views[-1]["view"]
    assert form["callback_id"] == "charts_add_data"
    measures = form["blocks"][1]["element"]["options"]
    values = state_values(measure={"value": {"selected": measures[0]["value"]}},
                          on={"value": {"selected_date": "2026-11-24"}}, value={"value": "7,5"})
    ok = await env.driver.submit_view("charts_add_data", values, view=form)
    assert ok.status == 200 and not ok.body
    assert ("2026-11-24", "7.5") in await _points(env)

    again = await env.driver.submit_view("charts_add_data", values, view=form)
    assert "already has a value on 24 Nov 2026" in again.json()["errors"]["on"]
    bad = await env.driver.submit_view("charts_add_data", state_values(
        measure={"value": {"selected": measures[0]["value"]}}, on={"value": {"selected_date": "2026-13-45"}},
        value={"value": "lots"}), view=form)
    assert set(bad.json()["errors"]) == {"on", "value"}
    stale = await env.driver.submit_view("charts_add_data", values, view={**form, "private_metadata": "not json"})
    assert "out of date" in stale.json()["errors"]["measure"]
    assert len(await _points(env)) == 3


async def test_a_forged_measure_id_is_answered_not_raised(env):
    slug = await _project(env, [3, 4])
    for forged in ("99999999999", "-1", "abc", "²"):
        await env.driver.action("charts_measure_details", value=forged)
        await env.settle()
        assert env.slack.responses()[-1]["text"] == "That measure is no longer in the project."
    await env.driver.command("/qi-commons", f"chart #{slug}")
    await env.settle()
    await _open_details(env)
    modal = env.slack.opened_views[-1]["view"]
    forged = await env.driver.submit_view("charts_measure_details", _details("up"),
                                          view={**modal, "private_metadata": '{"m": 99999999999}'})
    assert "out of date" in forged.json()["errors"]["direction"]


async def test_a_change_adopted_on_a_date_splits_the_chart_into_before_and_after(env):
    slug = await _project(env, WAIT_BASELINE + WAIT_AFTER, baseline=None)
    async with env.runtime.db.session() as session:
        outcome = await session.scalar(select(QiMeasure).where(QiMeasure.kind == "outcome"))
    first_after = sorted(p for p, _ in await _points(env))[24]
    await env.driver.command("/qi-commons", f"chart #{slug}")
    await env.settle()
    await _open_details(env)
    values = {**_details("down"), "change_on": {"value": {"type": "datepicker", "selected_date": first_after}}}
    ok = await env.driver.submit_view("charts_measure_details", values, view=env.slack.opened_views[-1]["view"])
    assert ok.status == 200 and not ok.body
    async with env.runtime.db.session() as session:
        assert (await session.get(QiMeasure, outcome.id)).change_on.isoformat() == first_after
    await env.driver.command("/qi-commons", f"chart #{slug}")
    await env.settle()
    words = _dm_files(env, MEMBER_ID)[-1].initial_comment
    assert "Part 1: Median 19 over 24 points;" in words and "Part 2: Median 13 over 15 points;" in words


async def test_a_point_is_removed_by_its_owner_or_recorder_only_and_audited(env):
    slug = await _project(env, [])
    await env.driver.command("/qi-share", f"#{slug} data wait=12 2026-11-20")
    refused = (await env.driver.command("/qi-share", f"#{slug} data remove wait 2026-11-20", user_id=OTHER_ID)).json()
    assert refused["text"] == "Only the project's owner, an admin or whoever added a value can remove it."
    assert len(await _points(env)) == 1
    done = (await env.driver.command("/qi-share", f"#{slug} data remove wait 2026-11-20")).json()
    assert done["text"] == f"Removed the value of Wait to first assessment on 20 Nov 2026 from `#{slug}`."
    assert await _points(env) == []
    async with env.runtime.db.session() as session:
        audit = await session.scalar(select(AuditLog).where(AuditLog.action == "qi_measure.data_removed"))
    assert audit.detail == {"observed_on": "2026-11-20", "value": "12.0000"}
    again = (await env.driver.command("/qi-share", f"#{slug} data remove wait 2026-11-20")).json()
    assert again["text"] == "Wait to first assessment has no value on 20 Nov 2026: nothing was removed."
    vague = (await env.driver.command("/qi-share", f"#{slug} data remove wait")).json()
    assert vague["text"].startswith("Name the measure and the date")


async def test_an_update_that_starts_with_the_word_data_is_shared_as_an_update(env):
    slug = await _project(env, [])
    await env.driver.command("/qi-share", f"#{slug} data shows fewer waits since the triage form")
    await env.settle()
    assert "data shows fewer waits since the triage form" in str(posts(env)[-1]["blocks"])
    assert await _points(env) == []


@pytest.mark.parametrize("choice, expected", [
    ("charts_data_replace", [("2026-11-20", "11")]),
    ("charts_data_keep_both", [("2026-11-20", "12.5"), ("2026-11-20", "11")]),
])
async def test_the_duplicate_date_choice_is_stored_before_the_ack(env, monkeypatch, choice, expected):
    slug = await _project(env, [])
    await env.driver.command("/qi-share", f"#{slug} data wait=12,5 2026-11-20")
    asked = (await env.driver.command("/qi-share", f"#{slug} data wait=11 2026-11-20")).json()
    [chosen] = [b for b in asked["blocks"][1]["elements"] if b["action_id"] == choice]
    slow_store(monkeypatch, data_entry, "add_points")
    response = await env.driver.action(choice, value=chosen["value"])
    assert response.status == 200 and await _points(env) == expected
    await env.settle()
    assert env.slack.responses()[-1]["text"].startswith("Added Wait to first assessment = 11 on 20 Nov 2026")
