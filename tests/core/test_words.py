"""Every message and view we have a golden fixture of reads as a clinician would write it: no "1 entries",
no "?;" where two sentences were glued together."""

from __future__ import annotations

import json
import re

import pytest

from tests.golden import GOLDEN

ONE_MANY = re.compile(r"(?<![\d.,])1 (entries|credits|points|places|projects|updates|members|hours|requests|mentees|"
                      r"mentorships|topics|activities|days|weeks|minutes)\b")
GLUED = re.compile(r"\?[;.,]")


def _texts(node):
    if isinstance(node, dict):
        for value in node.values():
            yield from _texts(value)
    elif isinstance(node, list):
        for value in node:
            yield from _texts(value)
    elif isinstance(node, str):
        yield node


@pytest.mark.parametrize("fixture", sorted(GOLDEN.glob("*.json")), ids=lambda path: path.stem)
def test_golden_words(fixture):
    for text in _texts(json.loads(fixture.read_text())):
        assert not ONE_MANY.search(text), f"{fixture.stem}: {ONE_MANY.search(text).group(0)!r} in {text[:120]!r}"
        assert not GLUED.search(text), f"{fixture.stem}: punctuation glued after a question in {text[:160]!r}"
