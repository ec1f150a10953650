"""Event entities: access per door point, recognition per face camera, alert per alert device;
fed by parsed records on the record signal and by pushes through the real webhook."""

from __future__ import annotations

from datetime import UTC, datetime
import json
from pathlib import Path
from typing import Any

from homeassistant.components.event import ATTR_EVENT_TYPE, ATTR_EVENT_TYPES
from homeassistant.const import STATE_UNAVAILABLE, STATE_UNKNOWN
from homeassistant.core import HomeAssistant, State
from homeassistant.helpers import entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.hongtu.api.record_models import ALERT_TYPE_SLUGS, PERSON_TYPE_SLUGS
from custom_components.hongtu.const import DOMAIN
from custom_components.hongtu.event import ALERT_EVENT_TYPES, EVENTS, RECOGNITION_EVENT_TYPES
from simulator import (
    BACK_DOOR_UUID,
    FRONT_DOOR_UUID,
    GARAGE_DOOR_UUID,
    LOBBY_CAMERA_UUID,
    PARKING_CAMERA_UUID,
    PERIMETER_CAMERA_UUID,
    Simulator,
)
from tests.ha_fixtures import async_refresh, entity_id_of
from tests.record_helpers import (
    Pushing,
    async_post,
    async_send,
    async_settle,
    fixture_record,
    parse,
)

COMPONENT = Path(__file__).parent.parent / "custom_components" / "hongtu"
PASS_FIXTURE = "push_busi5_pass.json"
RECOGNITION_FIXTURE = "push_busi1_recognition.json"
ALERT_FIXTURE = "push_busi3_alert.json"
ALL_UUIDS = (
    FRONT_DOOR_UUID,
    BACK_DOOR_UUID,
    GARAGE_DOOR_UUID,
    LOBBY_CAMERA_UUID,
    PARKING_CAMERA_UUID,
    PERIMETER_CAMERA_UUID,
)


def event_state(hass: HomeAssistant, uuid: str, key: str) -> State:
    state = hass.states.get(entity_id_of(hass, "event", f"{uuid}_{key}"))
    assert state is not None
    return state


def has_event(entity_registry: er.EntityRegistry, uuid: str, key: str) -> bool:
    return entity_registry.async_get_entity_id("event", DOMAIN, f"{uuid}_{key}") is not None


async def test_entities_per_device(
    hass: HomeAssistant, init_integration: MockConfigEntry, entity_registry: er.EntityRegistry
) -> None:
    """access on door points, recognition on cameras in a face mode, alert on alert devices;
    no event yet, so the state is unknown."""
    expected = {
        "access": {FRONT_DOOR_UUID, BACK_DOOR_UUID, GARAGE_DOOR_UUID},
        "recognition": {GARAGE_DOOR_UUID, LOBBY_CAMERA_UUID},
        "alert": {PERIMETER_CAMERA_UUID},
    }
    for key, uuids in expected.items():
        assert {uuid for uuid in ALL_UUIDS if has_event(entity_registry, uuid, key)} == uuids
        for uuid in uuids:
            assert event_state(hass, uuid, key).state == STATE_UNKNOWN
    assert event_state(hass, FRONT_DOOR_UUID, "access").attributes[ATTR_EVENT_TYPES] == [
        "access_granted",
        "access_denied",
    ]
    assert (
        event_state(hass, LOBBY_CAMERA_UUID, "recognition").attributes[ATTR_EVENT_TYPES]
        == RECOGNITION_EVENT_TYPES
    )
    assert (
        event_state(hass, PERIMETER_CAMERA_UUID, "alert").attributes[ATTR_EVENT_TYPES]
        == ALERT_EVENT_TYPES
    )
    assert hass.states.get("event.front_door_access") is not None


