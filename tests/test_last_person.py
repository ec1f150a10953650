"""``last_person``: who was last seen at each door point and camera, kept across restarts."""

from __future__ import annotations

from datetime import UTC, datetime

from homeassistant.const import STATE_UNAVAILABLE, STATE_UNKNOWN
from homeassistant.core import HomeAssistant, State
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.entity_platform import async_get_platforms
from pytest_homeassistant_custom_component.common import MockConfigEntry, mock_restore_cache

from custom_components.hongtu.const import DOMAIN
from custom_components.hongtu.sensor import RECORD_SENSORS, HongTuLastPersonSensor
from simulator import (
    BACK_DOOR_UUID,
    FRONT_DOOR_UUID,
    GARAGE_DOOR_UUID,
    LOBBY_CAMERA_UUID,
    ORG_UUID,
    PARKING_CAMERA_UUID,
    PERIMETER_CAMERA_UUID,
    Simulator,
)
from tests.ha_fixtures import async_refresh
from tests.record_helpers import Pushing, async_send, async_settle, fixture_record, parse

PASS_FIXTURE = "push_busi5_pass.json"
RECOGNITION_FIXTURE = "push_busi1_recognition.json"
FRONT = "sensor.front_door_last_person"
LOBBY = "sensor.lobby_camera_last_person"


def person_state(hass: HomeAssistant, entity_id: str) -> State:
    state = hass.states.get(entity_id)
    assert state is not None
    return state


def at(time: str) -> datetime:
    return datetime.fromisoformat(time).astimezone(UTC)


async def test_on_every_door_and_camera(
    hass: HomeAssistant, init_integration: MockConfigEntry, entity_registry: er.EntityRegistry
) -> None:
    """Created at setup with an unknown state; the hub sensors are still there."""
    for uuid in (
        FRONT_DOOR_UUID,
        BACK_DOOR_UUID,
        GARAGE_DOOR_UUID,
        LOBBY_CAMERA_UUID,
        PARKING_CAMERA_UUID,
        PERIMETER_CAMERA_UUID,
    ):
        entity_id = entity_registry.async_get_entity_id("sensor", DOMAIN, f"{uuid}_last_person")
        assert entity_id is not None
        assert person_state(hass, entity_id).state == STATE_UNKNOWN
    assert person_state(hass, "sensor.hongtu_3000_devices_online").state == "6"
    assert entity_registry.async_get_entity_id("sensor", DOMAIN, f"{ORG_UUID}_last_person") is None


async def test_pass_record(
    hass: HomeAssistant, simulator: Simulator, init_integration: MockConfigEntry
) -> None:
    """The state is the person's name; attributes say who, how sure, when, where, which record."""
    record = parse(5, fixture_record(PASS_FIXTURE, FRONT_DOOR_UUID, simulator))
    await async_send(hass, init_integration, record)
    state = person_state(hass, FRONT)
    assert state.state == "备用vip访客1"
    attributes = dict(state.attributes)
    assert at(attributes.pop("time")) == datetime(2021, 8, 13, 10, 11, 27, 177000, tzinfo=UTC)
    assert attributes == {
        "friendly_name": "Front door Last person",
        "person_uuid": "24b73fcd65f34147b0473ff00200efdd",
        "person_type": "visitor",
        "score": 86.82751,
        "door": "Front door",
        "record_id": record.record_id,
    }
    assert person_state(hass, LOBBY).state == STATE_UNKNOWN


async def test_stranger(
    hass: HomeAssistant, simulator: Simulator, init_integration: MockConfigEntry
) -> None:
    """Someone without a name is shown by the person type's slug."""
    data = fixture_record(RECOGNITION_FIXTURE, LOBBY_CAMERA_UUID, simulator, personType="未知人员")
    for key in ("personName", "personUuid", "groupImageUrl"):
        del data[key]
    data["score"] = 0
    await async_send(hass, init_integration, parse(1, data))
    state = person_state(hass, LOBBY)
    assert state.state == "stranger"
    assert state.attributes["person_type"] == "stranger"
    assert "person_uuid" not in state.attributes
    assert state.attributes["door"] == "Lobby camera"


