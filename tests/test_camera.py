"""Cameras: throttled snapshots through the appliance, stream sources, and ``hongtu.ptz``."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from datetime import timedelta
import logging
from unittest.mock import patch

from homeassistant.components.camera import (
    CameraEntityFeature,
    async_get_image,
    async_get_stream_source,
)
from homeassistant.components.camera.const import DATA_COMPONENT as CAMERA_COMPONENT
from homeassistant.components.camera.helper import get_camera_from_entity_id
from homeassistant.const import ATTR_ENTITY_ID, ATTR_SUPPORTED_FEATURES, STATE_UNAVAILABLE, Platform
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import entity_registry as er
import homeassistant.util.dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_fire_time_changed
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator
import voluptuous as vol

from custom_components.hongtu.api.models import DoorPoint
from custom_components.hongtu.camera import HongTuCamera, is_camera, redact_url
from custom_components.hongtu.const import DOMAIN
from custom_components.hongtu.data import HongTuSnapshot
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
from tests.ha_fixtures import async_refresh, entity_id_of, requested_paths, state_of

CAPTURE = "/v1/api/video/realtime/capture"
PTZ = "/v1/api/video/realtime/ptzControl"
QUERY = "/v1/api/device/query"
CAMERA = "camera"


class Clock:
    """A monotonic clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Iterator[Clock]:
    """The camera module's clock, frozen until the test advances it."""
    fake = Clock()
    with patch("custom_components.hongtu.camera.monotonic", fake):
        yield fake


@pytest.fixture
async def camera_entry(
    hass: HomeAssistant, mock_config_entry: MockConfigEntry
) -> AsyncIterator[MockConfigEntry]:
    """The entry set up with the camera platform only, stream details loaded."""
    mock_config_entry.add_to_hass(hass)
    with patch("custom_components.hongtu.PLATFORMS", [Platform.CAMERA]):
        assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
        await details_loaded(hass)
        yield mock_config_entry


async def details_loaded(hass: HomeAssistant) -> None:
    """Wait for the cameras' background detail queries (other background tasks, such as the
    push worker, run until unload, so ``wait_background_tasks`` cannot be used)."""
    await hass.async_block_till_done()
    for entity in hass.data[CAMERA_COMPONENT].entities:
        if isinstance(entity, HongTuCamera) and entity._detail_task is not None:
            await entity._detail_task
    await hass.async_block_till_done()


def camera_id(hass: HomeAssistant, uuid: str) -> str:
    return entity_id_of(hass, CAMERA, f"{uuid}_{CAMERA}")


def features(hass: HomeAssistant, uuid: str) -> object:
    return state_of(hass, CAMERA, f"{uuid}_{CAMERA}").attributes[ATTR_SUPPORTED_FEATURES]


def camera_entity(hass: HomeAssistant, uuid: str) -> HongTuCamera:
    entity = get_camera_from_entity_id(hass, camera_id(hass, uuid))
    assert isinstance(entity, HongTuCamera)
    return entity


async def ptz(hass: HomeAssistant, uuid: str, **data: object) -> None:
    await hass.services.async_call(
        DOMAIN, "ptz", {ATTR_ENTITY_ID: camera_id(hass, uuid), **data}, blocking=True
    )


def ptz_calls(simulator: Simulator) -> list[tuple[str, int, int, int]]:
    return [
        (item["deviceUuid"], item["ptzCmd"], item["speed"], item["stop"])
        for item in simulator.state.ptz_log
    ]


# --- entities ---------------------------------------------------------------------------------


