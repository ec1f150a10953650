"""Fixtures shared by every suite: custom integrations for hass tests, a running simulator, and
a receiver for the pushes the simulator sends."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
import json
from typing import Any

from aiohttp import web
import pytest

from simulator import Simulator

pytest_plugins = ["tests.ha_fixtures", "tests.record_helpers"]


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(request: pytest.FixtureRequest) -> None:
    """Load custom_components/ in tests that use ``hass`` (and only those)."""
    if "hass" in request.fixturenames:
        request.getfixturevalue("enable_custom_integrations")


@pytest.fixture
async def simulator(socket_enabled: None) -> AsyncIterator[Simulator]:
    """A started fake appliance on 127.0.0.1 (a free port), with the default inventory."""
    sim = Simulator(host="127.0.0.1", port=0)
    await sim.start()
    try:
        yield sim
    finally:
        await sim.stop()


@dataclass(frozen=True, slots=True)
class ReceivedPush:
    """One POST the receiver got."""

    path: str
    body: bytes
    headers: dict[str, str]

    @property
    def json(self) -> Any:
        """The body parsed as JSON."""
        return json.loads(self.body)


@dataclass(slots=True)
class PushReceiver:
    """Records every POST to any path; ``status`` is what it answers."""

    url: str
    received: list[ReceivedPush] = field(default_factory=list)
    status: int = 200
    _arrived: asyncio.Event = field(default_factory=asyncio.Event)

    def url_for(self, path: str = "/push") -> str:
        """A URL on this receiver (use different paths to tell channels apart)."""
        return f"{self.url}{path}"

    def on(self, path: str) -> list[ReceivedPush]:
        """What arrived at one path."""
        return [item for item in self.received if item.path == path]

    async def wait_for(self, count: int, seconds: float = 5.0) -> list[ReceivedPush]:
        """Wait until at least ``count`` POSTs arrived."""
        async with asyncio.timeout(seconds):
            while len(self.received) < count:
                self._arrived.clear()
                await self._arrived.wait()
        return self.received

    async def handle(self, request: web.Request) -> web.Response:
        """Record the POST and answer ``status``."""
        self.received.append(
            ReceivedPush(request.path, await request.read(), dict(request.headers))
        )
        self._arrived.set()
        return web.Response(status=self.status, text="ok")


@pytest.fixture
async def push_receiver(socket_enabled: None) -> AsyncIterator[PushReceiver]:
    """A tiny HTTP server on 127.0.0.1 that records the bodies POSTed to it."""
    app = web.Application()
    runner = web.AppRunner(app, access_log=None)
    receiver = PushReceiver(url="")
    app.router.add_post("/{tail:.*}", receiver.handle)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    receiver.url = f"http://127.0.0.1:{port}"
    try:
        yield receiver
    finally:
        await runner.cleanup()
