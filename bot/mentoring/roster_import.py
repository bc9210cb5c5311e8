"""Importing an admin's mentor roster (`qi-commons mentors import FILE.csv`).

The CSV is checked by bot.mentoring.roster (which passes every free-text cell through the PHI
gate); here e-mails become Slack users (runtime.people), and the good rows are saved as roster profiles in one transaction. A person
already on file is updated, never duplicated; every skipped row is reported with its line number.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.core.audit import record
from bot.core.runtime import Runtime
from bot.core.slack import LookupFailed
from bot.mentoring.profiles import ProfileInput, upsert_profile
from bot.mentoring.roster import RosterProblem, RosterRow, parse_roster


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
    parsed = parse_roster(text, tuple(runtime.settings.staff_email_domains))
    problems = list(parsed.problems)
    resolved: list[tuple[RosterRow, str, str | None]] = []
    first_line_of: dict[str, int] = {}
    for row in parsed.rows:
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
            person = await runtime.people.by_id(row.slack_user_id)
        else:
            assert row.email is not None  # the parser refuses a row with neither
            person = await runtime.people.by_email(row.email)
    except LookupFailed as failed:
        if failed.not_found:
            return None, None, (f"no Slack user has the id {row.slack_user_id}" if row.slack_user_id
                                else f"no Slack user has the e-mail {row.email}")
        return None, None, f"could not look up {row.slack_user_id or row.email} in Slack ({failed.error}); try again later"
    if person.deleted:
        return None, None, f"{row.slack_user_id or row.email} is deactivated in Slack"
    return person.user_id or row.slack_user_id, row.name or person.name, None
