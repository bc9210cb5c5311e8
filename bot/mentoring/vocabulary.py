"""The controlled vocabulary of mentoring: topics, disciplines, career stages, formats, modes, cadence.

The words live in ``bot/data/mentor_vocabulary.toml`` so the QI lead can extend them without a code
change. This module turns what people type ("SPC", "control charts", "Root cause") into stable ids.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from typing import Literal, TypeVar

# Slack's limit for option text: a longer name would make every select that lists it fail.
MAX_NAME_CHARS = 75
TOPIC_GROUPS = ("QI methods", "Clinical areas")

ChoiceKind = Literal["discipline", "career_stage", "format", "mode", "cadence"]
CHOICE_KINDS: tuple[ChoiceKind, ...] = ("discipline", "career_stage", "format", "mode", "cadence")


@dataclass(frozen=True)
class Term:
    """A mentoring topic a mentor offers and a mentee asks for."""

    id: str
    name: str
    group: str
    synonyms: tuple[str, ...]

    @property
    def label(self) -> str:
        """The name as it reads mid-sentence ("offers your topic: run charts"): the same
        words as in the selects, so one topic never reads as two. An acronym ("QI", "PDSA") keeps its case."""
        first = self.name.split(" ", 1)[0]
        if sum(ch.isupper() for ch in first) > 1:
            return self.name
        return self.name[:1].lower() + self.name[1:]

    def spellings(self) -> tuple[str, ...]:
        """Everything that names this topic, as match_term accepts it."""
        return (self.id, self.name, self.label, *self.synonyms)


@dataclass(frozen=True)
class Choice:
    """One option of a small vocabulary (a discipline, a career stage, a format...)."""

    kind: ChoiceKind
    id: str
    name: str
    synonyms: tuple[str, ...]
    person: str | None = None  # disciplines only: "psychiatrist", for "psychiatrist like you"

    def spellings(self) -> tuple[str, ...]:
        """Everything that names this option, as match_choice accepts it."""
        return (self.id, self.name, *self.synonyms)


_Entry = TypeVar("_Entry", Term, Choice)


@dataclass(frozen=True)
class _Vocabulary:
    terms: tuple[Term, ...]
    terms_by_id: dict[str, Term]
    term_index: dict[str, Term]  # normalised name/id/synonym -> term
    longest_key: int  # in words, bounds the scan in topics_from_text
    choices: dict[str, tuple[Choice, ...]]
    choice_index: dict[str, dict[str, Choice]]


_APOSTROPHES = re.compile(r"['’]")
_NOT_WORD = re.compile(r"[^0-9a-z]+")


def _stem(word: str) -> str:
    # A plural "s" must not stop "run charts" from meeting the synonym "run chart". Applied to both
    # the vocabulary and the text, so a stem only has to be consistent, not linguistically right.
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


def _words(text: str) -> list[str]:
    text = _APOSTROPHES.sub("", text.casefold().replace("&", " and "))
    return [_stem(word) for word in _NOT_WORD.split(text) if word]


def _key(text: str) -> str:
    return " ".join(_words(text))


def _index(entries: Sequence[_Entry], what: str) -> dict[str, _Entry]:
    index: dict[str, _Entry] = {}
    for entry in entries:
        for spelling in entry.spellings():
            key = _key(spelling)
            if not key:
                raise ValueError(f"{what} {entry.id!r}: {spelling!r} has no letters or digits")
            other = index.setdefault(key, entry)
            if other is not entry:
                raise ValueError(f"{what} {entry.id!r}: {spelling!r} already means {other.id!r}")
    return index


def _check_ids_and_names(kind: str, entries: Sequence[_Entry]) -> None:
    seen: set[str] = set()
    for entry in entries:
        if entry.id in seen:
            raise ValueError(f"{kind} id {entry.id!r} appears twice")
        seen.add(entry.id)
        if not entry.name or len(entry.name) > MAX_NAME_CHARS:
            raise ValueError(f"{kind} {entry.id!r}: name must be 1..{MAX_NAME_CHARS} characters")


def _build(raw: dict) -> _Vocabulary:
    terms = [
        Term(id=t["id"], name=t["name"], group=t["group"], synonyms=tuple(t["synonyms"]))
        for t in raw["topic"]
    ]
    _check_ids_and_names("topic", terms)
    for t in terms:
        if t.group not in TOPIC_GROUPS:
            raise ValueError(f"topic {t.id!r}: group must be one of {TOPIC_GROUPS}")
    term_index = _index(terms, "topic")

    by_kind: dict[str, tuple[Choice, ...]] = {}
    choice_index: dict[str, dict[str, Choice]] = {}
    for kind in CHOICE_KINDS:
        entries = [
            Choice(
                kind=kind, id=c["id"], name=c["name"], synonyms=tuple(c["synonyms"]), person=c.get("person")
            )
            for c in raw[kind]
        ]
        _check_ids_and_names(kind, entries)
        by_kind[kind] = tuple(entries)
        choice_index[kind] = _index(entries, kind)

    return _Vocabulary(
        terms=tuple(terms),
        terms_by_id={t.id: t for t in terms},
        term_index=term_index,
        longest_key=max(len(key.split()) for key in term_index),
        choices=by_kind,
        choice_index=choice_index,
    )


@cache
def _vocabulary() -> _Vocabulary:
    text = (files("bot") / "data" / "mentor_vocabulary.toml").read_text(encoding="utf-8")
    return _build(tomllib.loads(text))


def terms() -> list[Term]:
    """All topics, QI methods first, in the order the data file lists them."""
    return list(_vocabulary().terms)


def term(term_id: str) -> Term:
    """The topic with this id; KeyError if the vocabulary has no such topic."""
    return _vocabulary().terms_by_id[term_id]


def topic_names(topic_ids: Sequence[str]) -> tuple[str, ...]:
    """The names of stored topic ids, for display; a topic retired from the vocabulary reads as its id."""
    names = []
    for topic_id in topic_ids:
        try:
            names.append(term(topic_id).name)
        except KeyError:
            names.append(topic_id)
    return tuple(names)


def match_term(text: str) -> Term | None:
    """The topic whose name, label, id or synonym is ``text`` (case, punctuation and plural ignored)."""
    return _vocabulary().term_index.get(_key(text))


def topics_from_text(text: str) -> list[str]:
    """Topic ids mentioned in free text, in order of first mention, each once.

    Matches whole words only (so "SPC" is not found inside another word) and, at each position, the
    longest synonym wins: "statistical process control" is one mention of measurement, and the
    words inside it are not read again on their own.
    """
    vocabulary = _vocabulary()
    words = _words(text)
    found: dict[str, None] = {}
    i = 0
    while i < len(words):
        for length in range(min(vocabulary.longest_key, len(words) - i), 0, -1):
            hit = vocabulary.term_index.get(" ".join(words[i : i + length]))
            if hit is not None:
                found.setdefault(hit.id, None)
                i += length
                break
        else:
            i += 1
    return list(found)


def choices(kind: ChoiceKind) -> list[Choice]:
    """The options of one small vocabulary, in the order the data file lists them."""
    return list(_vocabulary().choices[kind])


def disciplines() -> list[Choice]:
    return choices("discipline")


def career_stages() -> list[Choice]:
    return choices("career_stage")


def formats() -> list[Choice]:
    return choices("format")


def modes() -> list[Choice]:
    return choices("mode")


def cadences() -> list[Choice]:
    return choices("cadence")


def choice(kind: ChoiceKind, choice_id: str) -> Choice:
    """The option of ``kind`` with this id; KeyError if there is none."""
    for entry in _vocabulary().choices[kind]:
        if entry.id == choice_id:
            return entry
    raise KeyError(f"{kind} {choice_id!r}")


def match_choice(kind: ChoiceKind, text: str) -> Choice | None:
    """The option of ``kind`` whose name, id or synonym is ``text`` (as tolerant as match_term)."""
    return _vocabulary().choice_index[kind].get(_key(text))
