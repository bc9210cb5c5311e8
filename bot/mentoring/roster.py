"""Reading an admin's mentor roster CSV into checked rows and a list of problems.

Pure: nothing here talks to Slack or the database. The caller resolves e-mails to Slack users,
saves the good rows and shows the problems; a bad row is skipped, never half-imported.

The file may be anything an admin pointed the command at, so a file that is not a roster gets a
header problem that quotes only our own column names: a secrets file read by mistake must not be
printed back. Every free-text cell passes the PHI gate (and is stored as the gate normalised it),
and a cell that a spreadsheet would run as a formula is refused.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass

from bot.core.phi import KINDS, ContainsPhi, guard, normalise
from bot.mentoring import vocabulary as mentor_vocabulary
from bot.mentoring.vocabulary import ChoiceKind

ROSTER_COLUMNS = (
    "slack_user_id",
    "email",
    "name",
    "expertise",
    "capacity",
    "formats",
    "modes",
    "discipline",
    "career_stage",
    "bio",
)
# A blank capacity means two mentees: enough to be useful without overloading a busy clinician,
# who can change it later in their profile.
DEFAULT_CAPACITY = 2
# A blank formats or modes cell means "any": most mentors are flexible, and each can narrow it in
# their profile; excluding them from half the requests by default would waste the roster.
MIN_CAPACITY = 1
MAX_CAPACITY = 20
# A bio is read in a shortlist next to two others; keep it short (the profile modal uses the same).
MAX_BIO_CHARS = 500
LIST_SEPARATOR = ";"

# Slack user ids are U… (or W… on Enterprise Grid), upper-case letters and digits.
_SLACK_USER_ID = re.compile(r"[UW][A-Z0-9]{2,20}")
# Deliberately loose: Slack's users.lookupByEmail is the real check; this catches typos and
# cells that slid into the wrong column.
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
# The identifier columns are checked by format (and by Slack); the PHI scan would take a mentor's
# own e-mail for a patient's.
_IDENTIFIER_COLUMNS = ("slack_user_id", "email")
# What Excel, LibreOffice and Sheets run as a formula when the roster is opened again (CSV injection).
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class RosterRow:
    line: int  # where the row starts in the file, 1 = the header
    slack_user_id: str | None
    email: str | None  # lower-cased
    name: str | None
    expertise: tuple[str, ...]  # topic ids, in the order listed
    capacity: int
    formats: tuple[str, ...]  # format ids; a blank cell means every format
    modes: tuple[str, ...]  # mode ids; a blank cell means every mode
    discipline: str | None
    career_stage: str | None
    bio: str | None


@dataclass(frozen=True)
class RosterProblem:
    line: int
    message: str


@dataclass(frozen=True)
class RosterParse:
    rows: tuple[RosterRow, ...]
    problems: tuple[RosterProblem, ...]


def parse_roster(text: str, staff_domains: tuple[str, ...] = ()) -> RosterParse:
    """Check every row of a roster; a row with any problem is left out of ``rows``.

    The header must name exactly the roster columns (any order, any case). Each person may appear
    once: a later row with the same Slack id or e-mail is reported, the first is kept.
    ``staff_domains`` are the e-mail domains the PHI gate accepts in free text.
    """
    reader = csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline=""))
    rows: list[RosterRow] = []
    problems: list[RosterProblem] = []
    end_of_previous = 0  # physical line where the last record read ended
    try:
        header = next(reader, [])
        problem = _header_problem(header)
        if problem is not None:
            return RosterParse(rows=(), problems=(RosterProblem(1, problem),))
        columns = [cell.strip().lower() for cell in header]
        first_line_of: dict[tuple[str, str], int] = {}
        end_of_previous = reader.line_num
        for record in reader:
            # A quoted cell may hold line breaks: report the line where the row starts.
            line, end_of_previous = end_of_previous + 1, reader.line_num
            if not any(cell.strip() for cell in record):
                continue
            if len(record) != len(columns):
                message = (
                    f"expected {len(columns)} columns, found {len(record)} "
                    "(put a cell that contains a comma in double quotes, and close every quote)"
                )
                problems.append(RosterProblem(line, message))
                continue
            raw = dict(zip(columns, record, strict=True))
            if formulas := [column for column in ROSTER_COLUMNS if raw[column].startswith(_FORMULA_STARTS)]:
                problems.append(RosterProblem(line, f"{', '.join(formulas)} starts like a spreadsheet formula "
                                                    "(=, +, -, @, a tab or a line break): remove that character"))
                continue
            try:
                cells = _guarded(raw, staff_domains)
            except ContainsPhi as refused:
                problems.append(RosterProblem(line, _phi_problem(refused)))
                continue
            row, row_problems = _parse_row(line, cells)
            earlier = _earlier_line_of_same_person(row, first_line_of)
            if earlier is not None:
                row_problems.append(f"same person as line {earlier}")
            problems += (RosterProblem(line, message) for message in row_problems)
            if not row_problems:
                rows.append(row)
    except csv.Error as error:
        # Typically a quote left open that swallowed the rest of the file: nothing after it is trusted.
        problems.append(RosterProblem(end_of_previous + 1, f"could not read the file from here on: {error}"))
    return RosterParse(rows=tuple(rows), problems=tuple(problems))


def _guarded(raw: dict[str, str], staff_domains: tuple[str, ...]) -> dict[str, str]:
    """The row's cells as they are stored: normalised by the PHI gate, free text refused if it holds
    an identifier (raises ContainsPhi)."""
    free_text = guard(staff_domains, **{c: v for c, v in raw.items() if c not in _IDENTIFIER_COLUMNS})
    cells = {**free_text, **{c: normalise(raw[c]) for c in _IDENTIFIER_COLUMNS}}
    return {column: (value or "").strip() for column, value in cells.items()}


def _phi_problem(refused: ContainsPhi) -> str:
    # The kind of identifier only, never the value.
    found = "; ".join(f"{field} contains {', '.join(KINDS[k] for k in sorted({h.kind for h in hits}))}"
                      for field, hits in refused.hits.items())
    return f"{found}: remove patient identifiers"


def _header_problem(header: list[str]) -> str | None:
    if not any(cell.strip() for cell in header):
        return "the file is empty: the first line must be the header " + ",".join(ROSTER_COLUMNS)
    names = [cell.strip().lower() for cell in header]
    missing = [c for c in ROSTER_COLUMNS if c not in names]
    unexpected = [c for c in names if c not in ROSTER_COLUMNS]
    repeated = sorted({c for c in names if names.count(c) > 1 and c in ROSTER_COLUMNS})
    if not (missing or unexpected or repeated):
        return None
    # Only our own column names are quoted: an unexpected cell is counted, not shown, because a
    # file that is not a roster at all (a .env, a key) has its first line here.
    details = [f"{label}: {', '.join(cells)}" for label, cells in (("missing", missing), ("repeated", repeated))
               if cells]
    if unexpected:
        details.append(f"{len(unexpected)} unexpected column(s)")
    return f"the header must be {','.join(ROSTER_COLUMNS)} ({'; '.join(details)})"


def _parse_row(line: int, cells: dict[str, str]) -> tuple[RosterRow, list[str]]:
    problems: list[str] = []

    user_id = cells["slack_user_id"].upper() or None
    if user_id is not None and not _SLACK_USER_ID.fullmatch(user_id):
        problems.append(f"slack_user_id {cells['slack_user_id']!r} is not a Slack user id (like U0123ABCD)")
    email = cells["email"].lower() or None
    if email is not None and not _EMAIL.fullmatch(email):
        problems.append(f"email {cells['email']!r} is not an e-mail address")
    if user_id is None and email is None:
        problems.append("needs a slack_user_id or an email")

    expertise: list[str] = []
    for item in _items(cells["expertise"]):
        found = mentor_vocabulary.match_term(item)
        if found is None:
            problems.append(f"unknown expertise {item!r}")
        elif found.id not in expertise:
            expertise.append(found.id)
    if not _items(cells["expertise"]):
        problems.append("expertise is empty: list at least one topic")

    capacity = DEFAULT_CAPACITY
    if cells["capacity"]:
        try:
            capacity = int(cells["capacity"])
        except ValueError:
            capacity = 0
        if not MIN_CAPACITY <= capacity <= MAX_CAPACITY:
            problems.append(
                f"capacity {cells['capacity']!r} must be a whole number from {MIN_CAPACITY} to {MAX_CAPACITY}"
            )

    formats = _resolve("format", _items(cells["formats"]), problems)
    modes = _resolve("mode", _items(cells["modes"]), problems)
    discipline = _resolve("discipline", _single(cells["discipline"]), problems)
    career_stage = _resolve("career_stage", _single(cells["career_stage"]), problems)

    bio = cells["bio"] or None
    if bio is not None and len(bio) > MAX_BIO_CHARS:
        problems.append(f"bio is {len(bio)} characters long; the limit is {MAX_BIO_CHARS}")

    row = RosterRow(
        line=line,
        slack_user_id=user_id,
        email=email,
        name=cells["name"] or None,
        expertise=tuple(expertise),
        capacity=capacity,
        formats=formats or tuple(c.id for c in mentor_vocabulary.formats()),
        modes=modes or tuple(c.id for c in mentor_vocabulary.modes()),
        discipline=discipline[0] if discipline else None,
        career_stage=career_stage[0] if career_stage else None,
        bio=bio,
    )
    return row, problems


def _items(cell: str) -> list[str]:
    return [item.strip() for item in cell.split(LIST_SEPARATOR) if item.strip()]


def _single(cell: str) -> list[str]:
    return [cell] if cell else []


def _resolve(kind: ChoiceKind, items: list[str], problems: list[str]) -> tuple[str, ...]:
    """Ids of the options named in ``items``; an unknown name is added to ``problems``."""
    found: list[str] = []
    for item in items:
        option = mentor_vocabulary.match_choice(kind, item)
        if option is None:
            known = ", ".join(c.id for c in mentor_vocabulary.choices(kind))
            problems.append(f"unknown {kind} {item!r} (one of: {known})")
        elif option.id not in found:
            found.append(option.id)
    return tuple(found)


def _earlier_line_of_same_person(row: RosterRow, first_line_of: dict[tuple[str, str], int]) -> int | None:
    keys = [("slack_user_id", row.slack_user_id), ("email", row.email)]
    earlier = [first_line_of[(k, v)] for k, v in keys if v is not None and (k, v) in first_line_of]
    for k, v in keys:
        if v is not None:
            first_line_of.setdefault((k, v), row.line)
    return min(earlier, default=None)
