"""Transport details checked against a tiny scripted aiohttp server on 127.0.0.1.

The simulator accepts both readings of a bodiless GET's body MD5, so the fallback (sign "",
then MD5("{}"), then keep what worked) is exercised here against a server that accepts only one.
The same server serves envelope shapes the simulator has no switch for.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
import hashlib
from typing import Any

from aiohttp import ClientSession, web
import pytest

from custom_components.hongtu.api import (
    HongTuApiError,
    HongTuAuthError,
    HongTuClient,
    HongTuConnectionError,
    HongTuParseError,
)
from custom_components.hongtu.api.client import MAX_IMAGE_BYTES
from custom_components.hongtu.api.signing import EMPTY_OBJECT_MD5, compute_csign

APP_KEY = "appkey1"
SECRET = "sdfajk3242324fa!djq7"
INFO = {"name": "HT", "type": "MegCube-HAL3004-4S2", "version": "V1.0.2.0"}


class Scripted:
    """A server whose answers the test sets per path, recording every request it gets."""

    def __init__(self) -> None:
        self.accepted_get_md5: set[str] = {""}
        self.reject_all = False
        self.answers: dict[str, Callable[[], web.StreamResponse]] = {}
        self.seen: list[tuple[str, str, bytes, dict[str, str]]] = []

    def signature_ok(self, request: web.Request, body: bytes) -> bool:
        """Check csign with the body MD5 readings this server accepts."""
        if self.reject_all:
            return False
        readings = (
            {hashlib.md5(body, usedforsecurity=False).hexdigest()}
            if body
            else self.accepted_get_md5
        )
        return any(
            compute_csign(
                uri=request.path,
                method=request.method,
                query="",
                body_md5=md5,
                secret_key=SECRET,
                ctimestamp=request.headers["ctimestamp"],
                cnonce=request.headers["cnonce"],
                app_key=request.headers["cappkey"],
            )
            == request.headers["csign"]
            for md5 in readings
        )

    async def handle(self, request: web.Request) -> web.StreamResponse:
        """Answer from the script; signed paths under /v1/ are verified first."""
        body = await request.read()
        self.seen.append((request.method, request.path, body, dict(request.headers)))
        if request.path.startswith("/v1/") and not self.signature_ok(request, body):
            return web.json_response({"code": 100008, "msg": "签名错误"})
        answer = self.answers.get(request.path)
        if answer is not None:
            return answer()
        return web.json_response({"code": 0, "msg": "成功", "data": INFO})


@pytest.fixture
async def scripted() -> AsyncIterator[tuple[Scripted, int]]:
    """A running scripted server and its port."""
    script = Scripted()
    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", script.handle)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        yield script, port
    finally:
        await runner.cleanup()


@pytest.fixture
async def session() -> AsyncIterator[ClientSession]:
    """The caller's session, closed by the test, never by the client."""
    async with ClientSession() as client_session:
        yield client_session


@pytest.fixture
def client(scripted: tuple[Scripted, int], session: ClientSession) -> HongTuClient:
    """A client of the scripted server."""
    return HongTuClient(session, "127.0.0.1", scripted[1], app_key=APP_KEY, secret_key=SECRET)


def _json(payload: Any, status: int = 200) -> Callable[[], web.StreamResponse]:
    return lambda: web.json_response(payload, status=status)


def _raw(text: bytes, status: int = 200) -> Callable[[], web.StreamResponse]:
    return lambda: web.Response(body=text, status=status, content_type="application/json")


async def test_get_signs_empty_md5_first_and_keeps_it(
    scripted: tuple[Scripted, int], client: HongTuClient
) -> None:
    """An appliance that takes "" needs one request per call."""
    script, _ = scripted
    assert (await client.get_appliance_info()).model == "MegCube-HAL3004-4S2"
    assert (await client.get_appliance_info()).name == "HT"
    assert client.request_count == 2
    method, path, body, headers = script.seen[0]
    assert (method, path, body) == ("GET", "/v1/api/device/info", b"")
    assert "Content-Type" not in headers