async def test_newest_record_wins(
    hass: HomeAssistant, simulator: Simulator, init_integration: MockConfigEntry
) -> None:
    """A newer record replaces the person; an older one (caught up late) and a repeat do not."""
    first = parse(5, fixture_record(PASS_FIXTURE, FRONT_DOOR_UUID, simulator, serial=1))
    await async_send(hass, init_integration, first)
    newer = fixture_record(
        RECOGNITION_FIXTURE,
        FRONT_DOOR_UUID,
        simulator,
        personName="Dora",
        personType="员工",
        captureTime=1628849500000,
    )
    await async_send(hass, init_integration, parse(1, newer))
    state = person_state(hass, FRONT)
    assert state.state == "Dora"
    assert state.attributes["person_type"] == "employee"

    older = parse(
        5,
        fixture_record(
            PASS_FIXTURE,
            FRONT_DOOR_UUID,
            simulator,
            serial=2,
            personName="Eve",
            passTimestamp=1628849000000,
        ),
    )
    await async_send(hass, init_integration, older, caught_up=True)
    assert person_state(hass, FRONT).state == "Dora"

    repeat = parse(1, newer | {"personName": "Mallory"})  # same content key, so the same id
    await async_send(hass, init_integration, repeat)
    assert person_state(hass, FRONT).state == "Dora"


async def test_long_name_truncated(
    hass: HomeAssistant, simulator: Simulator, init_integration: MockConfigEntry
) -> None:
    """Home Assistant refuses states over 255 characters; a very long name is cut."""
    data = fixture_record(RECOGNITION_FIXTURE, LOBBY_CAMERA_UUID, simulator, personName="A" * 300)
    await async_send(hass, init_integration, parse(1, data))
    assert person_state(hass, LOBBY).state == "A" * 255


async def test_offline_device_unavailable(
    hass: HomeAssistant, simulator: Simulator, init_integration: MockConfigEntry
) -> None:
    """An offline device's last person is unavailable while it is offline, then back."""
    await async_send(
        hass,
        init_integration,
        parse(5, fixture_record(PASS_FIXTURE, FRONT_DOOR_UUID, simulator)),
    )
    simulator.set_device_online(FRONT_DOOR_UUID, False)
    await async_refresh(hass, init_integration)
    assert person_state(hass, FRONT).state == STATE_UNAVAILABLE
    simulator.set_device_online(FRONT_DOOR_UUID, True)
    await async_refresh(hass, init_integration)
    assert person_state(hass, FRONT).state == "备用vip访客1"


async def test_restored_after_restart(
    hass: HomeAssistant, simulator: Simulator, mock_config_entry: MockConfigEntry
) -> None:
    """The last person from before the restart is still there, with its attributes; a record
    older than it (caught up late) does not replace it, a newer one does."""
    mock_restore_cache(
        hass,
        (
            State(
                FRONT,
                "Alice",
                {
                    "person_uuid": "a" * 32,
                    "person_type": "employee",
                    "score": 91.5,
                    "time": "2025-06-01T16:00:00.000+08:00",
                    "door": "Front door",
                    "record_id": "r1",
                    "friendly_name": "Front door Last person",
                },
            ),
            State(LOBBY, STATE_UNAVAILABLE),
            State("sensor.back_door_last_person", "Bob", {"time": "not a time"}),
        ),
    )
    mock_config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()

    state = person_state(hass, FRONT)
    assert state.state == "Alice"
    assert state.attributes["person_uuid"] == "a" * 32
    assert state.attributes["person_type"] == "employee"
    assert state.attributes["score"] == 91.5
    assert state.attributes["record_id"] == "r1"
    assert at(state.attributes["time"]) == datetime(2025, 6, 1, 8, tzinfo=UTC)
    assert person_state(hass, LOBBY).state == STATE_UNKNOWN
    assert person_state(hass, "sensor.back_door_last_person").state == "Bob"

    older = parse(5, fixture_record(PASS_FIXTURE, FRONT_DOOR_UUID, simulator))
    await async_send(hass, mock_config_entry, older, caught_up=True)
    assert person_state(hass, FRONT).state == "Alice"

    newer = parse(
        5, fixture_record(PASS_FIXTURE, FRONT_DOOR_UUID, simulator, passTimestamp=1748764801000)
    )
    await async_send(hass, mock_config_entry, newer)
    assert person_state(hass, FRONT).state == "备用vip访客1"
    # No time restored: any record is newer.
    back = parse(5, fixture_record(PASS_FIXTURE, BACK_DOOR_UUID, simulator, personName="Carol"))
    await async_send(hass, mock_config_entry, back)
    assert person_state(hass, "sensor.back_door_last_person").state == "Carol"


