"""/cpd-log end to end: signed commands, actions and form submissions against the Slack stand-in."""

from __future__ import annotations

import csv
import io
import json
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import select

from bot.cpd.export import FILE_ENCODING
from handlers.cpd import entries_list, undo
from handlers.cpd.entries_list import NOT_YOURS
from sandbox import state_values
from storage.models import CpdEntry, Member
from tests.ack_order import slow_store
from tests.conftest import ADMIN_ID, MEMBER_ID, OTHER_ID
from tests.golden import assert_golden, validate_blocks

AUDIT = "2h s3 Chart audit of metabolic monitoring"


async def cpd(env, text: str, user_id: str = MEMBER_ID) -> dict:
    """Send /cpd-log TEXT and return the ephemeral reply."""
    before = len(env.slack.responses())
    await env.driver.command("/cpd-log", text, user_id=user_id)
    await env.settle()
    replies = env.slack.responses()
    assert len(replies) == before + 1, f"expected one reply to /cpd-log {text!r}, got {replies[before:]}"
    return replies[-1]


async def entries(env, user_id: str = MEMBER_ID) -> list[CpdEntry]:
    async with env.runtime.db.session() as session:
        return list(
            (
                await session.scalars(
                    select(CpdEntry).where(CpdEntry.member_id == user_id).order_by(CpdEntry.id)
                )
            ).all()
        )


def button(message: dict, action_id: str) -> dict:
    for block in message["blocks"]:
        for element in block.get("elements", []) + ([block["accessory"]] if "accessory" in block else []):
            if element.get("action_id") == action_id:
                return element
    raise AssertionError(f"no {action_id} button in {message}")


def record_member_changes(env) -> list[tuple[str, str]]:
    seen: list[tuple[str, str]] = []

    async def listener(team_id: str, user_id: str) -> None:
        seen.append((team_id, user_id))

    env.runtime.member_change_listeners.append(listener)
    return seen


def entry_values(**overrides) -> dict:
    values = {
        "date": {"selected_date": "2026-11-20"},
        "activity": {"selected": "s3-chart-audit"},
        "amount": "1h30",
        "title": "Audit of lithium monitoring",
        "reflection_learned": "Levels drift.",
        "reflection_change": None,
        "reflection_further": None,
    }
    values.update(overrides)
    # As Slack sends it: keyed by each element's action id, and the activity select has its own.
    return state_values(
        {
            block: {"cpd_entry_activity" if block == "activity" else "value": value}
            for block, value in values.items()
        }
    )


# --- quick entry ---------------------------------------------------------------------------------



async def test_a_quick_entry_is_committed_before_the_ack_which_carries_the_answer(env):
    response = await env.driver.command("/cpd-log", AUDIT)
    # Slack has the ack: the entry is stored already (a crash from here on cannot lose it), and the ack
    # itself is the answer the member sees; no response_url call is needed for it.
    assert [e.title for e in await entries(env)] == ["Chart audit of metabolic monitoring"]
    assert response.json()["response_type"] == "ephemeral" and "Logged" in response.json()["text"]
    await env.settle()
    assert env.slack.responses() == [response.json()]


async def test_a_quick_entry_stored_after_slack_stopped_waiting_is_still_answered(env, monkeypatch):
    from handlers.cpd import quick_entry
    from tests.ack_order import slow_store

    slow_store(monkeypatch, quick_entry, "log_quick_entry", seconds=3.3)  # a store queued behind a burst
    response = await env.driver.command("/cpd-log", AUDIT)
    assert response.status == 404  # no ack within 3 s: Slack tells the member it timed out
    await env.settle()
    [entry] = await entries(env)  # stored all the same, once
    [answer] = env.slack.responses()  # and the answer the ack could not carry came by the response_url
    assert "Logged" in answer["text"] and answer["response_type"] == "ephemeral"


async def test_a_quick_entry_that_cannot_be_stored_is_refused_in_the_ack(env, monkeypatch):
    from handlers.cpd import quick_entry

    async def broken(*args, **kwargs):
        raise RuntimeError("database unavailable")

    monkeypatch.setattr(quick_entry, "log_quick_entry", broken)
    response = await env.driver.command("/cpd-log", AUDIT)
    assert response.status == 200
    assert "nothing you typed was kept" in response.json()["text"] and "try again" in response.json()["text"]
    await env.settle()
    assert await entries(env) == []

