"""HTTP mode: `POST /slack/events` for everything Slack sends, `GET /healthz` for load balancers,
`GET /metrics` for Prometheus."""

from __future__ import annotations

import logging

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response
from slack_bolt.async_app import AsyncApp
from slack_bolt.request.async_request import AsyncBoltRequest

from bot.core.runtime import Runtime
from bot.runners.logs import new_request_id
from bot.runners.metrics import CONTENT_TYPE, Metrics
from bot.runners.verification import refusal, signature_problem
from bot.workspace.lifecycle import lost_installations

log = logging.getLogger(__name__)

MAX_BODY_BYTES = 1024 * 1024  # aiohttp answers a larger body 413 itself


class MalformedBody(ValueError):
    """A signed body that is not one of Slack's: not UTF-8, not JSON where JSON is due, not an object."""


def parse_request(body: bytes, query: str, headers) -> AsyncBoltRequest:
    """Bolt's request, parsed from the raw body; raises MalformedBody instead of whatever parsing raises."""
    try:
        return AsyncBoltRequest(body=body.decode("utf-8"), query=query, headers=headers)
    # What Bolt's parsing raises on bodies that are not Slack's: bad UTF-8 or JSON (ValueError),
    # JSON nested too deep to parse (RecursionError), JSON that is not an object (Bolt then calls
    # dict methods on a list or a string: AttributeError, TypeError).
    except (ValueError, RecursionError, AttributeError, TypeError) as error:
        raise MalformedBody(type(error).__name__) from None


def build_web_app(app: AsyncApp, runtime: Runtime, metrics: Metrics | None = None) -> web.Application:
    secret = runtime.settings.slack_signing_secret
    signing_secret = secret.get_secret_value() if secret else None
    metrics = metrics or Metrics()

    async def slack_events(request: web.Request) -> web.Response:
        new_request_id()
        # Verified before it is parsed: nothing reads a body that Slack did not sign.
        body = await request.read()
        problem = signature_problem(signing_secret, runtime.clock.timestamp(), body,
                                    request.headers.get("X-Slack-Request-Timestamp"),
                                    request.headers.get("X-Slack-Signature"))
        if problem:
            return await to_aiohttp_response(refusal(problem))
        try:
            bolt_request = parse_request(body, request.query_string, request.headers)
        except MalformedBody as error:
            log.warning("Refused a signed request whose body is malformed (%s)", error)
            return web.json_response({"error": "malformed request"}, status=400)
        return await to_aiohttp_response(await app.async_dispatch(bolt_request))

    async def healthz(_request: web.Request) -> web.Response:
        database_ok = await runtime.db.ping()
        if database_ok and runtime.slack_problem is None:
            async with runtime.db.session() as session:
                if lost := await lost_installations(session):
                    runtime.slack_problem = lost[0].describe()
        healthy = database_ok and runtime.scheduler_running and runtime.slack_problem is None
        body = {
            "status": "ok" if healthy else "degraded",
            "database": "ok" if database_ok else "unreachable",
            "scheduler": "running" if runtime.scheduler_running else "stopped",
            "slack": runtime.slack_problem or "ok",
        }
        return web.json_response(body, status=200 if database_ok else 503)

    web_app = web.Application(client_max_size=MAX_BODY_BYTES)
    web_app.router.add_post("/slack/events", slack_events)
    web_app.router.add_get("/healthz", healthz)

    async def prometheus(_request: web.Request) -> web.Response:
        return web.Response(body=await metrics.scrape(runtime), headers={"Content-Type": CONTENT_TYPE})

    web_app.router.add_get("/metrics", prometheus)
    return web_app