@pytest.mark.usefixtures("camera_entry")
async def test_one_camera_per_camera_device(
    hass: HomeAssistant, entity_registry: er.EntityRegistry
) -> None:
    """Cameras (deviceType 1 and 4, door-bound or not) get one, named after the device;
    panels get none."""
    entries = [entry for entry in entity_registry.entities.values() if entry.domain == CAMERA]
    assert sorted(entry.unique_id for entry in entries) == sorted(
        f"{uuid}_camera"
        for uuid in (
            GARAGE_DOOR_UUID,
            LOBBY_CAMERA_UUID,
            PARKING_CAMERA_UUID,
            PERIMETER_CAMERA_UUID,
        )
    )
    assert all(entry.translation_key == "camera" for entry in entries)
    state = hass.states.get(camera_id(hass, LOBBY_CAMERA_UUID))
    assert state is not None
    assert state.name == "Lobby camera"
    assert state.state == "idle"
    for uuid in (FRONT_DOOR_UUID, BACK_DOOR_UUID):
        assert entity_registry.async_get_entity_id(CAMERA, DOMAIN, f"{uuid}_camera") is None


async def test_camera_appears_with_a_new_device(
    hass: HomeAssistant, simulator: Simulator, camera_entry: MockConfigEntry
) -> None:
    """A camera the appliance starts to manage gets an entity at the next poll."""
    added = simulator.add_device("Shop camera", rtsp_url="rtsp://10.0.0.5/live")
    await async_refresh(hass, camera_entry)
    await details_loaded(hass)
    entity_id = camera_id(hass, added.uuid)
    assert await async_get_stream_source(hass, entity_id) == "rtsp://10.0.0.5/live"


def test_door_point_cameras_count_too() -> None:
    """A camera known only from the door list (not the device list) is a camera as well."""
    door = DoorPoint.from_api({"uuid": "cam", "deviceType": 4, "status": 3})
    panel = DoorPoint.from_api({"uuid": "panel", "deviceType": 2, "status": 3})
    snapshot = HongTuSnapshot(door_points={"cam": door, "panel": panel})
    assert is_camera(snapshot, "cam")
    assert not is_camera(snapshot, "panel")
    assert not is_camera(snapshot, "gone")


# --- snapshots --------------------------------------------------------------------------------


@pytest.mark.usefixtures("camera_entry")
async def test_image_is_the_captured_snapshot(hass: HomeAssistant, simulator: Simulator) -> None:
    """A capture for the camera's uuid, then the returned image URL is fetched."""
    simulator.clear_requests()
    image = await async_get_image(hass, camera_id(hass, LOBBY_CAMERA_UUID))
    assert image.content == SNAPSHOT_JPEG
    assert image.content_type == "image/jpeg"
    captures = [request for request in simulator.requests if request.path == CAPTURE]
    assert [request.json for request in captures] == [{"deviceUuid": LOBBY_CAMERA_UUID}]
    assert len(requested_paths(simulator, "/pub/")) == 1


@pytest.mark.usefixtures("camera_entry")
async def test_camera_proxy(
    hass: HomeAssistant, simulator: Simulator, hass_client: ClientSessionGenerator
) -> None:
    """The frontend's image URL serves the snapshot."""
    client = await hass_client()
    resp = await client.get(f"/api/camera_proxy/{camera_id(hass, PARKING_CAMERA_UUID)}")
    assert resp.status == 200
    assert await resp.read() == SNAPSHOT_JPEG


@pytest.mark.usefixtures("camera_entry")
async def test_captures_are_throttled(
    hass: HomeAssistant, simulator: Simulator, clock: Clock
) -> None:
    """Within 2 seconds the last snapshot is served again; after that a new one is taken.
    The window is per camera."""
    lobby = camera_id(hass, LOBBY_CAMERA_UUID)
    simulator.clear_requests()
    await async_get_image(hass, lobby)
    clock.now += 1.9
    assert (await async_get_image(hass, lobby)).content == SNAPSHOT_JPEG
    assert len(requested_paths(simulator, CAPTURE)) == 1
    await async_get_image(hass, camera_id(hass, PARKING_CAMERA_UUID))
    assert len(requested_paths(simulator, CAPTURE)) == 2
    clock.now += 0.1
    await async_get_image(hass, lobby)
    assert len(requested_paths(simulator, CAPTURE)) == 3


