"""``last_capture``: the capture of the newest person record, fetched from the appliance once per
record, served through Home Assistant's image proxy, kept across restarts."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
import logging
from typing import Any

from aiohttp.test_utils import TestClient
from homeassistant.const import STATE_UNAVAILABLE, STATE_UNKNOWN
from homeassistant.core import HomeAssistant, State
from homeassistant.helpers import entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    mock_restore_cache_with_extra_data,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.hongtu.api.models import DoorPoint
from custom_components.hongtu.const import DOMAIN
from custom_components.hongtu.data import HongTuSnapshot
from custom_components.hongtu.image import IMAGES, CaptureSource, HongTuLastCaptureImage
from custom_components.hongtu.record_entity import is_camera
from simulator import (
    BACK_DOOR_UUID,
    FRONT_DOOR_UUID,
    GARAGE_DOOR_UUID,
    LOBBY_CAMERA_UUID,
    PARKING_CAMERA_UUID,
    PERIMETER_CAMERA_UUID,
    Simulator,
)
from simulator.jpeg import SNAPSHOT_JPEG
from tests.ha_fixtures import async_refresh, requested_paths
from tests.record_helpers import Pushing, async_send, async_settle, fixture_record, parse

PASS_FIXTURE = "push_busi5_pass.json"
RECOGNITION_FIXTURE = "push_busi1_recognition.json"
FRONT = "image.front_door_last_capture"
LOBBY = "image.lobby_camera_last_capture"
FAILURE = "Cannot fetch the last capture"
PASS_TIME = datetime(2021, 8, 13, 10, 11, 27, 177000, tzinfo=UTC)


def image_state(hass: HomeAssistant, entity_id: str) -> State:
    state = hass.states.get(entity_id)
    assert state is not None
    return state


async def get_image(client: TestClient[Any, Any], entity_id: str) -> tuple[int, bytes, str]:
    response = await client.get(f"/api/image_proxy/{entity_id}")
    return response.status, await response.read(), response.content_type


def failures(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [
        record
        for record in caplog.records
        if record.levelno >= logging.WARNING and FAILURE in record.getMessage()
    ]


async def test_on_every_door_and_camera(
    hass: HomeAssistant, init_integration: MockConfigEntry, entity_registry: er.EntityRegistry
) -> None:
    """Every door point and every camera has one, without an image until the first record."""
    for uuid in (
        FRONT_DOOR_UUID,
        BACK_DOOR_UUID,
        GARAGE_DOOR_UUID,
        LOBBY_CAMERA_UUID,
        PARKING_CAMERA_UUID,
        PERIMETER_CAMERA_UUID,
    ):
        entity_id = entity_registry.async_get_entity_id("image", DOMAIN, f"{uuid}_last_capture")
        assert entity_id is not None
        assert image_state(hass, entity_id).state == STATE_UNKNOWN


async def test_no_image_before_a_record(
    hass: HomeAssistant,
    simulator: Simulator,
    init_integration: MockConfigEntry,
    hass_client: ClientSessionGenerator,
) -> None:
    """Nothing to show yet: the proxy has no image and the appliance is not asked."""
    status, _body, _type = await get_image(await hass_client(), FRONT)
    assert status == 500
    assert requested_paths(simulator, "/pub/") == []


async def test_capture_served_once_per_record(
    hass: HomeAssistant,
    simulator: Simulator,
    init_integration: MockConfigEntry,
    hass_client: ClientSessionGenerator,
) -> None:
    """The record's capture comes through the proxy as the appliance's JPEG; it is fetched once
    and served from memory until the next record, which moves image_last_updated."""
    client = await hass_client()
    first = fixture_record(PASS_FIXTURE, FRONT_DOOR_UUID, simulator, serial=1)
    await async_send(hass, init_integration, parse(5, first))
    state = image_state(hass, FRONT)
    assert datetime.fromisoformat(state.state) == PASS_TIME

    for _ in range(2):
        assert await get_image(client, FRONT) == (200, SNAPSHOT_JPEG, "image/jpeg")
    assert requested_paths(simulator, "/pub/") == [first["snapshotUrl"].split(simulator.url)[1]]

    second = fixture_record(
        PASS_FIXTURE, FRONT_DOOR_UUID, simulator, serial=2, passTimestamp=1628849490000
    )
    await async_send(hass, init_integration, parse(5, second))
    assert datetime.fromisoformat(image_state(hass, FRONT).state) == datetime(
        2021, 8, 13, 10, 11, 30, tzinfo=UTC
    )
    assert await get_image(client, FRONT) == (200, SNAPSHOT_JPEG, "image/jpeg")
    assert len(requested_paths(simulator, "/pub/")) == 2
    # Other devices keep theirs (none).
    assert image_state(hass, LOBBY).state == STATE_UNKNOWN


async def test_concurrent_requests_fetch_once(
    hass: HomeAssistant,
    simulator: Simulator,
    init_integration: MockConfigEntry,
    hass_client: ClientSessionGenerator,
) -> None:
    """Viewers opening the image at the same moment share one download."""
    client = await hass_client()
    data = fixture_record(RECOGNITION_FIXTURE, LOBBY_CAMERA_UUID, simulator)
    await async_send(hass, init_integration, parse(1, data))
    results = await asyncio.gather(*(get_image(client, LOBBY) for _ in range(3)))
    assert results == [(200, SNAPSHOT_JPEG, "image/jpeg")] * 3
    assert requested_paths(simulator, "/pub/") == [data["captureImageUrl"].split(simulator.url)[1]]


async def test_record_during_download_not_cached_as_new(
    hass: HomeAssistant,
    simulator: Simulator,
    init_integration: MockConfigEntry,
    hass_client: ClientSessionGenerator,
) -> None:
    """A record that arrives while the previous image downloads is fetched on its own."""
    client = await hass_client()
    first = fixture_record(PASS_FIXTURE, FRONT_DOOR_UUID, simulator, serial=1)
    await async_send(hass, init_integration, parse(5, first))
    simulator.set_slow(0.2)
    download = asyncio.ensure_future(get_image(client, FRONT))
    await asyncio.sleep(0.05)
    second = fixture_record(
        PASS_FIXTURE, FRONT_DOOR_UUID, simulator, serial=2, passTimestamp=1628849490000
    )
    await async_send(hass, init_integration, parse(5, second))
    assert (await download)[0] == 200
    simulator.set_slow(0)
    assert await get_image(client, FRONT) == (200, SNAPSHOT_JPEG, "image/jpeg")
    paths = requested_paths(simulator, "/pub/")
    assert paths[-1] == second["snapshotUrl"].split(simulator.url)[1]
    assert len(paths) == 2


async def test_panorama_when_no_capture(
    hass: HomeAssistant,
    simulator: Simulator,
    init_integration: MockConfigEntry,
    hass_client: ClientSessionGenerator,
) -> None:
    """Without a capture image the panorama is shown; a record with no image changes nothing."""
    data = fixture_record(RECOGNITION_FIXTURE, LOBBY_CAMERA_UUID, simulator, captureImageUrl="")
    data["frameUrl"] = f"{simulator.url}/pub/_c2ltdWxhdG9y_{'b' * 32}"
    await async_send(hass, init_integration, parse(1, data))
    assert await get_image(await hass_client(), LOBBY) == (200, SNAPSHOT_JPEG, "image/jpeg")
    assert requested_paths(simulator, "/pub/") == [f"/pub/_c2ltdWxhdG9y_{'b' * 32}"]
    updated = image_state(hass, LOBBY).state

    bare = fixture_record(
        RECOGNITION_FIXTURE, LOBBY_CAMERA_UUID, captureImageUrl="", captureTime=1628849999000
    )
    await async_send(hass, init_integration, parse(1, bare))
    assert image_state(hass, LOBBY).state == updated


async def test_older_and_repeated_records_ignored(
    hass: HomeAssistant, simulator: Simulator, init_integration: MockConfigEntry
) -> None:
    """A record older than the shown one (caught up late) or the same record again leaves the
    image; a different record of the same millisecond still moves the time on."""
    record = parse(5, fixture_record(PASS_FIXTURE, FRONT_DOOR_UUID, simulator, serial=1))
    await async_send(hass, init_integration, record)
    shown = image_state(hass, FRONT).state

    older = fixture_record(
        PASS_FIXTURE, FRONT_DOOR_UUID, simulator, serial=2, passTimestamp=1628849000000
    )
    await async_send(hass, init_integration, parse(5, older), caught_up=True)
    await async_send(hass, init_integration, record)
    assert image_state(hass, FRONT).state == shown

    same_time = parse(5, fixture_record(PASS_FIXTURE, FRONT_DOOR_UUID, simulator, serial=3))
    await async_send(hass, init_integration, same_time)
    assert datetime.fromisoformat(image_state(hass, FRONT).state) == PASS_TIME + timedelta(
        milliseconds=1
    )


async def test_vehicle_and_alert_records_ignored(
    hass: HomeAssistant, simulator: Simulator, init_integration: MockConfigEntry
) -> None:
    """Only people are captured here: alerts and vehicles have entities of their own."""
    alert = fixture_record("push_busi3_alert.json", PERIMETER_CAMERA_UUID, simulator)
    await async_send(hass, init_integration, parse(3, alert))
    assert image_state(hass, "image.perimeter_camera_last_capture").state == STATE_UNKNOWN


async def test_fetch_failure_logged_once(
    hass: HomeAssistant,
    simulator: Simulator,
    init_integration: MockConfigEntry,
    hass_client: ClientSessionGenerator,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """An image the appliance cannot serve gives no image and one warning, however often it is
    asked for; the next request tries again and succeeds once the appliance is back."""
    client = await hass_client()
    simulator.set_http_500("/pub")
    await async_send(
        hass,
        init_integration,
        parse(1, fixture_record(RECOGNITION_FIXTURE, LOBBY_CAMERA_UUID, simulator)),
    )
    for _ in range(3):
        status, _body, _type = await get_image(client, LOBBY)
        assert status == 500
    assert len(failures(caplog)) == 1
    assert "人员001" not in caplog.text  # no person names above debug

    simulator.set_http_500("/pub", enabled=False)
    assert await get_image(client, LOBBY) == (200, SNAPSHOT_JPEG, "image/jpeg")

    # A new record that fails again is worth a new warning.
    simulator.set_http_500("/pub")
    newer = fixture_record(
        RECOGNITION_FIXTURE, LOBBY_CAMERA_UUID, simulator, serial=2, captureTime=1628849999000
    )
    await async_send(hass, init_integration, parse(1, newer))
    status, _body, _type = await get_image(client, LOBBY)
    assert status == 500
    assert len(failures(caplog)) == 2


async def test_appliance_down(
    hass: HomeAssistant,
    simulator: Simulator,
    init_integration: MockConfigEntry,
    hass_client: ClientSessionGenerator,
) -> None:
    """An unreachable appliance: the device goes unavailable after the failed poll, and the
    image proxy answers without an image rather than an exception."""
    record = parse(5, fixture_record(PASS_FIXTURE, FRONT_DOOR_UUID, simulator))
    await async_send(hass, init_integration, record)
    client = await hass_client()
    await simulator.set_down(True)
    status, _body, _type = await get_image(client, FRONT)
    assert status == 500
    await async_refresh(hass, init_integration)
    assert image_state(hass, FRONT).state == STATE_UNAVAILABLE
    await simulator.set_down(False)


async def test_restored_after_restart(
    hass: HomeAssistant,
    simulator: Simulator,
    mock_config_entry: MockConfigEntry,
    hass_client: ClientSessionGenerator,
) -> None:
    """The last capture from before the restart is shown again, fetched when asked for."""
    url = f"{simulator.url}/pub/_c2ltdWxhdG9y_{'c' * 32}"
    updated = datetime(2025, 6, 1, 8, 0, 0, 123000, tzinfo=UTC)
    source = CaptureSource(record_id="r1", url=url, time_ms=1748764800123, updated=updated)
    mock_restore_cache_with_extra_data(
        hass,
        (
            (State(FRONT, updated.isoformat()), source.as_dict()),
            (State(LOBBY, "2025-06-01T08:00:00+00:00"), {"url": 5}),
        ),
    )
    mock_config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()

    assert datetime.fromisoformat(image_state(hass, FRONT).state) == updated
    assert image_state(hass, LOBBY).state == STATE_UNKNOWN
    assert await get_image(await hass_client(), FRONT) == (200, SNAPSHOT_JPEG, "image/jpeg")
    assert requested_paths(simulator, "/pub/") == [f"/pub/_c2ltdWxhdG9y_{'c' * 32}"]

    # An older record than the restored one (caught up late) does not replace it.
    older = fixture_record(PASS_FIXTURE, FRONT_DOOR_UUID, simulator)
    await async_send(hass, mock_config_entry, parse(5, older), caught_up=True)
    assert datetime.fromisoformat(image_state(hass, FRONT).state) == updated


def test_capture_source_round_trip() -> None:
    """What is stored is read back; anything malformed is no source at all."""
    source = CaptureSource(
        record_id="r", url="/pub/x", time_ms=1, updated=datetime(2025, 1, 1, tzinfo=UTC)
    )
    assert CaptureSource.from_dict(source.as_dict()) == source
    good = source.as_dict()
    for broken in (
        {**good, "record_id": None},
        {**good, "url": ""},
        {**good, "time_ms": "1"},
        {**good, "time_ms": True},
        {**good, "updated": "yesterday"},
        {},
    ):
        assert CaptureSource.from_dict(broken) is None


async def test_webhook_push(hass: HomeAssistant, simulator: Simulator, pushing: Pushing) -> None:
    """A pass the simulator pushes over HTTP ends up as the door's image."""
    record = await simulator.push_pass(BACK_DOOR_UUID, "Bob")
    await async_settle(hass, pushing.entry)
    state = image_state(hass, "image.back_door_last_capture")
    assert datetime.fromisoformat(state.state) == datetime.fromtimestamp(
        record["passTimestamp"] / 1000, UTC
    )
    token = state.attributes["access_token"]
    response = await pushing.client.get(
        f"/api/image_proxy/image.back_door_last_capture?token={token}"
    )
    assert response.status == 200
    assert await response.read() == SNAPSHOT_JPEG
    assert requested_paths(simulator, "/pub/") == [f"/pub/{record['snapshotUri']}"]


def test_door_point_camera_missing_from_device_list() -> None:
    """A door point the device list lacks is still a camera by its own device type."""
    door = DoorPoint.from_api({"deviceUuid": "d" * 32, "name": "Side gate", "deviceType": 1})
    panel = DoorPoint.from_api({"deviceUuid": "e" * 32, "name": "Panel", "deviceType": 2})
    snapshot = HongTuSnapshot(door_points={door.uuid: door, panel.uuid: panel})
    assert is_camera(snapshot, door.uuid)
    assert not is_camera(snapshot, panel.uuid)
    assert not is_camera(snapshot, "f" * 32)


async def test_records_of_other_kinds_leave_the_image(
    hass: HomeAssistant, simulator: Simulator, init_integration: MockConfigEntry
) -> None:
    """Only person records carry a capture for this entity."""
    image = HongTuLastCaptureImage(
        init_integration.runtime_data.coordinator, PERIMETER_CAMERA_UUID, IMAGES[0]
    )
    alert = parse(3, fixture_record("push_busi3_alert.json", PERIMETER_CAMERA_UUID, simulator))
    assert not image.handle_record(alert, False)
