"""A burst of 1,000 pushes posted concurrently to the webhook: every record is dispatched, once,
and the records of each device in the order they were posted."""

from __future__ import annotations

import asyncio
from collections import defaultdict
from typing import Any

from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_capture_events
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.hongtu.const import EVENT_HONGTU
from tests.push_helpers import envelope, settle, webhook_path
from tests.record_helpers import fixture_record

DEVICES = 10
PER_DEVICE = 100
BASE_MS = 1_700_000_000_000


def pass_body(device: int, index: int) -> dict[str, Any]:
    """A pass of device ``device``, the ``index``-th it makes; ids and times are unique."""
    return fixture_record(
        "push_busi5_pass.json",
        f"{device:032x}",
        serial=device * PER_DEVICE + index,
        passTimestamp=BASE_MS + index * 1000 + device,
        personUuid=f"person-{device}-{index}",
    )


async def test_a_thousand_pushes_at_once(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    hass_client_no_auth: ClientSessionGenerator,
) -> None:
    """Ten devices post 100 passes each, all devices at once; every fifth pass also arrives a
    second time through the pass-record callback (another channel, same record)."""
    events = async_capture_events(hass, EVENT_HONGTU)
    client = await hass_client_no_auth()
    path = webhook_path(init_integration)
    statuses: list[int] = []

    async def post(body: dict[str, Any]) -> None:
        async with client.post(path, json=body) as response:
            statuses.append(response.status)

    async def device_stream(device: int) -> None:
        for index in range(PER_DEVICE):
            record = pass_body(device, index)
            await post(envelope(5, record))
            if index % 5 == 0:
                await post(record)  # the pass-record callback's body is the record itself

    async with asyncio.timeout(60):
        await asyncio.gather(*(device_stream(device) for device in range(DEVICES)))
        await settle(hass, init_integration)

    assert statuses == [200] * (DEVICES * PER_DEVICE * 6 // 5)
    assert len(events) == DEVICES * PER_DEVICE
    record_ids = [event.data["record_id"] for event in events]
    assert len(set(record_ids)) == len(record_ids)
    per_device: dict[str, list[str]] = defaultdict(list)
    for event in events:
        per_device[event.data["device_uuid"]].append(event.data["record_id"])
    assert per_device == {
        f"{device:032x}": [pass_body(device, index)["id"] for index in range(PER_DEVICE)]
        for device in range(DEVICES)
    }
    assert all(not event.data.get("caught_up") for event in events)