@pytest.mark.usefixtures("camera_entry")
async def test_concurrent_requests_share_one_capture(
    hass: HomeAssistant, simulator: Simulator, clock: Clock
) -> None:
    """Requests that arrive while a capture is under way wait for it instead of capturing."""
    lobby = camera_id(hass, LOBBY_CAMERA_UUID)
    simulator.set_slow(0.05)
    simulator.clear_requests()
    images = await asyncio.gather(*(async_get_image(hass, lobby) for _ in range(4)))
    assert {image.content for image in images} == {SNAPSHOT_JPEG}
    assert len(requested_paths(simulator, CAPTURE)) == 1


@pytest.mark.usefixtures("camera_entry")
async def test_failing_capture_is_logged_once_per_outage(
    hass: HomeAssistant,
    simulator: Simulator,
    clock: Clock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """An error code raises a translated error; the warning comes once, the recovery once."""
    lobby = camera_id(hass, LOBBY_CAMERA_UUID)
    simulator.set_error_code(CAPTURE, 102141, "抓图失败")
    simulator.clear_requests()
    caplog.set_level(logging.INFO, logger="custom_components.hongtu")
    with pytest.raises(HomeAssistantError) as err:
        await async_get_image(hass, lobby)
    assert err.value.translation_key == "capture_failed"
    assert (err.value.translation_placeholders or {}).get("device") == "Lobby camera"
    # Inside the window the failure is answered without asking the appliance again.
    with pytest.raises(HomeAssistantError, match="Lobby camera"):
        await async_get_image(hass, lobby)
    assert len(requested_paths(simulator, CAPTURE)) == 1
    clock.now += 2
    with pytest.raises(HomeAssistantError):
        await async_get_image(hass, lobby)
    assert len(requested_paths(simulator, CAPTURE)) == 2
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert "Lobby camera" in warnings[0].getMessage()

    simulator.clear_error_code(CAPTURE)
    clock.now += 2
    assert (await async_get_image(hass, lobby)).content == SNAPSHOT_JPEG
    clock.now += 2
    await async_get_image(hass, lobby)
    infos = [r for r in caplog.records if "work again" in r.getMessage()]
    assert len(infos) == 1
    assert infos[0].levelno == logging.INFO


@pytest.mark.usefixtures("camera_entry")
async def test_appliance_down(hass: HomeAssistant, simulator: Simulator, clock: Clock) -> None:
    """An unreachable appliance is a translated error too."""
    await simulator.set_down(True)
    with pytest.raises(HomeAssistantError) as err:
        await async_get_image(hass, camera_id(hass, LOBBY_CAMERA_UUID))
    assert err.value.translation_key == "capture_failed"
    await simulator.set_down(False)


@pytest.mark.usefixtures("camera_entry")
async def test_image_fetch_fails(hass: HomeAssistant, simulator: Simulator, clock: Clock) -> None:
    """A capture whose image cannot be downloaded fails the same way."""
    simulator.set_http_500("/pub")
    with pytest.raises(HomeAssistantError) as err:
        await async_get_image(hass, camera_id(hass, LOBBY_CAMERA_UUID))
    assert err.value.translation_key == "capture_failed"


@pytest.mark.usefixtures("camera_entry")
async def test_capture_of_offline_device(
    hass: HomeAssistant, simulator: Simulator, camera_entry: MockConfigEntry, clock: Clock
) -> None:
    """The appliance's offline code, or a device the last poll saw offline, is device_offline;
    the latter without asking the appliance."""
    lobby = camera_id(hass, LOBBY_CAMERA_UUID)
    simulator.set_error_code(CAPTURE, 102091, "设备离线状态")
    with pytest.raises(HomeAssistantError) as err:
        await async_get_image(hass, lobby)
    assert err.value.translation_key == "device_offline"
    simulator.clear_error_code(CAPTURE)

    simulator.set_device_online(LOBBY_CAMERA_UUID, False)
    await async_refresh(hass, camera_entry)
    assert state_of(hass, CAMERA, f"{LOBBY_CAMERA_UUID}_camera").state == STATE_UNAVAILABLE
    simulator.clear_requests()
    clock.now += 2
    with pytest.raises(HomeAssistantError) as err:
        await async_get_image(hass, lobby)
    assert err.value.translation_key == "device_offline"
    assert requested_paths(simulator, CAPTURE) == []


# --- stream -----------------------------------------------------------------------------------


async def test_stream_source_where_the_appliance_gives_one(
    hass: HomeAssistant, simulator: Simulator, camera_entry: MockConfigEntry
) -> None:
    """Cameras whose detail has an rtspUrl stream; the others are snapshot-only. The detail
    is asked once per camera, not on every poll, and again after a reload."""
    lobby = camera_id(hass, LOBBY_CAMERA_UUID)
    perimeter = camera_id(hass, PERIMETER_CAMERA_UUID)
    lobby_url = simulator.device(LOBBY_CAMERA_UUID).rtsp_url
    assert await async_get_stream_source(hass, lobby) == lobby_url
    parking_url = simulator.device(PARKING_CAMERA_UUID).rtsp_url
    assert await async_get_stream_source(hass, camera_id(hass, PARKING_CAMERA_UUID)) == parking_url
    assert await async_get_stream_source(hass, perimeter) is None
    assert features(hass, LOBBY_CAMERA_UUID) == CameraEntityFeature.STREAM
    assert features(hass, PERIMETER_CAMERA_UUID) == 0

    simulator.clear_requests()
    await async_refresh(hass, camera_entry)
    await details_loaded(hass)
    assert requested_paths(simulator, QUERY) == []

    assert await hass.config_entries.async_reload(camera_entry.entry_id)
    await details_loaded(hass)
    assert len(requested_paths(simulator, QUERY)) == 4


async def test_stream_credentials_stay_out_of_logs(
    hass: HomeAssistant, mock_config_entry: MockConfigEntry, caplog: pytest.LogCaptureFixture
) -> None:
    """Even at debug level the stream address is logged without its credentials."""
    caplog.set_level(logging.DEBUG, logger="custom_components.hongtu")
    mock_config_entry.add_to_hass(hass)
    with patch("custom_components.hongtu.PLATFORMS", [Platform.CAMERA]):
        assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
        await details_loaded(hass)
    assert "streams from rtsp://" in caplog.text
    assert "admin123" not in caplog.text


async def test_detail_retried_after_connection_failure(
    hass: HomeAssistant, simulator: Simulator, mock_config_entry: MockConfigEntry
) -> None:
    """A detail query that cannot reach the appliance is repeated a minute later."""
    simulator.set_http_500(QUERY)
    mock_config_entry.add_to_hass(hass)
    with patch("custom_components.hongtu.PLATFORMS", [Platform.CAMERA]):
        assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
        await details_loaded(hass)
        lobby = camera_id(hass, LOBBY_CAMERA_UUID)
        assert await async_get_stream_source(hass, lobby) is None
        simulator.set_http_500(QUERY, enabled=False)
        async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=61))
        await details_loaded(hass)
        assert await async_get_stream_source(hass, lobby) is not None
        assert features(hass, LOBBY_CAMERA_UUID) == CameraEntityFeature.STREAM