async def test_quick_entry_logs_six_moc_credits_in_section_3(env):
    changes = record_member_changes(env)
    reply = await cpd(env, AUDIT)

    [entry] = await entries(env)
    assert (entry.hours, entry.quantity, entry.activity_type) == (
        Decimal("2.00"),
        None,
        "s3-practice-assessment",
    )
    assert (entry.framework, entry.source, entry.occurred_on) == ("rcpsc-moc", "quick", date(2026, 11, 25))
    assert entry.title == "Chart audit of metabolic monitoring"
    assert "6 Royal College MOC credits" in reply["blocks"][0]["text"]["text"]
    assert "Section 3" in reply["blocks"][0]["text"]["text"]
    assert reply["response_type"] == "ephemeral"
    assert button(reply, "cpd_add_reflection")["value"] == str(entry.id)
    assert changes == [("T0001", MEMBER_ID)]
    assert_golden("cpd_quick_entry_logged", {"text": reply["text"], "blocks": reply["blocks"]})


async def test_quick_entry_without_a_type_says_what_it_assumed(env):
    reply = await cpd(env, "90m Clozapine monitoring")

    [entry] = await entries(env)
    assert (entry.activity_type, entry.hours) == ("s2-plp", Decimal("1.50"))
    assert "3 Royal College MOC credits" in reply["blocks"][0]["text"]["text"]
    assert "Assumed Section 2 · Personal learning project" in reply["blocks"][1]["elements"][0]["text"]


async def test_quick_entry_reads_the_type_from_its_words_and_says_so(env):
    # Issue 16 item 4: this was logged as Section 2, 4 credits.
    reply = await cpd(env, "2 hours chart audit with feedback")

    [entry] = await entries(env)
    assert (entry.activity_type, entry.hours, entry.title) == ("s3-chart-audit", Decimal("2.00"),
                                                                "chart audit with feedback")
    assert "Section 3 · Chart audit and feedback · *6 Royal College MOC credits*" in reply["blocks"][0]["text"]["text"]
    assert "because of “chart audit”" in reply["blocks"][1]["elements"][0]["text"]


async def test_quick_entry_understands_yesterday(env):
    await cpd(env, "2h s1 yesterday workshop")

    [entry] = await entries(env)
    assert (entry.occurred_on, entry.title, entry.activity_type) == (date(2026, 11, 24), "workshop", "s1-accredited")


async def test_a_journal_club_is_asked_about_and_the_choice_opens_the_form_filled_in(env):
    # Accredited or not only the member knows: the bot asks instead of guessing a section.
    reply = await cpd(env, "90 min journal club")

    assert await entries(env) == []
    assert reply["text"] == "“journal club” can be logged more than one way: which was it?"
    assert_golden("cpd_quick_entry_question", {"text": reply["text"], "blocks": reply["blocks"]})
    choices = [b["elements"][0] for b in reply["blocks"] if b["type"] == "actions"]
    assert [c["text"]["text"] for c in choices] == [
        "Section 1 · Accredited group learning = 1.5 credits",
        "Section 1 · Unaccredited group learning = 0.75 credits",
    ]

    await env.driver.action("cpd_open_entry_form", value=choices[1]["value"])
    await env.settle()
    view = env.slack.opened_views[-1]["view"]
    fields = {b["block_id"]: b.get("element", {}) for b in view["blocks"] if b["type"] == "input"}
    assert fields["activity"]["initial_option"]["value"] == "s1-unaccredited"
    assert fields["amount"]["initial_value"] == "1.5"
    assert fields["title"]["initial_value"] == "journal club"
    await env.driver.submit_view("cpd_entry", entry_values(
        date={"selected_date": "2026-11-25"}, activity={"selected": "s1-unaccredited"}, amount="1.5",
        title="journal club"), view=view)

    [entry] = await entries(env)
    assert (entry.activity_type, entry.hours, entry.source) == ("s1-unaccredited", Decimal("1.50"), "quick")


async def test_a_question_about_a_title_with_an_identifier_is_refused_without_echoing_it(env):
    reply = await cpd(env, "1h journal club on MRN 4455667")

    assert "4455667" not in json.dumps(reply)
    assert await entries(env) == []


