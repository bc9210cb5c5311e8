"""The sandbox's people, and a lived-in fictional department seeded on demand (`--demo`).

Every name is an obvious placeholder (Example, Sample, Placeholder...) and no text looks like a
patient identifier. The seed goes through the app's own doors: the mentor roster through the
roster import service, shares and CPD entries as slash commands signed like Slack's.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from bot.charts.measure_details import MeasureDetails, save_measure_details
from bot.core.runtime import Runtime
from bot.mentoring.roster_import import import_roster
from bot.sharing import services
from bot.sharing.projects import ProjectFields
from bot.sharing.updates import DataPoint, UpdateFields
from handlers.sharing.posting import RENDER
from sandbox.server import DEFAULT_MEMBER_ID
from sandbox.workspace import SandboxWorkspace


@dataclass(frozen=True)
class Person:
    id: str
    name: str
    handle: str
    title: str


CLINICIAN = Person(DEFAULT_MEMBER_ID, "Dr. Robin Example", "robin.example", "Resident, psychiatry")
MENTOR = Person("U0MENTOR01", "Dr. Ada Example", "ada.example", "Psychiatrist, QI mentor")
ADMIN = Person("U0QILEAD", "Quinn Placeholder", "quinn.placeholder", "QI lead (admin)")

_DEPARTMENT = (
    Person("U0MENTOR02", "Dr. Bram Placeholder", "bram.placeholder", "Emergency psychiatrist"),
    Person("U0MENTOR03", "Casey Sample RN", "casey.sample", "Nurse educator"),
    Person("U0MENTOR04", "Dr. Dana Fictional", "dana.fictional", "Geriatric psychiatrist"),
    Person("U0DEMO05", "Eli Demo OT", "eli.demo", "Occupational therapist"),
    Person("U0DEMO06", "Fran Mock SW", "fran.mock", "Social worker"),
    Person("U0DEMO07", "Dr. Gale Sample", "gale.sample", "Fellow, child psychiatry"),
    Person("U0DEMO08", "Harper Example RN", "harper.example", "Charge nurse"),
    Person("U0DEMO09", "Dr. Indigo Placeholder", "indigo.placeholder", "Resident, PGY-2"),
    Person("U0DEMO10", "Jules Fictional PharmD", "jules.fictional", "Clinical pharmacist"),
    Person("U0DEMO11", "Dr. Kai Demo", "kai.demo", "Psychologist"),
    Person("U0DEMO12", "Lee Mock RN", "lee.mock", "Nurse practitioner"),
    Person("U0DEMO13", "Dr. Morgan Sample", "morgan.sample", "Resident, PGY-4"),
    Person("U0DEMO14", "Noor Example", "noor.example", "Peer support worker"),
    Person("U0DEMO15", "Dr. Oak Placeholder", "oak.placeholder", "Addictions psychiatrist"),
    Person("U0DEMO16", "Pat Fictional RT", "pat.fictional", "Recreation therapist"),
    Person("U0DEMO17", "Dr. Remy Demo", "remy.demo", "Medical student"),
)
PEOPLE = (CLINICIAN, MENTOR, ADMIN)

_ROSTER = """slack_user_id,email,name,expertise,capacity,formats,modes,discipline,career_stage,bio
U0MENTOR01,,Dr. Ada Example,Measurement and run charts;Model for Improvement,3,formal;informal,virtual;in person,Psychiatry,Senior or late career,Led a (fictional) restraint-reduction project; happy to review run charts.
U0MENTOR02,,Dr. Bram Placeholder,process mapping;root-cause analysis,2,formal,virtual,Psychiatry,Mid career,Mapped a (fictional) ED consult flow; can walk you through a fishbone.
U0MENTOR03,,Casey Sample RN,patient partnership;stakeholder engagement,2,formal;informal,in person,Nursing,Mid career,Co-designs clinic changes with patient partners.
U0MENTOR04,,Dr. Dana Fictional,PDSA cycles;sustainability,1,informal,virtual,Psychiatry,Senior or late career,Helps small teams keep a change going after the project ends.
"""

_SHARES = (
    (CLINICIAN, "Week 3 of our discharge-summary PDSA: 18 of 20 summaries sent within 48 hours."),
    (_DEPARTMENT[1], "Huddle board trial on 4 West: staff say handovers feel calmer; measuring next week."),
    (_DEPARTMENT[4], "Our medication reconciliation checklist is now on every admission; first audit Friday."),
    (MENTOR, "Run chart tip: mark each change on the chart so the team sees what moved the line."),
)
_CPD = (
    (CLINICIAN, "1.5h s1 Grand rounds: measurement for improvement"),
    (CLINICIAN, "2h s3 PDSA cycle review with the team"),
    (_DEPARTMENT[5], "1h s1 Journal club on huddles"),
)


def add_people(workspace: SandboxWorkspace, people: tuple[Person, ...] = PEOPLE) -> None:
    for person in people:
        workspace.add_user(person.id, name=person.handle, real_name=person.name,
                           email=f"{person.handle}@sandbox.example", is_admin=person is ADMIN)
        workspace.titles[person.id] = person.title


# A project with a weekly series on its outcome measure: enough points for a run chart to say something.
_PROJECT = ProjectFields(
    title="Discharge summaries within 48 hours", aim="90% of discharge summaries reach the family doctor within "
    "48 hours by March", measures=(("outcome", "% summaries sent within 48 h"), ("process", "checklist used"),
                                   ("balancing", "minutes added per discharge")),
    change_ideas="A discharge checklist; a daily huddle reminder", pdsa_stage="do", progress_score=Decimal("3.0"),
    members=(), tags=("discharge", "transitions"))
_SERIES = (52, 55, 50, 58, 54, 53, 61, 66, 70, 72, 75, 78, 80, 84)  # percent, one a week, oldest first


async def _project_with_data(runtime: Runtime, team_id: str) -> int:
    """The clinician's project and a weekly share carrying each week's data point, as the share form stores them."""
    saved = await services.save_project(runtime, team_id=team_id, user_id=CLINICIAN.id, fields=_PROJECT)
    project = await services.project_to_change(runtime, team_id, CLINICIAN.id, saved.project_id)
    outcome = next(m for m in project.measures if m.kind == "outcome")
    # Said by its owner, as the "Measure details" form would: higher is better, towards the aim's 90%.
    await save_measure_details(runtime, team_id=team_id, user_id=CLINICIAN.id, measure_id=outcome.id,
                               details=MeasureDetails(direction="up", unit="%", goal=Decimal(90), baseline_points=6))
    today = runtime.clock.now().astimezone(runtime.settings.tz).date()
    for weeks_ago, value in zip(range(len(_SERIES) - 1, -1, -1), _SERIES, strict=True):
        await services.share_update(
            runtime, team_id=team_id, user_id=CLINICIAN.id, project_id=saved.project_id, render=RENDER, lease=False,
            fields=UpdateFields(tried=f"Week {len(_SERIES) - weeks_ago}: {value}% of summaries sent within 48 hours",
                                pdsa_stage="do"),
            data_point=DataPoint(outcome.id, Decimal(value), today - timedelta(weeks=weeks_ago)))
    return len(_SERIES)


async def seed_demo(workspace: SandboxWorkspace, runtime: Runtime) -> str:
    add_people(workspace, _DEPARTMENT)
    report = await import_roster(runtime, team_id=workspace.team_id, text=_ROSTER, actor_id=ADMIN.id)
    points = await _project_with_data(runtime, workspace.team_id)
    await runtime.outbox.drain()  # the project's card, then its updates in the thread, at Slack's pace
    for person, text in _SHARES:
        await workspace.type_command(person.id, "/qi-share", text)
    for person, text in _CPD:
        await workspace.type_command(person.id, "/cpd-log", text, channel=workspace.dm_channel(person.id))
    await runtime.inflight.wait(30)
    mentoring = await _mentorship_in_progress(workspace, runtime)
    members = len(workspace.members())
    return (f"Seeded a fictional department: {members} members, {report.created + report.updated} mentors, "
            f"a QI project with {points} weekly data points, {len(_SHARES)} more shares, {len(_CPD)} CPD entries"
            f"{mentoring}.")


async def _mentorship_in_progress(workspace: SandboxWorkspace, runtime: Runtime) -> str:
    """A mentee asks the shortlist's first mentor, who accepts: pressing the buttons the bot sent, as a person would."""
    mentee = _DEPARTMENT[6]
    await workspace.type_command(mentee.id, "/find-mentor", "process mapping")
    await runtime.inflight.wait(30)
    found = _button(workspace.ephemerals(user=mentee.id), "mentor_ask")
    if found is None:
        return ""
    shortlist, ask = found
    await workspace.press(mentee.id, {"kind": "ephemeral", "channel": shortlist["channel"],
                                      "ts": shortlist["message_ts"]}, ask)
    await runtime.inflight.wait(30)
    for person in (MENTOR, *_DEPARTMENT[:3]):
        dm = workspace.dm_channel(person.id)
        if (offer := _button(workspace.messages(dm), "mentor_accept")) is not None:
            message, accept = offer
            await workspace.press(person.id, {"kind": "message", "channel": dm, "ts": message["ts"]}, accept)
            await runtime.inflight.wait(30)
            return f", and {mentee.name} is mentored by {person.name}"
    return ""


def _button(messages: list[dict], action_id: str) -> tuple[dict, dict] | None:
    """The latest message with a button `action_id`, and that button as a block action sends it."""
    for message in reversed(messages):
        for block in message.get("blocks") or []:
            for element in [*(block.get("elements") or []), *([block["accessory"]] if "accessory" in block else [])]:
                if element.get("action_id") == action_id:
                    return message, {"action_id": action_id, "block_id": block.get("block_id"), "type": "button",
                                     "value": element.get("value")}
    return None
