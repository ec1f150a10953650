"""Every simulator fault mode maps to the documented exception."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

from aiohttp import ClientSession
import pytest

from custom_components.hongtu.api import (
    HongTuApiError,
    HongTuAuthError,
    HongTuClient,
    HongTuConnectionError,
    HongTuError,
)
from custom_components.hongtu.api.client import build_base_url
from simulator import DEFAULT_SECRETS, FRONT_DOOR_UUID, LOBBY_CAMERA_UUID, Simulator

APP_KEY = "appkey1"


@pytest.fixture
async def session() -> AsyncIterator[ClientSession]:
    """The caller's session; the client must leave it open even after failures."""
    async with ClientSession() as client_session:
        yield client_session
        assert not client_session.closed


def _client(
    simulator: Simulator,
    session: ClientSession,
    *,
    secret: str = DEFAULT_SECRETS[APP_KEY],
    timeout: float = 5.0,
    ssl: bool = False,
) -> HongTuClient:
    return HongTuClient(
        session,
        "127.0.0.1",
        simulator.port,
        app_key=APP_KEY,
        secret_key=secret,
        timeout=timeout,
        ssl=ssl,
    )


async def test_appliance_down_then_back(simulator: Simulator, session: ClientSession) -> None:
    """A refused connection is HongTuConnectionError; the same client works once it is back."""
    client = _client(simulator, session)
    await simulator.set_down(True)
    with pytest.raises(HongTuConnectionError):
        await client.get_devices()
    with pytest.raises(HongTuConnectionError):
        await client.get_appliance_info()
    await simulator.set_down(False)
    assert len(await client.get_devices()) == 6


async def test_slow_answer_beyond_timeout(simulator: Simulator, session: ClientSession) -> None:
    """An answer slower than ``timeout`` is HongTuConnectionError."""
    client = _client(simulator, session, timeout=0.05)
    simulator.set_slow(0.3)
    with pytest.raises(HongTuConnectionError, match="Timed out"):
        await client.get_top_organization()
    simulator.set_slow(0)
    # Let the simulator finish the abandoned answer, so no handler is left pending at teardown.
    await asyncio.sleep(0.35)
    assert (await client.get_top_organization()).org_uuid


async def test_slow_image_beyond_timeout(simulator: Simulator, session: ClientSession) -> None:
    """Image downloads obey the same time-out."""
    client = _client(simulator, session)
    url = (await client.capture(LOBBY_CAMERA_UUID)).image_url
    slow_client = _client(simulator, session, timeout=0.05)
    simulator.set_slow(0.3)
    with pytest.raises(HongTuConnectionError, match="Timed out"):
        await slow_client.fetch_image(url)
    simulator.set_slow(0)
    await asyncio.sleep(0.35)
    assert await slow_client.fetch_image(url)


async def test_http_500(simulator: Simulator, session: ClientSession) -> None:
    """HTTP 500 is HongTuConnectionError, only on the path it is set for."""
    client = _client(simulator, session)
    simulator.set_http_500("/v1/api/device/list")
    with pytest.raises(HongTuConnectionError, match="HTTP 500"):
        await client.get_devices()
    assert len(await client.get_door_points()) == 3


async def test_garbage(simulator: Simulator, session: ClientSession) -> None:
    """An HTML page with HTTP 200 is HongTuConnectionError."""
    client = _client(simulator, session)
    simulator.set_garbage(None)
    with pytest.raises(HongTuConnectionError, match="not JSON"):
        await client.get_door_points()
    with pytest.raises(HongTuConnectionError):
        await client.get_appliance_info()


async def test_error_code(simulator: Simulator, session: ClientSession) -> None:
    """A non-zero code in an HTTP 200 answer is HongTuApiError with code, msg and endpoint."""
    client = _client(simulator, session)
    simulator.set_error_code("/v1/api/door/openDoor", 102091, "设备离线状态")
    with pytest.raises(HongTuApiError) as caught:
        await client.open_door(FRONT_DOOR_UUID)
    assert (caught.value.code, caught.value.msg, caught.value.endpoint) == (
        102091,
        "设备离线状态",
        "/v1/api/door/openDoor",
    )
    assert type(caught.value) is HongTuApiError


async def test_rejected_signatures(simulator: Simulator, session: ClientSession) -> None:
    """100008 on a POST is HongTuAuthError at once (no retry for POSTs)."""
    client = _client(simulator, session)
    simulator.set_reject_signatures(True)
    with pytest.raises(HongTuAuthError) as caught:
        await client.get_devices()
    assert caught.value.code == 100008
    assert caught.value.msg == "签名错误"
    assert client.request_count == 1


async def test_wrong_secret(simulator: Simulator, session: ClientSession) -> None:
    """A wrong secret: the GET tries both body readings, then reports HongTuAuthError."""
    client = _client(simulator, session, secret="not-the-secret")
    with pytest.raises(HongTuAuthError):
        await client.get_appliance_info()
    assert client.request_count == 2
    assert [request.signature_ok for request in simulator.requests] == [False, False]
    with pytest.raises(HongTuAuthError):
        await client.get_top_organization()
    assert "not-the-secret" not in str(simulator.requests[-1].headers)


async def test_https_against_plain_http(simulator: Simulator, session: ClientSession) -> None:
    """``ssl`` selects https; a TLS handshake with an HTTP port is a connection error."""
    client = _client(simulator, session, ssl=True)
    assert client.base_url == f"https://127.0.0.1:{simulator.port}"
    with pytest.raises(HongTuConnectionError):
        await client.get_devices()


async def test_every_error_is_a_hongtu_error(simulator: Simulator, session: ClientSession) -> None:
    """Callers can catch HongTuError for everything the client raises."""
    client = _client(simulator, session)
    simulator.set_http_500(None)
    with pytest.raises(HongTuError):
        await client.get_subscription()
    simulator.clear_faults()
    assert await client.get_subscription() is None


@pytest.mark.parametrize(
    ("host", "port", "ssl", "expected"),
    [
        ("192.168.1.5", 18082, False, "http://192.168.1.5:18082"),
        (" hongtu.local ", 443, True, "https://hongtu.local:443"),
        ("fe80::1", 18082, False, "http://[fe80::1]:18082"),
        ("[::1]", 80, False, "http://[::1]:80"),
    ],
)
def test_base_url(host: str, port: int, ssl: bool, expected: str) -> None:
    """``http(s)://host:port`` with IPv6 literals bracketed."""
    assert build_base_url(host, port, ssl=ssl) == expected