async def test_quick_entry_counts_items(env):
    reply = await cpd(env, "3 articles Lithium toxicity reviews")

    [entry] = await entries(env)
    assert (entry.activity_type, entry.hours, entry.quantity) == ("s2-scan-article", None, Decimal("3.00"))
    assert (
        "3 articles · Section 2 · Scanning: journal article · *3 Royal College MOC credits*"
        in (reply["blocks"][0]["text"]["text"])
    )


async def test_unreadable_text_shows_the_accepted_forms_and_logs_nothing(env):
    reply = await cpd(env, "Grand rounds on suicide risk")

    assert "I couldn't find how long it took" in reply["text"]
    assert "/cpd-log 1.5h s1 Grand rounds on suicide risk" in reply["text"]
    assert "1.5, 1,5, 1.5h, 90m, 1h30, 1:30 or an hour" in reply["text"]
    assert await entries(env) == []


async def test_out_of_range_hours_future_dates_and_long_text_are_refused(env):
    assert "at most 24 hours" in (await cpd(env, "25h s1 Conference"))["text"]
    assert "in the future" in (await cpd(env, "1h 2026-11-26 Tomorrow's rounds"))["text"]
    assert "too long" in (await cpd(env, "1h " + "x" * 1000))["text"]
    assert await entries(env) == []


async def test_a_title_with_a_patient_identifier_is_not_stored_or_echoed(env):
    reply = await cpd(env, "1h s1 Case review MRN 4455667")

    assert "medical record or chart number" in reply["text"]
    assert "4455667" not in json.dumps(reply)
    assert await entries(env) == []


async def test_user_text_is_escaped_in_the_reply(env):
    reply = await cpd(env, "1h s1 <!channel> rounds & <https://evil|safe>")

    shown = reply["blocks"][0]["text"]
    assert "&lt;!channel&gt; rounds &amp; &lt;https://evil|safe&gt;" in shown["text"]
    assert shown["verbatim"] is True
    assert "<!channel>" not in reply["text"]


# --- the form ------------------------------------------------------------------------------------


async def test_cpd_log_alone_opens_the_form_and_a_submission_is_stored(env):
    await cpd_form(env)
    opened = env.slack.opened_views[-1]["view"]
    assert_golden(
        "cpd_entry_form",
        {
            k: opened[k]
            for k in ("type", "callback_id", "title", "submit", "close", "blocks", "private_metadata")
        },
    )
    changes = record_member_changes(env)

    response = await env.driver.submit_view("cpd_entry", entry_values(), view=opened)

    [entry] = await entries(env)
    assert (entry.activity_type, entry.hours, entry.occurred_on) == (
        "s3-chart-audit",
        Decimal("1.50"),
        date(2026, 11, 20),
    )
    assert (entry.reflection_learned, entry.reflection_change, entry.source) == (
        "Levels drift.",
        None,
        "manual",
    )
    answer = response.json()
    assert answer["response_action"] == "update"
    assert "4.5 Royal College MOC credits" in answer["view"]["blocks"][0]["text"]["text"]
    assert_golden("cpd_entry_logged_view", answer["view"])
    await env.settle()
    assert changes == [("T0001", MEMBER_ID)]


async def cpd_form(env, user_id: str = MEMBER_ID) -> dict:
    opened = len(env.slack.opened_views)
    await env.driver.command("/cpd-log", "", user_id=user_id)
    await env.settle()
    assert len(env.slack.opened_views) == opened + 1
    return env.slack.opened_views[-1]["view"]


async def test_form_errors_come_back_on_their_fields(env):
    view = await cpd_form(env)

    response = await env.driver.submit_view(
        "cpd_entry",
        entry_values(date={"selected_date": "2026-12-01"}, amount="30h", title=None, reflection_learned=None),
        view=view,
    )

    errors = response.json()["errors"]
    assert set(errors) == {"date", "amount", "title", "reflection_learned"}
    assert "future" in errors["date"] and "24 hours" in errors["amount"]
    assert "at least one reflection question" in errors["reflection_learned"]
    assert await entries(env) == []


async def test_form_counts_items_for_per_item_activities(env):
    view = await cpd_form(env)

    bad = await env.driver.submit_view(
        "cpd_entry", entry_values(activity={"selected": "s2-scan-podcast"}, amount="1.5"), view=view
    )
    assert "whole number" in bad.json()["errors"]["amount"]
    await env.driver.submit_view(
        "cpd_entry", entry_values(activity={"selected": "s2-scan-podcast"}, amount="4"), view=view
    )
    [entry] = await entries(env)
    assert (entry.activity_type, entry.hours, entry.quantity) == ("s2-scan-podcast", None, Decimal("4.00"))


