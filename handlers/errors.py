"""The global error handler: log with context, apologise to the person, never fail silently."""

from __future__ import annotations

import logging

from slack_bolt.async_app import AsyncApp
from slack_bolt.error import BoltUnhandledRequestError
from slack_sdk.web.async_client import AsyncWebClient

from bot.core.events import forget_event
from bot.core.runtime import Runtime
from handlers import response_url
from handlers.middleware import is_verified

log = logging.getLogger(__name__)

APOLOGY = ("Sorry, something went wrong on our side and your request did not finish. "
           "Nothing you typed was shared. Please try again in a minute; if it keeps happening, "
           "tell your QI Commons admin.")


def register(app: AsyncApp, runtime: Runtime) -> None:
    @app.error
    async def on_error(error: Exception, body: dict, context: dict, client: AsyncWebClient) -> None:
        if not is_verified(context):
            # Never act on what an unverified body says: it names whom to message and where to post.
            log.warning("Error before the request was verified (%s); nothing sent", type(error).__name__)
            return
        kind = body.get("type") or ("slash_command" if body.get("command") else "unknown")
        if isinstance(error, BoltUnhandledRequestError):
            # A button or view from an older version, or a forged id: Slack gets a plain 404.
            log.warning("No listener for %s %s; answered 404", kind,
                        body.get("command") or _action_or_callback(body) or body.get("event", {}).get("type", ""))
            return
        user_id = body.get("user_id") or body.get("user", {}).get("id") or body.get("event", {}).get("user")
        log.error("Unhandled error in %s %s for user %s", kind,
                  body.get("command") or _action_or_callback(body) or body.get("event", {}).get("type", ""),
                  user_id, exc_info=error)
        if kind == "event_callback" and body.get("event_id"):
            await forget_event(runtime, body["event_id"])
            return
        try:
            if url := body.get("response_url") or _first_response_url(body):
                await response_url.delivered(client, url, text=APOLOGY, response_type="ephemeral")
            elif user_id:
                channel = body.get("channel_id") or body.get("channel", {}).get("id")
                if channel:
                    await client.chat_postEphemeral(channel=channel, user=user_id, text=APOLOGY)
                else:
                    dm = await client.conversations_open(users=user_id)
                    await client.chat_postMessage(channel=dm["channel"]["id"], text=APOLOGY)
        except Exception:  # noqa: BLE001 - the apology is best effort; the original error is logged
            log.exception("Could not tell user %s about the error", user_id)


def _action_or_callback(body: dict) -> str:
    if body.get("actions"):
        return body["actions"][0].get("action_id", "")
    return body.get("view", {}).get("callback_id", "")


def _first_response_url(body: dict) -> str | None:
    urls = body.get("response_urls") or []
    return urls[0].get("response_url") if urls else None
