"""Reading a file a member gave us (a modal's file_input) from its `url_private`, with the bot token.

Like a response_url, the URL comes in a request body a client fills, so it is fetched only from Slack's
file host (or the Web API's own host: the local stand-in), never through a redirect: Slack answers a
missing or wrong token with a redirect to its sign-in page, which is an HTML page, not the file.
"""

from __future__ import annotations

import asyncio
from typing import Any

import aiohttp

from bot.core.slack import sessions
from bot.core.slack.trust import same_origin

SLACK_FILES = "https://files.slack.com/"


class DownloadFailed(Exception):
    """The file could not be read; str() is what to tell the member."""


async def download(file: dict[str, Any], *, token: str, api_url: str, limit: int, timeout: float) -> bytes:
    """The content of `file` (Slack's file object), at most `limit` bytes, within `timeout` seconds."""
    url = file.get("url_private_download") or file.get("url_private")
    if not isinstance(url, str) or not (same_origin(url, SLACK_FILES) or same_origin(url, api_url)):
        raise DownloadFailed("I can't read that file: it is not one Slack holds. Pick the file again.")
    size = file.get("size")
    if isinstance(size, int) and size > limit:
        raise DownloadFailed(f"That file is {size / 1024 / 1024:.1f} MB; an import takes up to "
                             f"{limit // 1024 // 1024} MB. Split it into smaller files.")
    try:
        async with asyncio.timeout(timeout), sessions.session(timeout).get(
                url, headers={"Authorization": f"Bearer {token}"}, allow_redirects=False) as response:
            if response.status != 200 or response.content_type == "text/html":
                raise DownloadFailed("Slack did not hand me the file (QI Commons may need the files:read "
                                     "permission: tell your QI Commons admin). Nothing was imported.")
            content = b""
            async for chunk in response.content.iter_chunked(64 * 1024):  # read(n) may stop at one chunk
                content += chunk
                if len(content) > limit:
                    break
    except (TimeoutError, aiohttp.ClientError):
        raise DownloadFailed("Slack was slow to hand me the file. Nothing was imported: press the button "
                             "again in a moment.") from None
    if len(content) > limit:
        raise DownloadFailed(f"That file is over {limit // 1024 // 1024} MB; an import takes up to that. "
                             "Split it into smaller files.")
    return content