async def test_form_refuses_patient_identifiers_in_title_and_reflections(env):
    view = await cpd_form(env)

    response = await env.driver.submit_view(
        "cpd_entry", entry_values(reflection_change="Call the family at 416-555-0199"), view=view
    )

    assert "phone number" in response.json()["errors"]["reflection_change"]
    assert await entries(env) == []


async def test_choosing_a_per_item_activity_redraws_the_amount_as_a_count(env):
    view = await cpd_form(env)

    await env.driver.action(
        "cpd_entry_activity",
        block_id="activity",
        action_type="static_select",
        selected_option="s2-scan-article",
        view=view,
    )
    await env.settle()

    [update] = env.slack.calls_to("views.update")
    assert update["view_id"] == view["id"]
    amount = next(b for b in update["view"]["blocks"] if b.get("block_id") == "amount")
    assert amount["label"]["text"] == "Number of articles"


async def test_digits_slack_accepts_but_python_cannot_read_get_a_field_error(env):
    view = await cpd_form(env)

    response = await env.driver.submit_view(
        "cpd_entry", entry_values(activity={"selected": "s2-scan-article"}, amount="²"), view=view
    )

    assert "whole number" in response.json()["errors"]["amount"]
    settings = await cpd_form_for(env, "settings")
    bad = await env.driver.submit_view(
        "cpd_settings",
        state_values(framework={"value": {"selected": "rcpsc-moc"}}, cycle_start={"value": "２０２４"}),
        view=settings,
    )
    assert "Write a year" in bad.json()["errors"]["cycle_start"]
    assert await entries(env) == []


# --- reflections ---------------------------------------------------------------------------------


async def test_add_reflection_from_the_quick_entry_reply(env):
    reply = await cpd(env, AUDIT)
    await env.driver.action("cpd_add_reflection", value=button(reply, "cpd_add_reflection")["value"])
    await env.settle()
    view = env.slack.opened_views[-1]["view"]
    assert_golden(
        "cpd_reflection_form",
        {
            k: view[k]
            for k in ("type", "callback_id", "title", "submit", "close", "blocks", "private_metadata")
        },
    )

    empty = await env.driver.submit_view("cpd_reflection", state_values(), view=view)
    assert "at least one reflection question" in empty.json()["errors"]["reflection_learned"]
    done = await env.driver.submit_view(
        "cpd_reflection",
        state_values(
            reflection_learned={"value": "Screening gaps on weekends."},
            reflection_further={"value": "Read the CANMAT guidance."},
        ),
        view=view,
    )

    assert done.json()["response_action"] == "update"
    assert_golden("cpd_reflection_saved_view", done.json()["view"])
    [entry] = await entries(env)
    assert (entry.reflection_learned, entry.reflection_change, entry.reflection_further) == (
        "Screening gaps on weekends.",
        None,
        "Read the CANMAT guidance.",
    )


# --- settings ------------------------------------------------------------------------------------


async def test_settings_are_stored_on_the_member(env):
    view = await cpd_form_for(env, "settings")
    assert_golden(
        "cpd_settings_form",
        {
            k: view[k]
            for k in ("type", "callback_id", "title", "submit", "close", "blocks", "private_metadata")
        },
    )

    bad = await env.driver.submit_view(
        "cpd_settings",
        state_values(
            framework={"value": {"selected": "cfpc-mainpro"}},
            cycle_start={"value": "1890"},
            annual_goal={"value": "lots"},
        ),
        view=view,
    )
    assert set(bad.json()["errors"]) == {"cycle_start", "annual_goal"}

    good = await env.driver.submit_view(
        "cpd_settings",
        state_values(
            framework={"value": {"selected": "cfpc-mainpro"}},
            cycle_start={"value": "2024"},
            annual_goal={"value": "50"},
        ),
        view=view,
    )
    assert good.json()["response_action"] == "update"
    assert_golden("cpd_settings_saved_view", good.json()["view"])
    async with env.runtime.db.session() as session:
        member = await session.scalar(select(Member).where(Member.slack_user_id == MEMBER_ID))
    assert (member.cpd_framework, member.cpd_cycle_start_year, member.cpd_annual_goal) == (
        "cfpc-mainpro",
        2024,
        Decimal("50.00"),
    )


