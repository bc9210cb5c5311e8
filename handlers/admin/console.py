"""`/qi-commons admin`: the admin console, a modal with the community channel, schedules and pauses,
the escalation inbox, the mentor roster and the digest preview.

Hiding buttons is not security: every action and view submission here checks `refuse_non_admin` on
the server again, so a forged payload with an admin callback_id is refused and audited.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.admin import console as admin_console
from bot.core.runtime import Runtime
from bot.core.text import escape, mention, plural
from bot.weekly.schedules import JOBS, JobSchedule, change_schedule, day_label, schedule_overview
from handlers import view_state
from handlers.admin.guard import REFUSAL, refuse_non_admin
from handlers.blocks import button, context, header, option, plain, section
from handlers.commands.context import CommandContext
from handlers.tenant import team_of

log = logging.getLogger(__name__)

CONSOLE = "admin_console"
MENTOR_LOAD = "admin_mentor_load"
REFRESH = "admin_console_refresh"
RESUME = "admin_console_resume"
EDIT_MENTOR = "admin_console_edit_mentor"
VALUE = "value"


def _date(at: Any) -> str:
    return day_label(at.date() if hasattr(at, "date") else at)


async def _channel_line(runtime: Runtime) -> str:
    channel = runtime.settings.community_channel_id
    if not channel:
        return ":warning: No community channel is set: shares, prompts and digests cannot be posted. Set " \
               "COMMUNITY_CHANNEL_ID and restart."
    try:
        info = (await runtime.client.conversations_info(channel=channel))["channel"]
    except SlackApiError as exc:
        return f":warning: <#{channel}>: I cannot see this channel ({escape(exc.response.get('error'))}). " \
               "Invite QI Commons to it, or check COMMUNITY_CHANNEL_ID."
    if info.get("is_archived"):
        return f":warning: <#{channel}> is archived: unarchive it or choose another channel."
    if not info.get("is_member"):
        state = "I will join it when I first post" if not info.get("is_private") else "invite me with `/invite`"
        return f"<#{channel}>: I am not a member yet ({state})."
    return f"<#{channel}>: I am a member and can post there."


def _job_block(job: JobSchedule) -> dict[str, Any]:
    lines = [f"*{job.title}*: {job.when}"]
    if job.next_post:
        lines.append(f"Next post: {_date(job.next_post)}")
    else:
        lines.append("No post in the next year")
    if job.next_run_skipped:
        lines.append(f"The run on {_date(job.next_run)} is skipped: {escape(job.next_run_skipped)}")
    if job.skip_dates:
        lines.append("Skip dates: " + ", ".join(day_label(d) for d in job.skip_dates))
    lines.append("Ontario holidays are skipped" if job.skip_holidays else "Runs on holidays too")
    if job.last_post:
        lines.append(f"Last: {job.last_post.period} {job.last_post.status}"
                     + (f" ({escape(job.last_post.note)})" if job.last_post.note else ""))
    resume = None
    if job.paused_until:
        lines.insert(1, f":double_vertical_bar: Paused until {day_label(job.paused_until)}")
        resume = button("Resume", RESUME, job.job)
    return section("\n".join(lines), accessory=resume)


async def console_view(runtime: Runtime, team_id: str) -> dict[str, Any]:
    jobs = await schedule_overview(runtime, team_id)
    shown = await admin_console.console(runtime, team_id)
    inbox, waiting, roster = shown.inbox, shown.waiting, shown.roster

    blocks: list[dict[str, Any]] = [
        header("Community channel"),
        section(await _channel_line(runtime)),
        header("Schedules and pauses"),
        *(_job_block(job) for job in jobs),
        context("Pause, resume or skip a date: `/qi-commons admin schedule`"),
        header(f"Escalation inbox ({waiting})"),
    ]
    if not inbox:
        blocks.append(section("Nothing waiting: every mentor request has a mentor or is still with one."))
    for request in inbox:
        topics = escape(", ".join(request.topics)) or "no topics given"
        state = (f"escalated {_date(request.escalated_at)}" if request.escalated_at
                 else "no mentor fits (unmatched)")
        blocks.append(section(f"{mention(request.mentee_id)} · {escape(request.kind)} · {topics}\n"
                              f"Asked {_date(request.created_at)}; {state}.", verbatim=True))
    if waiting > len(inbox):
        blocks.append(context(f"{plural(waiting - len(inbox), 'more request')} waiting; the oldest are shown."))
    if inbox:
        blocks.append(context("Reach out to the person, or ask a mentor with free places below to contact them."))

    blocks += [
        header("Mentor roster"),
        section(f"{plural(len(roster.mentors), 'mentor')}, {roster.accepting} taking new mentees; "
                f"{roster.used} of {plural(roster.capacity, 'place')} in use, *{roster.free} free*."),
    ]
    for mentor in roster.mentors[:admin_console.ROSTER_SHOWN]:
        state = "" if mentor.accepting else " · paused"
        blocks.append(section(f"{mention(mentor.user_id)}: {mentor.active_mentees} of "
                              f"{plural(mentor.capacity, 'place')} in use{state} · "
                              f"{plural(len(mentor.expertise), 'topic')}",
                              accessory=button("Edit", EDIT_MENTOR, mentor.user_id)))
    if len(roster.mentors) > admin_console.ROSTER_SHOWN:
        blocks.append(context(f"{plural(len(roster.mentors) - admin_console.ROSTER_SHOWN, 'more mentor')}; those "
                              "with the most free places are shown first."))
    blocks += [
        header("Weekly digest"),
        section("See this week's digest before it is posted: `/qi-commons admin digest preview`"),
        {"type": "actions", "elements": [button("Refresh", REFRESH, "refresh")]},
    ]
    return {"type": "modal", "callback_id": CONSOLE, "title": plain("QI Commons admin"), "close": plain("Close"),
            "blocks": blocks}


def mentor_load_modal(mentor_id: str, capacity: int, accepting: bool, console_view_id: str) -> dict[str, Any]:
    accepting_option = option("Taking new mentees", "accepting")
    checkboxes: dict[str, Any] = {"type": "checkboxes", "action_id": VALUE, "options": [accepting_option]}
    if accepting:
        checkboxes["initial_options"] = [accepting_option]
    return {
        "type": "modal", "callback_id": MENTOR_LOAD, "title": plain("Mentor places"), "submit": plain("Save"),
        "close": plain("Back"),
        "private_metadata": json.dumps({"mentor": mentor_id, "console": console_view_id}),
        "blocks": [
            section(f"Places and availability for {mention(mentor_id)}. Mentors change these themselves with "
                    "`/qi-commons mentor`; change them here when they ask you to."),
            {"type": "input", "block_id": "capacity", "label": plain("Places (formal mentees at once)"),
             "element": {"type": "number_input", "action_id": VALUE, "is_decimal_allowed": False,
                         "min_value": "0", "max_value": str(admin_console.MAX_CAPACITY),
                         "initial_value": str(capacity)}},
            {"type": "input", "block_id": "accepting", "label": plain("Availability"), "optional": True,
             "element": checkboxes},
        ],
    }


REFUSED_VIEW = {"type": "modal", "title": plain("QI Commons"), "close": plain("Close"),
                "blocks": [section(REFUSAL)]}


async def open_console(ctx: CommandContext) -> None:
    # The /qi-commons admin router has already refused and audited non-admins.
    await ctx.client.views_open(trigger_id=ctx.trigger_id, view=await console_view(ctx.runtime, ctx.team_id))


def _read_load(values: dict[str, Any]) -> tuple[int | None, bool, str | None]:
    raw = (values.get("capacity", {}).get(VALUE) or {}).get("value") or ""
    accepting = bool((values.get("accepting", {}).get(VALUE) or {}).get("selected_options"))
    try:
        capacity = int(raw)
    except ValueError:
        return None, accepting, "Enter a whole number of places."
    if not 0 <= capacity <= admin_console.MAX_CAPACITY:
        return None, accepting, f"Enter 0 to {admin_console.MAX_CAPACITY} places."
    return capacity, accepting, None


def register(app: AsyncApp, runtime: Runtime) -> None:
    async def refused(body: dict[str, Any], context: dict[str, Any], action: str) -> bool:
        return await refuse_non_admin(runtime, team_id=team_of(context), user_id=body["user"]["id"],
                                      action=action)

    async def redraw(client: AsyncWebClient, team_id: str, view_id: str) -> None:
        await client.views_update(view_id=view_id, view=await console_view(runtime, team_id))

    @app.action(REFRESH)
    async def refresh(ack: AsyncAck, body: dict[str, Any], context: dict[str, Any], client: AsyncWebClient) -> None:
        await ack()
        if await refused(body, context, "console refresh"):
            return
        await redraw(client, team_of(context), body["view"]["id"])

    @app.action(RESUME)
    async def resume(ack: AsyncAck, body: dict[str, Any], context: dict[str, Any], action: dict[str, Any],
                     client: AsyncWebClient) -> None:
        if await refused(body, context, "schedule resume") or action.get("value") not in JOBS:
            await ack()
            return
        # Resumed before the ack: once Slack shows the click as taken, a crash cannot lose it.
        await change_schedule(runtime, team_id=team_of(context), actor_id=body["user"]["id"],
                              jobs=(action["value"],), action="resume")
        await ack()
        await redraw(client, team_of(context), body["view"]["id"])

    @app.action(EDIT_MENTOR)
    async def edit_mentor(ack: AsyncAck, body: dict[str, Any], context: dict[str, Any], action: dict[str, Any],
                          client: AsyncWebClient) -> None:
        await ack()
        if await refused(body, context, "mentor edit"):
            return
        team_id, mentor_id = team_of(context), action.get("value") or ""
        load = await admin_console.mentor_load(runtime, team_id, mentor_id)
        if load is None:
            await redraw(client, team_id, body["view"]["id"])  # no longer a mentor: show the roster as it is
            return
        await client.views_push(trigger_id=body["trigger_id"], view=mentor_load_modal(
            mentor_id, load.capacity, load.accepting, body["view"]["id"]))

    @app.view(MENTOR_LOAD)
    async def save_mentor_load(ack: AsyncAck, body: dict[str, Any], context: dict[str, Any], view: dict[str, Any],
                               client: AsyncWebClient) -> None:
        team_id, admin_id = team_of(context), body["user"]["id"]
        if await refused(body, context, "mentor load save"):
            await ack(response_action="update", view=REFUSED_VIEW)
            return
        capacity, accepting, problem = _read_load(view["state"]["values"])
        if problem:
            await ack(response_action="errors", errors={"capacity": problem})
            return
        meta = view_state.metadata(view)
        mentor_id, console_id = view_state.text(meta, "mentor"), view_state.text(meta, "console")
        if mentor_id is None or console_id is None:
            await ack(response_action="errors", errors={"capacity": "This form is out of date; reopen the console."})
            return
        saved = await admin_console.set_mentor_load(runtime, team_id=team_id, mentor_id=mentor_id,
                                                    capacity=capacity or 0, accepting=accepting, admin_id=admin_id)
        await ack()
        if saved:
            runtime.member_changed(team_id, mentor_id)
        try:
            await redraw(client, team_id, console_id)
        except SlackApiError as exc:  # the console was closed meanwhile: the change is saved anyway
            log.info("Admin console %s not redrawn: %s", console_id, exc.response.get("error"))
