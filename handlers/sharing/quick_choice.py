"""Asking first: a quick share that could go several places, or reads like a command, is not posted
until the member picks where it goes (bot.sharing.updates.route_quick_share decides when to ask).

The text was checked for identifiers but not stored; it rides in each choice's button value (Slack
sends it back on the click) and is checked again when stored. Each choice names its project in its
block id, as the PHI refusal's Edit button does.
"""

from __future__ import annotations

from typing import Any

from bot.core.text import escape, first_line, plural
from bot.sharing.projects import ProjectView
from handlers.blocks import button, context, section

SHARE_CHOSEN = "sharing_quick_to"  # block id `sharing_quick_to:<project id>`, or `sharing_quick_to:` for general
RUN_COMMAND = "sharing_quick_command"  # value: the subcommand they may have meant
CANCEL = "sharing_quick_cancel"
MAX_CHOICES = 10  # a section each, well inside Slack's 50 blocks; the rest are reached with #slug
CANCELLED = "Nothing was shared."


def _meant(text: str) -> str:
    return text.split()[0].lower().strip(".,:;!?")


def _question(ask: str, text: str, projects: int) -> str:
    """Why we ask (bot.sharing.updates.route_quick_share's `ask`), in the member's terms."""
    check = "so I'm checking first: choose where it goes below."
    if ask == "subcommand":
        return (f"*Did you mean `/qi-share {_meant(text)}`?* Or, if you meant to share this with the community "
                "channel, choose where it goes below.")
    if ask == "hash":
        return ("*Which project is this for?* A project's short name follows the `#` with no space "
                "(`/qi-share list` shows them); choose where this goes below.")
    if ask == "slash":
        return f"*Share this with the whole community channel?* It starts with `/`, like a command, {check}"
    if ask == "one word":
        return f"*Share this with the whole community channel?* It is a single word, {check}"
    return (f"*Which project is this update for?* You have {plural(projects, 'active project')}; choose one "
            "below, or share it as a general update.")


def choice_message(ask: str, text: str, choices: tuple[ProjectView, ...]) -> dict[str, Any]:
    """The ephemeral question, with a button for each place the update could go."""
    quoted = "> " + escape(first_line(text, 150))
    meant = _meant(text) if ask == "subcommand" else None
    question = _question(ask, text, len(choices))
    blocks: list[dict[str, Any]] = [section(f"{question}\n{quoted}", verbatim=True)]
    if meant:
        blocks.append({"type": "actions", "block_id": RUN_COMMAND, "elements": [
            button(f"Run /qi-share {meant}", RUN_COMMAND, meant, style="primary")]})
    for project in choices[:MAX_CHOICES]:
        block = section(f"*{escape(project.title)}*  `#{project.slug}`", verbatim=True,
                        accessory=button("Post here", SHARE_CHOSEN, text))
        blocks.append({**block, "block_id": f"{SHARE_CHOSEN}:{project.id}"})
    general = section("*A general update*, not for one project", accessory=button("Post as general", SHARE_CHOSEN,
                                                                                   text))
    blocks.append({**general, "block_id": f"{SHARE_CHOSEN}:"})
    blocks.append({"type": "actions", "block_id": CANCEL, "elements": [button("Cancel", CANCEL, "cancel")]})
    tip = "Nothing is posted until you choose."
    if choices:
        tip += f" Next time, start with the project's name to post straight away: `/qi-share #{choices[0].slug} …`"
    if len(choices) > MAX_CHOICES:
        tip += f" (showing {MAX_CHOICES} of your {len(choices)} projects)"
    blocks.append(context(tip))
    return {"text": "Where should this update go? Nothing is posted until you choose.", "blocks": blocks}
