"""Messages of `/qi-commons privacy` and `forget-me`."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.core.text import plural
from bot.privacy.rights import StoredCounts
from handlers.blocks import button, header, section

CONFIRM_FORGET = "privacy_forget_confirm"
CANCEL_FORGET = "privacy_forget_cancel"


def held_lines(counts: StoredCounts) -> str:
    lines = [
        f"• Your profile and settings: {'yes' if counts.profile else 'none'}",
        f"• QI projects: {counts.projects_owned} you own, {counts.projects_joined} you are on the team of",
        f"• {plural(counts.updates, 'QI update')} you shared",
        f"• {plural(counts.cpd_entries, 'CPD entry', 'CPD entries')}",
        f"• Mentor profile: {'yes' if counts.mentor_profile else 'none'}",
        f"• {plural(counts.mentor_requests, 'mentor request')}, {plural(counts.mentorships, 'mentorship')}, "
        f"{plural(counts.meeting_notes, 'private meeting note')}, {plural(counts.feedback, 'feedback form')}",
    ]
    return "\n".join(lines)


def privacy_message(counts: StoredCounts) -> tuple[str, list[dict[str, Any]]]:
    blocks = [
        header("Your privacy in QI Commons"),
        section("*What we store*\nWhat you give us to do the job: your profile and settings, the QI projects and "
                "updates you share, your CPD entries, and your mentoring: requests, matches, meetings (date, "
                "length, topics, your private notes) and feedback. Plus an audit log of who did what, which "
                "never holds what you wrote."),
        section("*Who sees what*\n• QI updates you share are posted to the community channel: everyone in it "
                "sees them, and your name may appear in the weekly digest if your settings allow it.\n"
                "• Your CPD entries and CPD standing are *yours alone*: nobody else, admins included, can see "
                "them.\n• Private meeting notes are seen only by the person who wrote them.\n"
                "• Mentors see what you asked for when they are offered your request. Admins see unmatched "
                "requests, mentor numbers and totals, not your CPD."),
        section("*The PHI rule*\nSlack is not a health record. Never include patient names, health card "
                "numbers, chart numbers, dates of birth or contact details. QI Commons checks what you type "
                "and refuses anything that looks like a patient identifier, without storing it."),
        section(f"*What we hold about you now*\n{held_lines(counts)}"),
        section("*Your rights*\n• `/qi-commons export-my-data`: get everything above as a JSON file in a DM.\n"
                "• `/qi-commons forget-me`: delete it (you confirm first). Projects you share with a team stay "
                "with the team, without your name.\n• `/qi-commons settings`: reminders, quiet hours and "
                "whether the digest may name you."),
    ]
    return "Your privacy in QI Commons: what we store, who sees it, and how to export or delete it.", blocks


def forget_confirmation(counts: StoredCounts) -> tuple[str, list[dict[str, Any]]]:
    confirm = {"title": {"type": "plain_text", "text": "Delete your data?"},
               "text": {"type": "mrkdwn", "text": "This cannot be undone."},
               "confirm": {"type": "plain_text", "text": "Delete"},
               "deny": {"type": "plain_text", "text": "Keep my data"}, "style": "danger"}
    blocks = [
        section("*Delete your QI Commons data?*\nThis deletes your profile and settings, CPD entries, mentor "
                "profile, private meeting notes and feedback comments; withdraws your open mentor requests; "
                "and removes your updates from the channel and the data-export files I sent you. Projects you "
                "share with a team stay with the team, without your name; a project only you worked on is "
                "deleted. Your past mentor requests and mentorships still count in the programme's totals, with "
                "nothing left that names you.\n\n"
                f"*What we hold about you now*\n{held_lines(counts)}"),
        section("Want a copy first? `/qi-commons export-my-data`"),
        {"type": "actions", "elements": [
            button("Delete my data", CONFIRM_FORGET, "confirm", style="danger", confirm=confirm),
            button("Cancel", CANCEL_FORGET, "cancel"),
        ]},
    ]
    return "Delete your QI Commons data? Confirm with the button below.", blocks


def _listed(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def forgotten_summary(counts: Mapping[str, int]) -> str:
    """What forgetting did, in sentences that are true for this member (bot.privacy.rights.forget's counts)."""
    def n(kind: str) -> int:
        return counts.get(kind, 0)

    deleted = [label for label, count in (
        ("your profile and settings", n("profile and settings")),
        (plural(n("cpd entries"), "CPD entry", "CPD entries"), n("cpd entries")),
        (plural(n("updates"), "QI update"), n("updates")),
        (plural(n("projects deleted"), "project only you worked on", "projects only you worked on"),
         n("projects deleted")),
        ("your mentor profile", n("mentor profile")),
        (plural(n("private notes"), "private meeting note"), n("private notes")),
        (plural(n("feedback comments"), "feedback comment"), n("feedback comments")),
        (plural(n("kudos"), "kudos", "kudos") + " you gave", n("kudos")),
        (plural(n("value stories"), "value story", "value stories"), n("value stories")),
        (plural(n("reminders"), "scheduled reminder"), n("reminders")),
    ) if count]
    sentences = []
    if deleted:
        sentences.append(f"I deleted {_listed(deleted)}.")
    moved = []
    if n("mentor requests withdrawn"):
        moved.append(f"withdrew {plural(n('mentor requests withdrawn'), 'open mentor request')}")
    if n("mentor offers passed on"):
        moved.append(f"passed {plural(n('mentor offers passed on'), 'mentor offer')} on to the next mentor")
    if n("project memberships"):
        moved.append(f"took you off the team of {plural(n('project memberships'), 'project')}")
    if moved:
        sentences.append(f"I {_listed(moved)}.")
    if n("mentorships ended"):
        ended = n("mentorships ended")
        sentences.append(f"{plural(ended, 'mentorship')} {'has' if ended == 1 else 'have'} ended; "
                         f"{'the other person was' if ended == 1 else 'the other people were'} told, without "
                         "your name.")
    if n("projects handed to the team"):
        kept = n("projects handed to the team")
        sentences.append(f"{plural(kept, 'project')} you shared with a team {'stays' if kept == 1 else 'stay'} with "
                         "the team, without your name.")
    counted = [plural(n(kind), one) for kind, one in (("mentor requests kept anonymously", "mentor request"),
                                                      ("mentorships kept anonymously", "mentorship")) if n(kind)]
    if counted:
        sentences.append(f"The programme's totals still count {_listed(counted)}, with nothing left that "
                         "names you.")
    removing = []
    if n("channel posts"):
        removing.append(f"{plural(n('channel posts'), 'post')} of yours from the channel")
    if n("export files"):
        removing.append("the data-export " + ("file" if n("export files") == 1 else "files") +
                        " from our direct messages")
    if removing:
        sentences.append(f"I'm removing {_listed(removing)} now.")
    if not sentences:
        return "Done. QI Commons held no data about you, so there was nothing to delete."
    return "Done: QI Commons no longer holds your data. " + " ".join(sentences)


# What the mentoring DMs about a forgotten member become (handlers/privacy/actions.py): nobody is named.
# A mentor's copy of their open request: its words go too.
REQUEST_CLOSED = {
    "text": "A former member withdrew this request. No action needed.",
    "blocks": [section("A former member withdrew this request. No action needed.")],
}
# Their own copy of an offer they had not answered.
OFFER_MOVED_ON = {
    "text": "This request moved on to another mentor when you left QI Commons. No action needed.",
    "blocks": [section("This request moved on to another mentor when you left QI Commons. No action needed.")],
}
# The mentee of a request offered to them, before what the next step is.
MENTOR_LEFT = "The mentor you asked has left QI Commons, so they can't take on your request."


# To the other person of a mentorship that forgetting ended: never who it was (that is what they asked for).
PARTNER_LEFT_TEXT = ("Your mentorship with a former member has ended: they asked QI Commons to delete their data. "
                     "Thank you for the time you gave it.")
PARTNER_LEFT_MENTEE_TEXT = ("Your mentorship with a former member has ended: they asked QI Commons to delete their "
                            "data. If you'd like another mentor, `/find-mentor` suggests people who fit what you're "
                            "working on.")


def partner_left_text(other_is_mentee: bool) -> str:
    """The DM to the other person of a mentorship that forgetting ended (bot.privacy.rights.PartnerLeftText)."""
    return PARTNER_LEFT_MENTEE_TEXT if other_is_mentee else PARTNER_LEFT_TEXT
