"""Time-driven value work, run by the every-minute sweep: the monthly report to every admin, and the
monthly story asks owed to members who opted in (sent as nudges, inside their hours).

The report's exactly-once rule is the weekly posts' (bot.weekly.claims): each admin's DM for a month
is a claimed scheduled_posts row queued with its outbox row in one transaction, so the sweep, a
restart and a second replica send it once. The chart and the CSV follow from the process that won
the claim; if Slack refuses them, the admin's `/qi-commons admin report` sends them again.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import TYPE_CHECKING

from bot.core.runtime import Runtime
from bot.report import monthly, stories
from bot.report.build import headline, report_of
from bot.weekly import claims
from bot.weekly.claims import PostKey
from handlers.report.blocks import report_message, story_ask
from handlers.report.delivery import upload_files
from handlers.weekly.jobs import workspace

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from storage.models import Nudge

log = logging.getLogger(__name__)


def register(runtime: Runtime) -> None:
    runtime.each_sweep("value-report", send_monthly_report)
    runtime.each_sweep("value-story-asks", owe_story_asks)
    runtime.on_nudge_due(stories.ASK_NUDGE, send_story_ask)


async def send_monthly_report(runtime: Runtime) -> int:
    """Send last month's report to each admin not sent it yet, once its time has come; how many were sent."""
    settings = runtime.settings
    due = monthly.due_now(runtime.clock.now(), settings.tz, timedelta(hours=settings.schedule_grace_hours))
    if due is None or not settings.admin_user_ids:
        return 0
    period, _ = due
    space = await workspace(runtime)
    keys = [PostKey(space.team_id, admin, monthly.KIND, period.key) for admin in settings.admin_user_ids]
    waiting = [key for key in keys if await claims.existing_claim(runtime, key) is None]
    if not waiting:
        return 0
    report = await report_of(runtime, space.team_id, period)
    message, detail = report_message(report), headline(report)
    sent = 0
    for key in waiting:
        claim = await claims.claim(runtime, key, detail=detail, message=message)
        if claim is None:
            continue  # another replica has this admin's
        await claims.post(runtime, claim)
        await upload_files(runtime.client, key.channel_id, report)
        runtime.member_changed(space.team_id, key.channel_id)  # their App Home shows the latest report
        sent += 1
    log.info("Sent the value report for %s to %d admin(s)", period.key, sent)
    return sent


async def owe_story_asks(runtime: Runtime) -> None:
    now = runtime.clock.now().astimezone(runtime.settings.tz)
    month = now.date().replace(day=1)
    await stories.owe_monthly_asks(runtime, f"{month:%Y-%m}", monthly.due_at(month, runtime.settings.tz))


async def send_story_ask(runtime: Runtime, session: AsyncSession, nudge: Nudge) -> int | None:
    """This month's question, queued in the nudge's claim; nothing for someone who turned it off since."""
    if not await stories.still_wants_asks(session, nudge.team_id, nudge.slack_user_id):
        return None
    row = await runtime.outbox.enqueue(session, team_id=nudge.team_id, method="chat.postMessage",
                                       args={"channel": nudge.slack_user_id, **story_ask(nudge.subject_key)})
    return row.id
