"""The simulator's own tests talk to it over real sockets on 127.0.0.1."""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import pytest

from simulator import Simulator

from .helpers import Api


@pytest.fixture(autouse=True)
def _sockets(socket_enabled: None) -> None:
    """Allow the 127.0.0.1 connections pytest-homeassistant-custom-component blocks by default."""


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    """A plain client session, closed after the test."""
    async with aiohttp.ClientSession() as client:
        yield client


@pytest.fixture
def api(simulator: Simulator, session: aiohttp.ClientSession) -> Api:
    """Signed calls to the simulator as appkey1."""
    return Api(session, simulator.url)