async def test_pending_retry_cancelled_at_unload(
    hass: HomeAssistant, simulator: Simulator, mock_config_entry: MockConfigEntry
) -> None:
    """Unloading while a detail retry is scheduled leaves no timer behind."""
    simulator.set_http_500(QUERY)
    mock_config_entry.add_to_hass(hass)
    with patch("custom_components.hongtu.PLATFORMS", [Platform.CAMERA]):
        assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
        await details_loaded(hass)
        assert camera_entity(hass, LOBBY_CAMERA_UUID)._cancel_retry is not None
        assert await hass.config_entries.async_unload(mock_config_entry.entry_id)
    simulator.clear_requests()
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=61))
    await hass.async_block_till_done()
    assert requested_paths(simulator, QUERY) == []


async def test_detail_error_code_means_snapshot_only(
    hass: HomeAssistant, simulator: Simulator, mock_config_entry: MockConfigEntry
) -> None:
    """An error code is a definite answer: no stream, and no asking again on every poll."""
    simulator.set_error_code(QUERY, 100003, "参数不合法")
    mock_config_entry.add_to_hass(hass)
    with patch("custom_components.hongtu.PLATFORMS", [Platform.CAMERA]):
        assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
        await details_loaded(hass)
        assert await async_get_stream_source(hass, camera_id(hass, LOBBY_CAMERA_UUID)) is None
        simulator.clear_error_code(QUERY)
        simulator.clear_requests()
        await async_refresh(hass, mock_config_entry)
        await details_loaded(hass)
        assert requested_paths(simulator, QUERY) == []


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (
            "rtsp://admin:admin123@127.0.0.1:8554/cam/realmonitor?channel=1",
            "rtsp://**REDACTED**@127.0.0.1:8554/cam/realmonitor?channel=1",
        ),
        (
            "rtsp://10.171.4.92/user=admin&password=admin123&channel=1",
            "rtsp://10.171.4.92/user=**REDACTED**&password=**REDACTED**&channel=1",
        ),
        (
            "rtsp://[fe80::1]:8554/live?username=root&pwd=secret",
            "rtsp://[fe80::1]:8554/live?username=**REDACTED**&pwd=**REDACTED**",
        ),
        ("rtsp://cam:99999/live", "rtsp://cam/live"),
        ("rtsp://cam.local/live", "rtsp://cam.local/live"),
    ],
)
def test_redact_url(url: str, expected: str) -> None:
    """Userinfo and credential parameters are masked; the rest stays readable."""
    assert redact_url(url) == expected


