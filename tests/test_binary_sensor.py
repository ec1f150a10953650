"""Binary sensors: connectivity per device, device alarms per door point, storage full where
reported, and the device_alarm bus event."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from unittest.mock import patch

from homeassistant.components.binary_sensor import DOMAIN as BINARY_SENSOR_DOMAIN
from homeassistant.const import STATE_OFF, STATE_ON, STATE_UNAVAILABLE, Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr, entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
    snapshot_platform,
)
from syrupy.assertion import SnapshotAssertion

from custom_components.hongtu.const import DOMAIN, EVENT_HONGTU
from simulator import (
    BACK_DOOR_UUID,
    FRONT_DOOR_UUID,
    GARAGE_DOOR_UUID,
    LOBBY_CAMERA_UUID,
    Simulator,
)
from tests.ha_fixtures import async_refresh, state_of

ALARM_SENSORS = [
    ("tamper", 500100),
    ("door_held_open", 500104),
    ("fire_alarm", 500500),
    ("alarm_input", 500200),
    ("password_cracking", 500102),
    ("temperature_module", 500108),
]
T0 = 1_750_000_000_000


def sensor(hass: HomeAssistant, uuid: str, key: str) -> str:
    return state_of(hass, BINARY_SENSOR_DOMAIN, f"{uuid}_{key}").state


def alarm_store_key(entry: MockConfigEntry) -> str:
    return f"{DOMAIN}.{entry.entry_id}.alarms"


async def test_entities(
    hass: HomeAssistant,
    simulator: Simulator,
    mock_config_entry: MockConfigEntry,
    entity_registry: er.EntityRegistry,
    ha_snapshot: SnapshotAssertion,
) -> None:
    """Connectivity on every device, the six alarms on every door point, storage where reported."""
    simulator.add_alarm(LOBBY_CAMERA_UUID, 500000, alarm_time=T0)
    mock_config_entry.add_to_hass(hass)
    with patch("custom_components.hongtu.PLATFORMS", [Platform.BINARY_SENSOR]):
        assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
        await hass.async_block_till_done()
    await snapshot_platform(hass, entity_registry, ha_snapshot, mock_config_entry.entry_id)


@pytest.mark.parametrize(("key", "alarm_type"), ALARM_SENSORS)
async def test_alarm_on_and_off(
    hass: HomeAssistant,
    simulator: Simulator,
    init_integration: MockConfigEntry,
    key: str,
    alarm_type: int,
) -> None:
    """On while the newest record of the type is alarming now; off once it recovered."""
    assert sensor(hass, FRONT_DOOR_UUID, key) == STATE_OFF
    simulator.add_alarm(FRONT_DOOR_UUID, alarm_type)
    await async_refresh(hass, init_integration)
    assert sensor(hass, FRONT_DOOR_UUID, key) == STATE_ON
    assert sensor(hass, BACK_DOOR_UUID, key) == STATE_OFF
    assert all(
        sensor(hass, FRONT_DOOR_UUID, other) == STATE_OFF
        for other, _type in ALARM_SENSORS
        if other != key
    )

    simulator.clear_alarm(FRONT_DOOR_UUID, alarm_type)
    await async_refresh(hass, init_integration)
    assert sensor(hass, FRONT_DOOR_UUID, key) == STATE_OFF


async def test_newest_record_wins(
    hass: HomeAssistant, simulator: Simulator, init_integration: MockConfigEntry
) -> None:
    """An older alarming record does not count once a newer record of the type recovered."""
    simulator.add_alarm(GARAGE_DOOR_UUID, 500100, active=True, alarm_time=T0)
    simulator.add_alarm(GARAGE_DOOR_UUID, 500100, active=False, alarm_time=T0 + 1000)
    await async_refresh(hass, init_integration)
    assert sensor(hass, GARAGE_DOOR_UUID, "tamper") == STATE_OFF

    simulator.add_alarm(GARAGE_DOOR_UUID, 500100, active=True, alarm_time=T0 + 2000)
    await async_refresh(hass, init_integration)
    assert sensor(hass, GARAGE_DOOR_UUID, "tamper") == STATE_ON


async def test_alarm_record_without_a_device_is_ignored(
    hass: HomeAssistant, simulator: Simulator, init_integration: MockConfigEntry
) -> None:
    """An alarm record that names no device changes nothing and breaks nothing."""
    record = simulator.add_alarm(GARAGE_DOOR_UUID, 500100, active=True)
    record["deviceUuid"] = ""
    await async_refresh(hass, init_integration)
    assert init_integration.runtime_data.coordinator.last_update_success
    assert sensor(hass, GARAGE_DOOR_UUID, "tamper") == STATE_OFF
    assert not any(uuid == "" for uuid, _ in init_integration.runtime_data.coordinator.data.alarms)


async def test_storage_full_appears(
    hass: HomeAssistant,
    simulator: Simulator,
    init_integration: MockConfigEntry,
    entity_registry: er.EntityRegistry,
) -> None:
    """The storage sensor is added, without a reload, to the device that reports the alarm."""
    unique_id = f"{LOBBY_CAMERA_UUID}_storage_full"
    assert entity_registry.async_get_entity_id(BINARY_SENSOR_DOMAIN, DOMAIN, unique_id) is None

    simulator.add_alarm(LOBBY_CAMERA_UUID, 500000)
    await async_refresh(hass, init_integration)
    assert sensor(hass, LOBBY_CAMERA_UUID, "storage_full") == STATE_ON
    entry = entity_registry.async_get(
        entity_registry.async_get_entity_id(BINARY_SENSOR_DOMAIN, DOMAIN, unique_id) or ""
    )
    assert entry is not None
    assert entry.original_device_class == "problem"
    assert entry.translation_key == "storage_full"

    simulator.clear_alarm(LOBBY_CAMERA_UUID, 500000)
    await async_refresh(hass, init_integration)
    assert sensor(hass, LOBBY_CAMERA_UUID, "storage_full") == STATE_OFF
    assert (
        len(
            [
                e
                for e in er.async_entries_for_config_entry(
                    entity_registry, init_integration.entry_id
                )
                if e.unique_id == unique_id
            ]
        )
        == 1
    )


async def test_connectivity(
    hass: HomeAssistant, simulator: Simulator, init_integration: MockConfigEntry
) -> None:
    """An offline device reads off and stays available; its other entities are unavailable."""
    assert sensor(hass, FRONT_DOOR_UUID, "connectivity") == STATE_ON
    assert sensor(hass, LOBBY_CAMERA_UUID, "connectivity") == STATE_ON

    simulator.set_device_online(FRONT_DOOR_UUID, False)
    simulator.set_device_online(LOBBY_CAMERA_UUID, False)
    await async_refresh(hass, init_integration)
    assert sensor(hass, FRONT_DOOR_UUID, "connectivity") == STATE_OFF
    assert sensor(hass, LOBBY_CAMERA_UUID, "connectivity") == STATE_OFF
    assert sensor(hass, FRONT_DOOR_UUID, "tamper") == STATE_UNAVAILABLE
    assert sensor(hass, BACK_DOOR_UUID, "tamper") == STATE_OFF

    simulator.set_device_online(FRONT_DOOR_UUID, True)
    await async_refresh(hass, init_integration)
    assert sensor(hass, FRONT_DOOR_UUID, "connectivity") == STATE_ON
    assert sensor(hass, FRONT_DOOR_UUID, "tamper") == STATE_OFF


async def test_connectivity_unavailable_when_appliance_down(
    hass: HomeAssistant, simulator: Simulator, init_integration: MockConfigEntry
) -> None:
    """When polls fail nothing is known: connectivity is unavailable too, not off."""
    await simulator.set_down(True)
    await async_refresh(hass, init_integration)
    assert sensor(hass, FRONT_DOOR_UUID, "connectivity") == STATE_UNAVAILABLE
    await simulator.set_down(False)
    await async_refresh(hass, init_integration)
    assert sensor(hass, FRONT_DOOR_UUID, "connectivity") == STATE_ON


async def test_door_point_unbound(
    hass: HomeAssistant, simulator: Simulator, init_integration: MockConfigEntry
) -> None:
    """A device that stays listed but is no longer a door point keeps connectivity; its door
    alarms go unavailable."""
    simulator.device(GARAGE_DOOR_UUID).door = False
    await async_refresh(hass, init_integration)
    assert sensor(hass, GARAGE_DOOR_UUID, "connectivity") == STATE_ON
    assert sensor(hass, GARAGE_DOOR_UUID, "tamper") == STATE_UNAVAILABLE
    assert state_of(hass, "lock", f"{GARAGE_DOOR_UUID}_lock").state == STATE_UNAVAILABLE


async def test_alarm_event_fires_once(
    hass: HomeAssistant,
    simulator: Simulator,
    mock_config_entry: MockConfigEntry,
    device_registry: dr.DeviceRegistry,
) -> None:
    """Alarms present at the first poll are history; a new one fires device_alarm once."""
    simulator.add_alarm(FRONT_DOOR_UUID, 500100, alarm_time=T0)
    events = async_capture_events(hass, EVENT_HONGTU)
    mock_config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    assert events == []
    assert sensor(hass, FRONT_DOOR_UUID, "tamper") == STATE_ON

    simulator.add_alarm(BACK_DOOR_UUID, 500500, alarm_time=T0 + 60_000)
    await async_refresh(hass, mock_config_entry)
    await async_refresh(hass, mock_config_entry)
    assert len(events) == 1
    data: dict[str, Any] = dict(events[0].data)
    device = device_registry.async_get_device(identifiers={(DOMAIN, BACK_DOOR_UUID)})
    assert device is not None
    assert data["type"] == "device_alarm"
    assert data["entry_id"] == mock_config_entry.entry_id
    assert data["device_uuid"] == BACK_DOOR_UUID
    assert data["device_id"] == device.id
    assert data["device_name"] == "Back door"
    assert data["alarm_type"] == 500500
    assert data["alarm_type_name"] == "fire_alarm"
    assert data["active"] is True
    assert data["record_id"].startswith("h:")
    moment = datetime.fromisoformat(data["time"])
    assert moment.tzinfo is not None
    assert round(moment.timestamp() * 1000) == T0 + 60_000
    assert sensor(hass, BACK_DOOR_UUID, "fire_alarm") == STATE_ON

    # A reload does not fire the same alarm again.
    assert await hass.config_entries.async_reload(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    await async_refresh(hass, mock_config_entry)
    assert len(events) == 1

    # Recovery of a known record changes the sensor but is no new alarm.
    simulator.clear_alarm(BACK_DOOR_UUID, 500500)
    await async_refresh(hass, mock_config_entry)
    assert sensor(hass, BACK_DOOR_UUID, "fire_alarm") == STATE_OFF
    assert len(events) == 1


async def test_alarm_during_restart_fires_at_startup(
    hass: HomeAssistant,
    simulator: Simulator,
    mock_config_entry: MockConfigEntry,
    hass_storage: dict[str, Any],
) -> None:
    """What earlier runs saw is kept in storage: after a restart only newer alarms fire."""
    hass_storage[alarm_store_key(mock_config_entry)] = {
        "version": 1,
        "minor_version": 1,
        "key": alarm_store_key(mock_config_entry),
        "data": {"newest_ms": T0, "seen": [f"{FRONT_DOOR_UUID}:500100:{T0}"]},
    }
    simulator.add_alarm(FRONT_DOOR_UUID, 500100, alarm_time=T0)
    simulator.add_alarm(GARAGE_DOOR_UUID, 500104, alarm_time=T0 + 5_000)
    events = async_capture_events(hass, EVENT_HONGTU)
    mock_config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()

    assert [(e.data["device_uuid"], e.data["alarm_type"]) for e in events] == [
        (GARAGE_DOOR_UUID, 500104)
    ]
    stored = hass_storage[alarm_store_key(mock_config_entry)]["data"]
    assert stored["newest_ms"] == T0 + 5_000
