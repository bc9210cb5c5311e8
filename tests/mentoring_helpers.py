"""Shared steps for the mentoring scenario tests: mentors on file, DMs read back, buttons clicked."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from bot.mentoring import profiles
from bot.runners.scheduler import sweep
from storage.models import Mentorship, MentorshipCandidate, MentorshipRequest, Nudge

TEAM = "T0001"
MENTEE = "U0MEMBER1"
VANCOUVER = "U0MEMBER2"
ADMIN = "U0ADMIN"


async def add_mentor(env, user_id: str, name: str, expertise: tuple[str, ...], *, capacity: int = 2,
                     formats: tuple[str, ...] = ("formal", "informal"), modes: tuple[str, ...] = ("virtual",),
                     discipline: str | None = "psychiatry", career_stage: str | None = "mid-career",
                     bio: str | None = None, tz: str = "America/Toronto") -> None:
    if env.slack.user(user_id) is None:
        env.slack.add_user(user_id, name=user_id.lower(), real_name=name, tz=tz,
                           email=f"{user_id.lower()}@hospital.example.org")
    profile = profiles.ProfileInput(name=name, expertise=expertise, discipline=discipline,
                                     career_stage=career_stage, capacity=capacity, formats=formats, modes=modes,
                                     bio=bio, accepting=True)
    await profiles.save_profile(env.runtime, team_id=TEAM, user_id=user_id, profile=profile)


def dms(env, user_id: str) -> list[dict[str, Any]]:
    """The bot's DM messages to a person, oldest first (as they read now, after updates)."""
    return env.slack.messages(env.slack.dm_channel(user_id))


def button(message: dict[str, Any], action_id: str) -> dict[str, Any]:
    for block in message.get("blocks", []):
        elements = block.get("elements", []) if block["type"] == "actions" else [block.get("accessory") or {}]
        for element in elements:
            if element.get("action_id") == action_id:
                return element
    raise AssertionError(f"no {action_id} button in {message.get('text')!r}")


def buttons(message: dict[str, Any], action_id: str) -> list[dict[str, Any]]:
    found = []
    for block in message.get("blocks", []):
        elements = block.get("elements", []) if block["type"] == "actions" else [block.get("accessory") or {}]
        found += [e for e in elements if e.get("action_id") == action_id]
    return found


def text_of(message: dict[str, Any]) -> str:
    """Every text in a message's blocks, joined: what a reader sees."""
    parts = [message.get("text", "")]
    for block in message.get("blocks", []):
        if isinstance(block.get("text"), dict):
            parts.append(block["text"]["text"])
        for element in block.get("elements", []):
            if isinstance(element, dict) and isinstance(element.get("text"), (str, dict)):
                parts.append(element["text"] if isinstance(element["text"], str) else element["text"]["text"])
    return "\n".join(parts)


def golden_message(message: dict[str, Any]) -> dict[str, Any]:
    return {"text": message.get("text", ""), "blocks": message.get("blocks", [])}


async def click(env, action_id: str, value: object, user_id: str, message: dict[str, Any] | None = None):
    channel = env.slack.dm_channel(user_id) if message is not None and "channel" not in message else None
    response = await env.driver.action(action_id, value=str(value), user_id=user_id, message=message,
                                       channel_id=channel)
    await env.settle()
    return response


async def run_sweep(env) -> None:
    await sweep(env.runtime)
    await env.settle()


async def rows(env, model, *where) -> list[Any]:
    async with env.runtime.db.session() as session:
        return list((await session.scalars(select(model).where(*where).order_by(model.id))).all())


async def requests(env) -> list[MentorshipRequest]:
    return await rows(env, MentorshipRequest)


async def candidates(env) -> list[MentorshipCandidate]:
    return await rows(env, MentorshipCandidate)


async def mentorships(env) -> list[Mentorship]:
    return await rows(env, Mentorship)


async def nudges(env, user_id: str | None = None) -> list[Nudge]:
    return await rows(env, Nudge, *([Nudge.slack_user_id == user_id] if user_id else []))