@pytest.mark.parametrize(
    ("pass_type", "event_type"),
    [(1, "access_granted"), (0, "access_denied"), (2, "access_denied")],
)
async def test_access(
    hass: HomeAssistant,
    simulator: Simulator,
    init_integration: MockConfigEntry,
    pass_type: int,
    event_type: str,
) -> None:
    """passType 1 is granted, anything else denied; attributes describe the pass."""
    record = parse(5, fixture_record(PASS_FIXTURE, FRONT_DOOR_UUID, simulator, passType=pass_type))
    await async_send(hass, init_integration, record)

    state = event_state(hass, FRONT_DOOR_UUID, "access")
    assert state.state not in (STATE_UNKNOWN, STATE_UNAVAILABLE)
    attributes = dict(state.attributes)
    assert attributes[ATTR_EVENT_TYPE] == event_type
    assert attributes["record_id"] == record.record_id
    assert datetime.fromisoformat(attributes["time"]) == datetime(
        2021, 8, 13, 10, 11, 27, 177000, tzinfo=UTC
    )
    assert attributes["person_name"] == "备用vip访客1"
    assert attributes["person_uuid"] == "24b73fcd65f34147b0473ff00200efdd"
    assert attributes["person_type"] == "visitor"
    assert attributes["score"] == pytest.approx(86.82751)
    assert attributes["passed"] is (pass_type == 1)
    assert attributes["capture_image_url"].startswith(f"{simulator.url}/pub/_")
    assert attributes["library_image_url"].startswith(f"{simulator.url}/pub/_")
    assert "caught_up" not in attributes
    # Contact details never reach the state machine.
    assert "15168346187" not in json.dumps(attributes, ensure_ascii=False)
    # Only the door of the record fires.
    assert event_state(hass, BACK_DOOR_UUID, "access").state == STATE_UNKNOWN


async def test_event_per_record(
    hass: HomeAssistant, simulator: Simulator, init_integration: MockConfigEntry
) -> None:
    """Each record fires again, even with the same event type; a caught-up one says so."""
    first = parse(5, fixture_record(PASS_FIXTURE, FRONT_DOOR_UUID, simulator, serial=1))
    await async_send(hass, init_integration, first)
    fired = event_state(hass, FRONT_DOOR_UUID, "access")

    second = parse(5, fixture_record(PASS_FIXTURE, FRONT_DOOR_UUID, simulator, serial=2))
    await async_send(hass, init_integration, second, caught_up=True)
    state = event_state(hass, FRONT_DOOR_UUID, "access")
    assert state.last_updated > fired.last_updated
    assert state.attributes["record_id"] == second.record_id
    assert state.attributes["caught_up"] is True


async def test_relative_image_urls_made_absolute(
    hass: HomeAssistant, simulator: Simulator, init_integration: MockConfigEntry
) -> None:
    """An image given as a /pub/ path is shown as a URL on the appliance; no image, no key."""
    data = fixture_record(
        PASS_FIXTURE, FRONT_DOOR_UUID, snapshotUrl="/pub/_c2ltdWxhdG9y_" + "a" * 32
    )
    del data["personImageUrl"]
    await async_send(hass, init_integration, parse(5, data))
    attributes = event_state(hass, FRONT_DOOR_UUID, "access").attributes
    assert attributes["capture_image_url"] == f"{simulator.url}/pub/_c2ltdWxhdG9y_{'a' * 32}"
    assert "library_image_url" not in attributes


@pytest.mark.parametrize(
    ("person_type", "event_type"),
    [
        ("员工", "employee"),
        ("访客", "visitor"),
        ("重点人员", "key_person"),
        ("未知人员", "stranger"),
        ("未识别人员", "unrecognized"),
        ("高频重点人员", "frequent_key_person"),
        ("保安", "unknown"),
    ],
)
async def test_recognition_person_types(
    hass: HomeAssistant,
    simulator: Simulator,
    init_integration: MockConfigEntry,
    person_type: str,
    event_type: str,
) -> None:
    """The event type is the person type's slug (unknown for a type not in the dictionary)."""
    data = fixture_record(RECOGNITION_FIXTURE, LOBBY_CAMERA_UUID, simulator, personType=person_type)
    await async_send(hass, init_integration, parse(1, data))
    attributes = event_state(hass, LOBBY_CAMERA_UUID, "recognition").attributes
    assert attributes[ATTR_EVENT_TYPE] == event_type
    assert attributes["person_type"] == event_type
    assert attributes["person_name"] == "人员001"
    assert attributes["score"] == pytest.approx(75.92897)
    assert attributes["record_id"].startswith("h:")
    assert "panorama_image_url" not in attributes  # frameUrl is empty


def test_recognition_types_cover_the_dictionary() -> None:
    """Every person type slug of the parser is an event type, plus unknown."""
    assert set(RECOGNITION_EVENT_TYPES) == {*PERSON_TYPE_SLUGS.values(), "unknown"}
    assert set(ALERT_EVENT_TYPES) == {*ALERT_TYPE_SLUGS.values(), "unknown"}
    assert len(ALERT_EVENT_TYPES) == 26


