"""Envelopes, routing, body parsing, request recording and the simulator's lifecycle."""

from __future__ import annotations

import json

import aiohttp
import pytest

from simulator import Inventory, Simulator

from .helpers import Api, encode, sign

ORG = "/v1/api/org/top/detail"


async def test_unknown_path_is_a_404_envelope(api: Api) -> None:
    """An unknown path answers HTTP 404 with an envelope, signed or not."""
    status, text = await api.raw("/v1/api/nothing/here", b"{}")
    assert status == 404
    assert json.loads(text)["code"] == 404


async def test_wrong_method_is_a_405_envelope(api: Api) -> None:
    """POST to the GET endpoint, GET to a POST endpoint."""
    status, _ = await api.raw(
        "/v1/api/device/info", b"{}", headers=sign("/v1/api/device/info", "POST", b"{}")
    )
    assert status == 405
    status, _ = await api.raw(ORG, method="GET", headers=sign(ORG, "GET", b""))
    assert status == 405


async def test_non_json_body_is_100003(api: Api) -> None:
    """A correctly signed body that is not a JSON object is 参数不合法."""
    for raw in (b"pageNum=1", b"[1,2]", b"null", b"\xff\xfe"):
        status, text = await api.raw(ORG, raw, headers=sign(ORG, "POST", raw))
        assert status == 200
        assert json.loads(text) == {"code": 100003, "msg": "参数不合法"}


async def test_empty_post_body_counts_as_empty_object(api: Api) -> None:
    """An empty POST body (signed "" or MD5("{}")) is read as ``{}``."""
    for digest in ("", "99914b932bd37a50b983c5e7c90ae93b"):
        status, text = await api.raw(ORG, b"", headers=sign(ORG, "POST", b"", body_md5=digest))
        assert json.loads(text)["code"] == 0


async def test_answers_are_utf8_json(api: Api) -> None:
    """Chinese messages are sent as UTF-8, not escaped."""
    raw = encode({})
    async with api.session.post(api.base_url + ORG, data=raw, headers={}) as response:
        assert response.content_type == "application/json"
        assert response.charset == "utf-8"
        assert "签名错误".encode() in await response.read()


async def test_requests_are_recorded(api: Api, simulator: Simulator) -> None:
    """method, path, parsed json, headers, app_key and signature_ok of every request."""
    await api.post("/v1/api/door/list", {"passModel": False})
    await api.get("/v1/api/device/info")
    await api.raw(ORG, b"not json", headers=sign(ORG, "POST", b"not json", app_key="appkey2"))
    await api.raw(ORG, b"{}", headers={"cappkey": "appkey1"})
    first, second, third, fourth = simulator.requests
    assert (first.method, first.path, first.json) == (
        "POST",
        "/v1/api/door/list",
        {"passModel": False},
    )
    assert first.signature_ok
    assert first.app_key == "appkey1"
    assert first.headers["csign"]
    assert first.body == b'{"passModel":false}'
    assert (second.method, second.json, second.signature_ok) == ("GET", None, True)
    assert (third.json, third.app_key, third.signature_ok) == (None, "appkey2", True)
    assert (fourth.app_key, fourth.signature_ok) == ("appkey1", False)
    simulator.clear_requests()
    assert simulator.requests == []


async def test_lifecycle(session: aiohttp.ClientSession) -> None:
    """start picks a free port; start twice is harmless; stop is idempotent; context manager."""
    sim = Simulator(Inventory.generate(3))
    assert not sim.running
    await sim.start()
    port = sim.port
    assert port > 0
    assert sim.url == f"http://127.0.0.1:{port}"
    assert sim.control_url == sim.url
    assert sim.control_port is None
    assert sim.public_url == sim.url
    assert sim.host == "127.0.0.1"
    await sim.start()
    assert sim.port == port
    await sim.stop()
    await sim.stop()
    assert not sim.running
    with pytest.raises(RuntimeError):
        await sim.push_pass()
    async with Simulator(control_port=0, public_url="http://appliance.lan/") as other:
        assert other.control_port
        assert other.control_url == f"http://127.0.0.1:{other.control_port}"
        assert other.public_url == "http://appliance.lan"
        record = await other.push_alert()
        assert record["wholeImageUrl"].startswith("http://appliance.lan/pub/_")
        async with session.get(other.control_url + "/_sim/state") as response:
            assert (await response.json())["ok"]
        async with session.get(other.control_url + "/v1/api/device/info") as response:
            assert response.status == 404  # the control port serves only /_sim


async def test_all_interfaces_host_maps_to_loopback_url() -> None:
    """Listening on 0.0.0.0 still gives a URL this machine can use."""
    sim = Simulator(host="0.0.0.0")  # noqa: S104
    assert sim.url.startswith("http://127.0.0.1:")
