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
                "and removes your updates from the channel. Projects you share with a team stay with the team, "
                "without your name; a project only you worked on is deleted.\n\n"
                f"*What we hold about you now*\n{held_lines(counts)}"),
        section("Want a copy first? `/qi-commons export-my-data`"),
        {"type": "actions", "elements": [
            button("Delete my data", CONFIRM_FORGET, "confirm", style="danger", confirm=confirm),
            button("Cancel", CANCEL_FORGET, "cancel"),
        ]},
    ]
    return "Delete your QI Commons data? Confirm with the button below.", blocks


def forgotten_summary(counts: Mapping[str, int]) -> str:
    done = [f"{kind}: {count}" for kind, count in counts.items() if count]
    return ("Done: your QI Commons data is deleted. " + ("; ".join(done) + "." if done else "There was nothing to "
            "delete.") + " Messages of your updates are being removed from the channel.")


# To the other person of a mentorship that forgetting ended: never who it was (that is what they asked for).
PARTNER_LEFT_TEXT = ("Your mentorship with a former member has ended: they asked QI Commons to delete their data. "
                     "Thank you for the time you gave it.")
PARTNER_LEFT_MENTEE_TEXT = ("Your mentorship with a former member has ended: they asked QI Commons to delete their "
                            "data. If you'd like another mentor, `/find-mentor` suggests people who fit what you're "
                            "working on.")


def partner_left_text(other_is_mentee: bool) -> str:
    """The DM to the other person of a mentorship that forgetting ended (bot.privacy.rights.PartnerLeftText)."""
    return PARTNER_LEFT_MENTEE_TEXT if other_is_mentee else PARTNER_LEFT_TEXT
