"""Nudges with a frozen clock: one reminder then a hand-off, each person's hours, reminders off, one a day."""

from __future__ import annotations

import asyncio
from datetime import time, timedelta

import pytest
from sqlalchemy import update

from bot.core import nudges
from bot.core.clock import FrozenClock
from storage.models import Member, Nudge
from tests.golden import assert_golden
from tests.mentoring_helpers import (
    MENTEE,
    VANCOUVER,
    add_mentor,
    button,
    buttons,
    candidates,
    click,
    dms,
    golden_message,
    rows,
    run_sweep,
    text_of,
)

ADA, BRAM = "U0MENTOR1", "U0MENTOR2"


async def _offer_to(env, mentor_id: str, *, mentee_id: str = MENTEE, other: str = BRAM) -> None:
    """A mentee asks `mentor_id` (the other mentor waits next on the shortlist)."""
    await env.driver.command("/find-mentor", "help with run charts", user_id=mentee_id)
    await env.settle()
    candidate = next(c for c in await candidates(env) if c.mentor_id == mentor_id and c.status == "shortlisted")
    await env.driver.action("mentor_ask", value=str(candidate.id), user_id=mentee_id)
    await env.settle()
    assert button(dms(env, mentor_id)[-1], "mentor_accept")


def _reminders(env, mentor_id: str) -> list[dict]:
    return [m for m in dms(env, mentor_id) if "A reminder" in text_of(m)]


async def _two_mentors(env, first_tz: str = "America/Toronto") -> None:
    await add_mentor(env, ADA, "Dr. Ada Example", ("measurement-run-charts",), capacity=3, tz=first_tz)
    await add_mentor(env, BRAM, "Dr. Bram Placeholder", ("measurement-run-charts",))


async def test_one_reminder_after_two_days_then_the_request_moves_on_after_five(env):
    await _two_mentors(env)
    await _offer_to(env, ADA)
    env.clock.advance(timedelta(days=2) - timedelta(minutes=1))
    await run_sweep(env)
    assert _reminders(env, ADA) == []

    env.clock.advance(timedelta(minutes=1))
    await run_sweep(env)
    [reminder] = _reminders(env, ADA)
    assert_golden("mentoring_reminder", golden_message(reminder))
    assert button(reminder, "mentor_accept") and button(reminder, "mentor_decline")
    for _ in range(2):  # later sweeps, even days later, never repeat it
        env.clock.advance(timedelta(hours=20))
        await run_sweep(env)
    assert len(_reminders(env, ADA)) == 1 and dms(env, BRAM) == []

    env.clock.advance(timedelta(days=3) - timedelta(hours=40))  # five days after the ask
    await run_sweep(env)
    ada, bram = sorted(await candidates(env), key=lambda c: c.mentor_id)
    assert (ada.status, bram.status) == ("expired", "offered")
    told = dms(env, MENTEE)[-1]
    assert_golden("mentoring_handed_on_expired", golden_message(told))
    assert "hasn't been able to answer your request in 5 days" in text_of(told) and f"<@{BRAM}> next" in text_of(told)
    first_offer = dms(env, ADA)[0]
    assert "moved to another mentor after 5 days" in text_of(first_offer) and not buttons(first_offer, "mentor_accept")
    assert_golden("mentoring_offer_expired", golden_message(first_offer))
    assert button(dms(env, BRAM)[-1], "mentor_accept")

    # Ada answers late from the reminder: told it moved on; nothing changes.
    await click(env, "mentor_accept", ada.id, ADA, message=_reminders(env, ADA)[0])
    assert "moved on to another mentor after 5 days" in env.slack.responses()[-1]["text"]
    assert [c.status for c in sorted(await candidates(env), key=lambda c: c.mentor_id)] == ["expired", "offered"]


async def test_quiet_hours_follow_each_mentors_own_timezone(env):
    # Ada is in Vancouver: 14:30 UTC on a Friday is 06:30 there, still her quiet hours.
    await add_mentor(env, VANCOUVER, "Sam Nurse", ("measurement-run-charts",), capacity=3)
    await add_mentor(env, BRAM, "Dr. Bram Placeholder", ("measurement-run-charts",))
    await _offer_to(env, VANCOUVER)
    await add_mentor(env, ADA, "Dr. Ada Example", ("measurement-run-charts",), capacity=3)
    await _offer_to(env, ADA, mentee_id=BRAM)  # a Toronto mentor asked at the same moment

    env.clock.advance(timedelta(days=2))
    await run_sweep(env)
    assert len(_reminders(env, ADA)) == 1  # 09:30 in Toronto
    assert _reminders(env, VANCOUVER) == []
    [member] = await rows(env, Member, Member.slack_user_id == VANCOUVER)
    assert member.timezone == "America/Vancouver"  # read once from users.info, then cached

    env.clock.advance(timedelta(hours=1, minutes=29))  # 07:59 in Vancouver
    await run_sweep(env)
    assert _reminders(env, VANCOUVER) == []
    env.clock.advance(timedelta(minutes=1))  # 08:00
    await run_sweep(env)
    assert len(_reminders(env, VANCOUVER)) == 1