async def cpd_form_for(env, text: str) -> dict:
    opened = len(env.slack.opened_views)
    await env.driver.command("/cpd-log", text)
    await env.settle()
    assert len(env.slack.opened_views) == opened + 1
    return env.slack.opened_views[-1]["view"]


# --- summary, list, undo -------------------------------------------------------------------------


async def test_summary_shows_standing_against_the_2024_moc_rules(env):
    await cpd(env, AUDIT)
    await cpd(env, "1h s1 Grand rounds on suicide risk")

    reply = await cpd(env, "summary")

    text = json.dumps(reply["blocks"])
    assert "Section 3: 19 more credits this cycle" in text
    assert "18 more credits this year" in text  # 25 a year, 7 logged
    assert "243 more credits this cycle" in text
    assert "2 entries need a reflection" in text
    assert "Report 2026 by 31 Jan 2027." in text
    assert_golden("cpd_summary", {"text": reply["text"], "blocks": reply["blocks"]})


async def test_summary_for_another_year_and_an_unreadable_year(env):
    await cpd(env, "1h s1 2025-06-01 Grand rounds")

    past = json.dumps((await cpd(env, "summary 2025"))["blocks"])
    assert "Your CPD for 2025" in past and "has passed" in past and "1 entry needs a reflection" in past
    assert "four digits" in (await cpd(env, "summary last year"))["text"]


async def test_list_shows_own_entries_and_deletes_one(env):
    await cpd(env, AUDIT)
    await cpd(env, "1h s1 Grand rounds on suicide risk")
    await cpd(env, "1h s1 Rounds by someone else", user_id=OTHER_ID)

    listing = await cpd(env, "list")
    assert_golden("cpd_list", {"text": listing["text"], "blocks": listing["blocks"]})
    assert "someone else" not in json.dumps(listing)
    first = button(listing, "cpd_delete_entry")
    changes = record_member_changes(env)

    await env.driver.action("cpd_delete_entry", value=first["value"])
    await env.settle()

    assert [e.title for e in await entries(env)] == ["Chart audit of metabolic monitoring"]
    refreshed = env.slack.responses()[-1]
    assert refreshed["replace_original"] is True
    assert "Deleted “Grand rounds on suicide risk”." in json.dumps(refreshed["blocks"], ensure_ascii=False)
    assert changes == [("T0001", MEMBER_ID)]


async def test_a_long_list_of_long_titles_stays_within_slacks_limits(env):
    title = "Q&A <rounds> " * 15  # escaping makes it longer than the 200 characters typed
    async with env.runtime.db.session() as session, session.begin():
        session.add_all(
            CpdEntry(
                team_id="T0001",
                member_id=MEMBER_ID,
                framework="rcpsc-moc",
                activity_type="s2-plp",
                occurred_on=date(2026, 11, 1),
                hours=Decimal(1),
                title=title[:200],
                created_at=env.clock.now(),
            )
            for _ in range(25)
        )

    listing = await cpd(env, "list")

    validate_blocks(listing["blocks"])  # 50 blocks, 3000-character sections, 300-character confirm text
    assert len([b for b in listing["blocks"] if b.get("block_id", "").startswith("cpd_entry_")]) == 20


async def add_entries(env, count: int, *, reflected: int = 0) -> None:
    """`count` entries this year, one a day back from 24 Nov; the `reflected` newest have a reflection."""
    async with env.runtime.db.session() as session, session.begin():
        session.add_all(
            CpdEntry(team_id="T0001", member_id=MEMBER_ID, framework="rcpsc-moc", activity_type="s2-plp",
                     occurred_on=date(2026, 11, 24) - timedelta(days=n), hours=Decimal(1), title=f"Reading {n + 1}",
                     reflection_learned="Something." if n < reflected else None, created_at=env.clock.now())
            for n in range(count))


def entry_titles(message: dict) -> list[str]:
    return [b["text"]["text"].split("*")[1] for b in message["blocks"]
            if b["type"] == "section" and b["text"]["text"].startswith("*Reading")]


