"""Importing an admin's mentor roster (`qi-commons mentors import FILE.csv`).

The CSV is checked by bot.mentoring.roster; here e-mails become Slack users (users.lookupByEmail),
bios pass the PHI guard, and the good rows are saved as roster profiles in one transaction. A person
already on file is updated, never duplicated; every skipped row is reported with its line number.
"""

from __future__ import annotations

import asyncio
import sys
from dataclasses import dataclass

from slack_sdk.errors import SlackApiError

from bot.core.audit import record
from bot.core.config import HOW_TO_FIX, Settings
from bot.core.phi import KINDS
from bot.core.runtime import Runtime
from bot.mentoring.pairs import phi_hits
from bot.mentoring.requests import ProfileInput, display_name_of, upsert_profile
from bot.mentoring.roster import RosterProblem, RosterRow, parse_roster
from storage.migrate import upgrade


@dataclass(frozen=True)
class ImportReport:
    created: int
    updated: int
    problems: tuple[RosterProblem, ...]  # by line

    @property
    def skipped(self) -> int:
        return len({problem.line for problem in self.problems})

    def lines(self) -> list[str]:
        """What the command prints: each problem with its line, then a one-line summary."""
        out = [f"line {p.line}: {p.message}" for p in self.problems]
        out.append(f"Imported {self.created + self.updated} mentor(s): {self.created} new, {self.updated} updated; "
                   f"skipped {self.skipped} row(s)" + (" (see above)." if self.problems else "."))
        return out


async def import_roster(runtime: Runtime, *, team_id: str, text: str, actor_id: str | None = None) -> ImportReport:
    parsed = parse_roster(text)
    problems = list(parsed.problems)
    resolved: list[tuple[RosterRow, str, str | None]] = []
    first_line_of: dict[str, int] = {}
    for row in parsed.rows:
        user_id = name = problem = None
        # The name is free text too, shown to mentees next to the bio: both are checked.
        if hits := phi_hits(runtime.settings, {"name": row.name, "bio": row.bio}):
            found = "; ".join(f"{field} contains {', '.join(KINDS[k] for k in sorted({h.kind for h in field_hits}))}"
                              for field, field_hits in hits.items())
            problem = f"{found}: remove patient identifiers"
        else:
            user_id, name, problem = await _resolve(runtime, row)
        if problem is None and user_id in first_line_of:
            problem = f"same person as line {first_line_of[user_id]}"
        if problem is not None:
            problems.append(RosterProblem(row.line, problem))
            continue
        assert user_id is not None
        first_line_of[user_id] = row.line
        resolved.append((row, user_id, name))

    created = updated = 0
    async with runtime.db.session() as session, session.begin():
        for row, user_id, name in resolved:
            profile = ProfileInput(name=name, expertise=row.expertise, discipline=row.discipline,
                                   career_stage=row.career_stage, capacity=row.capacity, formats=row.formats,
                                   modes=row.modes, bio=row.bio)
            if await upsert_profile(runtime, session, team_id=team_id, user_id=user_id, profile=profile,
                                    source="roster"):
                created += 1
            else:
                updated += 1
        record(session, team_id=team_id, actor_id=actor_id, action="mentor.roster_imported",
               subject="mentor_profile", at=runtime.clock.now(),
               detail={"created": created, "updated": updated, "skipped": len({p.line for p in problems})})
    for _row, user_id, _name in resolved:
        runtime.member_changed(team_id, user_id)
    return ImportReport(created, updated, tuple(sorted(problems, key=lambda p: p.line)))


async def _resolve(runtime: Runtime, row: RosterRow) -> tuple[str | None, str | None, str | None]:
    """(Slack user id, display name, problem) for a roster row.

    An id is checked with Slack too: a typo would otherwise list a mentor nobody can reach, and a
    mentee's request would wait days on them.
    """
    try:
        if row.slack_user_id is not None:
            response = await runtime.client.users_info(user=row.slack_user_id)
        else:
            response = await runtime.client.users_lookupByEmail(email=row.email)
    except SlackApiError as exc:
        who = row.slack_user_id or row.email
        error = exc.response.get("error")
        if error == "users_not_found":
            return None, None, f"no Slack user has the e-mail {row.email}"
        if error == "user_not_found":
            return None, None, f"no Slack user has the id {row.slack_user_id}"
        return None, None, f"could not look up {who} in Slack ({error}); try again later"
    user = response.get("user") or {}
    if user.get("deleted"):
        return None, None, f"{row.slack_user_id or row.email} is deactivated in Slack"
    return user.get("id") or row.slack_user_id, row.name or display_name_of(user), None


def run_import_command(settings: Settings, path: str) -> int:
    """`qi-commons mentors import FILE.csv`: 0 all imported, 1 some rows skipped, 2 nothing could run."""
    try:
        with open(path, encoding="utf-8") as file:
            text = file.read()
    except FileNotFoundError:
        print(f"There is no file {path}. Give the path to the roster CSV.", file=sys.stderr)
        return 2
    except (OSError, UnicodeDecodeError) as exc:
        print(f"Could not read {path} ({exc}). Save the roster as a UTF-8 CSV and try again.", file=sys.stderr)
        return 2
    if settings.slack_bot_token is None:
        print("Configuration error: SLACK_BOT_TOKEN is not set; the import looks people up in Slack. "
              f"To fix it: {HOW_TO_FIX['SLACK_BOT_TOKEN']}.", file=sys.stderr)
        return 2
    upgrade(settings.database_url)
    report = asyncio.run(_import_file(settings, text))
    if report is None:
        return 2
    for line in report.lines():
        print(line)
    return 1 if report.problems else 0


async def _import_file(settings: Settings, text: str) -> ImportReport | None:
    from bot.runners.app import build_runtime

    runtime = build_runtime(settings)
    try:
        try:
            team_id = (await runtime.client.auth_test()).get("team_id")
        except SlackApiError as exc:
            print(f"Slack refused the bot token ({exc.response.get('error')}). To fix it: "
                  f"{HOW_TO_FIX['SLACK_BOT_TOKEN']}.", file=sys.stderr)
            return None
        return await import_roster(runtime, team_id=team_id, text=text)
    finally:
        await runtime.inflight.wait()
        await runtime.db.dispose()
