"""`qi-commons check`: the checklist a new operator follows, each line OK or what to do."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path

from slack_sdk.errors import SlackApiError
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from bot.core.config import HOW_TO_FIX, ConfigError, Settings
from bot.runners.app import build_client
from bot.workspace.lifecycle import lost_installations
from storage.db import Database
from storage.migrate import current_revision, head_revision


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str

    def line(self) -> str:
        return f"{'OK  ' if self.ok else 'FIX '} {self.name}: {self.detail}"


async def run_checks(settings: Settings) -> list[Check]:
    checks = [_mode_check(settings)]
    checks += await _database_checks(settings)
    checks += await _slack_checks(settings)
    return checks


def _mode_check(settings: Settings) -> Check:
    mode = settings.run_mode()
    try:
        settings.require_for_run(mode)
    except ConfigError as exc:
        return Check("configuration", False, str(exc).removeprefix("Configuration error: "))
    how = "Socket Mode (no public URL needed)" if mode == "socket" else "HTTP mode (POST /slack/events)"
    return Check("configuration", True, f"valid; the bot will run in {how}")


async def _database_checks(settings: Settings) -> list[Check]:
    url = make_url(settings.database_url)
    if url.get_backend_name() == "sqlite" and url.database and not await asyncio.to_thread(Path(url.database).exists):
        # Connecting would create an empty file: a check must not change anything.
        return [Check("database", False, f"there is no database at {url.database} yet; `qi-commons db upgrade` "
                                         "(or `make run`) creates it")]
    db = Database(settings.database_url)
    try:
        async with db.engine.connect() as connection:
            current = await connection.run_sync(current_revision)
    except (SQLAlchemyError, OSError) as exc:
        return [Check("database", False, f"cannot connect ({type(exc).__name__}); check DATABASE_URL, that the "
                                         "server is running and that the user may log in")]
    finally:
        await db.dispose()
    head = head_revision()
    reached = Check("database", True, f"reachable ({db.backend})")
    if current == head:
        return [reached, Check("migrations", True, f"up to date (revision {head})"), await _installation_check(db)]
    return [reached, Check("migrations", False, f"at {current or 'an empty schema'}, latest is {head}; "
                                               "run `qi-commons db upgrade`")]


async def _installation_check(db: Database) -> Check:
    try:
        async with db.session() as session:
            lost = await lost_installations(session)
    finally:
        await db.dispose()
    if lost:
        return Check("installation", False, f"{lost[0].describe()}: nothing is being sent. Reinstall the app "
                                            "(Install App), update SLACK_BOT_TOKEN if it changed, and restart")
    return Check("installation", True, "Slack has not uninstalled the app or revoked its token")


async def _slack_checks(settings: Settings) -> list[Check]:
    if settings.slack_bot_token is None:
        return [Check("slack token", False, f"SLACK_BOT_TOKEN is not set; {HOW_TO_FIX['SLACK_BOT_TOKEN']}")]
    client = build_client(settings)
    try:
        auth = await client.auth_test()
    except SlackApiError as exc:
        error = exc.response.get("error", "unknown error")
        return [Check("slack token", False, f"Slack rejected SLACK_BOT_TOKEN ({error}); "
                                            f"{HOW_TO_FIX['SLACK_BOT_TOKEN']}, and reinstall the app if asked")]
    except OSError as exc:
        return [Check("slack token", False, f"cannot reach Slack at {settings.slack_api_url} ({type(exc).__name__});"
                                            " check the network or proxy")]
    checks = [Check("slack token", True, f"auth.test succeeded as @{auth.get('user')} in {auth.get('team')}")]
    checks.append(await _channel_check(settings, client))
    return checks


async def _channel_check(settings: Settings, client) -> Check:
    channel = settings.community_channel_id
    if channel is None:
        return Check("community channel", False, f"COMMUNITY_CHANNEL_ID is not set; {HOW_TO_FIX['COMMUNITY_CHANNEL_ID']}")
    try:
        info = (await client.conversations_info(channel=channel))["channel"]
    except SlackApiError as exc:
        error = exc.response.get("error", "unknown error")
        if error == "channel_not_found":
            return Check("community channel", False, f"{channel} was not found; if it is private, invite the bot "
                                                     "with `/invite @QI Commons` first, else check the id")
        return Check("community channel", False, f"could not look up {channel} ({error})")
    name = info.get("name", channel)
    if info.get("is_archived"):
        return Check("community channel", False, f"#{name} is archived; unarchive it or choose another channel")
    if info.get("is_member"):
        return Check("community channel", True, f"the bot is a member of #{name}")
    if info.get("is_private"):
        return Check("community channel", False, f"#{name} is private; invite the bot with `/invite @QI Commons`")
    return Check("community channel", True, f"#{name} is public; the bot will join it when it first posts "
                                            "(or `/invite @QI Commons` now)")
