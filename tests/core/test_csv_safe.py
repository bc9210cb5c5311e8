"""Every export a member can open in a spreadsheet shows formula-like text as text, never runs it."""

from __future__ import annotations

import csv
import io
import json

from hypothesis import given
from hypothesis import strategies as st

from bot.core.csv_safe import FORMULA_STARTS, write_csv
from bot.cpd.export import FILE_ENCODING

FORMULA = '=HYPERLINK("http://evil.example","click")'


def _read(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline="")))


def test_each_formula_start_gets_an_apostrophe_and_other_text_is_untouched():
    cells = [f"{start}1+2" for start in FORMULA_STARTS]
    assert _read(write_csv(cells, [["plain", "a, b", 'say "hi"', "two\nlines", ""]])) == [
        [f"'{cell}" for cell in cells],
        ["plain", "a, b", 'say "hi"', "two\nlines", ""],
    ]


@given(st.lists(st.lists(st.text(), min_size=1, max_size=4), max_size=4))
def test_no_cell_read_back_starts_a_formula_and_nothing_else_changes(rows):
    for written, read in zip([["h"], *rows], _read(write_csv(["h"], rows)), strict=True):
        for original, cell in zip(written, read, strict=True):
            assert not cell.startswith(FORMULA_STARTS)
            assert cell in (original, f"'{original}")


async def test_every_export_file_the_bot_sends_is_safe_to_open(env):
    """Each export a member can ask for, with formula text in what they typed, opened as sent."""
    await env.driver.command("/cpd-log", f"1h s1 {FORMULA} rounds")
    await env.driver.command("/qi-share", f"{FORMULA} huddles")
    await env.settle()
    await env.driver.command("/cpd-log", "export")
    await env.driver.command("/qi-commons", "export-my-data")
    await env.settle()

    by_kind = {file.filename.rsplit(".", 1)[-1]: file for file in env.slack.files}
    assert sorted(by_kind) == ["csv", "json"] and len(env.slack.files) == 2
    rows = _read(by_kind["csv"].content.decode(FILE_ENCODING))
    assert [row[3] for row in rows[1:]] == [f"'{FORMULA} rounds"]
    assert not any(cell.startswith(FORMULA_STARTS) for row in rows for cell in row)
    # The data export is JSON, which a spreadsheet does not open as cells: the text stays as typed.
    data = json.loads(by_kind["json"].content)
    assert [u["tried"] for u in data["updates"]] == [f"{FORMULA} huddles"]
