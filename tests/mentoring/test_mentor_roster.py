from importlib.resources import files

import pytest

from bot.mentoring.roster import DEFAULT_CAPACITY, RosterProblem, parse_roster

HEADER = "slack_user_id,email,name,expertise,capacity,formats,modes,discipline,career_stage,bio\n"
GOOD = "U0MENTOR01,,Dr. Ada Example,run charts,2,formal,virtual,Psychiatry,Mid career,Hello\n"


def roster(*rows: str, header: str = HEADER) -> str:
    return header + "".join(row if row.endswith("\n") else row + "\n" for row in rows)


def test_the_example_roster_imports_cleanly():
    text = (files("bot") / "data" / "example_mentor_roster.csv").read_text(encoding="utf-8")
    parsed = parse_roster(text)
    assert parsed.problems == ()
    assert 8 <= len(parsed.rows) <= 12
    assert any(r.slack_user_id and not r.email for r in parsed.rows)
    assert any(r.email and not r.slack_user_id for r in parsed.rows)
    assert all(r.expertise for r in parsed.rows)


def test_a_row_resolves_names_and_synonyms_case_insensitively():
    parsed = parse_roster(
        roster(
            "u0mentor01,Ada@Hospital.Example.org,Dr. Ada Example,SPC; PDSA cycle ;Root Cause Analysis;spc,"
            "3,Formal;INFORMAL,in person,psychiatrist,early career,Runs the QI clinic"
        )
    )
    assert parsed.problems == ()
    [row] = parsed.rows
    assert row.line == 2
    assert row.slack_user_id == "U0MENTOR01"
    assert row.email == "ada@hospital.example.org"
    assert row.name == "Dr. Ada Example"
    assert row.expertise == ("measurement-run-charts", "model-for-improvement", "root-cause-analysis")
    assert row.capacity == 3
    assert row.formats == ("formal", "informal")
    assert row.modes == ("in-person",)
    assert row.discipline == "psychiatry"
    assert row.career_stage == "early-career"
    assert row.bio == "Runs the QI clinic"


def test_blank_optional_cells_take_their_documented_defaults():
    [row] = parse_roster(roster(",gus@example.org,,process mapping,,,,,,")).rows
    assert row.slack_user_id is None
    assert row.capacity == DEFAULT_CAPACITY == 2
    assert row.formats == ("formal", "informal")
    assert row.modes == ("virtual", "in-person")
    assert (row.name, row.discipline, row.career_stage, row.bio) == (None, None, None, None)


@pytest.mark.parametrize(
    ("row", "message"),
    [
        pytest.param(",,Nobody,run charts,2,,,,,", "needs a slack_user_id or an email", id="no id or email"),
        pytest.param(
            ",not-an-email,X,run charts,2,,,,,",
            "email 'not-an-email' is not an e-mail address",
            id="bad email",
        ),
        pytest.param(
            "alice,,X,run charts,2,,,,,",
            "slack_user_id 'alice' is not a Slack user id (like U0123ABCD)",
            id="bad id",
        ),
        pytest.param(
            "U0MENTOR02,,X,run charts;Basket weaving,2,,,,,",
            "unknown expertise 'Basket weaving'",
            id="unknown term",
        ),
        pytest.param(
            "U0MENTOR02,,X,,2,,,,,", "expertise is empty: list at least one topic", id="no expertise"
        ),
        pytest.param(
            "U0MENTOR02,,X,run charts,0,,,,,",
            "capacity '0' must be a whole number from 1 to 20",
            id="capacity 0",
        ),
        pytest.param(
            "U0MENTOR02,,X,run charts,21,,,,,",
            "capacity '21' must be a whole number from 1 to 20",
            id="capacity 21",
        ),
        pytest.param(
            "U0MENTOR02,,X,run charts,two,,,,,",
            "capacity 'two' must be a whole number from 1 to 20",
            id="capacity words",
        ),
        pytest.param(
            "U0MENTOR02,,X,run charts,2.5,,,,,",
            "capacity '2.5' must be a whole number from 1 to 20",
            id="capacity fraction",
        ),
        pytest.param(
            "U0MENTOR02,,X,run charts,2,sometimes,,,,",
            "unknown format 'sometimes' (one of: formal, informal)",
            id="unknown format",
        ),
        pytest.param(
            "U0MENTOR02,,X,run charts,2,,telepathy,,,",
            "unknown mode 'telepathy' (one of: virtual, in-person)",
            id="unknown mode",
        ),
        pytest.param(
            "U0MENTOR02,,X,run charts,2,,,astrology,,", "unknown discipline 'astrology'", id="discipline"
        ),
        pytest.param(
            "U0MENTOR02,,X,run charts,2,,,,emeritus,", "unknown career_stage 'emeritus'", id="stage"
        ),
        pytest.param(
            "U0MENTOR02,,X,run charts,2,,,,," + "x" * 501,
            "bio is 501 characters long; the limit is 500",
            id="long bio",
        ),
        pytest.param(
            "U0MENTOR02,,X,run charts,2,,,,,bio,extra",
            "expected 10 columns, found 11 (put a cell that contains a comma in double quotes, "
            "and close every quote)",
            id="extra column",
        ),
    ],
)
def test_a_bad_row_is_reported_with_its_line_and_skipped(row, message):
    parsed = parse_roster(roster(GOOD, row))
    assert [r.line for r in parsed.rows] == [2]
    assert len(parsed.problems) == 1
    assert parsed.problems[0].line == 3
    assert parsed.problems[0].message.startswith(message)


