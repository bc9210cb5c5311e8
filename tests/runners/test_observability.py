"""What an operator sees: /metrics in Prometheus' format, JSON logs with request ids, no secrets."""

from __future__ import annotations

import io
import json
import logging
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from aiohttp.test_utils import TestClient, TestServer
from prometheus_client.parser import text_string_to_metric_families

from bot.runners.app import build_app
from bot.runners.logs import REQUEST_ID, _RequestContext, configure_logging
from bot.runners.metrics import Metrics
from bot.runners.scheduler import weekly_job
from bot.runners.server import build_web_app
from sandbox import SlackDriver
from tests.conftest import SIGNING_SECRET


def _samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(text) for s in family.samples}


async def test_metrics_count_requests_and_acks_and_read_the_outbox_and_weekly_posts(env):
    metrics = Metrics()
    app = build_app(env.runtime, metrics)
    env.runtime.scheduler_running = True
    async with TestClient(TestServer(build_web_app(app, env.runtime, metrics))) as client:
        driver = SlackDriver.over_http(str(client.make_url("/slack/events")), signing_secret=SIGNING_SECRET,
                                       standin=env.slack, now=env.clock.timestamp)
        for _ in range(3):
            assert (await driver.command("/qi-commons", "help")).status == 200
        await env.settle()
        env.slack.fail("chat.postMessage", error="channel_not_found")
        await env.runtime.outbox.send(team_id="T0001", method="chat.postMessage",
                                      args={"channel": "C0GONE", "text": "x"}, purpose="test_post")
        env.slack.fail("chat.postMessage", status=503)
        await env.runtime.outbox.send(team_id="T0001", method="chat.postMessage",
                                      args={"channel": "C0COMMUNITY", "text": "y"})
        response = await client.get("/metrics")
        assert response.status == 200 and response.headers["Content-Type"].startswith("text/plain")
        samples = _samples(await response.text())
    assert samples[("qi_requests_total", (("kind", "command"),))] == 3
    assert samples[("qi_ack_seconds_count", (("kind", "command"),))] == 3
    assert samples[("qi_ack_seconds_bucket", (("kind", "command"), ("le", "3.0")))] == 3
    assert samples[("qi_outbox_rows", (("purpose", "test_post"), ("status", "dead")))] == 1
    assert samples[("qi_outbox_rows", (("purpose", "all"), ("status", "pending")))] == 1
    assert samples[("qi_scheduler_running", ())] == 1


async def test_metrics_show_when_each_weekly_post_last_landed(env):
    env.clock.set(datetime(2026, 11, 27, 15, 0, tzinfo=ZoneInfo("America/Toronto")))
    await weekly_job(env.runtime, "digest")
    metrics = Metrics()
    samples = _samples((await metrics.scrape(env.runtime)).decode())
    assert samples[("qi_weekly_post_last_success_timestamp_seconds", (("kind", "digest"),))] == env.clock.timestamp()


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_json_logs_carry_the_request_id_and_never_a_token(make_settings):
    settings = make_settings(log_format="json", slack_bot_token="xoxb-1234-5678-secretpart")
    configure_logging(settings)
    stream = io.StringIO()
    logging.getLogger().handlers[0].setStream(stream)
    try:
        token = REQUEST_ID.set("abc123")
        logging.getLogger("qi.test").warning("Slack refused xoxb-1234-5678-secretpart and %s", SIGNING_SECRET)
        REQUEST_ID.reset(token)
    finally:
        logging.getLogger().handlers.clear()
    record = json.loads(stream.getvalue().strip())
    assert record["request_id"] == "abc123" and record["level"] == "WARNING" and record["logger"] == "qi.test"
    assert "secretpart" not in record["message"] and SIGNING_SECRET not in record["message"]
    assert "xoxb-…" in record["message"]


async def test_every_line_a_request_logs_carries_its_id(env):
    seen: list[str] = []

    class Remember(logging.Handler):
        def emit(self, record):
            seen.append(getattr(record, "request_id", "?"))

    handler = Remember()
    handler.addFilter(_RequestContext([]))
    logging.getLogger("bot.core.outbox").addHandler(handler)
    try:
        env.slack.fail("chat.postMessage", status=503, times=None)
        await env.driver.command("/qi-share", "Tried a huddle board on 4B")
        await env.settle()
    finally:
        logging.getLogger("bot.core.outbox").removeHandler(handler)
        env.slack.clear_failures()
    assert seen and all(rid not in ("-", "?") for rid in seen) and len(set(seen)) == 1
