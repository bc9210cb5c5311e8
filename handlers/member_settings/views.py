"""Saving the settings modal: every field is read and checked again on the server."""

from __future__ import annotations

from datetime import time
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck

from bot.core.runtime import Runtime
from bot.member_settings import settings as member_settings
from bot.member_settings.settings import MemberSettings
from handlers.member_settings.blocks import (
    DIGEST_MENTORING,
    DIGEST_SHARES,
    REMINDERS_ON,
    SETTINGS_MODAL,
    STORY_ASKS,
    SUGGEST_ME,
    VALUE,
)
from handlers.tenant import team_of


def _element(values: dict[str, Any], block_id: str) -> dict[str, Any]:
    return values.get(block_id, {}).get(VALUE) or {}


def _selected(values: dict[str, Any], block_id: str) -> str | None:
    return (_element(values, block_id).get("selected_option") or {}).get("value")


def _checked(values: dict[str, Any], block_id: str) -> set[str]:
    return {o.get("value") for o in _element(values, block_id).get("selected_options") or []}


def _time(values: dict[str, Any], block_id: str) -> time | None:
    try:
        return time.fromisoformat(_element(values, block_id).get("selected_time") or "")
    except ValueError:
        return None


def read_settings(values: dict[str, Any]) -> tuple[MemberSettings | None, dict[str, str]]:
    """The settings the form describes, or field errors by block id."""
    start, end = _time(values, "quiet_start"), _time(values, "quiet_end")
    errors = {block: "Choose a time." for block, value in (("quiet_start", start), ("quiet_end", end)) if value is None}
    if errors:
        return None, errors
    assert start is not None and end is not None
    digest = _checked(values, "digest")
    settings = MemberSettings(
        profession=_selected(values, "profession"), career_stage=_selected(values, "career_stage"),
        cpd_framework=_selected(values, "cpd_framework") or "",
        reminders_enabled=REMINDERS_ON in _checked(values, "reminders"), quiet_start=start, quiet_end=end,
        name_in_digest_shares=DIGEST_SHARES in digest, name_in_digest_mentoring=DIGEST_MENTORING in digest,
        suggest_me=SUGGEST_ME in _checked(values, "suggestions"),
        value_story_asks=STORY_ASKS in _checked(values, "value_stories"))
    return settings, {}


def register(app: AsyncApp, runtime: Runtime) -> None:
    @app.view(SETTINGS_MODAL)
    async def save_settings(ack: AsyncAck, body: dict[str, Any], context: dict[str, Any], view: dict[str, Any]) -> None:
        settings, errors = read_settings(view["state"]["values"])
        if settings is None:
            await ack(response_action="errors", errors=errors)
            return
        errors = await member_settings.save(runtime, team_of(context), body["user"]["id"], settings)
        await ack(**({"response_action": "errors", "errors": errors} if errors else {}))
