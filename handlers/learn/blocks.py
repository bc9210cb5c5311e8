"""Messages of `/qi-commons learn`: the topic list, one primer, and "did you mean" for unknown topics."""

from __future__ import annotations

from typing import Any

from bot.core.text import escape, truncate
from bot.learn.primers import LearnTopic, topics

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


def primer(topic: LearnTopic) -> tuple[str, list[dict[str, Any]]]:
    sources = "\n".join(f"• <{source.url}|{escape(source.title)}>" for source in topic.sources)
    blocks: list[dict[str, Any]] = [{"type": "header", "text": {"type": "plain_text", "text": topic.title}}]
    blocks += [{"type": "section", "text": {"type": "mrkdwn", "text": paragraph}} for paragraph in topic.paragraphs]
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
