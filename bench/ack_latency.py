"""Ack latency of `/qi-commons help` on the real HTTP server, against a bare Bolt app that only acks.

Both run as their own processes behind aiohttp on 127.0.0.1; N signed commands are fired at each
concurrently, in the same run, and the time until each HTTP response (Slack's 3-second ack) is
measured. Prints p50/p99 for both and their ratio. Target: p99 ratio <= 1.5 at 100 concurrent
requests, every ack well inside 3 s.

    .venv/bin/python bench/ack_latency.py [--requests 100] [--rounds 3]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import statistics
import sys
import tempfile
import time
from pathlib import Path

import aiohttp

from sandbox import SlackDriver, SlackStandIn

SECRET = "bench-signing-secret"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def serve_bare(port: int) -> None:
    """The baseline: the smallest Bolt app that verifies the signature and acks."""
    from aiohttp import web
    from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
    from slack_bolt.async_app import AsyncApp
    from slack_sdk.web.async_client import AsyncWebClient

    app = AsyncApp(signing_secret=SECRET, token="xoxb-bench",
                   client=AsyncWebClient(token="xoxb-bench", base_url=os.environ["SLACK_API_URL"]))

    @app.command("/qi-commons")
    async def only_ack(ack):
        await ack()

    async def events(request):
        return await to_aiohttp_response(await app.async_dispatch(await to_bolt_request(request)))

    web_app = web.Application()
    web_app.router.add_post("/slack/events", events)
    web_app.router.add_get("/healthz", lambda _r: web.json_response({"status": "ok"}))
    web.run_app(web_app, host="127.0.0.1", port=port, print=None)


async def _start(args: list[str], env: dict[str, str], port: int):
    process = await asyncio.create_subprocess_exec(*args, env=env, stdout=asyncio.subprocess.DEVNULL,
                                                   stderr=asyncio.subprocess.DEVNULL)
    async with aiohttp.ClientSession() as session:
        for _ in range(300):
            try:
                async with session.get(f"http://127.0.0.1:{port}/healthz") as response:
                    if response.status == 200:
                        return process
            except aiohttp.ClientConnectionError:
                await asyncio.sleep(0.1)
    process.kill()
    raise SystemExit(f"{args[0]} did not start")


async def _fire(driver: SlackDriver, count: int) -> list[float]:
    async def one(i: int) -> float:
        started = time.perf_counter()
        response = await driver.command("/qi-commons", "help", user_id=f"U0BENCH{i:03d}")
        if response.status != 200:
            raise SystemExit(f"request failed with HTTP {response.status}: {response.body[:200]}")
        return time.perf_counter() - started

    return list(await asyncio.gather(*(one(i) for i in range(count))))


def _p(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1] * 1000


async def main(requests: int, rounds: int) -> int:
    async with SlackStandIn() as slack:
        workdir = tempfile.mkdtemp(prefix="qi-bench-")
        env = {**os.environ, "SLACK_API_URL": slack.api_url, "SLACK_BOT_TOKEN": "xoxb-test",
               "SLACK_SIGNING_SECRET": SECRET, "DATABASE_URL": f"sqlite+aiosqlite:///{workdir}/bench.db",
               "HOST": "127.0.0.1", "LOG_LEVEL": "WARNING", "COMMUNITY_CHANNEL_ID": "C0COMMUNITY"}
        env.pop("SLACK_APP_TOKEN", None)
        ours_port, bare_port = _free_port(), _free_port()
        bin_dir = Path(sys.executable).parent
        ours = await _start([str(bin_dir / "qi-commons"), "run", "--http"], {**env, "PORT": str(ours_port)}, ours_port)
        bare = await _start([sys.executable, __file__, "--serve-bare", str(bare_port)], env, bare_port)
        try:
            drivers = {name: SlackDriver.over_http(f"http://127.0.0.1:{port}/slack/events", signing_secret=SECRET,
                                                   standin=slack)
                       for name, port in (("qi-commons", ours_port), ("bare ack", bare_port))}
            for driver in drivers.values():  # warm up connections, imports and the database
                await _fire(driver, 10)
            samples: dict[str, list[float]] = {name: [] for name in drivers}
            for _ in range(rounds):  # alternate so both see the same machine conditions
                for name, driver in drivers.items():
                    samples[name] += await _fire(driver, requests)
                    await asyncio.sleep(0.5)
        finally:
            for process in (ours, bare):
                process.terminate()
                await process.wait()

    print(f"ack latency, {requests} concurrent signed /qi-commons help x {rounds} rounds")
    for name, values in samples.items():
        print(f"  {name:<11} p50 {_p(values, 50):7.1f} ms   p99 {_p(values, 99):7.1f} ms   max {max(values)*1000:7.1f} ms")
    ratio = _p(samples["qi-commons"], 99) / _p(samples["bare ack"], 99)
    worst = max(samples["qi-commons"])
    print(f"  p99 ratio qi-commons / bare ack: {ratio:.2f} (target <= 1.5)")
    ok = ratio <= 1.5 and worst < 3.0
    print(f"{'PASS' if ok else 'FAIL'}: p99 ratio {ratio:.2f}, slowest ack {worst*1000:.0f} ms (limit 3000 ms)")
    return 0 if ok else 1


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--serve-bare", type=int, metavar="PORT", help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.serve_bare:
        serve_bare(options.serve_bare)
    else:
        sys.exit(asyncio.run(main(options.requests, options.rounds)))