@pytest.mark.parametrize(
    ("alarm_type", "event_type"), [*sorted(ALERT_TYPE_SLUGS.items()), (9, "unknown")]
)
async def test_alert_types(
    hass: HomeAssistant,
    simulator: Simulator,
    init_integration: MockConfigEntry,
    alarm_type: int,
    event_type: str,
) -> None:
    """One event type per alarmType; a value not in the dictionary is unknown."""
    data = fixture_record(ALERT_FIXTURE, PERIMETER_CAMERA_UUID, simulator, alarmType=alarm_type)
    await async_send(hass, init_integration, parse(3, data))
    attributes = event_state(hass, PERIMETER_CAMERA_UUID, "alert").attributes
    assert attributes[ATTR_EVENT_TYPE] == event_type
    assert attributes["alarm_type"] == alarm_type
    assert attributes["alarm_type_name"] == event_type
    assert attributes["panorama_image_url"].startswith(f"{simulator.url}/pub/_")
    assert "person_name" not in attributes


async def test_alert_without_type(
    hass: HomeAssistant, simulator: Simulator, init_integration: MockConfigEntry
) -> None:
    """An alert that names no alarmType is still an event, of type unknown."""
    data = fixture_record(ALERT_FIXTURE, PERIMETER_CAMERA_UUID, simulator)
    del data["alarmType"]
    await async_send(hass, init_integration, parse(3, data))
    attributes = event_state(hass, PERIMETER_CAMERA_UUID, "alert").attributes
    assert attributes[ATTR_EVENT_TYPE] == "unknown"
    assert "alarm_type" not in attributes


async def test_entity_added_by_first_record(
    hass: HomeAssistant,
    simulator: Simulator,
    init_integration: MockConfigEntry,
    entity_registry: er.EntityRegistry,
) -> None:
    """A record from a device without the entity adds it, and the record is its first event;
    the entity is back after a restart, before any new record."""
    assert not has_event(entity_registry, PARKING_CAMERA_UUID, "recognition")
    assert not has_event(entity_registry, LOBBY_CAMERA_UUID, "alert")
    assert not has_event(entity_registry, FRONT_DOOR_UUID, "alert")

    recognition = parse(1, fixture_record(RECOGNITION_FIXTURE, PARKING_CAMERA_UUID, simulator))
    await async_send(hass, init_integration, recognition)
    state = event_state(hass, PARKING_CAMERA_UUID, "recognition")
    assert state.attributes[ATTR_EVENT_TYPE] == "frequent_key_person"
    assert state.attributes["record_id"] == recognition.record_id

    alert = parse(3, fixture_record(ALERT_FIXTURE, LOBBY_CAMERA_UUID, simulator, alarmType=16))
    await async_send(hass, init_integration, alert)
    assert event_state(hass, LOBBY_CAMERA_UUID, "alert").attributes[ATTR_EVENT_TYPE] == "smoking"

    # A second record goes to the entity now in place, and adds nothing.
    alert = parse(
        3, fixture_record(ALERT_FIXTURE, LOBBY_CAMERA_UUID, simulator, serial=2, alarmType=19)
    )
    await async_send(hass, init_integration, alert)
    assert event_state(hass, LOBBY_CAMERA_UUID, "alert").attributes[ATTR_EVENT_TYPE] == "crowd"
    assert len(hass.states.async_entity_ids("event")) == 8

    assert await hass.config_entries.async_reload(init_integration.entry_id)
    await hass.async_block_till_done()
    restored = event_state(hass, LOBBY_CAMERA_UUID, "alert")
    assert restored.attributes[ATTR_EVENT_TYPE] == "crowd"
    assert event_state(hass, PARKING_CAMERA_UUID, "recognition").state == state.state


async def test_records_of_unknown_devices_and_other_kinds_ignored(
    hass: HomeAssistant,
    simulator: Simulator,
    init_integration: MockConfigEntry,
) -> None:
    """A device the appliance does not list gets no entity; records without a device uuid and
    kinds no event entity shows change nothing."""
    before = sorted(hass.states.async_entity_ids("event"))
    unknown = parse(1, fixture_record(RECOGNITION_FIXTURE, "f" * 32, simulator))
    await async_send(hass, init_integration, unknown)
    no_device = parse(1, fixture_record(RECOGNITION_FIXTURE, "", simulator))
    assert no_device.device_uuid is None
    await async_send(hass, init_integration, no_device)
    vehicle = parse(2, fixture_record("push_busi2_vehicle.json", PARKING_CAMERA_UUID, simulator))
    await async_send(hass, init_integration, vehicle)
    assert sorted(hass.states.async_entity_ids("event")) == before
    for entity_id in before:
        state = hass.states.get(entity_id)
        assert state is not None
        assert state.state == STATE_UNKNOWN