async def test_added_by_first_record(
    hass: HomeAssistant,
    simulator: Simulator,
    init_integration: MockConfigEntry,
    entity_registry: er.EntityRegistry,
) -> None:
    """A device that is neither door nor camera gets the sensor (and the image) with its first
    person record."""
    server = simulator.add_device("Face server", device_type=3, device_mode=1)
    await async_refresh(hass, init_integration)
    unique_id = f"{server.uuid}_last_person"
    assert entity_registry.async_get_entity_id("sensor", DOMAIN, unique_id) is None

    data = fixture_record(RECOGNITION_FIXTURE, server.uuid, simulator, personName="Frank")
    await async_send(hass, init_integration, parse(1, data))
    entity_id = entity_registry.async_get_entity_id("sensor", DOMAIN, unique_id)
    assert entity_id is not None
    assert person_state(hass, entity_id).state == "Frank"
    image = entity_registry.async_get_entity_id("image", DOMAIN, f"{server.uuid}_last_capture")
    assert image is not None
    assert person_state(hass, image).state != STATE_UNKNOWN


async def test_webhook_push(hass: HomeAssistant, simulator: Simulator, pushing: Pushing) -> None:
    """Recognitions the simulator pushes over HTTP name the person seen, strangers by type."""
    await simulator.push_recognition(LOBBY_CAMERA_UUID, "Carol")
    await async_settle(hass, pushing.entry)
    assert person_state(hass, LOBBY).state == "Carol"

    await simulator.push_pass(FRONT_DOOR_UUID, None, granted=False)
    await async_settle(hass, pushing.entry)
    state = person_state(hass, FRONT)
    assert state.state == "unrecognized"
    assert state.attributes["door"] == "Front door"


async def test_records_before_the_entity_is_added(
    hass: HomeAssistant, simulator: Simulator, init_integration: MockConfigEntry
) -> None:
    """Records handed to an entity that Home Assistant has not added yet wait for it, newest
    applied last; records of other kinds leave it alone."""
    server = simulator.add_device("Face server", device_type=3, device_mode=1)
    await async_refresh(hass, init_integration)
    sensor = HongTuLastPersonSensor(
        init_integration.runtime_data.coordinator, server.uuid, RECORD_SENSORS[0]
    )
    first = fixture_record(RECOGNITION_FIXTURE, server.uuid, simulator, personName="Gina")
    second = first | {"personName": "Hugo", "captureTime": first["captureTime"] + 1}
    sensor.async_receive(parse(1, first), False)
    sensor.async_receive(parse(1, second), False)
    alert = parse(3, fixture_record("push_busi3_alert.json", server.uuid, simulator))
    assert not sensor.handle_record(alert, False)

    platform = next(
        platform
        for platform in async_get_platforms(hass, DOMAIN)
        if platform.domain == "sensor" and platform.config_entry is init_integration
    )
    await platform.async_add_entities([sensor])
    await hass.async_block_till_done()
    assert sensor.entity_id is not None
    assert person_state(hass, sensor.entity_id).state == "Hugo"
