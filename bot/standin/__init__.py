"""A local Slack for tests and trying the bot: a Web API stand-in and a driver that sends signed requests."""

from bot.standin.driver import DriverResponse, SlackDriver, state_values
from bot.standin.server import Call, SlackError, SlackStandIn, StoredFile
from bot.standin.signing import signature, signed_headers

__all__ = [
    "Call",
    "DriverResponse",
    "SlackDriver",
    "SlackError",
    "SlackStandIn",
    "StoredFile",
    "signature",
    "signed_headers",
    "state_values",
]
