"""The CPD phrasing table (tests/data/cpd_phrasings.toml): what clinicians type, through the real parser.

Each row says what the parser must make of one phrasing: an entry with its section, type, amount,
credits (computed by the framework rules, as the bot would log them) and date; a question naming the
types the member picks from; or a refusal.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from decimal import Decimal
from pathlib import Path

import pytest

from bot.cpd.quick_entry import NeedsType, ParsedEntry, ParseError, parse_quick_entry
from bot.cpd.rules import credits_for, get_framework

TABLE = tomllib.loads((Path(__file__).parent.parent / "data" / "cpd_phrasings.toml").read_text(encoding="utf-8"))
TODAY: dt.date = TABLE["today"]
ROWS = TABLE["phrasing"]


def test_the_table_covers_three_professions_with_at_least_60_phrasings():
    assert len(ROWS) >= 60
    assert {row["framework"] for row in ROWS} == {"rcpsc-moc", "cfpc-mainpro", "hours"}
    assert len({(row["text"], row["framework"]) for row in ROWS}) == len(ROWS)


@pytest.mark.parametrize("row", ROWS, ids=[f"{row['framework']}: {row['text']}" for row in ROWS])
def test_phrasing(row):
    result = parse_quick_entry(row["text"], row["framework"], TODAY)
    if "error" in row:
        assert isinstance(result, ParseError), result
        assert result.code == row["error"], result.message
        return
    rules = get_framework(row["framework"])
    if "ask" in row:
        assert isinstance(result, NeedsType), result
        assert list(result.choices) == row["ask"]
        assert {rules.section(rules.activity(a).section).name for a in result.choices} >= {row["section"]}
        entry = result.entry
    else:
        assert isinstance(result, ParsedEntry), result
        entry = result
        activity = rules.activity(entry.activity_type)
        assert entry.activity_type == row["activity"]
        assert rules.section(activity.section).name == row["section"]
        assert credits_for(entry.activity()) == Decimal(row["credits"])
        # Said, never silent: a default type or a type read from the words is in the reply's notes.
        assert bool(entry.assumptions and entry.assumptions[0].startswith("Assumed")) == row.get("assumed", False)
    assert entry.hours == (Decimal(row["hours"]) if "hours" in row else None)
    assert entry.quantity == (Decimal(row["quantity"]) if "quantity" in row else None)
    assert entry.date == TODAY - dt.timedelta(days=row.get("days_ago", 0))
    if "title" in row:
        assert entry.title == row["title"]
