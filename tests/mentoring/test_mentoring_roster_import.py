"""`qi-commons mentors import FILE.csv`: ids and e-mails resolved, bad rows listed by line, re-import updates."""

from __future__ import annotations

import asyncio
import concurrent.futures
import os
from importlib.resources import files

import pytest

from bot.mentoring.roster_import import import_roster
from bot.runners import cli
from bot.runners.roster_cli import MAX_ROSTER_BYTES, RosterUnreadable, read_roster
from storage.models import AuditLog, MentorProfile
from tests.mentoring_helpers import TEAM, rows

HEADER = "slack_user_id,email,name,expertise,capacity,formats,modes,discipline,career_stage,bio\n"


def _seed_slack(env) -> None:
    env.slack.add_user("U0MENTOR01", name="ada", real_name="Dr. Ada Example")
    for n in (2, 4, 6, 8, 9):  # the other ids in the example roster
        env.slack.add_user(f"U0MENTOR0{n}", name=f"mentor{n}")
    env.slack.add_user("U0CASEY", name="casey", real_name="Casey Sample", email="casey.sample@hospital.example.org")
    env.slack.add_user("U0JO", name="jo", real_name="Jo Imaginary", email="jo.imaginary@hospital.example.org")


async def _profiles(env) -> dict[str, MentorProfile]:
    return {p.slack_user_id: p for p in await rows(env, MentorProfile)}


async def test_ids_emails_bad_rows_and_reimport(env):
    _seed_slack(env)
    text = HEADER + "\n".join([
        "U0MENTOR01,,,SPC;PDSA,3,formal,virtual,Psychiatry,senior,Loves run charts",  # 2: name from Slack
        ",Casey.Sample@hospital.example.org,,co-design,,,,Nursing,,",  # 3: e-mail, defaults
        ",nobody@hospital.example.org,No Body,SPC,2,formal,virtual,,,",  # 4: unknown e-mail
        "U0MENTOR05,,Dr. Typo,run chartz,2,formal,virtual,,,",  # 5: unknown term
        "U0MENTOR06,,Dr. Busy,SPC,99,formal,virtual,,,",  # 6: bad capacity
        "U0MENTOR07,,Dr. Leak,SPC,2,formal,virtual,,,Ask about MRN 12345678",  # 7: PHI in the bio
        "U0MENTOR08,,Dr. Short,SPC,2",  # 8: too few columns
        ",jo.imaginary@hospital.example.org,Jo,SPC,2,informal,,,,",  # 9
        "U0NOBODY,,Dr. Ghost,SPC,2,formal,virtual,,,",  # 10: no such Slack user
    ]) + "\n"
    report = await import_roster(env.runtime, team_id=TEAM, text=text)
    assert (report.created, report.updated) == (3, 0)
    problems = {p.line: p.message for p in report.problems}
    assert sorted(problems) == [4, 5, 6, 7, 8, 10]
    assert problems[4] == "no Slack user has the e-mail nobody@hospital.example.org"
    assert problems[10] == "no Slack user has the id U0NOBODY"
    assert "unknown expertise 'run chartz'" in problems[5] and "capacity '99'" in problems[6]
    assert "medical record" in problems[7] and "12345678" not in problems[7]
    assert report.lines()[-1] == "Imported 3 mentor(s): 3 new, 0 updated; skipped 6 row(s) (see above)."

    profiles = await _profiles(env)
    assert sorted(profiles) == ["U0CASEY", "U0JO", "U0MENTOR01"]
    ada, casey = profiles["U0MENTOR01"], profiles["U0CASEY"]
    assert (ada.name, ada.expertise, ada.capacity, ada.career_stage, ada.source) == (
        "Dr. Ada Example", ["measurement-run-charts", "model-for-improvement"], 3, "late-career", "roster")
    assert (casey.name, casey.expertise, casey.capacity, casey.formats, casey.modes) == (
        "Casey Sample", ["patient-partnership"], 2, ["formal", "informal"], ["virtual", "in-person"])

    # A mentor paused themselves; the next roster changes their capacity but not their choice.
    async with env.runtime.db.session() as session, session.begin():
        (await session.get(MentorProfile, ada.id)).accepting = False
    again = await import_roster(env.runtime, team_id=TEAM, text=HEADER + (
        "U0MENTOR01,,,SPC;PDSA,4,formal,virtual,Psychiatry,senior,Loves run charts\n"
        ",casey.sample@hospital.example.org,,co-design,,,,Nursing,,\n"))
    assert (again.created, again.updated, again.problems) == (0, 2, ())
    profiles = await _profiles(env)
    assert len(profiles) == 3 and profiles["U0MENTOR01"].capacity == 4 and profiles["U0MENTOR01"].accepting is False
    assert len(await rows(env, AuditLog, AuditLog.action == "mentor.roster_imported")) == 2