# --- PTZ --------------------------------------------------------------------------------------


@pytest.mark.usefixtures("camera_entry")
async def test_ptz_starts_waits_and_stops(hass: HomeAssistant, simulator: Simulator) -> None:
    """Start (stop 0) then stop (stop 1) with the command's ptzCmd and the given speed."""
    await ptz(hass, LOBBY_CAMERA_UUID, command="left", speed=6, duration=0.1)
    assert ptz_calls(simulator) == [(LOBBY_CAMERA_UUID, 3, 6, 0), (LOBBY_CAMERA_UUID, 3, 6, 1)]
    first, second = simulator.state.ptz_log
    assert second["time"] - first["time"] >= 90


@pytest.mark.usefixtures("camera_entry")
async def test_ptz_defaults_and_command_numbers(hass: HomeAssistant, simulator: Simulator) -> None:
    """Speed 4 by default; every command maps to its ptzCmd 1-14."""
    commands = [
        "up",
        "down",
        "left",
        "right",
        "up_left",
        "up_right",
        "down_left",
        "down_right",
        "zoom_in",
        "zoom_out",
        "focus_near",
        "focus_far",
        "iris_open",
        "iris_close",
    ]
    with patch("custom_components.hongtu.camera.asyncio.sleep") as sleep:
        for command in commands:
            await ptz(hass, LOBBY_CAMERA_UUID, command=command)
    assert {call.args[0] for call in sleep.call_args_list} == {0.5}
    starts = [call for call in ptz_calls(simulator) if call[3] == 0]
    assert [(cmd, speed) for _uuid, cmd, speed, _stop in starts] == [
        (number, 4) for number in range(1, 15)
    ]


