"""`qi-commons mentors import FILE.csv`: read the roster safely, run the import, print the report.

The path may point at anything (a FIFO, /dev/zero, a directory, a secrets file), so the file is
opened without blocking, must be a regular file no bigger than MAX_ROSTER_BYTES and is read in
chunks that stop at the limit. Messages name the path and the problem, never the file's content.
"""

from __future__ import annotations

import asyncio
import codecs
import os
import stat
import sys

from bot.core.config import HOW_TO_FIX, Settings
from bot.core.slack import LookupFailed
from bot.mentoring.roster_import import ImportReport, import_roster
from bot.runners.app import build_runtime
from storage.migrate import upgrade

# A roster of a few hundred mentors is tens of kilobytes; anything near this is not a roster.
MAX_ROSTER_BYTES = 1024 * 1024
_CHUNK_BYTES = 64 * 1024


class RosterUnreadable(Exception):
    """The file cannot be used as a roster; the message says why and how to fix it."""


def read_roster(path: str) -> str:
    """The roster's text; raises RosterUnreadable."""
    try:
        # O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer forever.
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except FileNotFoundError:
        raise RosterUnreadable(f"There is no file {path}. Give the path to the roster CSV.") from None
    except OSError as exc:
        raise RosterUnreadable(f"Could not open {path} ({exc.strerror}). Give the path to the roster CSV.") from None
    info = os.fstat(fd)
    if not stat.S_ISREG(info.st_mode):
        os.close(fd)
        raise RosterUnreadable(f"{path} is not a regular file (a directory, device or pipe). "
                               "Give the path to the roster CSV.")
    with os.fdopen(fd, "rb") as file:
        if info.st_size > MAX_ROSTER_BYTES:
            raise RosterUnreadable(_too_big(path))
        decoder = codecs.getincrementaldecoder("utf-8")()
        parts: list[str] = []
        read = 0
        try:
            # The size checked above may grow while we read: the limit holds on what is read.
            while chunk := file.read(_CHUNK_BYTES):
                read += len(chunk)
                if read > MAX_ROSTER_BYTES:
                    raise RosterUnreadable(_too_big(path))
                parts.append(decoder.decode(chunk))
            parts.append(decoder.decode(b"", final=True))
        except UnicodeDecodeError:
            raise RosterUnreadable(f"{path} is not UTF-8 text. Save the roster as a UTF-8 CSV and try again.") from None
        except OSError as exc:
            raise RosterUnreadable(f"Could not read {path} ({exc.strerror}). Try again.") from None
    return "".join(parts)


def _too_big(path: str) -> str:
    return (f"{path} is larger than {MAX_ROSTER_BYTES // 1024} KiB, too big for a mentor roster. "
            "Give the path to the roster CSV.")


def run_import_command(settings: Settings, path: str) -> int:
    """0 all imported, 1 some rows skipped, 2 nothing could run."""
    try:
        text = read_roster(path)
    except RosterUnreadable as exc:
        print(exc, file=sys.stderr)
        return 2
    if settings.slack_bot_token is None:
        print("Configuration error: SLACK_BOT_TOKEN is not set; the import looks people up in Slack. "
              f"To fix it: {HOW_TO_FIX['SLACK_BOT_TOKEN']}.", file=sys.stderr)
        return 2
    upgrade(settings.database_url)
    report = asyncio.run(_import_file(settings, text))
    if report is None:
        return 2
    for line in report.lines():
        print(line)
    return 1 if report.problems else 0


async def _import_file(settings: Settings, text: str) -> ImportReport | None:
    runtime = build_runtime(settings)
    try:
        try:
            team_id = await runtime.people.workspace_id()
        except LookupFailed as failed:
            print(f"Slack refused the bot token ({failed.error}). To fix it: {HOW_TO_FIX['SLACK_BOT_TOKEN']}.",
                  file=sys.stderr)
            return None
        return await import_roster(runtime, team_id=team_id, text=text)
    finally:
        await runtime.inflight.wait()
        await runtime.close()
