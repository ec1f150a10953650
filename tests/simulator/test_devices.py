"""Appliance, device, door-point and device-alarm endpoints, and the state they change."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

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

from .helpers import Api

PANEL_ONLY = {"code": 200314, "msg": "目前仅面板机支持远程长开、远程常闭、恢复正常"}
CST = timezone(timedelta(hours=8))


async def test_device_info(api: Api) -> None:
    """GET device/info: name, model, version, and the undocumented time_used."""
    envelope = await api.get("/v1/api/device/info")
    assert envelope["code"] == 0
    assert envelope["msg"] == "成功"
    assert envelope["data"] == {
        "name": "HongTu 3000",
        "type": "MegCube-HAL3004-4S2",
        "version": "V1.0.6.0",
    }
    assert isinstance(envelope["time_used"], float)


async def test_org_top_detail(api: Api) -> None:
    """The top organisation: the integration's unique id."""
    assert await api.data("/v1/api/org/top/detail") == {
        "orgUuid": ORG_UUID,
        "orgName": "Head office",
    }


async def test_device_list_defaults_and_filters(api: Api) -> None:
    """Every device with its documented fields; name is fuzzy, deviceType exact."""
    data = await api.data("/v1/api/device/list", {})
    assert (data["pageNum"], data["pageSize"], data["total"]) == (1, 20, 6)
    names = [item["name"] for item in data["list"]]
    assert names == [
        "Front door",
        "Back door",
        "Garage door",
        "Lobby camera",
        "Parking camera",
        "Perimeter camera",
    ]
    lobby = data["list"][3]
    assert lobby["uuid"] == LOBBY_CAMERA_UUID
    assert (lobby["deviceType"], lobby["deviceMode"], lobby["status"]) == (1, 1, 3)
    assert {"location", "ipAddress", "mac"} <= lobby.keys()
    parking = data["list"][4]
    assert (parking["deviceType"], parking["deviceMode"]) == (4, 2)
    assert data["list"][5]["deviceMode"] == 3

    doors = await api.data("/v1/api/device/list", {"name": "DOOR"})
    assert doors["total"] == 3
    panels = await api.data("/v1/api/device/list", {"deviceType": "2", "name": ""})
    assert [item["uuid"] for item in panels["list"]] == [FRONT_DOOR_UUID, BACK_DOOR_UUID]


async def test_paging_and_echoed_page_size(api: Api) -> None:
    """pageNum/pageSize as numbers or numeric strings; page 2 of size 4 holds the rest."""
    first = await api.data("/v1/api/device/list", {"pageNum": 1, "pageSize": 4})
    second = await api.data("/v1/api/device/list", {"pageNum": "2", "pageSize": "4"})
    assert (first["pageSize"], len(first["list"]), len(second["list"])) == (4, 4, 2)
    assert second["pageNum"] == 2
    past = await api.data("/v1/api/device/list", {"pageNum": 9, "pageSize": 4})
    assert (past["total"], past["list"]) == (6, [])
    for bad in ({"pageNum": 0}, {"pageSize": -1}, {"pageSize": "x"}, {"pageNum": True}):
        assert await api.code("/v1/api/device/list", bad) == 100003


async def test_door_list_bound_points(api: Api) -> None:
    """passModel false: the three door points; cmdStatus on panels, switchIp on the garage."""
    data = await api.data("/v1/api/door/list", {"passModel": False})
    items = {item["name"]: item for item in data["list"]}
    assert list(items) == ["Front door", "Back door", "Garage door"]
    front = items["Front door"]
    assert (front["deviceType"], front["deviceModel"], front["isPass"]) == (2, 1, 1)
    assert (front["cmdStatus"], front["status"], front["synStatus"]) == (17, 3, 1)
    garage = items["Garage door"]
    assert garage["uuid"] == GARAGE_DOOR_UUID
    assert "cmdStatus" not in garage
    assert garage["switchIp"] == "192.168.10.50"
    assert garage["deviceType"] == 1


async def test_door_list_candidates_and_filters(api: Api) -> None:
    """passModel true lists every candidate; filters by name, location, type, model."""
    every = await api.data("/v1/api/door/list", {"passModel": "true"})
    assert every["total"] == 6
    assert {item["isPass"] for item in every["list"]} == {0, 1}
    by_location = await api.data("/v1/api/door/list", {"passModel": False, "location": "court"})
    assert [item["uuid"] for item in by_location["list"]] == [BACK_DOOR_UUID]
    by_model = await api.data(
        "/v1/api/door/list", {"passModel": 0, "deviceType": 2, "deviceModel": 40}
    )
    assert [item["name"] for item in by_model["list"]] == ["Back door"]
    assert (await api.data("/v1/api/door/list", {"passModel": 1, "name": "lobby"}))["total"] == 1
    assert await api.code("/v1/api/door/list", {}) == 100003
    assert await api.code("/v1/api/door/list", {"passModel": "maybe"}) == 100003


