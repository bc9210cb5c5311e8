"""`/qi-share #slug data falls=3 checklist=12 2026-11-30`: data points in one line, stored before the ack;
`/qi-share #slug data remove falls 2026-11-30` takes one away.

The date is optional (today where the member is). Numbers may be written the French way (3,5). A date that
already has a value asks whether the new one replaces it or sits beside it, with the choice in the buttons.
"""

from __future__ import annotations

import json
import re
from datetime import date
from decimal import Decimal
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.respond.async_respond import AsyncRespond

from bot.charts.data_points import Added, NotAllowed, Reading, add_points, remove_points
from bot.charts.measure_charts import ChartUnavailable
from bot.charts.numbers import NotANumber, parse_value
from bot.core.runtime import Runtime
from bot.core.text import escape
from handlers.blocks import button, section
from handlers.ids import row_id
from handlers.tenant import team_of

# `data` then values (`name=3`) or `remove`: "#slug data shows a drop" stays an ordinary update.
DATA_TEXT = re.compile(r"^#([a-z0-9][a-z0-9-]*)\s+data\s+((?:remove\b|[^=\n]*=).*)$", re.IGNORECASE | re.DOTALL)
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
REPLACE, KEEP_BOTH = "charts_data_replace", "charts_data_keep_both"
USAGE = ("Write each measure and its value, then the date if it is not today: "
         "`/qi-share #{slug} data falls=3 checklist=12 2026-11-30`.")
NOT_YOURS = "Only the project's team can add its data. Ask its owner to add you to the team."


def parse_data_text(text: str) -> tuple[list[tuple[str, str]], date | None, str | None]:
    """`falls=3 % screened=62 2026-11-30` -> ([("falls", "3"), ("% screened", "62")], date, None), or an error.
    A measure's name may have spaces: the words before `=` since the last value are its name."""
    pairs: list[tuple[str, str]] = []
    on: date | None = None
    words: list[str] = []
    for token in text.split():
        if ISO_DATE.match(token) and on is None and "=" not in token:
            try:
                on = date.fromisoformat(token)
            except ValueError:
                return [], None, f"{token} is not a date on the calendar: write it as YYYY-MM-DD."
            continue
        name, equals, value = token.partition("=")
        if not equals:
            words.append(token)
            continue
        words.append(name)
        if not value:
            return [], None, "Put the value right after `=`, with no space: `falls=3`."
        measure = " ".join(w for w in words if w)
        if not measure:
            return [], None, "Put the measure's name right before `=`, with no space: `falls=3`."
        pairs.append((measure, value))
        words = []
    if words or not pairs:
        return [], None, None
    return pairs, on, None


async def store_data_text(runtime: Runtime, *, team_id: str, user_id: str, slug: str, text: str) -> dict[str, Any]:
    """Parse, store (or ask), and return the ephemeral answer; `remove MEASURE DATE` takes a point away."""
    if text.lower().startswith("remove"):
        return await _remove(runtime, team_id=team_id, user_id=user_id, slug=slug, text=text[len("remove"):])
    pairs, on, error = parse_data_text(text)
    if error or not pairs:
        return {"text": f"{error or 'I could not read those values.'} {USAGE.format(slug=slug)}"}
    readings = []
    for name, value in pairs:
        try:
            reading = parse_value(value)
            readings.append(Reading(name, reading.value, unit=reading.unit))
        except NotANumber as why:
            return {"text": f"{escape(name)}: {why}"}
    return await _store(runtime, team_id=team_id, user_id=user_id, slug=slug, readings=readings, on=on, mode="new")


async def _store(runtime: Runtime, *, team_id: str, user_id: str, slug: str, readings: list[Reading],
                 on: date | None, mode: str) -> dict[str, Any]:
    try:
        added = await add_points(runtime, team_id=team_id, user_id=user_id, slug=slug, readings=readings,
                                 observed_on=on, mode=mode)  # type: ignore[arg-type]
    except ChartUnavailable as why:
        return {"text": str(why)}
    except NotAllowed:
        return {"text": NOT_YOURS}
    if any(a.duplicate for a in added):
        return _ask_duplicate(added)
    listed = ", ".join(f"{escape(a.measure_name)} = {_number(a.value)}" for a in added)
    return {"text": f"Added {listed} on {added[0].observed_on:%d %b %Y} to `#{added[0].slug}`. "
                    f"`/qi-commons chart #{added[0].slug}` shows the run chart."}


