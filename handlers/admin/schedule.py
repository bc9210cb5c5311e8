"""`/qi-commons admin schedule | pause | resume | skip | unskip | holidays`: when the weekly posts run.

The admin router (handlers/admin/command.py) has already refused non-admins before these run.
Dates are local dates in the community's timezone, written YYYY-MM-DD. A change is an `Answering`
subcommand: stored before the ack, which carries what changed, so a crash once Slack shows the
command as taken cannot lose it.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from bot.core.audit import record_alone
from bot.core.text import escape
from bot.weekly.schedules import (
    DAY_NAMES,
    DIGEST,
    JOB_TITLES,
    JOBS,
    PROMPT,
    JobSchedule,
    change_schedule,
    day_label,
    schedule_overview,
    weekly_time,
)
from handlers.commands.context import Answer, Answering, CommandContext, Subcommand, message

JOB_WORDS = {"prompt": (PROMPT,), "prompts": (PROMPT,), "digest": (DIGEST,), "digests": (DIGEST,),
             "all": JOBS, "both": JOBS}
# Enough for a year of holidays off; a longer list would outgrow Slack's 3000-character section.
SKIP_DATES_SHOWN = 20
HOW_TO = ("Change it: `/qi-commons admin pause digest until 2027-01-04` · `/qi-commons admin resume digest` · "
          "`/qi-commons admin skip prompt 2026-12-28` · `/qi-commons admin unskip prompt 2026-12-28` · "
          "`/qi-commons admin holidays all off`. Use `prompt`, `digest` or `all`.")


def _moment(at: datetime) -> str:
    return f"{day_label(at.date())}, {at:%H:%M %Z}"


def _job_section(item: JobSchedule) -> dict[str, Any]:
    next_run = _moment(item.next_run)
    if item.next_run_skipped:
        next_run += f" (skipped: {item.next_run_skipped})"
    lines = [f"*{item.title}*  ·  {item.when}", f"Next run: {next_run}"]
    if item.next_run_skipped:
        lines.append(f"Next post: {_moment(item.next_post) if item.next_post else 'none in the next year'}")
    lines.append(f"Paused until: {day_label(item.paused_until)}" if item.paused_until else "Not paused")
    shown = ", ".join(day_label(d) for d in item.skip_dates[:SKIP_DATES_SHOWN]) or "none"
    if (more := len(item.skip_dates) - SKIP_DATES_SHOWN) > 0:
        shown += f" and {more} more"
    lines.append(f"Skip dates: {shown}")
    if not item.skip_holidays:
        lines.append("Ontario statutory holidays: posts as usual")
    elif item.holiday_skips:
        holidays = ", ".join(f"{day_label(d)} ({escape(name)})" for d, name in item.holiday_skips)
        lines.append(f"Ontario statutory holidays: skipped. Coming up: {holidays}")
    else:
        lines.append("Ontario statutory holidays: skipped (none on a run day in the next year)")
    if item.last_post:
        last = item.last_post
        note = f" ({escape(last.note)})" if last.note else ""
        lines.append(f"Last run: {last.period}, {last.status} {_moment(last.at)}{note}")
    return {"type": "section", "text": {"type": "mrkdwn", "text": "\n".join(lines), "verbatim": True}}


def schedule_message(overview: list[JobSchedule]) -> dict[str, Any]:
    blocks: list[dict[str, Any]] = [{"type": "header", "text": {"type": "plain_text", "text": "Weekly schedule"}}]
    blocks += [_job_section(item) for item in overview]
    blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": HOW_TO}]})
    text = "; ".join(f"{item.title}: next {_moment(item.next_run)}" for item in overview)
    return {"text": text, "blocks": blocks}


async def show_schedule(ctx: CommandContext) -> None:
    overview = await schedule_overview(ctx.runtime, ctx.team_id)
    await record_alone(ctx.runtime, team_id=ctx.team_id, actor_id=ctx.user_id, action="schedule.viewed")
    await ctx.reply(**schedule_message(overview))


def _today(ctx: CommandContext) -> date:
    return ctx.runtime.clock.now().astimezone(ctx.runtime.settings.tz).date()


def _jobs(word: str) -> tuple[str, ...] | None:
    return JOB_WORDS.get(word.lower())


def _date(text: str) -> date | None:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        return None


async def _confirm(ctx: CommandContext, said: str, jobs: tuple[str, ...]) -> Answer:
    """Say what changed, then show the jobs it changed as they now stand."""
    overview = [item for item in await schedule_overview(ctx.runtime, ctx.team_id) if item.job in jobs]
    return message(said, [{"type": "section", "text": {"type": "mrkdwn", "text": said}}]
                   + [_job_section(item) for item in overview])


def _names(jobs: tuple[str, ...]) -> str:
    return " and ".join(JOB_TITLES[job].lower() for job in jobs)


async def pause(ctx: CommandContext) -> Answer:
    words = ctx.text.split()
    usage = "Tell me what to pause and until when, e.g. `/qi-commons admin pause digest until 2027-01-04`."
    if len(words) == 3 and words[1].lower() == "until":
        words.pop(1)
    jobs = _jobs(words[0]) if words else None
    until = _date(words[1]) if len(words) == 2 else None
    if jobs is None or until is None:
        return message(f"I couldn't read that. {usage} Use `prompt`, `digest` or `all`, and a date as YYYY-MM-DD.")
    if until <= _today(ctx):
        return message(f"{day_label(until)} is not in the future. {usage} To stop a pause now, use "
                       f"`/qi-commons admin resume {words[0].lower()}`.")
    await change_schedule(ctx.runtime, team_id=ctx.team_id, actor_id=ctx.user_id, jobs=jobs, action="pause", day=until)
    return await _confirm(ctx, f"Paused the {_names(jobs)} until {day_label(until)}: the first run on or after "
                               "that date posts again.", jobs)


async def resume(ctx: CommandContext) -> Answer:
    jobs = _jobs(ctx.text.strip())
    if jobs is None:
        return message("Tell me what to resume: `/qi-commons admin resume prompt`, `digest` or `all`.")
    await change_schedule(ctx.runtime, team_id=ctx.team_id, actor_id=ctx.user_id, jobs=jobs, action="resume")
    return await _confirm(ctx, f"Resumed the {_names(jobs)}.", jobs)


async def _skip_or_unskip(ctx: CommandContext, action: str) -> Answer:
    words = ctx.text.split()
    jobs = _jobs(words[0]) if words else None
    day = _date(words[1]) if len(words) == 2 else None
    if jobs is None or day is None:
        return message(f"I couldn't read that. Try `/qi-commons admin {action} prompt 2026-12-28` "
                       "(`prompt`, `digest` or `all`, then a date as YYYY-MM-DD).")
    if action == "skip":
        if day < _today(ctx):
            return message(f"{day_label(day)} has passed; pick a date from today on.")
        runs_that_day = tuple(job for job in jobs if weekly_time(ctx.runtime.settings, job).day == f"{day:%a}".lower())
        if not runs_that_day:
            days = ", ".join(f"the {JOB_TITLES[job].lower()} runs on "
                             f"{DAY_NAMES[weekly_time(ctx.runtime.settings, job).day]}" for job in jobs)
            return message(f"Nothing runs on {day_label(day)} ({days}), so there is nothing to skip.")
        jobs = runs_that_day
    await change_schedule(ctx.runtime, team_id=ctx.team_id, actor_id=ctx.user_id, jobs=jobs, action=action, day=day)
    said = (f"The {_names(jobs)} will not post on {day_label(day)}." if action == "skip"
            else f"{day_label(day)} is no longer a skip date for the {_names(jobs)}.")
    return await _confirm(ctx, said, jobs)


async def skip(ctx: CommandContext) -> Answer:
    return await _skip_or_unskip(ctx, "skip")


async def unskip(ctx: CommandContext) -> Answer:
    return await _skip_or_unskip(ctx, "unskip")


async def holidays(ctx: CommandContext) -> Answer:
    words = ctx.text.lower().split()
    jobs = _jobs(words[0]) if words else None
    if jobs is None or len(words) != 2 or words[1] not in ("on", "off"):
        return message("Try `/qi-commons admin holidays all on` (skip Ontario's statutory holidays, the default) "
                       "or `/qi-commons admin holidays digest off` (post on holidays too).")
    await change_schedule(ctx.runtime, team_id=ctx.team_id, actor_id=ctx.user_id, jobs=jobs,
                          action=f"holidays-{words[1]}")
    said = (f"The {_names(jobs)} will skip Ontario's statutory holidays." if words[1] == "on"
            else f"The {_names(jobs)} will post on Ontario's statutory holidays too.")
    return await _confirm(ctx, said, jobs)


SUBCOMMANDS: dict[str, Subcommand | Answering] = {
    "schedule": show_schedule, "pause": Answering(pause), "resume": Answering(resume), "skip": Answering(skip),
    "unskip": Answering(unskip), "holidays": Answering(holidays)}
