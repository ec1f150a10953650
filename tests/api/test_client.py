"""Every HongTuClient method against the simulator over real HTTP on 127.0.0.1."""

from __future__ import annotations

from collections.abc import AsyncIterator
import json
from typing import Any

from aiohttp import ClientSession
import pytest

from custom_components.hongtu.api import (
    CMD_STATUS_ALWAYS_CLOSED,
    CMD_STATUS_ALWAYS_OPEN,
    CMD_STATUS_NORMAL,
    DEVICE_ALARM_FIRE,
    DEVICE_ALARM_TAMPER,
    ApplianceInfo,
    HongTuApiError,
    HongTuClient,
    HongTuParseError,
    HongTuUnsupportedError,
    Subscription,
)
from custom_components.hongtu.api.signing import EMPTY_OBJECT_MD5, md5_hex
from simulator import (
    APPLIANCE_NAME,
    APPLIANCE_TYPE,
    APPLIANCE_VERSION,
    BACK_DOOR_UUID,
    DEFAULT_SECRETS,
    FRONT_DOOR_UUID,
    GARAGE_DOOR_UUID,
    LOBBY_CAMERA_UUID,
    ORG_NAME,
    ORG_UUID,
    PARKING_CAMERA_UUID,
    PERIMETER_CAMERA_UUID,
    Simulator,
)

APP_KEY = "appkey1"


@pytest.fixture
async def session() -> AsyncIterator[ClientSession]:
    """The caller's session; the client must leave it open."""
    async with ClientSession() as client_session:
        yield client_session
        assert not client_session.closed


@pytest.fixture
def client(simulator: Simulator, session: ClientSession) -> HongTuClient:
    """A client of the running simulator with the appliance's built-in key pair."""
    return HongTuClient(
        session,
        "127.0.0.1",
        simulator.port,
        app_key=APP_KEY,
        secret_key=DEFAULT_SECRETS[APP_KEY],
        timeout=5.0,
    )


def _api_requests(simulator: Simulator, path: str) -> list[Any]:
    return [request for request in simulator.requests if request.path == path]


def _assert_all_signed(simulator: Simulator) -> None:
    assert simulator.requests
    assert all(request.signature_ok for request in simulator.requests)


async def test_appliance_info(simulator: Simulator, client: HongTuClient) -> None:
    """GET device/info without a body; the simulator takes the first ("") reading."""
    info = await client.get_appliance_info()
    assert info == ApplianceInfo(APPLIANCE_NAME, APPLIANCE_TYPE, APPLIANCE_VERSION)
    (request,) = simulator.requests
    assert request.method == "GET"
    assert request.body == b""
    assert "Content-Type" not in request.headers
    assert request.headers["cappkey"] == APP_KEY
    _assert_all_signed(simulator)
    assert client.request_count == 1
    assert client.base_url == f"http://127.0.0.1:{simulator.port}"


async def test_top_organization(simulator: Simulator, client: HongTuClient) -> None:
    """org/top/detail: a POST without parameters sends and signs ``{}``."""
    org = await client.get_top_organization()
    assert (org.org_uuid, org.org_name) == (ORG_UUID, ORG_NAME)
    (request,) = simulator.requests
    assert request.body == b"{}"
    assert md5_hex(request.body) == EMPTY_OBJECT_MD5
    assert request.headers["Content-Type"] == "application/json;charset=UTF-8"
    _assert_all_signed(simulator)


async def test_devices(simulator: Simulator, client: HongTuClient) -> None:
    """device/list: every device with its status, one page of 100."""
    simulator.set_device_online(PARKING_CAMERA_UUID, False)
    devices = await client.get_devices()
    assert [device.uuid for device in devices] == list(simulator.state.devices)
    by_uuid = {device.uuid: device for device in devices}
    assert by_uuid[FRONT_DOOR_UUID].name == "Front door"
    assert by_uuid[FRONT_DOOR_UUID].device_type == 2
    assert by_uuid[FRONT_DOOR_UUID].online
    assert not by_uuid[PARKING_CAMERA_UUID].online
    assert by_uuid[LOBBY_CAMERA_UUID].current_version
    (request,) = simulator.requests
    assert request.json == {"pageNum": 1, "pageSize": 100}


