"""Block Kit for search: results (a message and the Home's modal), refusals, and "others have worked on this".

What members wrote (titles, snippets, the query) is escaped and sits in `verbatim` text; a snippet is
escaped piece by piece first and only then are the matched words bolded, so a highlight can never open
a mention or a link. People are mentions built from Slack ids.
"""

from __future__ import annotations

import json
from typing import Any

from bot.core.text import escape, mention, plural, truncate
from bot.search import query as search
from bot.search.connections import Suggestion
from bot.search.snippets import pieces
from bot.sharing.projects import stage_label
from handlers.blocks import BUTTON_LIMIT, archive_link, button, context, plain, section
from handlers.mentoring.blocks import topic_labels

MORE = "search_more"
ASK = "search_ask_person"
MODAL = "search_modal"
QUERY_BLOCK = "query"
VALUE = "value"
Message = dict[str, Any]

HOW_TO = ("Filters: `type:project`, `type:update`, `type:mentor` or `type:story`; `topic:falls`; `since:2026-01`. "
          "Search looks through what members shared with the community, never DMs.")
EXAMPLE = "`/qi-commons search falls night shift` or `/qi-commons search discharge type:project since:2026-01`"


def refusal(refused: search.BadQuery) -> str:
    """What to do instead, for each way a search cannot run as typed."""
    reason, detail = refused.reason, escape(refused.detail)
    return {
        "empty": f"What would you like to find? Type a few words after the command, e.g. {EXAMPLE}.",
        "too_long": f"That search is {detail} characters long; please keep it under {search.MAX_CHARS}. A few key "
                    "words work best, e.g. `falls night shift`.",
        "stop_words": "Those words are too common to search for. Add a word about the work itself, e.g. `falls` or "
                      "`discharge summary`.",
        "no_words": "I couldn't find a word to search for in that. Try a few plain words, e.g. `restraint use`.",
        "bad_type": f"I can't filter by `type:{detail}`. Use `type:project`, `type:update`, `type:mentor` or "
                    "`type:story`.",
        "bad_topic": "Add a word after `topic:`, e.g. `topic:falls`.",
        "bad_since": f"I can't read `since:{detail}` as a date. Use a year and month, e.g. `since:2026-01`, or a "
                     "day: `since:2026-01-15`.",
    }.get(reason, f"I couldn't run that search. Try a few plain words, e.g. {EXAMPLE}.")


def _snippet(result: search.Result, stems: set[str]) -> str:
    return "".join(f"*{escape(text)}*" if matched else escape(text) for text, matched in pieces(result.text, stems))


def _link(result: search.Result, workspace_url: str | None) -> str | None:
    return result.permalink or archive_link(workspace_url, result.channel_id, result.ts)


def _title(result: search.Result, workspace_url: str | None) -> str:
    if result.kind == "story":
        return "*A member's value story*"
    if result.kind == "mentor":
        return f"*{escape(result.title)}*" if result.title else mention(result.owner_id)
    name = escape(truncate(result.title, 150)) if result.title else "General update"
    name = f"Update on {name}" if result.kind == "update" and result.title else name
    link = _link(result, workspace_url)
    return f"*<{escape(link)}|{name}>*" if link else f"*{name}*"


def _about(result: search.Result) -> str:
    when = f"{result.at:%-d %b %Y}"
    if result.kind == "mentor":
        offers = topic_labels(result.topics)
        return f"Mentor · {mention(result.owner_id)}" + (f" · offers {escape(offers)}" if offers else "")
    if result.kind == "story":  # who told it only when they let their name be shown
        teller = mention(result.owner_id) if result.owner_id else "told anonymously"
        return f"Story · {teller} · {escape(' '.join(result.topics))} value · {when}"
    kind = "Project" if result.kind == "project" else "Update"
    stage = f" · {stage_label(result.pdsa_stage)} stage" if result.pdsa_stage else ""
    return f"{kind} · {mention(result.owner_id)}{stage} · {when}"