async def test_door_list_without_cmd_status(api: Api, simulator: Simulator) -> None:
    """Configurable: omit cmdStatus so clients must fall back to device/query."""
    simulator.set_door_list_cmd_status(False)
    data = await api.data("/v1/api/door/list", {"passModel": False})
    assert all("cmdStatus" not in item for item in data["list"])
    detail = await api.data("/v1/api/device/query", {"uuid": FRONT_DOOR_UUID})
    assert detail["cmdStatus"] == 17
    simulator.set_door_list_cmd_status(True)
    data = await api.data("/v1/api/door/list", {"passModel": False})
    assert data["list"][0]["cmdStatus"] == 17


async def test_device_query(api: Api, simulator: Simulator) -> None:
    """Detail with status and figures; cmdStatus only on panels; unknown uuid is 102013."""
    panel = await api.data("/v1/api/device/query", {"uuid": FRONT_DOOR_UUID})
    assert panel["uuid"] == FRONT_DOOR_UUID
    assert (panel["status"], panel["cmdStatus"], panel["deviceType"]) == (3, 17, 2)
    assert panel["cpuUsage"] > 0
    camera = await api.data("/v1/api/device/query", {"uuid": PARKING_CAMERA_UUID})
    assert "cmdStatus" not in camera
    assert (camera["deviceType"], camera["deviceMode"], camera["deviceModel"]) == (4, 2, 21)
    simulator.set_device_online(PARKING_CAMERA_UUID, False)
    offline = await api.data("/v1/api/device/query", {"uuid": PARKING_CAMERA_UUID})
    assert (offline["status"], offline["cpuUsage"]) == (4, 0.0)
    unknown = await api.post("/v1/api/device/query", {"uuid": "0" * 32})
    assert unknown == {"code": 102013, "msg": "当前请求设备不存在"}
    assert await api.code("/v1/api/device/query", {}) == 100003
    assert await api.code("/v1/api/device/query", {"uuid": 5}) == 100003


async def test_device_query_rtsp_url(api: Api, simulator: Simulator) -> None:
    """Some cameras report a stream address (with credentials, in two styles); others none."""
    lobby = await api.data("/v1/api/device/query", {"uuid": LOBBY_CAMERA_UUID})
    assert lobby["rtspUrl"].startswith("rtsp://admin:admin123@127.0.0.1:")
    parking = await api.data("/v1/api/device/query", {"uuid": PARKING_CAMERA_UUID})
    assert "password=admin123" in parking["rtspUrl"]
    perimeter = await api.data("/v1/api/device/query", {"uuid": PERIMETER_CAMERA_UUID})
    assert "rtspUrl" not in perimeter
    added = simulator.add_device("Shop camera", rtsp_url="rtsp://10.0.0.5/live")
    detail = await api.data("/v1/api/device/query", {"uuid": added.uuid})
    assert detail["rtspUrl"] == "rtsp://10.0.0.5/live"


@pytest.mark.parametrize(
    ("command", "mode"),
    [("alwaysOpenDoor", 15), ("alwaysCloseDoor", 16), ("normal", 17)],
)
async def test_mode_commands_on_a_panel(
    api: Api, simulator: Simulator, command: str, mode: int
) -> None:
    """The three mode commands set cmdStatus; the answer has no data."""
    simulator.state.devices[BACK_DOOR_UUID].cmd_status = 16 if mode != 16 else 15
    envelope = await api.post(f"/v1/api/door/{command}", {"uuid": BACK_DOOR_UUID})
    assert envelope == {"code": 0, "msg": "成功"}
    assert simulator.state.devices[BACK_DOOR_UUID].cmd_status == mode
    data = await api.data("/v1/api/door/list", {"passModel": False})
    assert data["list"][1]["cmdStatus"] == mode
    assert simulator.state.door_commands[-1]["command"] == command


@pytest.mark.parametrize("command", ["alwaysOpenDoor", "alwaysCloseDoor", "normal"])
async def test_mode_commands_refused_on_non_panels(api: Api, command: str) -> None:
    """Non-panels (the garage door, a camera) answer 200314 verbatim."""
    for uuid in (GARAGE_DOOR_UUID, LOBBY_CAMERA_UUID):
        assert await api.post(f"/v1/api/door/{command}", {"uuid": uuid}) == PANEL_ONLY


async def test_open_door(api: Api, simulator: Simulator) -> None:
    """openDoor works on panels and switch doors, not on plain cameras; logged in state."""
    for uuid in (FRONT_DOOR_UUID, GARAGE_DOOR_UUID):
        assert await api.post("/v1/api/door/openDoor", {"uuid": uuid}) == {"code": 0, "msg": "成功"}
    assert [item["uuid"] for item in simulator.state.door_commands] == [
        FRONT_DOOR_UUID,
        GARAGE_DOOR_UUID,
    ]
    assert simulator.state.devices[FRONT_DOOR_UUID].cmd_status == 17
    assert await api.code("/v1/api/door/openDoor", {"uuid": PERIMETER_CAMERA_UUID}) == 103157


