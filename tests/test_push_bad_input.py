"""Bad pushes get a clear answer, change nothing, and are warned about at most once a minute."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
import ipaddress
import json
import logging
import socket
from typing import Any
from unittest.mock import patch

from aiohttp.test_utils import TestClient
from homeassistant.components.webhook import async_handle_webhook
from homeassistant.const import CONF_HOST
from homeassistant.core import HomeAssistant
from homeassistant.setup import async_setup_component
from homeassistant.util.aiohttp import MockRequest
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_capture_events

from custom_components.hongtu.const import (
    CONF_PUSH_SOURCE_CHECK,
    CONF_WEBHOOK_ID,
    DOMAIN,
    EVENT_HONGTU,
)
from custom_components.hongtu.push import (
    MAX_BODY,
    MAX_VERDICTS,
    HongTuPushReceiver,
    async_resolve_host,
    parse_address,
    same_host,
)
from tests.push_helpers import load_fixture, post, settle, webhook_path

type ClientFactory = Callable[[], Awaitable[TestClient[Any, Any]]]

FOREIGN = "192.168.77.7"  # a LAN address (the webhook is local only), not the appliance's


@pytest.fixture
async def proxied_http(hass: HomeAssistant) -> None:
    """Home Assistant's HTTP behind a trusted proxy on 127.0.0.1, so a test can post "from"
    another LAN address with X-Forwarded-For."""
    assert await async_setup_component(
        hass,
        "http",
        {"http": {"use_x_forwarded_for": True, "trusted_proxies": ["127.0.0.1"]}},
    )


@pytest.fixture
async def init_integration(
    proxied_http: None, init_integration: MockConfigEntry
) -> MockConfigEntry:
    """The shared entry fixture, set up after (and so behind) the proxied HTTP."""
    return init_integration


@pytest.fixture
async def client(
    init_integration: MockConfigEntry, hass_client_no_auth: ClientFactory
) -> TestClient[Any, Any]:
    """A client of Home Assistant's HTTP app, posting from 127.0.0.1 (the appliance's host)."""
    return await hass_client_no_auth()


def receiver(entry: MockConfigEntry) -> HongTuPushReceiver:
    push = entry.runtime_data.push
    assert isinstance(push, HongTuPushReceiver)
    return push


def warnings(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [
        record.getMessage()
        for record in caplog.records
        if record.levelno >= logging.WARNING and "Rejected a push" in record.getMessage()
    ]


async def test_body_over_one_mib_by_content_length(
    hass: HomeAssistant, init_integration: MockConfigEntry, client: TestClient[Any, Any]
) -> None:
    """Content-Length above 1 MiB: 413 without reading the body."""
    events = async_capture_events(hass, EVENT_HONGTU)
    status, text = await post(client, init_integration, b" " * (MAX_BODY + 1))
    assert (status, text) == (413, "body larger than 1 MiB")
    await settle(hass, init_integration)
    assert events == []


async def test_body_over_one_mib_chunked(
    hass: HomeAssistant, init_integration: MockConfigEntry, client: TestClient[Any, Any]
) -> None:
    """No Content-Length (chunked): the bytes read are counted, and 1 MiB + 1 is refused."""

    async def chunks() -> AsyncIterator[bytes]:
        for _ in range(16):
            yield b" " * (MAX_BODY // 16)
        yield b"{"

    events = async_capture_events(hass, EVENT_HONGTU)
    async with client.post(webhook_path(init_integration), data=chunks()) as response:
        assert response.request_info.headers.get("Transfer-Encoding") == "chunked"
        assert response.status == 413
    await settle(hass, init_integration)
    assert events == []


async def test_body_of_exactly_one_mib_is_accepted(
    hass: HomeAssistant, init_integration: MockConfigEntry, client: TestClient[Any, Any]
) -> None:
    """The limit is inclusive: a 1 MiB record is processed."""
    body = load_fixture("callback_pass_record.json")
    body["padding"] = ""
    size = len(json.dumps(body, ensure_ascii=False).encode())
    body["padding"] = "x" * (MAX_BODY - size)
    raw = json.dumps(body, ensure_ascii=False).encode()
    assert len(raw) == MAX_BODY
    events = async_capture_events(hass, EVENT_HONGTU)
    assert (await post(client, init_integration, raw))[0] == 200
    await settle(hass, init_integration)
    assert len(events) == 1


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"not json at all", "body is not JSON"),
        (b"\xff\xfe\xfa", "body is not JSON"),
        (b"", "body is not JSON"),
        (b"[" * 100_000 + b"]" * 100_000, "body is not JSON"),
        (b"[1, 2, 3]", "body is not a JSON object"),
        (b'"a string"', "body is not a JSON object"),
        (b"42", "body is not a JSON object"),
        (b"null", "body is not a JSON object"),
    ],
    ids=["text", "bad-utf8", "empty", "too-deep", "array", "string", "number", "null"],
)
async def test_not_a_json_object(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    client: TestClient[Any, Any],
    body: bytes,
    reason: str,
) -> None:
    """Not JSON, or JSON that is not an object: 400 and nothing fired."""
    events = async_capture_events(hass, EVENT_HONGTU)
    assert await post(client, init_integration, body) == (400, reason)
    await settle(hass, init_integration)
    assert events == []


@pytest.mark.parametrize(
    "body",
    [{"hello": "world"}, {}],
    ids=["unknown-keys", "empty-object"],
)
async def test_unknown_shape_refused(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    client: TestClient[Any, Any],
    body: Any,
) -> None:
    """A JSON object of no known shape is answered 400 and dropped (DESIGN "Pushes")."""
    events = async_capture_events(hass, EVENT_HONGTU)
    assert await post(client, init_integration, body) == (400, "unknown push shape")
    await settle(hass, init_integration)
    assert events == []


@pytest.mark.parametrize(
    "body",
    [
        load_fixture("envelope_busi7_unknown.json"),
        {"busiType": 99, "data": {"x": 1}},
    ],
    ids=["busi7", "busi99"],
)
async def test_unknown_busi_type(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    client: TestClient[Any, Any],
    caplog: pytest.LogCaptureFixture,
    body: Any,
) -> None:
    """A business push of a type this version does not handle: 200, one debug line, no event."""
    caplog.set_level(logging.DEBUG, logger="custom_components.hongtu")
    events = async_capture_events(hass, EVENT_HONGTU)
    assert await post(client, init_integration, body) == (200, "")
    await settle(hass, init_integration)
    assert events == []
    ignored = [r for r in caplog.records if r.getMessage().startswith("Ignored a ")]
    assert len(ignored) == 1
    assert ignored[0].levelno == logging.DEBUG
    assert warnings(caplog) == []


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ({"busiType": "5", "data": "{not json"}, "unparseable business_push push"),
        ({"busiType": "abc", "data": "{}"}, "unparseable business_push push"),
        ({"busiType": 5}, "unparseable business_push push"),
        ({"busiType": 1, "data": "[1, 2]"}, "unparseable business_push push"),
        ({"busiType": 5, "data": {"id": "x"}}, "unparseable business_push push"),
        ({"passType": 1, "id": "x"}, "unparseable pass_callback push"),
        ({"eventTypeId": 101, "timestamp": "later"}, "unparseable event_callback push"),
        ({"attendanceDate": None}, "unparseable attendance_callback push"),
    ],
    ids=[
        "data-not-json",
        "busi-type-text",
        "no-data",
        "data-array",
        "no-timestamp",
        "pass-no-timestamp",
        "event-bad-timestamp",
        "attendance-no-date",
    ],
)
async def test_known_shape_that_does_not_parse(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    client: TestClient[Any, Any],
    body: Any,
    reason: str,
) -> None:
    """The right shape with contents we cannot read: 400 and nothing fired."""
    events = async_capture_events(hass, EVENT_HONGTU)
    assert await post(client, init_integration, body) == (400, reason)
    await settle(hass, init_integration)
    assert events == []


async def test_push_from_another_address(
    hass: HomeAssistant, init_integration: MockConfigEntry, client: TestClient[Any, Any]
) -> None:
    """While the source check is on (the default), only the appliance's address may post."""
    events = async_capture_events(hass, EVENT_HONGTU)
    body = load_fixture("callback_pass_record.json")
    status, text = await post(client, init_integration, body, headers={"X-Forwarded-For": FOREIGN})
    assert (status, text) == (403, f"push from {FOREIGN}, not from the appliance")
    await settle(hass, init_integration)
    assert events == []
    # The appliance itself (127.0.0.1) still gets through.
    assert (await post(client, init_integration, body))[0] == 200
    await settle(hass, init_integration)
    assert len(events) == 1
    # Verdicts are remembered per address, never shared between addresses.
    status, _ = await post(client, init_integration, body, headers={"X-Forwarded-For": FOREIGN})
    assert status == 403


