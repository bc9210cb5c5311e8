"""Kept-open HTTP sessions for every call to Slack, one per event loop and timeout.

slack_sdk's async client opens a new aiohttp session (a new TCP and TLS connection) for each call
unless it is given one, and so did our response_url posts. Under a burst that is most of a reply's
time: each of 300 shares paid a handshake for its post, its permalink and its Home. A session per
loop reuses connections (aiohttp's keep-alive pool) and is safe to share between tasks.

`close_all()` closes them; the runners call it at shutdown and the test suite after each test, whose
event loop is about to close.
"""

from __future__ import annotations

import asyncio

import aiohttp

# A ceiling on simultaneous connections to Slack per session: enough for a burst, short of what would
# make Slack (or a proxy in front of it) refuse connections.
CONNECTIONS = 50

_sessions: dict[tuple[asyncio.AbstractEventLoop, float], aiohttp.ClientSession] = {}


def session(timeout: float) -> aiohttp.ClientSession:
    """The open session of the running loop whose calls time out after `timeout` seconds in total."""
    key = (asyncio.get_running_loop(), timeout)
    found = _sessions.get(key)
    if found is None or found.closed:
        found = _sessions[key] = aiohttp.ClientSession(
            timeout=aiohttp.ClientTimeout(total=timeout), connector=aiohttp.TCPConnector(limit=CONNECTIONS))
    return found


async def close_all() -> None:
    """Close the sessions of the running loop (those of loops already closed are dropped)."""
    loop = asyncio.get_running_loop()
    for key in list(_sessions):
        owner, _ = key
        if owner is loop:
            await _sessions.pop(key).close()
        elif owner.is_closed():
            del _sessions[key]
