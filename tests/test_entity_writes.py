"""After a poll, only the entities of devices whose part of the snapshot changed write their
state (bench.poll: one changed device used to make every entity of the entry write), while a
poll that fails or recovers still reaches every entity."""

from __future__ import annotations

from dataclasses import replace

from freezegun.api import FrozenDateTimeFactory
from homeassistant.const import STATE_LOCKED, STATE_UNAVAILABLE
from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.hongtu.api.models import Device, DeviceAlarm, DoorPoint
from custom_components.hongtu.data import HongTuSnapshot
from simulator import BACK_DOOR_UUID, FRONT_DOOR_UUID, Simulator
from tests.ha_fixtures import async_refresh, state_of


def _device(uuid: str, status: int = 3) -> Device:
    return Device.from_api({"uuid": uuid, "name": uuid, "status": status})


def _door(uuid: str) -> DoorPoint:
    return DoorPoint.from_api({"uuid": uuid, "name": uuid, "status": 3})


def _alarm(uuid: str, alarm_type: int, now: int) -> DeviceAlarm:
    return DeviceAlarm.from_api(
        {"deviceUuid": uuid, "alarmType": alarm_type, "alarmStatusNow": now, "alarmTime": 1}
    )


def test_changed_uuids() -> None:
    """A device counts as changed when its item, door mode or an alarm differs, or when it
    appears or disappears; equal snapshots change nothing."""
    before = HongTuSnapshot(
        devices={"a": _device("a"), "b": _device("b"), "gone": _device("gone")},
        door_points={"a": _door("a"), "d": _door("d")},
        door_modes={"a": 17, "d": None},
        alarms={("a", 500100): _alarm("a", 500100, 0), ("e", 500000): _alarm("e", 500000, 1)},
    )
    assert before.changed_uuids(replace(before)) == frozenset()
    after = HongTuSnapshot(
        devices={"a": _device("a"), "b": _device("b", status=4), "new": _device("new")},
        door_points={"a": _door("a"), "d": _door("d")},
        door_modes={"a": 15, "d": None},
        alarms={("a", 500100): _alarm("a", 500100, 0), ("e", 500000): _alarm("e", 500000, 0)},
    )
    assert after.changed_uuids(before) == {"a", "b", "gone", "new", "e"}


def test_snapshot_lookups_fall_back_to_door_points() -> None:
    """A door point the device list does not have (or that the appliance no longer lists)
    is still named and judged online from the door list."""
    snapshot = HongTuSnapshot(
        devices={"a": _device("a")},
        door_points={
            "door": DoorPoint.from_api({"uuid": "door", "name": "Side door", "status": 3}),
            "unnamed": DoorPoint.from_api({"uuid": "unnamed", "name": "", "status": 4}),
        },
    )
    assert snapshot.online("a")
    assert snapshot.online("door")
    assert not snapshot.online("unnamed")
    assert not snapshot.online("gone")
    assert snapshot.name("door") == "Side door"
    assert snapshot.name("unnamed") == "unnamed"
    assert snapshot.name("gone") == "gone"


async def test_poll_writes_only_changed_devices(
    hass: HomeAssistant,
    simulator: Simulator,
    init_integration: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """One device going offline rewrites that device's entities, not the others'."""
    # Home Assistant moves last_reported of the same State object on a write that changes
    # nothing: keep the value.
    reported = state_of(hass, "lock", f"{FRONT_DOOR_UUID}_lock").last_reported
    freezer.tick(5)
    simulator.set_device_online(BACK_DOOR_UUID, False)
    await async_refresh(hass, init_integration)
    assert state_of(hass, "lock", f"{BACK_DOOR_UUID}_lock").state == STATE_UNAVAILABLE
    unchanged = state_of(hass, "lock", f"{FRONT_DOOR_UUID}_lock")
    assert unchanged.state == STATE_LOCKED
    assert unchanged.last_reported == reported


async def test_failed_poll_reaches_every_entity(
    hass: HomeAssistant, simulator: Simulator, init_integration: MockConfigEntry
) -> None:
    """A failed poll makes every entity unavailable, and the next good one brings them back,
    although no device's part of the snapshot changed in between."""
    await simulator.set_down(True)
    await async_refresh(hass, init_integration)
    assert state_of(hass, "lock", f"{FRONT_DOOR_UUID}_lock").state == STATE_UNAVAILABLE
    await simulator.set_down(False)
    await async_refresh(hass, init_integration)
    assert state_of(hass, "lock", f"{FRONT_DOOR_UUID}_lock").state == STATE_LOCKED


async def test_data_set_outside_a_poll_reaches_every_entity(
    hass: HomeAssistant, init_integration: MockConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    """A snapshot that did not come from a poll has no list of changed devices: all write."""
    coordinator = init_integration.runtime_data.coordinator
    reported = state_of(hass, "lock", f"{FRONT_DOOR_UUID}_lock").last_reported
    freezer.tick(5)
    coordinator.async_set_updated_data(replace(coordinator.data))
    await hass.async_block_till_done()
    assert state_of(hass, "lock", f"{FRONT_DOOR_UUID}_lock").last_reported > reported