async def _remove(runtime: Runtime, *, team_id: str, user_id: str, slug: str, text: str) -> dict[str, Any]:
    words = text.split()
    on = date.fromisoformat(words[-1]) if words and ISO_DATE.match(words[-1]) and _is_date(words[-1]) else None
    if on is None or len(words) < 2:
        return {"text": f"Name the measure and the date: `/qi-share #{slug} data remove falls 2026-11-30`."}
    try:
        name, removed = await remove_points(runtime, team_id=team_id, user_id=user_id, slug=slug,
                                            measure=" ".join(words[:-1]), observed_on=on)
    except ChartUnavailable as why:
        return {"text": str(why)}
    except NotAllowed:
        return {"text": "Only the project's owner, an admin or whoever added a value can remove it."}
    if not removed:
        return {"text": f"{escape(name)} has no value on {on:%d %b %Y}: nothing was removed."}
    return {"text": f"Removed {'the value' if removed == 1 else f'{removed} values'} of {escape(name)} on "
                    f"{on:%d %b %Y} from `#{slug}`."}


def _is_date(text: str) -> bool:
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return True


def _number(value: Decimal) -> str:
    return f"{value.normalize():f}"


def _ask_duplicate(added: list[Added]) -> dict[str, Any]:
    twice = [a for a in added if a.duplicate]
    names = ", ".join(escape(a.measure_name) for a in twice)
    choice = json.dumps({"s": added[0].slug, "d": added[0].observed_on.isoformat(),
                         "r": [[str(a.measure_id), _number(a.value)] for a in added]}, separators=(",", ":"))
    text = (f"{names} already {'has' if len(twice) == 1 else 'have'} a value on {added[0].observed_on:%d %b %Y}. "
            "Should the new value replace it, or be kept beside it? Nothing is stored until you choose.")
    return {"text": text, "blocks": [section(text, verbatim=True), {"type": "actions", "elements": [
        button("Replace", REPLACE, choice, style="primary"), button("Keep both", KEEP_BOTH, choice)]}]}


def register(app: AsyncApp, runtime: Runtime) -> None:
    async def choose(ack: AsyncAck, body: dict[str, Any], context: dict[str, Any], action: dict[str, Any],
                     respond: AsyncRespond, mode: str) -> None:
        try:
            choice = json.loads(action.get("value") or "")
            readings = [Reading("", Decimal(value), row_id(measure_id) or -1) for measure_id, value in choice["r"]]
            on = date.fromisoformat(choice["d"])
            slug = str(choice["s"])
        except (ValueError, KeyError, TypeError, ArithmeticError):
            await ack()
            await respond(text="That choice is out of date: send the values again.", response_type="ephemeral",
                          replace_original=True)
            return
        # The measures come back by id (a name or number could mean another one by now). Stored before
        # the ack, so a crash once Slack shows the choice as taken cannot lose the values.
        answer = await _store(runtime, team_id=team_of(context), user_id=body["user"]["id"], slug=slug,
                              readings=readings, on=on, mode=mode)
        await ack()
        await respond(**answer, response_type="ephemeral", replace_original=True)

    @app.action(REPLACE)
    async def replace(ack: AsyncAck, body: dict[str, Any], context: dict[str, Any], action: dict[str, Any],
                   respond: AsyncRespond) -> None:
        await choose(ack, body, context, action, respond, "replace")

    @app.action(KEEP_BOTH)
    async def keep_both(ack: AsyncAck, body: dict[str, Any], context: dict[str, Any], action: dict[str, Any],
                   respond: AsyncRespond) -> None:
        await choose(ack, body, context, action, respond, "keep_both")
