"""Messages of `/qi-commons learn`: the topic list, one primer, and "did you mean" for unknown topics."""

from __future__ import annotations

from typing import Any

from bot.core.text import escape, mention, truncate
from bot.learn.primers import LearnTopic, topics
from bot.search.query import Result
from bot.sharing.projects import stage_label
from handlers.blocks import archive_link, section

OPEN_TOPIC = "learn_open_topic"
# Slack allows 25 elements in one actions block.
BUTTONS_PER_ROW = 25


def _buttons(choices: list[LearnTopic] | tuple[LearnTopic, ...]) -> list[dict[str, Any]]:
    rows = []
    for start in range(0, len(choices), BUTTONS_PER_ROW):
        rows.append({"type": "actions", "elements": [
            {"type": "button", "text": {"type": "plain_text", "text": topic.button_label},
             "action_id": f"{OPEN_TOPIC}_{topic.id}", "value": topic.id}
            for topic in choices[start:start + BUTTONS_PER_ROW]]})
    return rows


def topic_list() -> tuple[str, list[dict[str, Any]]]:
    all_topics = topics()
    lines = "\n".join(f"• *{topic.title}*: {topic.summary}" for topic in all_topics)
    blocks = [
        {"type": "header", "text": {"type": "plain_text", "text": "Learn: short QI primers"}},
        {"type": "section", "text": {"type": "mrkdwn", "text": truncate(lines, 3000)}},
        *_buttons(all_topics),
        {"type": "context", "elements": [{"type": "mrkdwn", "text": (
            "Or type a topic: `/qi-commons learn qi-vs-research`. Each primer reads in under two minutes "
            "and lists its sources.")}]},
    ]
    return "QI primers: " + ", ".join(topic.button_label for topic in all_topics), blocks


def _done_here(projects: tuple[Result, ...], workspace_url: str | None) -> dict[str, Any]:
    """The community's own projects on the topic, or an invitation to be the first."""
    if not projects:
        return section("*What has been done here on this*\nNobody here has shared a project on this yet: yours "
                       "could be the first (`/qi-share new`).")
    lines = []
    for p in projects:
        title = escape(truncate(p.title, 150))
        link = archive_link(workspace_url, p.channel_id, p.ts)
        stage = f"{stage_label(p.pdsa_stage)} stage, " if p.pdsa_stage else ""
        lines.append(f"• *{f'<{escape(link)}|{title}>' if link else title}* by {mention(p.owner_id)} "
                     f"({stage}{p.at:%B %Y})")
    return section("*What has been done here on this*\n" + "\n".join(lines)
                   + "\nAsk them how it went, or search for more: `/qi-commons search`", verbatim=True)


def primer(topic: LearnTopic, projects: tuple[Result, ...] | None = None,
           workspace_url: str | None = None) -> tuple[str, list[dict[str, Any]]]:
    """The primer; with `projects` (None: not looked up) the community's own work on it after the text."""
    sources = "\n".join(f"• <{source.url}|{escape(source.title)}>" for source in topic.sources)
    blocks: list[dict[str, Any]] = [{"type": "header", "text": {"type": "plain_text", "text": topic.title}}]
    blocks += [{"type": "section", "text": {"type": "mrkdwn", "text": paragraph}} for paragraph in topic.paragraphs]
    if projects is not None:
        blocks.append(_done_here(projects, workspace_url))
    blocks += [
        {"type": "section", "text": {"type": "mrkdwn", "text": truncate(f"*Sources*\n{sources}", 3000)}},
        {"type": "context", "elements": [{"type": "mrkdwn", "text": "More topics: `/qi-commons learn`"}]},
    ]
    return f"{topic.title}: {topic.summary}", blocks


def not_found(query: str, suggestions: list[LearnTopic]) -> tuple[str, list[dict[str, Any]]]:
    asked = escape(truncate(query, 60))
    if suggestions:
        text = f"I have no primer called `{asked}`. Did you mean one of these?"
        choices = suggestions
    else:
        text = f"I have no primer called `{asked}`. Here are all the topics:"
        choices = list(topics())
    blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": text, "verbatim": True}}, *_buttons(choices)]
    return text, blocks