async def test_a_patient_identifier_in_the_name_column_skips_the_row(env):
    # Mentees read the name next to the bio ("Ask ..."): it is free text and is checked like the bio.
    _seed_slack(env)
    report = await import_roster(env.runtime, team_id=TEAM, text=HEADER + (
        "U0MENTOR01,,Dr. Ada (patient DOB 1961-04-12),SPC,2,formal,virtual,,,\n"
        "U0MENTOR02,,Dr. Bo,SPC,2,formal,virtual,,,\n"))
    assert report.created == 1
    [problem] = report.problems
    assert problem.line == 2
    assert problem.message == "name contains a date of birth: remove patient identifiers"
    assert "1961" not in problem.message
    assert sorted(await _profiles(env)) == ["U0MENTOR02"]


async def test_the_shipped_example_roster_imports(env):
    _seed_slack(env)
    text = (files("bot") / "data" / "example_mentor_roster.csv").read_text(encoding="utf-8")
    report = await import_roster(env.runtime, team_id=TEAM, text=text)
    # Eli and Gus are not in this workspace: listed, the other eight imported.
    assert [p.line for p in report.problems] == [6, 8]
    assert (report.created, report.updated) == (8, 0)


async def test_the_cli_command_prints_the_problems_and_a_summary(env, database_url, monkeypatch, tmp_path, capsys):
    _seed_slack(env)
    roster = tmp_path / "roster.csv"
    roster.write_text(HEADER + "U0MENTOR01,,Dr. Ada Example,SPC,2,formal,virtual,,,\n"
                      ",nobody@hospital.example.org,No Body,SPC,2,formal,virtual,,,\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)  # no stray .env
    for name, value in {"SLACK_BOT_TOKEN": "xoxb-test", "SLACK_API_URL": env.slack.api_url,
                        "DATABASE_URL": database_url}.items():
        monkeypatch.setenv(name, value)
    # The CLI runs its own event loop; the stand-in keeps serving on this one meanwhile.
    code = await asyncio.to_thread(cli.main, ["mentors", "import", str(roster)])
    out = capsys.readouterr().out.splitlines()
    assert code == 1
    assert out == ["line 3: no Slack user has the e-mail nobody@hospital.example.org",
                   "Imported 1 mentor(s): 1 new, 0 updated; skipped 1 row(s) (see above)."]
    assert list(await _profiles(env)) == ["U0MENTOR01"]

    missing = await asyncio.to_thread(cli.main, ["mentors", "import", str(tmp_path / "nope.csv")])
    assert missing == 2 and "There is no file" in capsys.readouterr().err


def _cli_env(env, database_url, monkeypatch, tmp_path) -> None:
    monkeypatch.chdir(tmp_path)  # no stray .env
    for name, value in {"SLACK_BOT_TOKEN": "xoxb-test", "SLACK_API_URL": env.slack.api_url,
                        "DATABASE_URL": database_url}.items():
        monkeypatch.setenv(name, value)


def _refusal(path) -> str:
    """What reading `path` as a roster says; a hang (a FIFO waiting for a writer) fails after 5 s."""
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        future = pool.submit(read_roster, str(path))
        with pytest.raises(RosterUnreadable) as refused:
            future.result(timeout=5)
    return str(refused.value)


def test_a_fifo_a_device_and_a_directory_are_refused_without_waiting(tmp_path):
    fifo = tmp_path / "roster.csv"
    os.mkfifo(fifo)
    assert _refusal(fifo) == f"{fifo} is not a regular file (a directory, device or pipe). Give the path to the roster CSV."
    assert "/dev/zero is not a regular file" in _refusal("/dev/zero")
    assert f"{tmp_path} is not a regular file" in _refusal(tmp_path)


def test_a_file_over_the_size_limit_is_refused(tmp_path):
    big = tmp_path / "roster.csv"
    big.write_text(HEADER + ("U0MENTOR01,,Dr. Ada,SPC,2,formal,virtual,,,\n" * 30000), encoding="utf-8")
    assert big.stat().st_size > MAX_ROSTER_BYTES
    assert _refusal(big) == f"{big} is larger than 1024 KiB, too big for a mentor roster. Give the path to the roster CSV."


async def test_a_secrets_file_is_refused_without_printing_its_content(env, database_url, monkeypatch, tmp_path, capsys):
    _cli_env(env, database_url, monkeypatch, tmp_path)
    secrets = tmp_path / "prod.env"
    secrets.write_text("SLACK_SIGNING_SECRET=8f14e45fceea167a5a36dedd4bea2543\nSLACK_BOT_TOKEN=xoxb-1-2-abcdef\n",
                       encoding="utf-8")
    code = await asyncio.to_thread(cli.main, ["mentors", "import", str(secrets)])
    captured = capsys.readouterr()
    output = captured.out + captured.err
    assert code == 1
    assert output.splitlines()[0].startswith("line 1: the header must be slack_user_id,email,name,")
    assert "1 unexpected column(s)" in output
    for secret in ("8f14e45fceea167a5a36dedd4bea2543", "SLACK_SIGNING_SECRET", "xoxb-1-2-abcdef"):
        assert secret not in output
    assert await _profiles(env) == {}


async def test_formula_cells_are_refused_with_their_row(env):
    _seed_slack(env)
    report = await import_roster(env.runtime, team_id=TEAM, text=HEADER + (
        'U0MENTOR01,,"=HYPERLINK(""http://evil.example"",""Ada"")",SPC,2,formal,virtual,,,\n'
        "U0MENTOR02,,Dr. Bo,SPC,2,formal,virtual,,,@SUM(A1)\n"
        'U0MENTOR04,,"\tDr. Tab",SPC,2,formal,virtual,,,\n'
        "U0MENTOR06,,Dr. Six,SPC,2,formal,virtual,,,\n"))
    problems = {p.line: p.message for p in report.problems}
    assert sorted(problems) == [2, 3, 4]
    assert problems[2].startswith("name starts like a spreadsheet formula") and "evil" not in problems[2]
    assert problems[3].startswith("bio starts like a spreadsheet formula")
    assert problems[4].startswith("name starts like a spreadsheet formula")
    assert sorted(await _profiles(env)) == ["U0MENTOR06"]


async def test_hidden_and_full_width_identifiers_are_refused_and_names_stored_normalised(env):
    _seed_slack(env)
    report = await import_roster(env.runtime, team_id=TEAM, text=HEADER + (
        "U0MENTOR01,,Dr. Ada,SPC,2,formal,virtual,,,call 416\u200b555\u200b0199\n"  # zero-width spaces
        "U0MENTOR02,,Dr. Bo,SPC,2,formal,virtual,,,OHIP \uff11\uff12\uff13\uff14-567-897\n"  # full-width digits
        "U0MENTOR04,,Dr.\u200b Four\u202e,SPC,2,formal,virtual,,,\n"))
    problems = {p.line: p.message for p in report.problems}
    assert problems == {2: "bio contains a phone number: remove patient identifiers",
                        3: "bio contains an Ontario health card number: remove patient identifiers"}
    assert {k: p.name for k, p in (await _profiles(env)).items()} == {"U0MENTOR04": "Dr. Four"}


async def test_a_dotted_health_number_is_refused(env):
    _seed_slack(env)
    report = await import_roster(env.runtime, team_id=TEAM, text=HEADER + (
        "U0MENTOR01,,Dr. Ada,SPC,2,formal,virtual,,,Ask about patient 1234.567.897\n"))
    assert [p.line for p in report.problems] == [2]
    assert await _profiles(env) == {}
