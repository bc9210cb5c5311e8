"""What a slash-command handler gets, and the listener that routes a command's first word to it.

Most subcommands run after the ack (they may open a form or read a lot). An `Answering` one runs
before it and its answer is the ack: for work a member typed (stored first, so a crash after Slack
shows the command as taken cannot lose it; a failure is said in the ack) and for answers that need
nothing from Slack (help). The member sees it at once, and no response_url call is made. A `Storing`
one stores before the ack and answers after it, for work whose answer needs Slack (an upload). A
`Routing` one picks, from the text alone, which of those runs (`/qi-commons admin pause ...`).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import Any

from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot.core.runtime import Runtime
from handlers.tenant import team_of

log = logging.getLogger(__name__)

ANSWER_FAILED = ("Sorry, something went wrong on my side, so nothing you typed was kept. Please try again in a "
                 "minute; if it keeps happening, tell your QI Commons admin.")


@dataclass(frozen=True)
class CommandContext:
    runtime: Runtime
    client: AsyncWebClient
    respond: AsyncRespond
    team_id: str
    user_id: str
    channel_id: str
    trigger_id: str
    text: str  # what follows the subcommand word, stripped

    @classmethod
    def from_command(cls, runtime: Runtime, command: dict[str, Any], context: dict[str, Any],
                     client: AsyncWebClient, respond: AsyncRespond, text: str) -> CommandContext:
        return cls(runtime=runtime, client=client, respond=respond, team_id=team_of(context),
                   user_id=command["user_id"], channel_id=command.get("channel_id", ""),
                   trigger_id=command.get("trigger_id", ""), text=text.strip())

    @property
    def is_admin(self) -> bool:
        return self.runtime.settings.is_admin(self.user_id)

    async def reply(self, text: str, blocks: list[dict[str, Any]] | None = None) -> None:
        """An ephemeral answer to the person who typed the command."""
        await self.respond(text=text, blocks=blocks, response_type="ephemeral", replace_original=False)


Subcommand = Callable[[CommandContext], Awaitable[None]]
Answer = dict[str, Any]  # an ephemeral message to the member: text, and blocks


@dataclass(frozen=True)
class Answering:
    """A subcommand whose answer is the ack (see the module's docstring). Keep it short: Slack waits 3 s."""

    answer: Callable[[CommandContext], Awaitable[Answer]]


@dataclass(frozen=True)
class Storing:
    """A subcommand that stores before the ack (`store`; a failure is said in the ack, `failed`, and
    nothing was half-stored) and answers after it (`then`, given what `store` returned)."""

    store: Callable[[CommandContext], Awaitable[Any]]
    then: Callable[[CommandContext, Any], Awaitable[None]]
    failed: str = ANSWER_FAILED


Handler = Subcommand | Answering | Storing


@dataclass(frozen=True)
class Routing:
    """A subcommand with subcommands of its own: `pick` chooses one, and the context it gets, from the text
    alone (nothing awaited), so the one chosen can store or answer before the ack."""

    pick: Callable[[CommandContext], tuple[Handler, CommandContext]]


def message(text: str, blocks: list[dict[str, Any]] | None = None) -> Answer:
    return {"text": text, "blocks": blocks} if blocks else {"text": text}


async def answer_in_ack(ack: AsyncAck, respond: AsyncRespond, answer: Answer) -> None:
    """Ack a command with its answer. If Slack stopped waiting first (a store that took over 3 s under a
    burst; Slack has shown the member a timeout), the answer goes through the response_url instead, so
    the member still learns what became of what they typed."""
    await ack(**answer, response_type="ephemeral")
    if getattr(ack, "late", False):  # set by bot.runners.ack_runner.SignallingAck
        await respond(**answer, response_type="ephemeral", replace_original=False)


def subcommand_listener(runtime: Runtime, subcommands: dict[str, Handler | Routing], fallback: Handler):
    """A slash-command listener: run the subcommand named by the first word (given the rest of the text),
    or `fallback` with the whole text when the first word names none; ack at once, or with its answer."""

    async def listener(ack: AsyncAck, command: dict[str, Any], context: dict[str, Any], client: AsyncWebClient,
                       respond: AsyncRespond) -> None:
        text = command.get("text", "")
        name, rest = match_subcommand(text, subcommands)
        handler = subcommands.get(name) if name is not None else None
        chosen = handler or fallback
        ctx = CommandContext.from_command(runtime, command, context, client, respond, rest if handler else text)
        if isinstance(chosen, Routing):
            chosen, ctx = chosen.pick(ctx)
        if isinstance(chosen, Answering):
            try:
                answer = await chosen.answer(ctx)
            except Exception:  # noqa: BLE001 - the member is told in the ack itself; nothing was half-stored
                log.exception("%s %s failed before its ack", command.get("command"), name or "")
                answer = message(ANSWER_FAILED)
            await answer_in_ack(ack, respond, answer)
            return
        if isinstance(chosen, Storing):
            try:
                stored = await chosen.store(ctx)
            except Exception:  # noqa: BLE001 - the member is told in the ack itself; nothing was half-stored
                log.exception("%s %s failed before its ack", command.get("command"), name or "")
                await answer_in_ack(ack, respond, message(chosen.failed))
                return
            await ack()
            await chosen.then(ctx, stored)
            return
        await ack()
        await chosen(ctx)

    return listener


# Enough for the longest name we have ("export-my-data").
_MOST_WORDS = 3


def match_subcommand(text: str, names: Iterable[str]) -> tuple[str | None, str]:
    """The subcommand the text starts with, and the rest: people type `forget me` or `Forget-Me` for
    `forget-me`, so a name's hyphens match spaces, hyphens or underscores, and the longest name wins.
    `(None, text)` when the first words name none (an empty text names `""` when that is a name)."""
    known = set(names)
    words = (text or "").split()
    if not words:
        return ("" if "" in known else None), ""
    for count in range(min(_MOST_WORDS, len(words)), 0, -1):
        name = "-".join(words[:count]).lower().replace("_", "-")
        if name in known:
            return name, " ".join(words[count:])
    return None, (text or "").strip()


def split_subcommand(text: str) -> tuple[str, str]:
    """`"learn run charts"` -> `("learn", "run charts")`; the word is case-insensitive."""
    word, _, rest = (text or "").strip().partition(" ")
    return word.lower(), rest.strip()
