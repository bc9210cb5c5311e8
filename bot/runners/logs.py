"""Logging for operators: text or JSON lines, the request id on every line of a request, no secrets.

A request id is set when a request arrives (HTTP handler or Bolt middleware) in a context variable;
asyncio copies it into every task the request starts, so the listener's own lines carry it too.
Tokens and the signing secret are masked in every record, whatever logged them.
"""

from __future__ import annotations

import contextvars
import logging
import re
import secrets

from pythonjsonlogger.json import JsonFormatter

from bot.core.config import Settings

REQUEST_ID: contextvars.ContextVar[str] = contextvars.ContextVar("qi_request_id", default="-")
# Slack tokens (xoxb-, xoxp-, xapp-, ...) wherever they appear in a message or an argument.
_TOKEN = re.compile(r"\b(xox[abpre]|xapp)-[A-Za-z0-9-]+")
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s]: %(message)s"


def new_request_id() -> str:
    """Start a request's id (kept if one is already set for this request)."""
    if REQUEST_ID.get() == "-":
        REQUEST_ID.set(secrets.token_hex(6))
    return REQUEST_ID.get()


class _RequestContext(logging.Filter):
    """Adds the request id and masks secrets; on the handler, so it sees every logger's records."""

    def __init__(self, secrets_to_mask: list[str]) -> None:
        super().__init__()
        self._secrets = [s for s in secrets_to_mask if len(s) >= 8]

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = REQUEST_ID.get()
        message = record.getMessage()
        masked = _TOKEN.sub(r"\1-…", message)
        for secret in self._secrets:
            masked = masked.replace(secret, "…")
        if masked != message:
            record.msg, record.args = masked, None
        return True


def configure_logging(settings: Settings) -> None:
    handler = logging.StreamHandler()
    if settings.log_format == "json":
        handler.setFormatter(JsonFormatter("%(asctime)s %(levelname)s %(name)s %(request_id)s %(message)s",
                                           rename_fields={"levelname": "level", "name": "logger",
                                                          "asctime": "time"}))
    else:
        handler.setFormatter(logging.Formatter(TEXT_FORMAT))
    known = [s.get_secret_value() for s in (settings.slack_bot_token, settings.slack_app_token,
                                            settings.slack_signing_secret) if s is not None]
    handler.addFilter(_RequestContext(known))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(settings.log_level)
    if settings.log_level != "DEBUG":
        logging.getLogger("slack_bolt").setLevel(logging.WARNING)
        logging.getLogger("apscheduler").setLevel(logging.WARNING)
        logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)
        # slack_sdk logs every retry it makes at INFO; we log one line per failed attempt ourselves.
        logging.getLogger("slack_sdk").setLevel(logging.WARNING)