async def test_the_list_pages_through_every_entry_and_says_how_many_there_are(env):
    # Issue 16 item 10: the list stopped at 20 entries without saying so.
    await add_entries(env, 36)

    first = await cpd(env, "list")
    assert "1–20 of 36 entries, newest first" in json.dumps(first, ensure_ascii=False)
    older = button(first, "cpd_list_page")
    assert older["text"]["text"] == "Older entries (16 more)"
    validate_blocks(first["blocks"])

    await env.driver.action("cpd_list_page", value=older["value"], block_id="cpd_list_pages")
    await env.settle()
    second = env.slack.responses()[-1]
    assert second["replace_original"] is True
    assert "21–36 of 36 entries" in json.dumps(second, ensure_ascii=False)
    assert [e["text"]["text"] for b in second["blocks"] if b["type"] == "actions"
            for e in b["elements"] if e["action_id"] == "cpd_list_page"] == ["Newer entries"]
    seen = entry_titles(first) + entry_titles(second)
    assert sorted(seen) == sorted(f"Reading {n}" for n in range(1, 37))

    # Deleting on page two redraws page two.
    await env.driver.action("cpd_delete_entry", value=button(second, "cpd_delete_entry")["value"])
    await env.settle()
    redrawn = env.slack.responses()[-1]
    assert "21–35 of 35 entries" in json.dumps(redrawn, ensure_ascii=False)


async def test_the_summary_links_each_entry_needing_a_reflection_and_lists_them_all(env):
    await add_entries(env, 36, reflected=20)

    summary = await cpd(env, "summary")
    shown = json.dumps(summary, ensure_ascii=False)
    assert "16 entries need a reflection" in shown
    links = [b["accessory"] for b in summary["blocks"] if b.get("accessory", {}).get("action_id") == "cpd_add_reflection"]
    assert len(links) == 5
    await env.driver.action("cpd_add_reflection", value=links[0]["value"])
    await env.settle()
    assert env.slack.opened_views[-1]["view"]["callback_id"] == "cpd_reflection"
    assert "Reading 36" in json.dumps(env.slack.opened_views[-1]["view"])  # the oldest waiting first

    show_all = button(summary, "cpd_list_page")
    assert show_all["text"]["text"] == "Show all 16 needing a reflection"
    await env.driver.action("cpd_list_page", value=show_all["value"], block_id="cpd_summary_reflections")
    await env.settle()
    listing = env.slack.responses()[-1]
    assert listing["replace_original"] is False  # beside the summary, which stays
    assert listing["blocks"][0]["text"]["text"] == "Your CPD entries needing a reflection"
    assert sorted(entry_titles(listing)) == sorted(f"Reading {n}" for n in range(21, 37))
    assert "16 entries from 2026-01-01 to 2026-12-31, newest first" in json.dumps(listing, ensure_ascii=False)


async def test_a_forged_page_button_shows_only_the_members_own_entries(env):
    await add_entries(env, 3)
    await cpd(env, "1h s1 Rounds by someone else", user_id=OTHER_ID)

    await env.driver.action("cpd_list_page", value='{"p":99999999999}', block_id="cpd_list_pages")
    await env.settle()
    listing = env.slack.responses()[-1]
    assert sorted(entry_titles(listing)) == ["Reading 1", "Reading 2", "Reading 3"]
    assert "someone else" not in json.dumps(listing)


async def test_undo_removes_the_last_entry_after_confirmation(env):
    await cpd(env, AUDIT)
    env.clock.advance(timedelta(minutes=1))
    await cpd(env, "1h s1 Grand rounds on suicide risk")

    offer = await cpd(env, "undo")
    assert_golden("cpd_undo", {"text": offer["text"], "blocks": offer["blocks"]})
    await env.driver.action("cpd_undo_cancel", value=button(offer, "cpd_undo_cancel")["value"])
    await env.settle()
    assert len(await entries(env)) == 2
    assert "nothing was removed" in env.slack.responses()[-1]["text"]

    await env.driver.action("cpd_undo_confirm", value=button(offer, "cpd_undo_confirm")["value"])
    await env.settle()
    assert [e.title for e in await entries(env)] == ["Chart audit of metabolic monitoring"]
    removed = env.slack.responses()[-1]
    assert "Removed" in removed["text"] and removed["replace_original"] is True
    assert_golden("cpd_undo_removed", {"text": removed["text"], "blocks": removed["blocks"]})
    assert "nothing to undo" not in (await cpd(env, "undo"))["text"]


async def test_undo_with_nothing_logged(env):
    assert "nothing to undo" in (await cpd(env, "undo"))["text"]