async def test_device_leaving_and_returning(
    hass: HomeAssistant,
    simulator: Simulator,
    init_integration: MockConfigEntry,
    entity_registry: er.EntityRegistry,
) -> None:
    """A device the appliance stops listing loses its event entities; back, it gets them again."""
    camera = simulator.remove_device(LOBBY_CAMERA_UUID)
    await async_refresh(hass, init_integration)
    assert not has_event(entity_registry, LOBBY_CAMERA_UUID, "recognition")
    record = parse(1, fixture_record(RECOGNITION_FIXTURE, LOBBY_CAMERA_UUID, simulator))
    await async_send(hass, init_integration, record)
    assert not has_event(entity_registry, LOBBY_CAMERA_UUID, "recognition")

    simulator.state.devices[camera.uuid] = camera
    await async_refresh(hass, init_integration)
    assert event_state(hass, LOBBY_CAMERA_UUID, "recognition").state == STATE_UNKNOWN
    await async_send(hass, init_integration, record)
    state = event_state(hass, LOBBY_CAMERA_UUID, "recognition")
    assert state.attributes["record_id"] == record.record_id


async def test_offline_device_unavailable(
    hass: HomeAssistant, simulator: Simulator, init_integration: MockConfigEntry
) -> None:
    """Like every entity of an offline device, its events are unavailable."""
    simulator.set_device_online(FRONT_DOOR_UUID, False)
    await async_refresh(hass, init_integration)
    assert event_state(hass, FRONT_DOOR_UUID, "access").state == STATE_UNAVAILABLE


async def test_webhook_pushes(
    hass: HomeAssistant,
    simulator: Simulator,
    pushing: Pushing,
) -> None:
    """The simulator pushes over HTTP to the webhook: each push becomes one event."""
    await simulator.push_pass(FRONT_DOOR_UUID, "Alice", granted=False)
    await simulator.push_recognition(LOBBY_CAMERA_UUID, None)
    await simulator.push_alert(PERIMETER_CAMERA_UUID, 14)
    await async_settle(hass, pushing.entry)
    assert [delivery.status for delivery in simulator.deliveries] == [200, 200, 200]

    access = event_state(hass, FRONT_DOOR_UUID, "access").attributes
    assert access[ATTR_EVENT_TYPE] == "access_denied"
    assert access["person_name"] == "Alice"
    recognition = event_state(hass, LOBBY_CAMERA_UUID, "recognition").attributes
    assert recognition[ATTR_EVENT_TYPE] == "stranger"
    assert "person_name" not in recognition
    assert event_state(hass, PERIMETER_CAMERA_UUID, "alert").attributes[ATTR_EVENT_TYPE] == "fall"


async def test_webhook_post(
    hass: HomeAssistant,
    simulator: Simulator,
    init_integration: MockConfigEntry,
    hass_client_no_auth: ClientSessionGenerator,
) -> None:
    """A pass-record callback body posted to the webhook fires the access event."""
    body = fixture_record("callback_pass_record.json", BACK_DOOR_UUID, simulator)
    await async_post(hass, hass_client_no_auth, init_integration, body)
    attributes = event_state(hass, BACK_DOOR_UUID, "access").attributes
    assert attributes[ATTR_EVENT_TYPE] in ("access_granted", "access_denied")
    assert attributes["record_id"]


def load(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


@pytest.mark.parametrize("language", ["en", "zh-Hans"])
def test_event_types_translated(language: str) -> None:
    """Every event type of every event entity has a name in each language, and the icons
    name only event types that exist."""
    entity = load(COMPONENT / "translations" / f"{language}.json")["entity"]["event"]
    icons = load(COMPONENT / "icons.json")["entity"]["event"]
    for description in EVENTS:
        assert description.event_types is not None
        names = entity[description.key]["state_attributes"]["event_type"]["state"]
        assert set(names) == set(description.event_types), description.key
        assert set(icons[description.key].get("state", {})) <= set(description.event_types)
