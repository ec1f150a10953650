"""The default demo inventory, the generator for benchmarks, and the state built from them."""

from __future__ import annotations

import re

import pytest

from simulator import (
    BACK_DOOR_UUID,
    FRONT_DOOR_UUID,
    GARAGE_DOOR_UUID,
    LOBBY_CAMERA_UUID,
    PARKING_CAMERA_UUID,
    PERIMETER_CAMERA_UUID,
    Inventory,
)
from simulator.inventory import stable_uuid
from simulator.parsing import opt_int
from simulator.records import RecordContext, event_record
from simulator.state import ApplianceState

HEX32 = re.compile(r"^[0-9a-f]{32}$")


def test_default_inventory() -> None:
    """Fixed uuids and names; the kinds of device the demo needs."""
    inventory = Inventory.default()
    assert (inventory.name, inventory.type, inventory.version) == (
        "HongTu 3000",
        "MegCube-HAL3004-4S2",
        "V1.0.6.0",
    )
    assert HEX32.match(inventory.org_uuid)
    expected = {
        "Front door": (FRONT_DOOR_UUID, 2, 1, 1, True),
        "Back door": (BACK_DOOR_UUID, 2, 40, 1, True),
        "Garage door": (GARAGE_DOOR_UUID, 1, 4, 1, True),
        "Lobby camera": (LOBBY_CAMERA_UUID, 1, 8, 1, False),
        "Parking camera": (PARKING_CAMERA_UUID, 4, 21, 2, False),
        "Perimeter camera": (PERIMETER_CAMERA_UUID, 1, 10, 3, False),
    }
    for device in inventory.devices:
        uuid, device_type, model, mode, door = expected[device.name]
        assert (device.uuid, device.device_type, device.device_model) == (uuid, device_type, model)
        assert (device.device_mode, device.door, device.online) == (mode, door, True)
        assert device.location
        assert device.cmd_status == (17 if device.is_panel else None)
    assert inventory.by_name("Garage door").switch_ip
    assert inventory.by_name("Lobby camera").ptz
    assert len({device.device_id for device in inventory.devices}) == 6
    with pytest.raises(KeyError):
        inventory.by_name("Nothing")
    assert stable_uuid("front-door") == FRONT_DOOR_UUID


def test_generate_mixes_types() -> None:
    """N devices, unique and deterministic, two in five door points."""
    inventory = Inventory.generate(250)
    devices = inventory.devices
    assert len(devices) == 250
    assert len({device.uuid for device in devices}) == 250
    assert len({device.name for device in devices}) == 250
    assert all(HEX32.match(device.uuid) for device in devices)
    assert sum(device.door for device in devices) == 100
    assert sum(device.is_panel for device in devices) == 50
    assert {device.device_type for device in devices} == {1, 2, 4}
    assert {device.device_mode for device in devices} == {1, 2, 3}
    assert Inventory.generate(250).devices[7].uuid == devices[7].uuid
    assert Inventory.generate(0).devices == []


def test_copy_is_independent() -> None:
    """A state built from an inventory does not change the inventory."""
    inventory = Inventory.default()
    state = ApplianceState.from_inventory(inventory)
    state.devices[FRONT_DOOR_UUID].cmd_status = 15
    assert inventory.devices[0].cmd_status == 17
    assert state.find_device("Front door").uuid == FRONT_DOOR_UUID
    assert state.find_device(LOBBY_CAMERA_UUID).name == "Lobby camera"
    with pytest.raises(KeyError):
        state.find_device("nowhere")
    assert [device.name for device in state.door_points()] == [
        "Front door",
        "Back door",
        "Garage door",
    ]
    assert state.next_record_number() != state.next_record_number()
    state.reboot()
    assert state.devices[FRONT_DOOR_UUID].cmd_status == 17


def test_opt_int_accepts_whole_floats() -> None:
    """1.0 is 1; 1.5 and lists are not integers."""
    assert opt_int({"n": 2.0}, "n") == 2
    for value in (1.5, [1]):
        with pytest.raises(Exception, match="100003"):
            opt_int({"n": value}, "n")


def test_event_record_kind_checked() -> None:
    """The builder refuses kinds the document has no example for."""
    ctx = RecordContext(
        "http://x", ApplianceState.from_inventory(Inventory()).timezone, "o", "O", 0
    )
    with pytest.raises(ValueError, match="unknown event kind"):
        event_record(
            ctx,
            Inventory.default().devices[0],
            "weather",
            person_name="A",
            plate="P",
            alarm_type=1,
            include_device_uuid=False,
        )
