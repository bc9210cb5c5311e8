"""A service on the hospital network that an attacker would like the bot to call for them."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer


class InternalService:
    def __init__(self, server: TestServer) -> None:
        self._server = server
        self.hits: list[str] = []

    def url(self, path: str = "/admin/reset") -> str:
        return str(self._server.make_url(path))


@pytest.fixture
async def internal_service() -> AsyncIterator[InternalService]:
    async def record(request: web.Request) -> web.Response:
        service.hits.append(f"{request.method} {request.path}")
        return web.Response(text="ok")

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", record)
    server = TestServer(app, host="127.0.0.1")
    service = InternalService(server)
    await server.start_server()
    yield service
    await server.close()