async def test_paging_follows_the_reported_page_size(
    simulator: Simulator, client: HongTuClient
) -> None:
    """A server that caps pageSize at 2 is paged 2 by 2 until pageNum * 2 >= total."""
    simulator.set_page_size_cap(2)
    devices = await client.get_devices()
    assert len(devices) == len({device.uuid for device in devices}) == 6
    bodies = [request.json for request in simulator.requests]
    assert bodies == [{"pageNum": n, "pageSize": 100} for n in (1, 2, 3)]


async def test_paging_stops_on_a_repeated_page(simulator: Simulator, client: HongTuClient) -> None:
    """A server that serves page 1 for every pageNum does not make the client loop; as
    ``total`` says the list is longer than what was read, the list is refused as incomplete
    (a caller taking two of six devices for all would think four removed)."""
    simulator.set_page_size_cap(2)
    simulator.set_repeat_pages(True)
    with pytest.raises(HongTuParseError, match="returned page 1 again: read 2 of 6"):
        await client.get_devices(page_size=2)
    assert len(simulator.requests) == 2


async def test_paging_with_small_page_size(simulator: Simulator, client: HongTuClient) -> None:
    """The caller's page size is what is asked for; 6 items by 4 take two pages."""
    door_points = await client.get_door_points(page_size=1)
    assert len(door_points) == 3
    simulator.clear_requests()
    assert len(await client.get_devices(page_size=4)) == 6
    assert [request.json["pageNum"] for request in simulator.requests] == [1, 2]


async def test_door_points(simulator: Simulator, client: HongTuClient) -> None:
    """door/list with passModel false: the bound door points, with cmdStatus on panels."""
    door_points = await client.get_door_points()
    assert [door.uuid for door in door_points] == [
        FRONT_DOOR_UUID,
        BACK_DOOR_UUID,
        GARAGE_DOOR_UUID,
    ]
    front, back, garage = door_points
    assert front.is_panel
    assert back.is_panel
    assert front.cmd_status == CMD_STATUS_NORMAL
    assert front.is_pass is True
    assert front.online
    assert not garage.is_panel
    assert garage.cmd_status is None
    assert garage.switch_ip == "192.168.10.50"
    assert simulator.requests[0].json == {"passModel": False, "pageNum": 1, "pageSize": 100}


async def test_query_device(simulator: Simulator, client: HongTuClient) -> None:
    """device/query: details with cmdStatus; an unknown uuid keeps the appliance's code."""
    detail = await client.query_device(FRONT_DOOR_UUID)
    assert detail.uuid == FRONT_DOOR_UUID
    assert detail.cmd_status == CMD_STATUS_NORMAL
    assert detail.device_model == 1
    assert detail.online
    assert simulator.requests[0].json == {"uuid": FRONT_DOOR_UUID}
    with pytest.raises(HongTuApiError) as caught:
        await client.query_device("0" * 32)
    assert caught.value.code == 102013
    assert caught.value.msg == "当前请求设备不存在"
    assert caught.value.endpoint == "/v1/api/device/query"


async def test_door_mode_commands(simulator: Simulator, client: HongTuClient) -> None:
    """The three mode commands change cmdStatus on a panel; openDoor is logged."""
    await client.always_open_door(FRONT_DOOR_UUID)
    assert (await client.query_device(FRONT_DOOR_UUID)).cmd_status == CMD_STATUS_ALWAYS_OPEN
    await client.always_close_door(FRONT_DOOR_UUID)
    assert (await client.query_device(FRONT_DOOR_UUID)).cmd_status == CMD_STATUS_ALWAYS_CLOSED
    await client.normal_door(FRONT_DOOR_UUID)
    assert (await client.query_device(FRONT_DOOR_UUID)).cmd_status == CMD_STATUS_NORMAL
    await client.open_door(GARAGE_DOOR_UUID)
    commands = [(item["command"], item["uuid"]) for item in simulator.state.door_commands]
    assert commands == [
        ("alwaysOpenDoor", FRONT_DOOR_UUID),
        ("alwaysCloseDoor", FRONT_DOOR_UUID),
        ("normal", FRONT_DOOR_UUID),
        ("openDoor", GARAGE_DOOR_UUID),
    ]
    paths = [request.path for request in simulator.requests if "door/" in request.path]
    assert paths == [
        "/v1/api/door/alwaysOpenDoor",
        "/v1/api/door/alwaysCloseDoor",
        "/v1/api/door/normal",
        "/v1/api/door/openDoor",
    ]
    assert all(
        request.json == {"uuid": FRONT_DOOR_UUID}
        for request in simulator.requests
        if request.path in paths[:3]
    )
    _assert_all_signed(simulator)


