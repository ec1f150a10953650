"""Records for the entities that pushes feed: parsed from the vendor-shaped fixtures (moved onto
the simulator's devices and images), sent on the record signal, or pushed by the simulator
through the real webhook."""

from __future__ import annotations

from dataclasses import dataclass
import json
from pathlib import Path
import re
import socket
from typing import Any

from aiohttp.test_utils import TestClient
from homeassistant.core import HomeAssistant
from homeassistant.helpers.dispatcher import async_dispatcher_send
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.hongtu.api.record_models import HongTuRecord
from custom_components.hongtu.api.records import detect_and_parse
from custom_components.hongtu.events import signal_record
from simulator import Simulator

FIXTURES = Path(__file__).parent / "fixtures"
# The vendor's examples point at appliances of their own; images move to the simulator.
_FOREIGN_IMAGE = re.compile(r"https?://[^/\"]+/pub/")
_IMAGE_URI = "_c2ltdWxhdG9y_{:032x}"


def load_fixture(name: str) -> dict[str, Any]:
    """A fixture body as the appliance sends it."""
    data: dict[str, Any] = json.loads((FIXTURES / name).read_text(encoding="utf-8"))
    return data


def fixture_record(
    name: str,
    device_uuid: str,
    simulator: Simulator | None = None,
    *,
    serial: int = 0,
    **fields: Any,
) -> dict[str, Any]:
    """The record of a push fixture (its ``data``, or the whole body of a plain record) on a
    simulator device, with ``fields`` overriding and its images served by ``simulator``.

    ``serial`` makes each image URL and record id unique (the simulator serves any URI of the
    form ``_<bucket>_<32 hex>``).
    """
    body = load_fixture(name)
    record: dict[str, Any] = body["data"] if "busiType" in body else body
    if isinstance(record, str):
        record = json.loads(record)
    record = {key: value for key, value in record.items() if key not in ("deviceUuId",)}
    record["deviceUuid"] = device_uuid
    for key in ("id", "alarmRecordUuId"):
        if key in record:
            record[key] = f"{serial:032x}"
    for key, value in list(record.items()):
        if simulator is not None and isinstance(value, str) and _FOREIGN_IMAGE.match(value):
            record[key] = f"{simulator.url}/pub/{_IMAGE_URI.format(serial * 16 + len(key))}"
    record.update(fields)
    return record


def parse(busi_type: int, record: dict[str, Any]) -> HongTuRecord:
    """A record as the push receiver parses it."""
    parsed = detect_and_parse({"busiType": busi_type, "data": record})
    assert parsed is not None
    return parsed


async def async_send(
    hass: HomeAssistant, entry: MockConfigEntry, record: HongTuRecord, *, caught_up: bool = False
) -> None:
    """Send a parsed record to the entities, as the push receiver does, and let them settle."""
    async_dispatcher_send(hass, signal_record(entry.entry_id), record, caught_up)
    await hass.async_block_till_done()


async def async_post(
    hass: HomeAssistant,
    hass_client_no_auth: ClientSessionGenerator,
    entry: MockConfigEntry,
    body: dict[str, Any],
) -> None:
    """POST a body to the entry's webhook, then wait until it has been dispatched."""
    client = await hass_client_no_auth()
    response = await client.post(f"/api/webhook/{entry.data['webhook_id']}", json=body)
    assert response.status == 200, await response.text()
    await async_settle(hass, entry)


async def async_settle(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    """Wait until the push receiver has dispatched everything it received."""
    push = entry.runtime_data.push
    assert push is not None
    await push.async_idle()
    await hass.async_block_till_done()


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


@dataclass(frozen=True, slots=True)
class Pushing:
    """An entry whose webhook the simulator reaches over HTTP, and a client of that server."""

    entry: MockConfigEntry
    client: TestClient[Any, Any]


@pytest.fixture
async def pushing(
    hass: HomeAssistant,
    simulator: Simulator,
    mock_config_entry: MockConfigEntry,
    aiohttp_client: ClientSessionGenerator,
) -> Pushing:
    """The entry set up with Home Assistant really listening on 127.0.0.1, so the simulator's
    pushes travel over HTTP to the webhook like the appliance's would.

    The port is chosen first (the subscription is made at setup) and the server started after
    the setup, once every view of the platforms is registered.
    """
    port = free_port()
    hass.config.internal_url = f"http://127.0.0.1:{port}"
    mock_config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    client = await aiohttp_client(hass.http.app, server_kwargs={"port": port})
    urls = [item.push_url for item in simulator.state.subscriptions.values()]
    assert urls == [
        f"{hass.config.internal_url}/api/webhook/{mock_config_entry.data['webhook_id']}"
    ]
    return Pushing(mock_config_entry, client)