async def test_weekends_are_quiet_and_custom_quiet_hours_are_respected(env):
    await _two_mentors(env)
    env.clock.advance(timedelta(days=1))  # Thursday: the reminder falls due on Saturday
    await _offer_to(env, ADA)
    env.clock.advance(timedelta(days=2))
    await run_sweep(env)
    assert _reminders(env, ADA) == []
    async with env.runtime.db.session() as session, session.begin():  # Ada's quiet hours: 09:00 to 11:00 too
        await session.execute(update(Member).where(Member.slack_user_id == ADA)
                              .values(quiet_start=time(9, 0), quiet_end=time(11, 0)))
    env.clock.advance(timedelta(days=2))  # Monday 09:30 in Toronto, inside her quiet window
    await run_sweep(env)
    assert _reminders(env, ADA) == []
    env.clock.advance(timedelta(hours=1, minutes=30))  # 11:00
    await run_sweep(env)
    assert len(_reminders(env, ADA)) == 1


async def test_reminders_off_means_no_reminder_but_the_request_still_moves_on(env):
    await _two_mentors(env)
    await _offer_to(env, ADA)
    async with env.runtime.db.session() as session, session.begin():
        await session.execute(update(Member).where(Member.slack_user_id == ADA).values(reminders_enabled=False))
    env.clock.advance(timedelta(days=2))
    await run_sweep(env)
    assert _reminders(env, ADA) == []
    assert [n.status for n in await rows(env, Nudge, Nudge.kind == "mentor_reminder")] == ["cancelled"]
    env.clock.advance(timedelta(days=3))
    await run_sweep(env)
    assert button(dms(env, BRAM)[-1], "mentor_accept")


async def test_at_most_one_nudge_a_day_per_person(env):
    await _two_mentors(env)
    env.slack.add_user("U0MENTEE2", name="mentee.two", real_name="Mentee Two")
    env.clock.advance(timedelta(days=5))  # Monday, so the two days that follow are weekdays
    await _offer_to(env, ADA)
    await _offer_to(env, ADA, mentee_id="U0MENTEE2")
    env.clock.advance(timedelta(days=2))
    await run_sweep(env)
    env.clock.advance(timedelta(hours=3))
    await run_sweep(env)
    assert len(_reminders(env, ADA)) == 1
    env.clock.advance(timedelta(hours=21))  # the next morning
    await run_sweep(env)
    assert len(_reminders(env, ADA)) == 2
    mentees = {text_of(m).split("*A reminder: ")[1][:12] for m in _reminders(env, ADA)}
    assert mentees == {f"<@{MENTEE}>", "<@U0MENTEE2>"}


async def test_two_sweepers_at_once_send_a_nudge_once(env):
    await _two_mentors(env)
    await _offer_to(env, ADA)
    env.clock.advance(timedelta(days=2))
    sent = await asyncio.gather(nudges.send_due(env.runtime), nudges.send_due(env.runtime))
    await env.settle()
    assert sorted(sent) == [0, 1] and len(_reminders(env, ADA)) == 1


@pytest.mark.parametrize(("local", "quiet_start", "quiet_end", "expected"), [
    ("2026-11-25T07:59", time(18), time(8), False),
    ("2026-11-25T08:00", time(18), time(8), True),
    ("2026-11-25T17:59", time(18), time(8), True),
    ("2026-11-25T18:00", time(18), time(8), False),
    ("2026-11-28T12:00", time(18), time(8), False),  # Saturday
    ("2026-11-25T12:30", time(12), time(13), False),  # a lunch-hour quiet window
    ("2026-11-25T13:00", time(12), time(13), True),
    ("2026-11-25T03:00", time(9), time(9), True),  # no quiet hours on weekdays
])
def test_working_hours(local, quiet_start, quiet_end, expected):
    from datetime import datetime

    assert nudges.in_working_hours(datetime.fromisoformat(local), quiet_start, quiet_end) is expected


def test_frozen_clock_fixture_is_a_wednesday_morning_in_toronto(clock: FrozenClock):
    # The timing tests above count on it.
    assert clock.now().weekday() == 2 and clock.now().hour == 14


async def test_two_sweepers_at_once_still_send_a_person_one_nudge_a_day(env):
    await _two_mentors(env)
    env.slack.add_user("U0MENTEE2", name="mentee.two", real_name="Mentee Two")
    await _offer_to(env, ADA)
    await _offer_to(env, ADA, mentee_id="U0MENTEE2")
    env.clock.advance(timedelta(days=2))
    await nudges.member_timezone(env.runtime, "T0001", ADA)  # cached, so both sweepers go straight to the claim
    sent = await asyncio.gather(nudges.send_due(env.runtime), nudges.send_due(env.runtime))
    await env.settle()
    assert sum(sent) == 1 and len(_reminders(env, ADA)) == 1


async def test_a_reminder_that_fails_to_go_out_is_tried_again_not_lost(env, monkeypatch):
    # Whatever breaks between claiming the reminder and queueing its DM (here: building it; in life, a
    # crash or a lost database connection) must leave the reminder owed, not marked sent.
    from handlers.mentoring import blocks

    await _two_mentors(env)
    await _offer_to(env, ADA)
    env.clock.advance(timedelta(days=2))
    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    real_offer = blocks.offer
    monkeypatch.setattr(blocks, "offer", broken)
    await run_sweep(env)
    assert _reminders(env, ADA) == []
    assert [(n.status, n.sent_at) for n in await rows(env, Nudge, Nudge.kind == "mentor_reminder")] == [("due", None)]

    monkeypatch.setattr(blocks, "offer", real_offer)
    env.clock.advance(timedelta(minutes=1))
    await run_sweep(env)
    assert len(_reminders(env, ADA)) == 1