# --- export --------------------------------------------------------------------------------------


async def test_export_sends_a_spreadsheet_safe_csv_to_the_members_dm(env):
    await cpd(env, AUDIT)
    await cpd(env, '1h s1 =HYPERLINK("http://x") rounds, part 2')
    await cpd(env, "1h s1 2025-03-02 Last year's rounds")

    reply = await cpd(env, "export")

    [stored] = env.slack.files
    assert stored.channel == env.slack.dm_channel(MEMBER_ID)
    assert stored.filename == "cpd-rcpsc-moc-2026.csv"
    assert stored.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(stored.content.decode(FILE_ENCODING))))
    assert rows[0] == [
        "date",
        "section/category",
        "activity type",
        "title",
        "hours",
        "quantity",
        "credits",
        "reflection",
        "linked project",
    ]
    assert rows[1] == [
        "2026-11-25",
        "Section 3",
        "Practice assessment (incl. QI with feedback)",
        "Chart audit of metabolic monitoring",
        "2",
        "",
        "6",
        "",
        "",
    ]
    assert rows[2][3] == '\'=HYPERLINK("http://x") rounds, part 2'
    assert len(rows) == 3  # 2025's entry is not in 2026's export
    assert "2 activities, 7 credits" in stored.initial_comment
    assert "Sent a CSV of 2 entries" in reply["text"]

    await cpd(env, "export cycle")
    assert len(env.slack.files) == 2 and env.slack.files[1].filename == "cpd-rcpsc-moc-cycle-2026.csv"


async def test_export_with_nothing_to_send_or_when_slack_fails(env):
    assert "no CPD entries" in (await cpd(env, "export 2025"))["text"]
    await cpd(env, AUDIT)
    env.slack.fail("files.completeUploadExternal", error="internal_error")

    reply = await cpd(env, "export")

    assert "couldn't send the file" in reply["text"] and env.slack.files == []
    assert "four digits" in (await cpd(env, "export soon"))["text"]


# --- privacy -------------------------------------------------------------------------------------


async def test_nobody_else_admin_included_can_read_or_delete_a_members_entries(env):
    reply = await cpd(env, AUDIT)
    [entry] = await entries(env)
    forged = str(entry.id)

    for intruder in (OTHER_ID, ADMIN_ID):
        for command in ("list", "summary", "undo"):
            assert "Chart audit" not in json.dumps(await cpd(env, command, user_id=intruder))
        assert "no CPD entries" in (await cpd(env, "export", user_id=intruder))["text"]
        for action in ("cpd_delete_entry", "cpd_undo_confirm", "cpd_add_reflection"):
            before = len(env.slack.responses())
            await env.driver.action(action, value=forged, user_id=intruder)
            await env.settle()
            [answer] = env.slack.responses()[before:]  # each click is answered, never silently dropped
            assert NOT_YOURS in json.dumps(answer) and "Chart audit" not in json.dumps(answer), action
        for forged_id in ("99999999999", "²"):  # out of the id column's range; a digit int() refuses
            before = len(env.slack.responses())
            await env.driver.action("cpd_delete_entry", value=forged_id, user_id=intruder)
            await env.settle()
            [answer] = env.slack.responses()[before:]
            assert NOT_YOURS in json.dumps(answer["blocks"])
        view = {**env.slack.opened_views[-1]["view"]} if env.slack.opened_views else {}
        response = await env.driver.submit_view(
            "cpd_reflection",
            state_values(reflection_learned={"value": "Overwritten"}),
            user_id=intruder,
            view=view,
            private_metadata=json.dumps({"e": entry.id}),
        )
        assert "couldn't find that entry" in response.json()["errors"]["reflection_learned"]

    assert env.slack.files == [] and env.slack.opened_views == []
    [still] = await entries(env)
    assert (still.id, still.reflection_learned) == (entry.id, None)
    assert button(reply, "cpd_add_reflection")["value"] == forged


# --- other frameworks ----------------------------------------------------------------------------


async def choose_framework(env, framework: str, cycle_start: str | None = None, goal: str | None = None) -> None:
    view = await cpd_form_for(env, "settings")
    await env.driver.submit_view(
        "cpd_settings",
        state_values(framework={"value": {"selected": framework}}, cycle_start={"value": cycle_start},
                     annual_goal={"value": goal}),
        view=view,
    )