@pytest.mark.parametrize("command", ["always_open_door", "always_close_door", "normal_door"])
async def test_mode_commands_on_a_non_panel(
    simulator: Simulator, client: HongTuClient, command: str
) -> None:
    """200314 on a non-panel is HongTuUnsupportedError with the appliance's message."""
    with pytest.raises(HongTuUnsupportedError) as caught:
        await getattr(client, command)(GARAGE_DOOR_UUID)
    assert caught.value.code == 200314
    assert caught.value.msg == "目前仅面板机支持远程长开、远程常闭、恢复正常"


async def test_door_command_on_an_offline_device(
    simulator: Simulator, client: HongTuClient
) -> None:
    """An offline device answers 102091, a plain HongTuApiError."""
    simulator.set_device_online(FRONT_DOOR_UUID, False)
    with pytest.raises(HongTuApiError) as caught:
        await client.open_door(FRONT_DOOR_UUID)
    assert caught.value.code == 102091
    assert not isinstance(caught.value, HongTuUnsupportedError)


async def test_device_alarms(simulator: Simulator, client: HongTuClient) -> None:
    """device_alarm/list with and without a window and device filter."""
    simulator.add_alarm(FRONT_DOOR_UUID, DEVICE_ALARM_TAMPER, alarm_time=1_700_000_000_000)
    simulator.add_alarm(BACK_DOOR_UUID, DEVICE_ALARM_FIRE, False, alarm_time=1_700_000_100_000)
    alarms = await client.get_device_alarms()
    assert {(alarm.device_uuid, alarm.alarm_type, alarm.active) for alarm in alarms} == {
        (FRONT_DOOR_UUID, DEVICE_ALARM_TAMPER, True),
        (BACK_DOOR_UUID, DEVICE_ALARM_FIRE, False),
    }
    assert simulator.requests[-1].json == {"pageNum": 1, "pageSize": 100}
    windowed = await client.get_device_alarms(
        start_ms=1_700_000_050_000, end_ms=1_700_000_200_000, device_uuids=[BACK_DOOR_UUID]
    )
    assert [(alarm.device_uuid, alarm.alarm_time_ms) for alarm in windowed] == [
        (BACK_DOOR_UUID, 1_700_000_100_000)
    ]
    assert simulator.requests[-1].json == {
        "deviceUuids": [BACK_DOOR_UUID],
        "startAlarmTime": 1_700_000_050_000,
        "endAlarmTime": 1_700_000_200_000,
        "pageNum": 1,
        "pageSize": 100,
    }
    count = len(simulator.requests)
    assert await client.get_device_alarms(device_uuids=[]) == []
    assert len(simulator.requests) == count


async def test_subscription_lifecycle(simulator: Simulator, client: HongTuClient) -> None:
    """pubsub add / query / unbind with the client's own app key."""
    assert await client.get_subscription() is None
    await client.subscribe("http://192.168.1.2:8123/api/webhook/推送", [5, 1, 5, 12])
    add = _api_requests(simulator, "/v1/api/pubsub/busi/record/add")[0]
    assert add.json == {
        "appKey": APP_KEY,
        "pushUrl": "http://192.168.1.2:8123/api/webhook/推送",
        "busiTypes": [5, 1, 12],
    }
    assert "推送".encode() in add.body
    assert add.signature_ok
    subscription = await client.get_subscription()
    assert subscription == Subscription(
        APP_KEY, "http://192.168.1.2:8123/api/webhook/推送", (5, 1, 12)
    )
    await client.unsubscribe()
    assert simulator.state.subscriptions == {}
    assert await client.get_subscription() is None
    assert _api_requests(simulator, "/v1/api/pubsub/busi/record/unbind")[0].json == {
        "appKey": APP_KEY
    }
    assert client.app_key == APP_KEY
    _assert_all_signed(simulator)


