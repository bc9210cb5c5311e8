"""The weekly prompt and digest jobs: check the schedule, build the post, claim the week, post once.

Jobs receive the runtime and a job name, never a client of their own. Whether this week's run
already happened is a row in the database (bot/weekly/claims.py), so the scheduler's tick, a
restart's catch-up, a second replica and an operator's `qi-commons jobs run` all post once.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.core.runtime import Runtime
from bot.learn.primers import find_topic
from bot.report.stories import featured_stories
from bot.weekly import claims as scheduled_posts
from bot.weekly.claims import PostKey
from bot.weekly.digest import WeeklyDigest, digest_until
from bot.weekly.prompts import next_weekly_prompt
from bot.weekly.schedules import JOB_TITLES, PROMPT, latest_run, period_of, skip_reason
from handlers.installed import Workspace, workspace
from handlers.weekly.blocks import MESSAGE_BLOCKS, digest_message, prompt_message

log = logging.getLogger(__name__)

OUTCOMES = {"sent": "posted", "pending": "queued", "dead": "failed"}
STORIES_FEATURED = 2


@dataclass(frozen=True)
class RunResult:
    job: str
    period: str
    # posted | queued (Slack failed for now; the sweep retries) | failed | skipped | already-claimed |
    # dry-run | no-channel
    outcome: str
    message: dict[str, Any] | None = None
    note: str | None = None


async def run_weekly_job(runtime: Runtime, job: str, *, due: datetime | None = None, manual: bool = False,
                         dry_run: bool = False) -> RunResult:
    """Run `job` ("prompt" or "digest") for the run due at `due` (default: the latest scheduled run).

    `manual` is an operator running it now: pauses and skip dates do not apply, the digest covers
    up to now, and a failed or skipped claim of the latest scheduled run is taken over (so Friday's
    failed digest, run by hand on Monday, is Friday's post and leaves next Friday's alone).
    `dry_run` builds the post and returns it without claiming or posting anything.
    """
    settings = runtime.settings
    now = runtime.clock.now()
    due = (due or latest_run(settings, job, now)).astimezone(settings.tz)
    period = period_of(due)
    if settings.community_channel_id is None:
        log.warning("The %s was not posted: COMMUNITY_CHANNEL_ID is not set", JOB_TITLES[job].lower())
        return RunResult(job, period, "no-channel", note="COMMUNITY_CHANNEL_ID is not set")
    space = await workspace(runtime)
    key = PostKey(space.team_id, settings.community_channel_id, job, period)

    if not dry_run:
        existing = await scheduled_posts.existing_claim(runtime, key)
        if existing is not None and not (manual and existing.status in scheduled_posts.RETAKEABLE):
            return RunResult(job, period, "already-claimed", note=existing.status)
    if not manual:
        reason = await skip_reason(runtime, space.team_id, job, due.date())
        if reason is not None:
            if await scheduled_posts.record_skip(runtime, key, reason):
                log.info("Skipped the %s for %s: %s", JOB_TITLES[job].lower(), period, reason)
            return RunResult(job, period, "skipped", note=reason)

    build = _prompt if job == PROMPT else _digest
    message, detail = await build(runtime, space, until=due if not manual else now)
    if dry_run:
        return RunResult(job, period, "dry-run", message=message)
    claim = await scheduled_posts.claim(runtime, key, detail=detail, message=message, take_over=manual)
    if claim is None:
        return RunResult(job, period, "already-claimed", note="claimed by another run")
    delivery = await scheduled_posts.post(runtime, claim)
    outcome = OUTCOMES[delivery.status]
    log.info("%s for %s: %s", JOB_TITLES[job], period, outcome)
    return RunResult(job, period, outcome, message=message, note=delivery.error)


async def already_ran(runtime: Runtime, job: str, due: datetime) -> bool:
    """Whether the run due at `due` was claimed (posted, skipped, or still being posted)."""
    channel = runtime.settings.community_channel_id
    if channel is None:
        return False
    space = await workspace(runtime)
    key = PostKey(space.team_id, channel, job, period_of(due.astimezone(runtime.settings.tz)))
    return await scheduled_posts.existing_claim(runtime, key) is not None


async def _prompt(runtime: Runtime, space: Workspace, *, until: datetime) -> tuple[dict[str, Any], dict[str, Any]]:
    prompt = await next_weekly_prompt(runtime, space.team_id)
    topic = find_topic(prompt.theme)
    return prompt_message(prompt, topic.button_label if topic else None), {"prompt_id": prompt.id}


async def _digest(runtime: Runtime, space: Workspace, *, until: datetime) -> tuple[dict[str, Any], dict[str, Any]]:
    message, digest = await digest_preview(runtime, space, until=until)
    return message, {"since": digest.since.isoformat(), "until": digest.until.isoformat(),
                     "updates": digest.update_count, "empty": digest.is_empty}


async def digest_preview(runtime: Runtime, space: Workspace, *, until: datetime,
                         max_blocks: int = MESSAGE_BLOCKS) -> tuple[dict[str, Any], WeeklyDigest]:
    """The digest message covering the time since the last digest up to `until`, and its data."""
    settings = runtime.settings
    digest = await digest_until(runtime, space.team_id, until)
    # Members' value stories told this week, featured only when their tellers let anyone read them.
    stories = await featured_stories(runtime, space.team_id, digest.since, digest.until, limit=STORIES_FEATURED)
    message = digest_message(digest, channel_id=settings.community_channel_id or "", tz=settings.tz,
                             workspace_url=space.url, max_blocks=max_blocks, stories=stories)
    return message, digest