async def test_commands_to_offline_and_unknown_devices(api: Api, simulator: Simulator) -> None:
    """Offline: 102091 设备离线状态, state unchanged; unknown: 102013; no uuid: 100003."""
    simulator.set_device_online("Front door", False)
    for command in ("openDoor", "alwaysOpenDoor"):
        envelope = await api.post(f"/v1/api/door/{command}", {"uuid": FRONT_DOOR_UUID})
        assert envelope == {"code": 102091, "msg": "设备离线状态"}
    assert simulator.state.devices[FRONT_DOOR_UUID].cmd_status == 17
    assert simulator.state.door_commands == []
    assert await api.code("/v1/api/door/normal", {"uuid": "f" * 32}) == 102013
    assert await api.code("/v1/api/door/openDoor", {}) == 100003


async def test_device_alarm_list(api: Api, simulator: Simulator) -> None:
    """Records newest first, with alarmStatusNow and device details; filters."""
    tamper = simulator.add_alarm(FRONT_DOOR_UUID, 500100, alarm_time=1_700_000_000_000)
    held = simulator.add_alarm("Back door", 500104, active=False, alarm_time=1_700_000_100_000)
    data = await api.data("/v1/api/device_alarm/list", {})
    assert data["total"] == 2
    assert [item["alarmType"] for item in data["list"]] == [500104, 500100]
    first = data["list"][1]
    assert first == tamper
    assert (first["alarmStatus"], first["alarmStatusNow"], first["deviceStatus"]) == (1, 1, 3)
    assert (first["deviceType"], first["deviceModel"], first["deviceName"]) == (2, 1, "Front door")
    assert held["alarmStatusNow"] == 0

    async def types(body: dict[str, Any]) -> list[int]:
        page = await api.data("/v1/api/device_alarm/list", body)
        return [item["alarmType"] for item in page["list"]]

    assert await types({"deviceUuids": [FRONT_DOOR_UUID]}) == [500100]
    assert await types({"deviceName": "back"}) == [500104]
    assert await types({"alarmType": 500100, "alarmStatus": 1}) == [500100]
    assert await types({"alarmStatus": 0}) == []
    assert await types({"startAlarmTime": "", "endAlarmTime": ""}) == [500104, 500100]
    # Start inclusive, end exclusive; number, numeric string or local "YYYY-MM-DD HH:MM:SS".
    assert await types({"startAlarmTime": 1_700_000_000_000}) == [500104, 500100]
    assert await types({"endAlarmTime": "1700000100000"}) == [500100]
    text = datetime.fromtimestamp(1_700_000_050, CST).strftime("%Y-%m-%d %H:%M:%S")
    assert await types({"startAlarmTime": text}) == [500104]
    assert await types({"endAlarmTime": text, "startAlarmTime": 1.7e12}) == [500100]
    bad: dict[str, Any]
    for bad in (
        {"startAlarmTime": "yesterday"},
        {"endAlarmTime": True},
        {"startAlarmTime": {}},
        {"deviceUuids": "x"},
        {"deviceName": 3},
    ):
        assert await api.code("/v1/api/device_alarm/list", bad) == 100003


async def test_clear_alarm_recovers_in_place(api: Api, simulator: Simulator) -> None:
    """Recovery updates alarmStatusNow and gmtModified of the records of that (device, type)."""
    simulator.add_alarm(FRONT_DOOR_UUID, 500100, alarm_time=1_700_000_000_000)
    simulator.add_alarm(FRONT_DOOR_UUID, 500500)
    assert simulator.clear_alarm("Front door", 500100) == 1
    assert simulator.clear_alarm(FRONT_DOOR_UUID, 500100) == 0
    data = await api.data("/v1/api/device_alarm/list", {"alarmType": 500100})
    item = data["list"][0]
    assert (item["alarmStatus"], item["alarmStatusNow"]) == (1, 0)
    assert item["gmtModified"] > item["gmtCreate"]
    fire = await api.data("/v1/api/device_alarm/list", {"alarmType": 500500})
    assert fire["list"][0]["alarmStatusNow"] == 1


async def test_dynamic_devices(api: Api, simulator: Simulator) -> None:
    """Added devices appear in device/list (and door/list when doors); removed ones vanish."""
    panel = simulator.add_device("Side door", device_type=2, location="Side")
    camera = simulator.add_device("Shop camera", ptz=True, online=False)
    switch_door = simulator.add_device("Gate", door=True, switch_ip="10.0.0.9")
    assert len(panel.uuid) == 32
    assert (panel.door, panel.cmd_status, panel.device_model) == (True, 17, 1)
    assert (camera.door, camera.cmd_status, camera.status) == (False, None, 4)
    assert (switch_door.door, switch_door.cmd_status) == (True, None)
    devices = await api.data("/v1/api/device/list", {})
    assert devices["total"] == 9
    doors = await api.data("/v1/api/door/list", {"passModel": False})
    assert [item["name"] for item in doors["list"]][-2:] == ["Side door", "Gate"]
    simulator.remove_device("Side door")
    simulator.remove_device(camera.uuid)
    assert (await api.data("/v1/api/device/list", {}))["total"] == 7
    doors = await api.data("/v1/api/door/list", {"passModel": False})
    assert "Side door" not in [item["name"] for item in doors["list"]]
    with pytest.raises(KeyError):
        simulator.remove_device("Side door")