async def test_face_config_and_pass_callback(simulator: Simulator, client: HongTuClient) -> None:
    """The pass callback URL is changed by read-modify-write, keeping switches and other URLs."""
    simulator.state.face_config.update(
        {"temperatureSwitch": 1, "healthKitSwitch": 1, "attendanceRecordCallbackUrl": "http://a/"}
    )
    config = await client.get_face_config()
    assert config["temperatureSwitch"] == 1
    assert config["identifyRecordCallbackUrl"] == ""
    await client.set_pass_record_callback("http://192.168.1.2:8123/api/webhook/abc")
    save = _api_requests(simulator, "/v1/api/sys/config/saveAFaceConfig")[-1]
    assert save.json == {
        "attendanceRecordCallbackUrl": "http://a/",
        "identifyRecordCallbackUrl": "http://192.168.1.2:8123/api/webhook/abc",
        "temperatureSwitch": 1,
        "maskAlertSwitch": 0,
        "healthKitSwitch": 1,
    }
    assert simulator.state.identify_record_callback_url.endswith("/abc")
    await client.set_pass_record_callback(None)
    assert simulator.state.identify_record_callback_url == ""
    assert simulator.state.face_config["temperatureSwitch"] == 1
    assert simulator.state.face_config["attendanceRecordCallbackUrl"] == "http://a/"


async def test_pass_callback_fills_missing_switches(
    simulator: Simulator, client: HongTuClient
) -> None:
    """If the appliance's config lacks a switch, the required field is sent as 0 (off)."""
    del simulator.state.face_config["maskAlertSwitch"]
    await client.set_pass_record_callback("http://h/cb")
    assert (
        _api_requests(simulator, "/v1/api/sys/config/saveAFaceConfig")[-1].json["maskAlertSwitch"]
        == 0
    )
    assert simulator.state.identify_record_callback_url == "http://h/cb"


async def test_save_face_config(simulator: Simulator, client: HongTuClient) -> None:
    """saveAFaceConfig sends exactly the given mapping."""
    config = {
        "identifyRecordCallbackUrl": "",
        "attendanceRecordCallbackUrl": "",
        "temperatureSwitch": 0,
        "maskAlertSwitch": 1,
        "healthKitSwitch": 0,
    }
    await client.save_face_config(config)
    assert simulator.requests[-1].json == config
    assert simulator.state.face_config["maskAlertSwitch"] == 1


async def test_pass_records(simulator: Simulator, client: HongTuClient) -> None:
    """pass_record/list: raw items, optionally in a window."""
    await simulator.push_pass(FRONT_DOOR_UUID, "Alice")
    await simulator.push_pass(BACK_DOOR_UUID, None, granted=False)
    records = await client.get_pass_records()
    assert len(records) == 2
    assert {record["deviceUuid"] for record in records} == {FRONT_DOOR_UUID, BACK_DOOR_UUID}
    assert all(isinstance(record, dict) for record in records)
    newest = max(int(record["passTimestamp"]) for record in records)
    later = await client.get_pass_records(start_ms=newest + 1)
    assert later == []
    assert simulator.requests[-1].json == {
        "startPassTime": newest + 1,
        "pageNum": 1,
        "pageSize": 100,
    }
    await client.get_pass_records(end_ms=newest, page_size=1)
    assert simulator.requests[-1].json == {"endPassTime": newest, "pageNum": 1, "pageSize": 1}


async def test_area_alert_records(simulator: Simulator, client: HongTuClient) -> None:
    """areaAlert/record/list pages with currPage and always sends both times."""
    pushed = await simulator.push_alert(PERIMETER_CAMERA_UUID, 2)
    await simulator.push_alert(PERIMETER_CAMERA_UUID, 1)
    records = await client.get_area_alert_records(page_size=1)
    assert len(records) == 2
    assert {record["alarmType"] for record in records} == {1, 2}
    assert pushed["alarmRecordUuId"] in {record["alarmRecordUuId"] for record in records}
    bodies = [request.json for request in simulator.requests]
    assert [body["currPage"] for body in bodies] == [1, 2]
    assert all("pageNum" not in body for body in bodies)
    assert bodies[0]["endTime"] - bodies[0]["startTime"] == 24 * 3600 * 1000
    assert await client.get_area_alert_records(start_ms=1, end_ms=2) == []
    assert simulator.requests[-1].json == {
        "startTime": 1,
        "endTime": 2,
        "currPage": 1,
        "pageSize": 100,
    }