def test_every_problem_of_a_row_is_listed():
    parsed = parse_roster(roster(",,X,Knitting,99,,,,,"))
    assert parsed.rows == ()
    assert [p.message for p in parsed.problems] == [
        "needs a slack_user_id or an email",
        "unknown expertise 'Knitting'",
        "capacity '99' must be a whole number from 1 to 20",
    ]


@pytest.mark.parametrize(
    "header",
    [
        "id,email,name,expertise,capacity,formats,modes,discipline,career_stage,bio\n",
        "slack_user_id,email,name,expertise,capacity,formats,modes,discipline,career_stage\n",
        "slack_user_id,email,name,expertise,capacity,formats,modes,discipline,career_stage,bio,bio\n",
        GOOD,
    ],
)
def test_a_wrong_header_is_one_problem_at_line_1_and_no_rows(header):
    parsed = parse_roster(roster(GOOD, header=header))
    assert parsed.rows == ()
    assert len(parsed.problems) == 1
    assert parsed.problems[0].line == 1
    assert parsed.problems[0].message.startswith("the header must be slack_user_id,email,name,")


def test_the_header_may_use_any_order_and_case():
    header = "Email,SLACK_USER_ID,name,expertise,capacity,formats,modes,discipline,career_stage,bio\n"
    [row] = parse_roster(roster("casey@example.org,,Casey,run charts,2,,,,,", header=header)).rows
    assert (row.email, row.slack_user_id) == ("casey@example.org", None)


@pytest.mark.parametrize("text", ["", "\n\n", " , ,\n"])
def test_an_empty_file_is_one_problem(text):
    parsed = parse_roster(text)
    assert parsed.rows == ()
    assert [p.line for p in parsed.problems] == [1]
    assert parsed.problems[0].message.startswith("the file is empty")


def test_a_spreadsheet_byte_order_mark_and_blank_lines_are_harmless():
    parsed = parse_roster("\ufeff" + roster(GOOD, "", ",casey@example.org,Casey,run charts,2,,,,,"))
    assert parsed.problems == ()
    assert [r.line for r in parsed.rows] == [2, 4]


@pytest.mark.parametrize(
    "second",
    [
        "u0mentor01,,Ada again,PDSA,2,,,,,",
        ",ADA@EXAMPLE.ORG,Ada by e-mail,PDSA,2,,,,,",
        "U0MENTOR09,ada@example.org,Ada with both,PDSA,2,,,,,",
    ],
)
def test_the_same_person_twice_keeps_the_first_row(second):
    parsed = parse_roster(roster("U0MENTOR01,ada@example.org,Ada,run charts,2,,,,,", second))
    assert [r.name for r in parsed.rows] == ["Ada"]
    assert parsed.problems == (RosterProblem(3, "same person as line 2"),)


def test_line_numbers_count_line_breaks_inside_quoted_cells():
    parsed = parse_roster(
        roster(
            'U0MENTOR01,,Ada,run charts,2,,,,,"First line of bio\nsecond line"', ",,Nobody,run charts,2,,,,,"
        )
    )
    assert [r.line for r in parsed.rows] == [2]
    assert parsed.rows[0].bio == "First line of bio\nsecond line"
    assert parsed.problems == (RosterProblem(4, "needs a slack_user_id or an email"),)


def test_good_rows_survive_around_bad_ones():
    parsed = parse_roster(
        roster(
            GOOD,
            "U0MENTOR02,,Bram,fishbone,abc,,,,,",
            ",casey@example.org,Casey,stakeholders,1,,,,,",
            "U0MENTOR04,,Devi,Underwater QI,2,,,,,",
        )
    )
    assert [(r.line, r.name) for r in parsed.rows] == [(2, "Dr. Ada Example"), (4, "Casey")]
    assert [p.line for p in parsed.problems] == [3, 5]


def test_an_unclosed_quote_stops_the_reading_at_the_row_where_it_opened():
    swallowed = "x" * 200_000  # longer than the csv module accepts in one cell
    parsed = parse_roster(roster(GOOD, 'U0MENTOR02,,Bram,PDSA,2,,,,,"open quote', swallowed, GOOD))
    assert [r.line for r in parsed.rows] == [2]
    assert [p.line for p in parsed.problems] == [3]
    assert parsed.problems[0].message.startswith("could not read the file from here on")
