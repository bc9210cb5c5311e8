"""HTTP mode: `POST /slack/events` for everything Slack sends, `GET /healthz` for load balancers."""

from __future__ import annotations

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.async_app import AsyncApp

from bot.core.runtime import Runtime
from bot.workspace.lifecycle import lost_installations


def build_web_app(app: AsyncApp, runtime: Runtime) -> web.Application:
    async def slack_events(request: web.Request) -> web.Response:
        return await to_aiohttp_response(await app.async_dispatch(await to_bolt_request(request)))

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

    web_app = web.Application(client_max_size=1024 * 1024)
    web_app.router.add_post("/slack/events", slack_events)
    web_app.router.add_get("/healthz", healthz)
    return web_app
