"""The member settings modal."""

from __future__ import annotations

from typing import Any

from bot.cpd.rules import frameworks
from bot.member_settings.settings import MemberSettings
from bot.mentoring import vocabulary as mentor_vocabulary
from handlers.blocks import option, plain

SETTINGS_MODAL = "member_settings"
VALUE = "value"
REMINDERS_ON = "on"
DIGEST_SHARES = "shares"
DIGEST_MENTORING = "mentoring"
SUGGEST_ME = "suggest"
STORY_ASKS = "on"


def _select(block_id: str, label: str, options: list[dict[str, Any]], selected: str | None, *,
            optional: bool, placeholder: str) -> dict[str, Any]:
    element: dict[str, Any] = {"type": "static_select", "action_id": VALUE, "options": options,
                               "placeholder": plain(placeholder)}
    chosen = next((o for o in options if o["value"] == selected), None)
    if chosen:
        element["initial_option"] = chosen
    return {"type": "input", "block_id": block_id, "label": plain(label), "optional": optional, "element": element}


def _checkboxes(block_id: str, label: str, options: list[dict[str, Any]], checked: set[str],
                hint: str | None = None) -> dict[str, Any]:
    element: dict[str, Any] = {"type": "checkboxes", "action_id": VALUE, "options": options}
    initial = [o for o in options if o["value"] in checked]
    if initial:  # Slack rejects an empty initial_options
        element["initial_options"] = initial
    block = {"type": "input", "block_id": block_id, "label": plain(label), "optional": True, "element": element}
    if hint:
        block["hint"] = plain(hint)
    return block


def _time(block_id: str, label: str, value: Any, hint: str | None = None) -> dict[str, Any]:
    block = {"type": "input", "block_id": block_id, "label": plain(label),
             "element": {"type": "timepicker", "action_id": VALUE, "initial_time": f"{value:%H:%M}"}}
    if hint:
        block["hint"] = plain(hint)
    return block


def settings_modal(settings: MemberSettings) -> dict[str, Any]:
    reminders = {REMINDERS_ON} if settings.reminders_enabled else set()
    digest = ({DIGEST_SHARES} if settings.name_in_digest_shares else set()) | (
        {DIGEST_MENTORING} if settings.name_in_digest_mentoring else set())
    return {
        "type": "modal",
        "callback_id": SETTINGS_MODAL,
        "title": plain("Your settings"),
        "submit": plain("Save"),
        "close": plain("Cancel"),
        "blocks": [
            _select("profession", "Profession",
                    [option(c.name, c.id) for c in mentor_vocabulary.disciplines()], settings.profession,
                    optional=True, placeholder="Choose your profession"),
            _select("career_stage", "Career stage",
                    [option(c.name, c.id) for c in mentor_vocabulary.career_stages()], settings.career_stage,
                    optional=True, placeholder="Choose your career stage"),
            _select("cpd_framework", "CPD framework",
                    [option(f.name, f.id) for f in frameworks().values()], settings.cpd_framework,
                    optional=False, placeholder="Choose your CPD framework"),
            {"type": "divider"},
            _checkboxes("reminders", "Reminders",
                        [option("Send me reminders (check-ins, reflections, mentor requests)", REMINDERS_ON)],
                        reminders),
            _time("quiet_start", "Quiet hours start", settings.quiet_start,
                  "No reminders from this time, in your own Slack time zone, nor at weekends."),
            _time("quiet_end", "Quiet hours end", settings.quiet_end,
                  "Reminders may come again from this time. The same start and end means no quiet hours."),
            {"type": "divider"},
            _checkboxes("digest", "The weekly digest may name me",
                        [option("On QI updates I share", DIGEST_SHARES),
                         option("In mentorship news (e.g. a new mentorship)", DIGEST_MENTORING)],
                        digest, "Unticked: the digest still counts your activity, without your name."),
            _checkboxes("suggestions", "Others starting similar work",
                        [option("May be pointed to me, to ask a quick question", SUGGEST_ME)],
                        {SUGGEST_ME} if settings.suggest_me else set(),
                        "Unticked: QI Commons never suggests you to others. Search still finds what you shared."),
            _checkboxes("value_stories", "Value stories",
                        [option("Once a month, ask me if QI Commons made a difference", STORY_ASKS)],
                        {STORY_ASKS} if settings.value_story_asks else set(),
                        "A short DM, inside your reminder hours. Your story helps leaders see what the community "
                        "is worth; you choose who may read it."),
        ],
    }
