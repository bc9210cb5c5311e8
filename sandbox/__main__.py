"""`python -m sandbox --port 8700`: run the Slack stand-in by hand and point SLACK_API_URL at it."""

from __future__ import annotations

import argparse
import asyncio
import signal

from sandbox.server import SlackStandIn


async def _serve(port: int, bot_token: str, team_id: str) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    # Both signals end it cleanly: Ctrl-C by hand, SIGTERM from whatever started it in the background.
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    async with SlackStandIn(bot_token=bot_token, team_id=team_id, port=port) as slack:
        print(f"Slack stand-in listening; SLACK_API_URL={slack.api_url} (bot token {bot_token})", flush=True)
        await stop.wait()


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m sandbox", description=__doc__)
    parser.add_argument("--port", type=int, default=8700)
    parser.add_argument("--bot-token", default="xoxb-test", help="the token the app must present")
    parser.add_argument("--team-id", default="T0001")
    options = parser.parse_args()
    asyncio.run(_serve(options.port, options.bot_token, options.team_id))


if __name__ == "__main__":
    main()