async def test_get_falls_back_to_empty_object_md5_and_remembers(
    scripted: tuple[Scripted, int], client: HongTuClient
) -> None:
    """On 100008 the GET is retried once with MD5("{}"), which is then used from the start."""
    script, _ = scripted
    script.accepted_get_md5 = {EMPTY_OBJECT_MD5}
    assert (await client.get_appliance_info()).version == "V1.0.2.0"
    assert client.request_count == 2
    assert (await client.get_appliance_info()).version == "V1.0.2.0"
    assert client.request_count == 3
    # Once a reading is known, a 100008 is an authentication error: no second try, no loop.
    script.reject_all = True
    with pytest.raises(HongTuAuthError) as caught:
        await client.get_appliance_info()
    assert client.request_count == 4
    assert caught.value.code == 100008
    assert caught.value.msg == "签名错误"
    assert caught.value.endpoint == "/v1/api/device/info"


async def test_get_with_bad_secret_is_an_auth_error_after_two_tries(
    scripted: tuple[Scripted, int], client: HongTuClient
) -> None:
    """When neither reading is accepted nothing is remembered and the error is HongTuAuthError."""
    script, _ = scripted
    script.reject_all = True
    with pytest.raises(HongTuAuthError):
        await client.get_appliance_info()
    assert client.request_count == 2
    script.reject_all = False
    script.accepted_get_md5 = {EMPTY_OBJECT_MD5}
    await client.get_appliance_info()
    assert client.request_count == 4


async def test_post_body_is_sent_exactly_as_signed(
    scripted: tuple[Scripted, int], client: HongTuClient
) -> None:
    """Compact UTF-8 JSON with non-ASCII kept; Content-Type announces it."""
    script, _ = scripted
    script.answers["/v1/x"] = _json({"code": 0, "msg": "成功"})
    assert await client.request("post", "/v1/x", {"name": "前门", "n": 1}) is None
    method, _, body, headers = script.seen[-1]
    assert method == "POST"
    assert body == '{"name":"前门","n":1}'.encode()
    assert headers["Content-Type"] == "application/json;charset=UTF-8"
    assert headers["cappkey"] == APP_KEY
    await client.request("POST", "/v1/x")
    assert script.seen[-1][2] == b"{}"


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        (_json({"code": "0", "msg": "成功", "data": [1]}), [1]),
        (_raw('\ufeff{"code":0,"data":{"a":1}}'.encode()), {"a": 1}),
    ],
)
async def test_envelope_variants_that_are_success(
    scripted: tuple[Scripted, int],
    client: HongTuClient,
    answer: Callable[[], web.StreamResponse],
    expected: Any,
) -> None:
    """A numeric-string code 0 and a UTF-8 BOM are still success."""
    scripted[0].answers["/v1/x"] = answer
    assert await client.request("POST", "/v1/x", {}) == expected


@pytest.mark.parametrize(
    "answer",
    [
        _raw(b"<html>busy</html>"),
        _raw(b"\xff\xfe\x00"),
        _raw(b"[1, 2]"),
        _raw(b'{"msg": "no code"}'),
        _raw(b'{"code": "x"}'),
        _json({"code": 0}, status=404),
        _json({"code": 0}, status=503),
    ],
)
async def test_non_envelopes_are_connection_errors(
    scripted: tuple[Scripted, int],
    client: HongTuClient,
    answer: Callable[[], web.StreamResponse],
) -> None:
    """Anything that is not the JSON envelope with HTTP 2xx is HongTuConnectionError."""
    scripted[0].answers["/v1/x"] = answer
    with pytest.raises(HongTuConnectionError):
        await client.request("POST", "/v1/x", {})


