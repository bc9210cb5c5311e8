"""A local Slack for tests and trying the bot: a Web API stand-in and a driver that sends signed requests."""

from sandbox.driver import DriverResponse, SlackDriver, state_values
from sandbox.server import Call, SlackError, SlackStandIn, StoredFile
from sandbox.signing import signature, signed_headers

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