def result_blocks(page: search.Page, workspace_url: str | None, *, in_modal: bool = False) -> list[dict[str, Any]]:
    if not page.results:
        return [section(f"*Nothing found for “{escape(page.query.text)}”.* Try fewer words, another word for the "
                        "same thing, or leave out a filter.", verbatim=True), context(HOW_TO)]
    stems = set(page.query.stems) | set(page.query.topic_stems)
    first, last = page.offset + 1, page.offset + len(page.results)
    blocks = [section(f"*Results {first}–{last} for “{escape(page.query.text)}”*" if page.offset or page.more
                      else f"*{plural(len(page.results), 'result')} for “{escape(page.query.text)}”*", verbatim=True)]
    for result in page.results:
        snippet = _snippet(result, stems)
        blocks.append(section(_title(result, workspace_url) + (f"\n{snippet}" if snippet else ""), verbatim=True))
        blocks.append(context(_about(result)))
    if page.more:
        value = json.dumps({"q": page.query.text, "o": page.offset + search.PAGE_SIZE, "m": in_modal})
        blocks.append({"type": "actions", "block_id": "search_more",
                       "elements": [button("More results", MORE, value)]})
    blocks.append(context(HOW_TO))
    return blocks


def results_message(page: search.Page, workspace_url: str | None) -> Message:
    count = plural(len(page.results), "result")
    return {"text": escape(f"Search: {count} for “{page.query.text}”"), "blocks": result_blocks(page, workspace_url)}


def search_modal(typed: str | None = None, page: search.Page | None = None,
                 workspace_url: str | None = None) -> dict[str, Any]:
    """The Home's search box: a modal whose results appear under the box, so a second search is one edit."""
    element: dict[str, Any] = {"type": "plain_text_input", "action_id": VALUE, "max_length": search.MAX_CHARS,
                               "placeholder": plain("e.g. falls night shift, or discharge type:project")}
    if typed:
        element["initial_value"] = typed
    blocks: list[dict[str, Any]] = [
        {"type": "input", "block_id": QUERY_BLOCK, "label": plain("Search past QI work and people"),
         "element": element,
         "hint": plain("Projects, updates, mentors and value stories. Filters: type:project, topic:falls, "
                       "since:2026-01.")}]
    if page is not None:
        blocks += [{"type": "divider"}, *result_blocks(page, workspace_url, in_modal=True)]
    return {"type": "modal", "callback_id": MODAL, "title": plain("Search QI Commons"), "submit": plain("Search"),
            "close": plain("Close"), "blocks": blocks}


# --- connections ----------------------------------------------------------------------------------------


def ask_value(subject: str, suggestion: Suggestion) -> str:
    return json.dumps({"s": subject, "p": suggestion.project_id, "u": suggestion.person_id})


def connections(subject: str, suggestions: tuple[Suggestion, ...], workspace_url: str | None) -> Message:
    """Up to three people behind similar projects, each with a button to send them a quick question."""
    blocks: list[dict[str, Any]] = [
        section("*Others have worked on this*\nThey may already have tried what you're planning: a quick question "
                "can save you a cycle or two.")]
    for s in suggestions:
        title = escape(truncate(s.title, 150))
        link = archive_link(workspace_url, s.channel_id, s.thread_ts)
        named = f"<{escape(link)}|{title}>" if link else title
        stage = f", {stage_label(s.pdsa_stage)} stage" if s.pdsa_stage else ""
        text = f"{mention(s.person_id)} worked on something similar: *{named}* ({s.at:%B %Y}{stage}). Ask them?"
        blocks.append(section(text, verbatim=True, accessory=button(
            truncate("Ask a quick question", BUTTON_LIMIT), ASK, ask_value(subject, s))))
    blocks.append(context("Suggested from what members shared. Anyone can stop being suggested in "
                          "`/qi-commons settings`."))
    people = ", ".join(mention(s.person_id) for s in suggestions)
    return {"text": f"Others have worked on this: {people}", "blocks": blocks}


def asked(person_id: str) -> Message:
    return {"text": "Your quick question is on its way.", "blocks": [section(
        f"*Your quick question went to {mention(person_id)}.* If they take it, you'll both be in a group DM. "
        "If they can't, we ask a mentor who offers the topic, when there is one.")]}


CANNOT_ASK = ("I can't send that question any more: the project has moved on, or its owner asked not to be "
              "suggested. Try `/qi-commons search` to find others who worked on it.")