async def test_source_verdicts_are_bounded(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """Each peer address is parsed once; the memory of them is bounded, and an address it
    forgot is judged again, the same way."""
    push = receiver(init_integration)
    for index in range(3 * MAX_VERDICTS):
        with pytest.raises(Exception, match="not from the appliance"):
            push._check_source(f"10.1.{index // 250}.{index % 250}")
        assert len(push._verdicts) <= MAX_VERDICTS
    push._check_source("127.0.0.1")
    push._check_source("127.0.0.1")
    assert push._verdicts["127.0.0.1"] is True
    with pytest.raises(Exception, match="push from 10.1.0.0, not from the appliance"):
        push._check_source("10.1.0.0")


async def test_source_check_off_accepts_any_lan_address(
    hass: HomeAssistant,
    proxied_http: None,
    mock_config_entry: MockConfigEntry,
    hass_client_no_auth: ClientFactory,
) -> None:
    """With the option off, a push from another LAN address is processed."""
    entry = MockConfigEntry(
        domain=DOMAIN,
        title=mock_config_entry.title,
        unique_id=mock_config_entry.unique_id,
        data=dict(mock_config_entry.data),
        options={CONF_PUSH_SOURCE_CHECK: False},
    )
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    client = await hass_client_no_auth()
    events = async_capture_events(hass, EVENT_HONGTU)
    body = load_fixture("callback_pass_record.json")
    assert (await post(client, entry, body, headers={"X-Forwarded-For": FOREIGN}))[0] == 200
    await settle(hass, entry)
    assert [event.data["record_id"] for event in events] == ["313123"]


async def test_only_post_is_allowed(
    hass: HomeAssistant, init_integration: MockConfigEntry, client: TestClient[Any, Any]
) -> None:
    """GET is refused by Home Assistant's webhook component (405); nothing is fired."""
    events = async_capture_events(hass, EVENT_HONGTU)
    async with client.get(webhook_path(init_integration)) as response:
        assert response.status == 405
    async with client.put(webhook_path(init_integration), data=b"{}") as response:
        assert response.status == 405
    await settle(hass, init_integration)
    assert events == []


async def test_warnings_are_rate_limited_and_show_no_body(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    client: TestClient[Any, Any],
    caplog: pytest.LogCaptureFixture,
) -> None:
    """At most one warning a minute, counting what was held back, never quoting the body."""
    now = [1000.0]
    receiver(init_integration)._limiter._clock = lambda: now[0]
    secret = b'{"personName": "Secret Person", "passType": 1'
    for _ in range(3):
        assert (await post(client, init_integration, secret))[0] == 400
    assert warnings(caplog) == [
        "Rejected a push to HongTu 3000: body is not JSON (0 more rejected since the last warning)"
    ]
    now[0] += 59
    assert (await post(client, init_integration, b"[]"))[0] == 400
    assert len(warnings(caplog)) == 1
    now[0] += 2
    assert (await post(client, init_integration, b"[]"))[0] == 400
    assert warnings(caplog)[1] == (
        "Rejected a push to HongTu 3000: body is not a JSON object "
        "(3 more rejected since the last warning)"
    )
    assert "Secret Person" not in caplog.text


async def test_unresolvable_host_refuses_until_it_resolves(
    hass: HomeAssistant, init_integration: MockConfigEntry, client: TestClient[Any, Any]
) -> None:
    """An appliance host name that cannot be looked up refuses pushes (403) and is looked up
    again on the next push."""
    entry = MockConfigEntry(
        domain=DOMAIN,
        title="Named appliance",
        data={**init_integration.data, CONF_HOST: "appliance.lan", CONF_WEBHOOK_ID: "f" * 64},
    )
    entry.runtime_data = init_integration.runtime_data
    push = HongTuPushReceiver(hass, entry)
    body = load_fixture("callback_pass_record.json")
    loopback = [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", 0))]
    events = async_capture_events(hass, EVENT_HONGTU)
    try:
        with patch.object(hass.loop, "getaddrinfo", side_effect=socket.gaierror("no such host")):
            await push.async_start()
            status, text = await post(client, entry, body)
        assert (status, text) == (403, "cannot resolve the appliance's host appliance.lan")
        with patch.object(hass.loop, "getaddrinfo", return_value=loopback) as lookup:
            assert (await post(client, entry, body))[0] == 200
            assert (await post(client, entry, body))[0] == 200
        lookup.assert_called_once()
        await push.async_idle()
        assert len(events) == 1
    finally:
        await push.async_stop()


async def test_resolve_host(hass: HomeAssistant) -> None:
    """An address is taken as it is; a name is looked up once; a failed lookup gives none."""
    assert await async_resolve_host(hass, "192.168.1.20") == {ipaddress.ip_address("192.168.1.20")}
    infos = [
        (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("192.168.1.21", 0)),
        (socket.AF_INET6, socket.SOCK_STREAM, 6, "", ("fe80::1%eth0", 0, 0, 2)),
        (socket.AF_INET6, socket.SOCK_STREAM, 6, "", ("::ffff:192.168.1.22", 0, 0, 0)),
    ]
    with patch.object(hass.loop, "getaddrinfo", return_value=infos) as lookup:
        found = await async_resolve_host(hass, "appliance.lan")
    lookup.assert_called_once()
    assert found == {
        ipaddress.ip_address("192.168.1.21"),
        ipaddress.ip_address("fe80::1"),
        ipaddress.ip_address("192.168.1.22"),
    }
    with patch.object(hass.loop, "getaddrinfo", side_effect=OSError("offline")):
        assert await async_resolve_host(hass, "appliance.lan") == frozenset()


def test_addresses() -> None:
    """Zone ids and IPv4-mapped forms are reduced; loopback forms are one host."""
    v4 = ipaddress.ip_address("127.0.0.1")
    v6 = ipaddress.ip_address("::1")
    assert parse_address("::ffff:10.0.0.5") == ipaddress.ip_address("10.0.0.5")
    assert parse_address("fe80::1%eth0") == ipaddress.ip_address("fe80::1")
    assert parse_address("appliance.lan") is None
    assert parse_address(None) is None
    assert parse_address("") is None
    assert same_host(v6, frozenset({v4}))
    assert same_host(v4, frozenset({v6}))
    assert same_host(
        ipaddress.ip_address("10.0.0.5"), frozenset({ipaddress.ip_address("10.0.0.5")})
    )
    assert not same_host(ipaddress.ip_address("10.0.0.6"), frozenset({v4}))
    assert not same_host(v4, frozenset({ipaddress.ip_address("10.0.0.5")}))


async def test_no_remote_address_is_refused(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """A request without a peer address (a Unix socket) cannot be from the appliance."""
    push = receiver(init_integration)
    with pytest.raises(Exception, match="push from None, not from the appliance"):
        push._check_source(None)


async def test_relayed_request(
    hass: HomeAssistant, proxied_http: None, mock_config_entry: MockConfigEntry
) -> None:
    """A request relayed by Home Assistant Cloud has no peer address: refused while the
    source check is on, read in full (once) when it is off."""
    body = json.dumps(load_fixture("callback_pass_record.json")).encode()
    mock_config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    webhook_id = mock_config_entry.data[CONF_WEBHOOK_ID]
    relayed = MockRequest(content=body, mock_source="cloud", method="POST")
    response = await async_handle_webhook(hass, webhook_id, relayed)
    assert response.status == 403

    hass.config_entries.async_update_entry(
        mock_config_entry, options={CONF_PUSH_SOURCE_CHECK: False}
    )
    await hass.async_block_till_done()  # the options listener reloads the entry
    events = async_capture_events(hass, EVENT_HONGTU)
    relayed = MockRequest(content=body, mock_source="cloud", method="POST")
    response = await async_handle_webhook(hass, webhook_id, relayed)
    assert response.status == 200
    await settle(hass, mock_config_entry)
    assert [event.data["record_id"] for event in events] == ["313123"]