async def test_mainpro_entries_and_summary_follow_its_july_to_june_year(env):
    await choose_framework(env, "cfpc-mainpro", "2024")

    logged = await cpd(env, "2h assess Practice audit of opioid prescribing")
    assert "2 Mainpro+ credits" in logged["blocks"][0]["text"]["text"]
    reply = await cpd(env, "summary")

    text = json.dumps(reply["blocks"], ensure_ascii=False)
    assert "Your CPD for 2026–2027" in text
    assert "cycle 1 Jul 2024 to 30 Jun 2029" in text
    assert "Certified assessment: 8 more credits this cycle" in text
    assert "Report 2026–2027 by 30 Jun 2027." in text
    assert_golden("cpd_summary_mainpro", {"text": reply["text"], "blocks": reply["blocks"]})


async def test_hours_framework_logs_hours_without_credits(env):
    await choose_framework(env, "hours")

    logged = await cpd(env, "45 min read Article on trauma-informed care")

    [entry] = await entries(env)
    assert (entry.framework, entry.activity_type, entry.hours) == ("hours", "reading", Decimal("0.75"))
    assert "credit" not in logged["blocks"][0]["text"]["text"]
    summary = json.dumps((await cpd(env, "summary"))["blocks"])
    assert "0.75 h this year" in summary and "Report" not in summary


async def test_a_learning_hours_summary_says_only_what_is_true(env):
    # Issue 16 item 5: a nurse with 2 hours and no goal was told "requirements met", shown a cycle next
    # to "you haven't set when your cycle started", and told "your college" asks for reflections.
    await choose_framework(env, "hours")
    logged = await cpd(env, "2h course De-escalation workshop")
    assert "college" not in json.dumps(logged).lower()

    reply = await cpd(env, "summary")

    shown = json.dumps(reply)
    assert reply["text"] == "Your CPD for 2026: 2 h this year."
    assert "2 h this year" in shown and "this cycle" not in shown and "cycle 1 Jan" not in shown
    for untrue in ("requirements", "haven't set when your cycle", "college", "Required"):
        assert untrue not in shown, untrue
    assert "set it as your annual goal with `/cpd-log settings`" in shown
    assert_golden("cpd_summary_hours", {"text": reply["text"], "blocks": reply["blocks"]})


async def test_a_learning_hours_summary_counts_down_to_the_members_own_goal(env):
    await choose_framework(env, "hours", goal="20")
    await cpd(env, "2h course De-escalation workshop")

    reply = await cpd(env, "summary")
    shown = json.dumps(reply)
    assert reply["text"] == "Your CPD for 2026: 18 more hours to reach your annual goal."
    assert "Your annual goal: 20 h" in shown and "set it as your annual goal" not in shown

    await choose_framework(env, "hours", goal="2")
    reply = await cpd(env, "summary")
    assert reply["text"] == "Your CPD for 2026: 2 h this year, goal of 2 h reached."
    assert "You have reached your goal of 2 h for 2026." in json.dumps(reply)
    assert "requirements" not in json.dumps(reply)


async def test_a_delete_from_the_list_is_stored_before_the_ack(env, monkeypatch):
    await cpd(env, AUDIT)
    await cpd(env, "1h s1 Grand rounds on suicide risk")
    listing = await cpd(env, "list")
    slow_store(monkeypatch, entries_list, "delete_entry")
    response = await env.driver.action("cpd_delete_entry", value=button(listing, "cpd_delete_entry")["value"])
    assert response.status == 200 and [e.title for e in await entries(env)] == ["Chart audit of metabolic monitoring"]
    await env.settle()
    assert "Deleted “Grand rounds on suicide risk”." in json.dumps(env.slack.responses()[-1]["blocks"],
                                                                   ensure_ascii=False)


async def test_undo_is_stored_before_the_ack(env, monkeypatch):
    await cpd(env, AUDIT)
    env.clock.advance(timedelta(minutes=1))
    await cpd(env, "1h s1 Grand rounds on suicide risk")
    offer = await cpd(env, "undo")
    slow_store(monkeypatch, undo, "delete_entry")
    response = await env.driver.action("cpd_undo_confirm", value=button(offer, "cpd_undo_confirm")["value"])
    assert response.status == 200 and [e.title for e in await entries(env)] == ["Chart audit of metabolic monitoring"]
    await env.settle()
    assert "Removed" in env.slack.responses()[-1]["text"]