@pytest.mark.usefixtures("camera_entry")
async def test_ptz_on_camera_without_ptz(hass: HomeAssistant, simulator: Simulator) -> None:
    """The appliance's PTZ failure code for a camera without PTZ is a validation error."""
    with pytest.raises(ServiceValidationError) as err:
        await ptz(hass, PERIMETER_CAMERA_UUID, command="up", duration=0.1)
    assert err.value.translation_key == "ptz_not_supported"
    assert err.value.translation_placeholders == {"device": "Perimeter camera"}
    assert ptz_calls(simulator) == []


@pytest.mark.usefixtures("camera_entry")
@pytest.mark.parametrize(
    "data",
    [
        {"command": "spin"},
        {},
        {"command": "up", "speed": 0},
        {"command": "up", "speed": 9},
        {"command": "up", "speed": "fast"},
        {"command": "up", "duration": 0.05},
        {"command": "up", "duration": 11},
    ],
)
async def test_ptz_bad_arguments(
    hass: HomeAssistant, simulator: Simulator, data: dict[str, object]
) -> None:
    """The schema refuses unknown commands and speeds or durations out of range."""
    with pytest.raises(vol.Invalid):
        await ptz(hass, LOBBY_CAMERA_UUID, **data)
    assert ptz_calls(simulator) == []


@pytest.mark.usefixtures("camera_entry")
@pytest.mark.parametrize(
    ("code", "key"),
    [(100003, "ptz_failed"), (102091, "device_offline")],
)
async def test_ptz_start_refused(
    hass: HomeAssistant, simulator: Simulator, code: int, key: str
) -> None:
    """Other error codes are command failures (the offline code says so)."""
    simulator.set_error_code(PTZ, code, "失败")
    with pytest.raises(HomeAssistantError) as err:
        await ptz(hass, LOBBY_CAMERA_UUID, command="up", duration=0.1)
    assert not isinstance(err.value, ServiceValidationError)
    assert err.value.translation_key == key


@pytest.mark.usefixtures("camera_entry")
async def test_ptz_appliance_down(hass: HomeAssistant, simulator: Simulator) -> None:
    """An unreachable appliance fails the command with its reason."""
    await simulator.set_down(True)
    with pytest.raises(HomeAssistantError) as err:
        await ptz(hass, LOBBY_CAMERA_UUID, command="up", duration=0.1)
    assert err.value.translation_key == "ptz_failed"
    await simulator.set_down(False)


@pytest.mark.usefixtures("camera_entry")
async def test_ptz_stop_refused(hass: HomeAssistant, simulator: Simulator) -> None:
    """A stop that fails after a successful start is a command failure, not a validation
    error, even with the PTZ failure code."""

    async def refuse_from_now_on(_seconds: float) -> None:
        simulator.set_error_code(PTZ, 102141, "云台控制调用失败")

    with (
        patch("custom_components.hongtu.camera.asyncio.sleep", side_effect=refuse_from_now_on),
        pytest.raises(HomeAssistantError) as err,
    ):
        await ptz(hass, LOBBY_CAMERA_UUID, command="zoom_in")
    assert not isinstance(err.value, ServiceValidationError)
    assert err.value.translation_key == "ptz_failed"
    assert ptz_calls(simulator) == [(LOBBY_CAMERA_UUID, 9, 4, 0)]


async def test_ptz_calls_of_one_camera_do_not_overlap(
    hass: HomeAssistant, simulator: Simulator, camera_entry: MockConfigEntry
) -> None:
    """A second movement starts only after the first one stopped."""
    await asyncio.gather(
        ptz(hass, LOBBY_CAMERA_UUID, command="up", duration=0.1),
        ptz(hass, LOBBY_CAMERA_UUID, command="down", duration=0.1),
    )
    stops = [stop for _uuid, _cmd, _speed, stop in ptz_calls(simulator)]
    assert stops == [0, 1, 0, 1]
    cmds = [cmd for _uuid, cmd, _speed, _stop in ptz_calls(simulator)]
    assert cmds[0] == cmds[1] and cmds[2] == cmds[3]
    assert camera_entity(hass, LOBBY_CAMERA_UUID).available
