"""Short, sourced QI primers for ``/qi-commons learn [topic]``, and forgiving lookup of a topic.

The primers live in ``bot/data/learn_topics.toml`` so the QI lead can correct a fact or add a source
without a code change. People type topics loosely ("QI vs research", "run chart", "Mainpro+"), so
lookup normalises what they type and falls back to suggestions rather than a bare "unknown topic".
"""

from __future__ import annotations

import difflib
import re
import tomllib
from dataclasses import dataclass
from functools import cache
from importlib.resources import files

_NOT_WORD = re.compile(r"[^0-9a-zø]+")


@dataclass(frozen=True)
class Source:
    title: str
    url: str


@dataclass(frozen=True)
class LearnTopic:
    id: str
    title: str
    summary: str
    paragraphs: tuple[str, ...]  # Slack mrkdwn, one section block each
    sources: tuple[Source, ...]
    button_label: str
    aliases: tuple[str, ...] = ()
    community_search: tuple[str, ...] = ()  # phrases a project on this topic uses (bot/learn/community.py)


def _key(text: str) -> str:
    """'QI vs. Research' and 'qi-vs-research' are the same key."""
    return _NOT_WORD.sub("-", text.casefold()).strip("-")


@cache
def topics() -> tuple[LearnTopic, ...]:
    """All primers in the order the topic list shows them."""
    raw = tomllib.loads((files("bot") / "data" / "learn_topics.toml").read_text(encoding="utf-8"))
    return tuple(
        LearnTopic(
            id=entry["id"],
            title=entry["title"],
            summary=entry["summary"],
            paragraphs=tuple(paragraph.strip() for paragraph in entry["body"]),
            sources=tuple(Source(title=source["title"], url=source["url"]) for source in entry["sources"]),
            button_label=entry["button_label"],
            aliases=tuple(entry.get("aliases", ())),
            community_search=tuple(entry.get("community_search", ())),
        )
        for entry in raw["topic"]
    )


@cache
def _index() -> dict[str, LearnTopic]:
    """Normalised id or alias -> topic. An alias may never point at two topics."""
    index: dict[str, LearnTopic] = {}
    for topic in topics():
        for name in (topic.id, *topic.aliases):
            key = _key(name)
            if index.get(key, topic) is not topic:
                raise ValueError(f"learn_topics.toml: {name!r} names both {index[key].id} and {topic.id}")
            index[key] = topic
    return index


def find_topic(query: str) -> LearnTopic | None:
    """The topic meant by ``query``: an id or alias in any case or punctuation, or an unambiguous prefix."""
    key = _key(query)
    if not key:
        return None
    index = _index()
    if key in index:
        return index[key]
    # "run-chart" -> run-charts, "smart-aim" -> smart-aims; "m" could be several topics, so no match.
    candidates = {topic.id: topic for name, topic in index.items() if name.startswith(key)}
    return next(iter(candidates.values())) if len(candidates) == 1 else None


def suggest(query: str, limit: int = 3) -> list[LearnTopic]:
    """Topics close to an unrecognised ``query``, best first, for a "did you mean" reply."""
    key = _key(query)
    if not key:
        return []
    index = _index()
    found: dict[str, LearnTopic] = {}
    # A word typed in full ("mentor") is a strong hint even when it names no topic on its own.
    if len(key) >= 3:
        for name, topic in index.items():
            if key in name:
                found.setdefault(topic.id, topic)
    for name in difflib.get_close_matches(key, list(index), n=len(index), cutoff=0.6):
        found.setdefault(index[name].id, index[name])
    return list(found.values())[:limit]
