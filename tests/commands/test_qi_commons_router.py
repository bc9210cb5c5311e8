"""`/qi-commons` understands what people type for each subcommand, and everything help and the README name."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from handlers.commands.context import match_subcommand
from handlers.commands.help import ADMIN_SECTION, SECTIONS
from tests.conftest import ADMIN_ID

MEMBER = "U0MEMBER1"
README = Path(__file__).resolve().parents[2] / "README.md"
NOT_UNDERSTOOD = ("I don't know", "Try `/qi-commons")


async def _reply(env, text: str, user_id: str = MEMBER) -> dict:
    """The ephemeral answer, or {"view": ...} when the subcommand opened a modal instead."""
    url, views = env.slack.response_url(), len(env.slack.opened_views)
    await env.driver.command("/qi-commons", text, user_id=user_id, response_url=url)
    await env.settle()
    if len(env.slack.opened_views) > views:
        return {"text": "", "view": env.slack.opened_views[-1]["view"]}
    return env.slack.responses(url)[-1]


@pytest.mark.parametrize(("typed", "canonical"), [
    ("forget me", "forget-me"),
    ("Forget Me", "forget-me"),
    ("forget_me", "forget-me"),
    ("export my data", "export-my-data"),
])
async def test_a_subcommand_typed_with_spaces_is_the_same_subcommand(env, typed, canonical):
    """Issue 16 item 14: `/qi-commons forget me` was "I don't know `forget`"."""
    expected = await _reply(env, canonical)
    reply = await _reply(env, typed)
    assert not reply["text"].startswith("I don't know")
    assert (reply["text"], reply.get("blocks")) == (expected["text"], expected.get("blocks"))


async def test_admin_digest_preview_is_the_digest_preview(env):
    """Issue 16 item 14: the README lists `digest preview` under `/qi-commons admin`."""
    reply = await _reply(env, "admin digest preview", user_id=ADMIN_ID)
    assert reply["text"].startswith("Preview")
    assert ":eyes: *Preview*" in reply["blocks"][0]["elements"][0]["text"]
    assert (await _reply(env, "digest preview", user_id=ADMIN_ID))["text"] == reply["text"]


def _help_commands() -> list[str]:
    return [example.removeprefix("/qi-commons").strip() for _, lines in (*SECTIONS, ADMIN_SECTION)
            for example, _ in lines if example.startswith("/qi-commons")]


def _readme_commands() -> list[str]:
    """Every `/qi-commons ...` the README's command table names, admin words in its row included."""
    rows = [line for line in README.read_text(encoding="utf-8").splitlines() if line.startswith("| `/qi-commons")]
    found = []
    for row in rows:
        command = re.match(r"\| `/qi-commons ?([^`]*)`", row).group(1)
        found.append(command)
        words = re.findall(r"`([a-z][a-z /-]*)`", row.split("|")[2])
        # The help row lists top-level subcommands; the admin row lists admin actions, some without "admin".
        prefix = "" if command == "help" else command
        found += [word.strip() if word.startswith(prefix) else f"{prefix} {word}".strip() for word in words]
    return found


def test_the_readme_and_help_name_commands():
    assert "admin digest preview" in _readme_commands() and "forget-me" in _readme_commands()
    assert "admin digest preview" in _help_commands()


@pytest.mark.parametrize("typed", sorted(set(_help_commands() + _readme_commands())))
async def test_every_command_help_and_the_readme_name_is_understood(env, typed):
    typed = typed.replace("[topic]", "").replace("pause/resume/skip", "pause").strip()
    reply = await _reply(env, typed, user_id=ADMIN_ID)
    assert not reply["text"].startswith(NOT_UNDERSTOOD), (typed, reply["text"])


def test_match_subcommand_prefers_the_longest_name_and_keeps_the_rest():
    names = ("", "learn", "forget-me", "export-my-data")
    assert match_subcommand("forget me now", names) == ("forget-me", "now")
    assert match_subcommand("EXPORT my DATA", names) == ("export-my-data", "")
    assert match_subcommand("learn run charts", names) == ("learn", "run charts")
    assert match_subcommand("  ", names) == ("", "")
    assert match_subcommand("forget", names) == (None, "forget")