async def test_numeric_string_error_code_keeps_message(
    scripted: tuple[Scripted, int], client: HongTuClient
) -> None:
    """``code`` as a string is still an error; ``msg`` is kept as sent (or empty)."""
    scripted[0].answers["/v1/x"] = _json({"code": "102091", "msg": "设备离线状态"})
    with pytest.raises(HongTuApiError) as caught:
        await client.request("POST", "/v1/x", {})
    assert caught.value.code == 102091
    assert caught.value.msg == "设备离线状态"
    assert "设备离线状态" in str(caught.value)
    scripted[0].answers["/v1/x"] = _json({"code": 1})
    with pytest.raises(HongTuApiError) as caught:
        await client.request("POST", "/v1/x", {})
    assert caught.value.msg == ""


async def test_object_endpoints_reject_other_data(
    scripted: tuple[Scripted, int], client: HongTuClient
) -> None:
    """Endpoints whose data must be an object raise HongTuParseError otherwise."""
    script, _ = scripted
    script.answers["/v1/api/device/query"] = _json({"code": 0, "data": "nope"})
    with pytest.raises(HongTuParseError):
        await client.query_device("u")
    script.answers["/v1/api/sys/config/queryAFaceConfig"] = _json({"code": 0, "data": [1]})
    with pytest.raises(HongTuParseError):
        await client.get_face_config()
    script.answers["/v1/api/sys/config/queryAFaceConfig"] = _json({"code": 0})
    assert await client.get_face_config() == {}
    script.answers["/v1/api/org/top/detail"] = _json({"code": 0})
    assert (await client.get_top_organization()).org_uuid is None
    # A subscription without a push URL is no subscription.
    script.answers["/v1/api/pubsub/busi/record/query"] = _json(
        {"code": 0, "data": {"appKey": APP_KEY, "busiTypes": []}}
    )
    assert await client.get_subscription() is None
    script.answers["/v1/api/pubsub/busi/record/query"] = _json({"code": 0, "data": {}})
    assert await client.get_subscription() is None


async def test_paging_edge_shapes(scripted: tuple[Scripted, int], client: HongTuClient) -> None:
    """No data, a non-object page, a non-list list, and pages without ``total``."""
    script, _ = scripted
    script.answers["/v1/l"] = _json({"code": 0})
    assert await client.list_all("/v1/l") == []
    script.answers["/v1/l"] = _json({"code": 0, "data": [1]})
    with pytest.raises(HongTuParseError):
        await client.list_all("/v1/l")
    script.answers["/v1/l"] = _json({"code": 0, "data": {"list": {"a": 1}}})
    with pytest.raises(HongTuParseError):
        await client.list_all("/v1/l")
    # Without total: a page shorter than the reported pageSize is the last one; items that
    # are not objects are skipped.
    script.answers["/v1/l"] = _json({"code": 0, "data": {"list": [{"a": 1}, 7], "pageSize": 5}})
    assert await client.list_all("/v1/l", page_size=5) == [{"a": 1}]
    # Without total or pageSize: paging goes on until an empty page.
    pages = iter([[{"a": 1}], [{"a": 2}], []])
    script.answers["/v1/l"] = lambda: web.json_response({"code": 0, "data": {"list": next(pages)}})
    assert await client.list_all("/v1/l", page_size=1) == [{"a": 1}, {"a": 2}]
    with pytest.raises(ValueError, match="page_size"):
        await client.list_all("/v1/l", page_size=0)


async def test_repeated_page_without_total(
    scripted: tuple[Scripted, int], client: HongTuClient
) -> None:
    """A repeated full page from a server that gives no ``total`` ends the list: nothing says
    it is incomplete (a server that ignores pageNum and sends everything every time)."""
    script, _ = scripted
    script.answers["/v1/l"] = _json(
        {"code": 0, "data": {"list": [{"a": 1}, {"a": 2}], "pageSize": 2}}
    )
    assert await client.list_all("/v1/l", page_size=2) == [{"a": 1}, {"a": 2}]
    assert [path for _, path, _, _ in script.seen if path == "/v1/l"] == ["/v1/l"] * 2


