"""The scheduled posts: the weekly prompt, the weekly digest, and the empty week's encouragement.

Every piece of user text is escaped and sits in a `verbatim` text object, the fallback `text`
included, so a project called `<!here>` pings nobody. The digest fills at most `max_blocks`
blocks (Slack allows 50) and says how many updates it left out, with a link to the channel.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.core.text import escape, first_line, mention, plural, truncate
from bot.report.monthly import KIND as REPORT_KIND
from bot.report.stories import Story
from bot.sharing.projects import progress_label, stage_label
from bot.weekly.digest import DigestUpdate, WeeklyDigest
from bot.weekly.prompts import WeeklyPrompt
from handlers.blocks import SECTION_LIMIT, archive_link, button, context, header, section
from handlers.learn.blocks import OPEN_TOPIC

SHARE_UPDATE = "scheduled_share_update"
FIND_MENTOR = "scheduled_find_mentor"
MESSAGE_BLOCKS = 50
PROMPT_BLOCK = "weekly_prompt"  # the prompt's actions block is `weekly_prompt:ID`: a share from it answers it


def share_button() -> dict[str, Any]:
    return button("Share an update", SHARE_UPDATE, "share", style="primary")


def _lines_within(heading: str, lines: list[str], more: Callable[[int], str], unlisted: int = 0) -> tuple[str, int]:
    """Heading plus as many lines as fit in one section (and how many that is). `more(n)` says how many
    were left out: the lines that did not fit plus `unlisted` ones that were never lines, counted once."""
    text, shown = heading, 0
    reserve = len(more(10_000)) + 1
    for line in lines:
        last = shown == len(lines) - 1 and not unlisted
        if len(text) + 1 + len(line) + (0 if last else reserve) > SECTION_LIMIT:
            break
        text, shown = f"{text}\n{line}", shown + 1
    if left_out := len(lines) - shown + unlisted:
        text += "\n" + more(left_out)
    return text, shown


_SIGNAL_WORDS = {
    "longest_run": lambda n: f"{n} points in a row on the better side of the centre line",
    "shift": lambda n: f"a shift of {n} points",
    "trend": lambda n: f"a trend of {n} points",
    "outside_limits": lambda n: "a point beyond the control limits",
}


def _list_section(heading: str, lines: list[str], unlisted: int = 0) -> dict[str, Any]:
    return section(_lines_within(heading, lines, lambda n: f"…and {n} more", unlisted)[0], verbatim=True)


# --- weekly prompt -------------------------------------------------------------------------------------


def prompt_message(prompt: WeeklyPrompt, learn_label: str | None) -> dict[str, Any]:
    """A question to the channel, one line of QI teaching, and buttons to share or learn more."""
    buttons = [share_button()]
    if learn_label:
        # The learn feature's own button: its listener shows the primer to whoever clicks.
        buttons.append(button(f"Learn more: {learn_label}", f"{OPEN_TOPIC}_{prompt.theme}", prompt.theme))
    blocks: list[dict[str, Any]] = [
        section(f":speech_balloon: *This week's question*\n{escape(prompt.question)}", verbatim=True),
        section(f":bulb: *QI tip:* {escape(prompt.teaching_point)}", verbatim=True),
    ]
    if prompt.source:
        blocks.append(context(f"Source: {escape(prompt.source)}", verbatim=True))
    blocks.append({"type": "actions", "block_id": f"{PROMPT_BLOCK}:{prompt.id}", "elements": buttons})
    return {"text": f"This week's question: {escape(prompt.question)}", "blocks": blocks}


# --- weekly digest -------------------------------------------------------------------------------------


def _link(url: str | None, label: str) -> str:
    return f"<{escape(url)}|{label}>" if url else label


def _author(update: DigestUpdate) -> str:
    return mention(update.author_id) if update.author_id else "a member"


def _update_link(update: DigestUpdate, workspace_url: str | None) -> str | None:
    return update.permalink or archive_link(workspace_url, update.channel_id, update.ts)


def _project_name(title: str | None) -> str:
    return f"*{escape(title)}*" if title else "*Updates without a project*"


def _update_line(update: DigestUpdate, workspace_url: str | None) -> str:
    facts = [_author(update)]
    if update.stage:
        facts.append(stage_label(update.stage))
    if update.progress is not None:
        facts.append(f"progress {progress_label(update.progress)}")
    summary = escape(truncate(update.summary, 150))
    link = _update_link(update, workspace_url)
    return f"• {' · '.join(facts)}: {summary}" + (f" {_link(link, 'View')}" if link else "")


def _short_line(update: DigestUpdate, text: str, workspace_url: str | None) -> str:
    link = _update_link(update, workspace_url)
    where = _project_name(update.project_title)
    return f"• {where}: {escape(first_line(text, 150))} ({_author(update)})" + (
        f" {_link(link, 'Reply')}" if link else "")


def _window_label(digest: WeeklyDigest, tz: ZoneInfo) -> str:
    since, until = digest.since.astimezone(tz), digest.until.astimezone(tz)
    return f"{_day(since)} to {_day(until)}"


def _day(moment: datetime) -> str:
    return f"{moment:%a} {moment.day} {moment:%b}"


def digest_message(digest: WeeklyDigest, *, channel_id: str, tz: ZoneInfo, workspace_url: str | None,
                   max_blocks: int = MESSAGE_BLOCKS, stories: Sequence[Story] = ()) -> dict[str, Any]:
    """The weekly digest in at most `max_blocks` blocks; an empty week gets an encouragement instead.

    `stories` are value stories whose tellers let anyone read them (bot.report.stories.featured_stories).
    """
    if digest.is_empty:
        return empty_digest_message(digest, tz=tz)
    head: list[dict[str, Any]] = [
        header("QI Commons weekly digest"),
        context(f"{_window_label(digest, tz)}  ·  {plural(digest.update_count, 'update')} from "
                f"{plural(digest.project_count, 'project')}  ·  {plural(digest.new_project_count, 'new project')}",
                verbatim=True),
    ]
    if digest.new_projects:
        lines = [f"• {_link(archive_link(workspace_url, p.channel_id, p.thread_ts), f'*{escape(p.title)}*')}"
                 + (f" started by {mention(p.owner_id)}" if p.owner_id else "") for p in digest.new_projects]
        head.append(section(_lines_within(":seedling: *New projects*", lines,
                                          lambda n: f"…and {plural(n, 'more new project')}",
                                          digest.new_project_count - len(digest.new_projects))[0], verbatim=True))

    tail = _tail_blocks(digest, workspace_url, stories)
    # Project sections fill what is left, keeping one block for the "and N more updates" line. Each
    # update left out is counted once: in its project's section if that is shown, else in that line.
    room = max_blocks - len(head) - len(tail) - 1
    project_blocks, accounted = [], 0
    for group in digest.projects[:max(room, 0)]:
        lines = [_update_line(update, workspace_url) for update in group.updates]
        text, _ = _lines_within(_project_name(group.title), lines,
                                lambda n: f"…and {plural(n, 'more update')} on this project")
        project_blocks.append(section(text, verbatim=True))
        accounted += len(group.updates)
    blocks = head + project_blocks
    if (left_out := digest.update_count - accounted) > 0:
        blocks.append(context(f"…and {plural(left_out, 'more update')} this week: see <#{channel_id}>",
                              verbatim=True))
    blocks += tail

    # Shortened before escaping, so the notification never ends in half an entity such as `&am…`.
    top = (f", including {escape(truncate(digest.projects[0].title, 150))}"
           if digest.projects and digest.projects[0].title else "")
    text = (f"QI Commons weekly digest: {plural(digest.update_count, 'update')} from "
            f"{plural(digest.project_count, 'project')}{top}")
    return {"text": text, "blocks": blocks}


def _tail_blocks(digest: WeeklyDigest, workspace_url: str | None, stories: Sequence[Story]) -> list[dict[str, Any]]:
    """Stories, help wanted, kudos, mentoring, CPD and mentors with room: always shown, whatever the updates."""
    blocks: list[dict[str, Any]] = [{"type": "divider"}]
    if stories:
        lines = [f"• “{escape(truncate(s.difference, 200))}” ({mention(s.author_id) if s.author_id else 'a member'})"
                 for s in stories]
        blocks.append(_list_section(":sparkles: *The difference QI Commons made*", lines))
    if digest.signals:
        # One line a measure: a long run is usually a shift too, and the same good news once is enough.
        shown = {(s.slug, s.measure_name): s for s in reversed(digest.signals)}.values()
        lines = [f"*{escape(s.measure_name)}* in {escape(s.project_title)} (`#{s.slug}`): {_SIGNAL_WORDS[s.rule](s.points)}"
                 for s in shown]
        blocks.append(_list_section(":chart_with_upwards_trend: *Signals of improvement*", lines))
    if digest.help_wanted:
        lines = [_short_line(u, u.help_wanted or "", workspace_url) for u in digest.help_wanted]
        blocks.append(_list_section(":raising_hand: *Help wanted*", lines))
    if digest.most_kudos:
        lines = [f"{_short_line(u, u.summary, workspace_url)} :clap: {u.kudos}" for u in digest.most_kudos]
        blocks.append(_list_section(":clap: *Most appreciated*", lines))
    mentoring = [f"{plural(digest.new_matches, 'new mentorship')} started  ·  "
                 f"{plural(digest.open_requests, 'request')} waiting for a mentor"]
    mentoring += [f"• {mention(mentor)} is now mentoring {mention(mentee)}" for mentor, mentee in digest.named_matches]
    blocks.append(_list_section(":handshake: *Mentoring*", mentoring))
    if digest.cpd_hours is not None:
        hours = digest.cpd_hours.normalize()
        blocks.append(section(f":mortar_board: *CPD*\n{hours:f} {'hour' if hours == 1 else 'hours'} of CPD logged by "
                              f"{plural(digest.cpd_members or 0, 'member')}. Log yours with `/cpd-log`.",
                              verbatim=True))
    buttons = [share_button()]
    if digest.mentors_with_room:
        named = ", ".join(mention(user) for user in digest.named_mentors)
        who = f", including {named}" if named else ""
        blocks.append(section(f":busts_in_silhouette: *{plural(digest.mentors_with_room, 'mentor')} "
                              f"{'has' if digest.mentors_with_room == 1 else 'have'} room for a mentee*{who}.",
                              verbatim=True))
        buttons.insert(0, button("Find a mentor", FIND_MENTOR, "find", style="primary"))
        buttons[1].pop("style")  # one primary button per message reads best
    blocks.append({"type": "actions", "block_id": "weekly_digest", "elements": buttons})
    return blocks


def empty_digest_message(digest: WeeklyDigest, *, tz: ZoneInfo) -> dict[str, Any]:
    """A quiet week: a short encouragement rather than an empty digest."""
    text = ("It was a quiet week in QI Commons. Small tests of change count: what did you try, even if it "
            "did not work? Share it and someone will learn from it.")
    return {"text": text, "blocks": [
        section(f":seedling: *{_window_label(digest, tz)}*\n{text}", verbatim=True),
        {"type": "actions", "block_id": "weekly_digest", "elements": [share_button()]},
    ]}


def failure_notice(kind: str, channel_id: str, error: str) -> str:
    """The admins' DM when Slack refused a scheduled post for good (bot.weekly.claims.FailureNotice)."""
    if kind == REPORT_KIND:  # the monthly report goes to an admin's DM, not to the channel
        return (f":warning: I could not send the monthly value report to {mention(channel_id)} (Slack said "
                f"`{escape(error)}`). They can ask for it with `/qi-commons admin report`.")
    return (f":warning: I could not post the weekly {kind} to <#{channel_id}> (Slack said `{escape(error)}`). "
            "If the channel is private, invite me to it; if it was archived or deleted, set COMMUNITY_CHANNEL_ID "
            f"to the right channel. Then run `qi-commons jobs run weekly-{kind}` to post it.")
