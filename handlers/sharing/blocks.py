"""Block Kit for shared updates and project parent messages in the community channel.

All user text goes through `escape` and sits in `verbatim` text objects, so `<!channel>` in a share
pings nobody; the fallback `text` is escaped too. Escaping can make text up to five times longer, so
long text is split over several sections, each inside Slack's 3,000-character limit.
"""

from __future__ import annotations

from typing import Any

from bot.core.text import escape, first_line, mention
from bot.sharing.projects import ProjectView, progress_label, stage_label
from bot.sharing.updates import UpdateView
from handlers.blocks import SECTION_LIMIT, button, context, header, section
from handlers.charts.data_form import ADD_DATA
from handlers.charts.data_import import IMPORT
from handlers.charts.delivery import CHART

KUDOS = "sharing_kudos"
EDIT = "sharing_edit"
DELETE = "sharing_delete"


def _chunks(escaped: str, limit: int) -> list[str]:
    """Split escaped text into pieces of at most `limit`, never inside an `&amp;`-style entity."""
    pieces: list[str] = []
    while len(escaped) > limit:
        cut = limit
        amp = escaped.rfind("&", cut - 5, cut)
        if amp != -1 and ";" not in escaped[amp:cut]:
            cut = amp
        newline = escaped.rfind("\n", cut - 200, cut)
        cut = newline + 1 if newline > 0 else cut
        pieces.append(escaped[:cut])
        escaped = escaped[cut:]
    return [*pieces, escaped]


def text_sections(heading: str, text: str | None) -> list[dict[str, Any]]:
    """`*heading*` then the user's text, escaped, in as many sections as it needs."""
    if not text:
        return []
    prefix = f"*{heading}*\n"
    pieces = _chunks(escape(text), SECTION_LIMIT - len(prefix))
    return [section((prefix if i == 0 else "") + piece, verbatim=True) for i, piece in enumerate(pieces)]


def update_message(update: UpdateView) -> dict[str, Any]:
    """The post for one update: who, which project, stage, progress, the text, help wanted, buttons."""
    where = f"*{escape(update.project_title)}*" if update.project_title else "a general QI update"
    intro = f"{mention(update.author_id)} shared {'an update on ' if update.project_title else ''}{where}"
    facts = []
    if update.pdsa_stage:
        facts.append(f"PDSA stage: *{stage_label(update.pdsa_stage)}*")
    if update.progress_score is not None:
        facts.append(f"Progress: *{progress_label(update.progress_score)}*")
    blocks: list[dict[str, Any]] = [section(intro, verbatim=True)]
    if facts:
        blocks.append(context("  ·  ".join(facts), verbatim=True))
    blocks += text_sections("What we tried", update.tried)
    blocks += text_sections("What we learned", update.learned)
    blocks += text_sections(":raising_hand: Help wanted", update.help_wanted)
    if update.data_point:
        blocks.append(context(f":chart_with_upwards_trend: {escape(update.data_point)}", verbatim=True))
    kudos = f":clap: Kudos ({update.kudos})" if update.kudos else ":clap: Kudos"
    value = str(update.id)
    blocks.append({"type": "actions", "block_id": f"sharing_update:{update.id}", "elements": [
        button(kudos, KUDOS, value),
        button("Edit", EDIT, value),
        button("Delete", DELETE, value, style="danger", confirm={
            "title": {"type": "plain_text", "text": "Delete this update?"},
            "text": {"type": "plain_text", "text": "It will be removed from the channel for everyone."},
            "confirm": {"type": "plain_text", "text": "Delete"},
            "deny": {"type": "plain_text", "text": "Keep it"},
            "style": "danger"}),
    ]})
    about = f" on {update.project_title}" if update.project_title else ""
    return {"text": f"{mention(update.author_id)} shared a QI update{escape(about)}: "
                    f"{escape(first_line(update.tried, 150))}",
            "blocks": blocks}


def parent_message(project: ProjectView) -> dict[str, Any]:
    """The project's card in the channel; its thread holds every update."""
    facts = [f"Owner: {mention(project.owner_id)}"]
    if project.members:
        facts.append("Team: " + ", ".join(mention(member) for member in project.members))
    facts.append(f"PDSA stage: *{stage_label(project.pdsa_stage)}*")
    facts.append(f"Progress: *{progress_label(project.progress_score)}*")
    if project.status != "active":
        facts.append(f"Status: *{project.status}*")
    blocks: list[dict[str, Any]] = [
        header(f"QI project: {project.title}"),
        *text_sections("Aim", project.aim),
        *text_sections("Measures", "\n".join(f"• {m.kind.capitalize()}: {m.name}" for m in project.measures)),
        context("  ·  ".join(facts), verbatim=True),
    ]
    if project.tags:
        blocks.append(context("Tags: " + " ".join(f"`{escape(tag)}`" for tag in project.tags), verbatim=True))
    blocks.append(context(f":thread: Updates are in the thread. Share one with `/qi-share #{project.slug} ...`",
                          verbatim=True))
    if project.measures:
        blocks.append({"type": "actions", "elements": [button("Run chart", CHART, project.slug),
                                                       button("Add data", ADD_DATA, project.slug),
                                                       button("Import CSV", IMPORT, project.slug)]})
    return {"text": f"QI project: {escape(project.title)} (owner {mention(project.owner_id)})", "blocks": blocks}
