"""The part of a result's text around the words searched for, with those words marked.

Plain data: (text, matched) pieces. The handler escapes each piece for mrkdwn and then bolds the
matched ones, so a highlight can never open a mention or a link in what a member wrote.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from bot.search.words import fold, stem

_TOKEN = re.compile(r"[^\W_]+")
WIDTH = 220


def pieces(text: str, wanted: Iterable[str], width: int = WIDTH) -> list[tuple[str, bool]]:
    """Up to `width` characters of `text` around its first matched word, split into (text, matched)."""
    wanted = set(wanted)
    text = " ".join(text.split())  # one line: a snippet is a sentence, not the whole layout
    matches = [(m.start(), m.end()) for m in _TOKEN.finditer(text) if stem(fold(m.group())) in wanted]
    start = 0
    if matches and matches[0][0] > width // 3:
        start = text.rfind(" ", 0, matches[0][0] - width // 3) + 1
    end = min(len(text), start + width)
    if end < len(text):
        end = max(text.rfind(" ", start, end), start + width // 2)
    out: list[tuple[str, bool]] = [("…", False)] if start > 0 else []
    at = start
    for m_start, m_end in matches:
        if m_start < start or m_end > end:
            continue
        if m_start > at:
            out.append((text[at:m_start], False))
        out.append((text[m_start:m_end], True))
        at = m_end
    if end > at:
        out.append((text[at:end], False))
    if end < len(text):
        out.append(("…", False))
    return out