async def test_paging_without_total_is_bounded(
    scripted: tuple[Scripted, int], client: HongTuClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A server that always sends a full page of new items, and no total, is cut at MAX_PAGES."""
    script, _ = scripted
    counter = iter(range(10_000))
    script.answers["/v1/l"] = lambda: web.json_response(
        {"code": 0, "data": {"list": [{"n": next(counter)}], "pageSize": 1}}
    )
    monkeypatch.setattr("custom_components.hongtu.api.client.MAX_PAGES", 7)
    assert len(await client.list_all("/v1/l", page_size=1)) == 7


async def test_paging_with_growing_total_is_bounded(
    scripted: tuple[Scripted, int], client: HongTuClient
) -> None:
    """A total that outruns the pages is capped at first total / pageSize + 2 pages."""
    script, _ = scripted
    counter = iter(range(10_000))

    def page() -> web.StreamResponse:
        n = next(counter)
        # Page n+1 claims 5 + 2n records, so pageNum * 1 never reaches the total.
        return web.json_response(
            {"code": 0, "data": {"list": [{"n": n}], "pageSize": "1", "total": 5 + 2 * n}}
        )

    script.answers["/v1/l"] = page
    assert len(await client.list_all("/v1/l", page_size=10)) == 7


async def test_paging_with_unusable_page_size_counts_items(
    scripted: tuple[Scripted, int], client: HongTuClient
) -> None:
    """A reported pageSize of 0 is ignored; the number of items served drives the loop."""
    script, _ = scripted
    counter = iter(range(10_000))
    script.answers["/v1/l"] = lambda: web.json_response(
        {"code": 0, "data": {"list": [{"n": next(counter)}] * 2, "pageSize": 0, "total": 6}}
    )
    assert len(await client.list_all("/v1/l", page_size=10)) == 6
    assert [body for _, path, body, _ in script.seen if path == "/v1/l"][-1] == (
        b'{"pageNum":3,"pageSize":10}'
    )


async def test_fetch_image_relative_absolute_and_limits(
    scripted: tuple[Scripted, int],
    client: HongTuClient,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Relative /pub paths resolve against base_url; errors and oversize are connection errors."""
    script, port = scripted
    script.answers["/pub/a.jpg"] = lambda: web.Response(body=b"JPEG", content_type="image/jpeg")
    assert await client.fetch_image("/pub/a.jpg") == b"JPEG"
    assert await client.fetch_image("pub/a.jpg") == b"JPEG"
    assert await client.fetch_image(f"http: //127.0.0.1:{port}/pub/a.jpg") == b"JPEG"
    assert script.seen[-1][3].get("csign") is None
    script.answers["/pub/b.jpg"] = lambda: web.Response(status=404)
    with pytest.raises(HongTuConnectionError):
        await client.fetch_image("/pub/b.jpg")
    monkeypatch.setattr("custom_components.hongtu.api.client.MAX_IMAGE_BYTES", 3)
    with pytest.raises(HongTuConnectionError, match="larger"):
        await client.fetch_image("/pub/a.jpg")

    async def chunked(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse()
        response.enable_chunked_encoding()
        await response.prepare(request)
        for _ in range(4):
            await response.write(b"xx")
        await response.write_eof()
        return response

    app_route = web.Application()
    app_route.router.add_get("/big", chunked)
    runner = web.AppRunner(app_route)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    try:
        big_port = runner.addresses[0][1]
        with pytest.raises(HongTuConnectionError, match="larger"):
            await client.fetch_image(f"http://127.0.0.1:{big_port}/big")
    finally:
        await runner.cleanup()
    assert MAX_IMAGE_BYTES > 1_000_000


async def test_fetch_image_connection_refused(session: ClientSession) -> None:
    """A closed port is a connection error for images too."""
    client = HongTuClient(session, "127.0.0.1", 1, app_key=APP_KEY, secret_key=SECRET)
    with pytest.raises(HongTuConnectionError):
        await client.fetch_image("/pub/x.jpg")