async def test_capture_and_fetch_image(simulator: Simulator, client: HongTuClient) -> None:
    """capture returns a /pub URL that fetch_image downloads (absolute or relative)."""
    result = await client.capture(LOBBY_CAMERA_UUID)
    assert result.image_url.startswith(f"{simulator.url}/pub/")
    assert simulator.requests[-1].json == {"deviceUuid": LOBBY_CAMERA_UUID}
    image = await client.fetch_image(result.image_url)
    assert image.startswith(b"\xff\xd8")
    relative = result.image_url.removeprefix(simulator.url)
    assert await client.fetch_image(relative) == image
    assert client.request_count == 3
    simulator.set_device_online(LOBBY_CAMERA_UUID, False)
    with pytest.raises(HongTuApiError) as caught:
        await client.capture(LOBBY_CAMERA_UUID)
    assert caught.value.code == 102091


async def test_ptz(simulator: Simulator, client: HongTuClient) -> None:
    """ptzControl: start and stop; bad arguments never reach the appliance."""
    await client.ptz(LOBBY_CAMERA_UUID, 1, speed=3)
    await client.ptz(LOBBY_CAMERA_UUID, 1, stop=True)
    assert [(item["ptzCmd"], item["speed"], item["stop"]) for item in simulator.state.ptz_log] == [
        (1, 3, 0),
        (1, 4, 1),
    ]
    assert simulator.requests[0].json == {
        "deviceUuid": LOBBY_CAMERA_UUID,
        "ptzCmd": 1,
        "speed": 3,
        "stop": 0,
    }
    count = len(simulator.requests)
    with pytest.raises(ValueError, match="command"):
        await client.ptz(LOBBY_CAMERA_UUID, 15)
    with pytest.raises(ValueError, match="speed"):
        await client.ptz(LOBBY_CAMERA_UUID, 2, speed=9)
    assert len(simulator.requests) == count
    with pytest.raises(HongTuApiError) as caught:
        await client.ptz(PARKING_CAMERA_UUID, 9)
    assert caught.value.code == 102141


async def test_low_level_request(simulator: Simulator, client: HongTuClient) -> None:
    """``request`` returns the envelope's data; a path the appliance lacks is an HTTP error."""
    data = await client.request("POST", "/v1/api/sys/config/temperatureConfig")
    assert data == {"temperatureSwitch": 0, "maskAlertSwitch": 0, "healthKitSwitch": 0}
    items = await client.list_all("/v1/api/device/list", {"deviceType": 4})
    assert [item["uuid"] for item in items] == [PARKING_CAMERA_UUID]
    assert json.loads(simulator.requests[-1].body) == {
        "deviceType": 4,
        "pageNum": 1,
        "pageSize": 100,
    }


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("http://10.0.0.9/pub/a.jpg", "http://10.0.0.9/pub/a.jpg"),
        ("  https://cam.lan/x.jpg ", "https://cam.lan/x.jpg"),
        ("http: //10.0.0.9/pub/a.jpg", "http://10.0.0.9/pub/a.jpg"),
        ("https: //cam.lan/x.jpg", "https://cam.lan/x.jpg"),
        ("HTTP://CAM.LAN/x.jpg", "HTTP://CAM.LAN/x.jpg"),
        ("/pub/a.jpg", "{base}/pub/a.jpg"),
        ("pub/a.jpg", "{base}/pub/a.jpg"),
    ],
)
def test_image_url(client: HongTuClient, url: str, expected: str) -> None:
    """Absolute URLs pass as they are (the vendor's ``http: //`` typo mended); paths are the
    appliance's."""
    assert client.image_url(url) == expected.format(base=client.base_url)
