"""The words search compares: accents and case folded, English stems, common words left out.

Done in Python, for index text and queries alike, so SQLite (FTS5) and PostgreSQL (tsvector) index the
very same stems and a query finds the same documents on both. The databases' own stemmers differ
(FTS5's `porter` is Porter's 1980 stemmer, PostgreSQL's `english` config is Snowball's with its own stop
list), and `unaccent` is a PostgreSQL extension SQLite does not have. snowballstemmer is the pure-Python
Snowball (the package Sphinx uses): "falls" and "fall", "readmissions" and "réadmission" meet.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import snowballstemmer

# Letters and digits only: every FTS syntax character a person types (" * - : ( ) ^ +) is a separator.
_WORD = re.compile(r"[^\W_]+")
# Common English (and a few French) words that say nothing about a project.
STOP_WORDS = frozenset("""
a about after again all also am an and any are as at be been before being between both but by can could
did do does doing down during each few for from further had has have having he her here hers him his how
i if in into is it its just me more most my no nor not now of off on once only or other our ours out over
own same she should so some such than that the their theirs them then there these they this those through
to too under until up very was we were what when where which while who whom why will with would you your
yours le la les des du de et en un une au aux pour sur dans avec
""".split())
_STEMMER = snowballstemmer.stemmer("english")


def fold(text: str) -> str:
    """Lower case without accents: 'Réadmission' -> 'readmission' (ø, æ and ß have no accent to drop)."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def words(text: str | None) -> list[str]:
    """The words of a text, folded, in order (stop-words included)."""
    return _WORD.findall(fold(text or ""))


@lru_cache(maxsize=50_000)
def stem(word: str) -> str:
    return _STEMMER.stemWord(word)


def stems(text: str | None) -> list[str]:
    """The stems a text is indexed or searched by, in order, without stop-words or lone letters (the "s"
    of "fall's")."""
    return [stem(word) for word in words(text) if word not in STOP_WORDS and not (len(word) == 1 and word.isalpha())]


def terms(*texts: str | None) -> str:
    """What a term column holds: the stems of the texts, space-separated."""
    return " ".join(s for text in texts for s in stems(text))
