"""Subscription, one-face-pass config, record-list and video endpoints."""

from __future__ import annotations

import io
import json
from typing import Any

from PIL import Image

from simulator import (
    FRONT_DOOR_UUID,
    LOBBY_CAMERA_UUID,
    PERIMETER_CAMERA_UUID,
    Simulator,
)
from simulator.jpeg import SNAPSHOT_JPEG

from .helpers import Api, encode, sign

ADD = "/v1/api/pubsub/busi/record/add"
QUERY = "/v1/api/pubsub/busi/record/query"
UNBIND = "/v1/api/pubsub/busi/record/unbind"
SAVE = "/v1/api/sys/config/saveAFaceConfig"
PASS_LIST = "/v1/api/pass_record/list"
ALERT_LIST = "/v1/api/areaAlert/record/list"


async def test_subscription_lifecycle(api: Api, simulator: Simulator) -> None:
    """add → query → replace → unbind → query answers data null."""
    assert await api.post(QUERY) == {"code": 0, "msg": "成功", "data": None}
    body = {"pushUrl": "http://127.0.0.1:9/a", "busiTypes": [1, 2, 3, 5, 12]}
    assert await api.post(ADD, body) == {"code": 0, "msg": "成功"}
    assert await api.data(QUERY) == {"appKey": "appkey1", **body}
    assert await api.data(ADD, {"pushUrl": "http://127.0.0.1:9/b", "busiTypes": [5, 5]}) is None
    assert await api.data(QUERY, {"appKey": "ignored-header-wins"}) == {
        "appKey": "appkey1",
        "pushUrl": "http://127.0.0.1:9/b",
        "busiTypes": [5],
    }
    assert len(simulator.state.subscriptions) == 1
    assert simulator.state.subscription is not None
    assert await api.post(UNBIND, {}) == {"code": 0, "msg": "成功"}
    assert (await api.post(QUERY))["data"] is None
    assert await api.code(UNBIND) == 0


async def test_subscription_per_app_key(api: Api, simulator: Simulator, session) -> None:
    """One subscription per appKey; the body appKey of add wins over the header's."""
    other = Api(session, simulator.url, "appkey2")
    await api.data(ADD, {"pushUrl": "http://127.0.0.1:9/one", "busiTypes": [5]})
    await other.data(ADD, {"pushUrl": "http://127.0.0.1:9/two", "busiTypes": [1]})
    await api.data(ADD, {"appKey": "custom", "pushUrl": "http://127.0.0.1:9/c", "busiTypes": [3]})
    assert sorted(simulator.state.subscriptions) == ["appkey1", "appkey2", "custom"]
    assert (await other.data(QUERY))["pushUrl"] == "http://127.0.0.1:9/two"
    view = simulator.state.view()
    assert view["subscription"]["appKey"] == "appkey1"
    assert len(view["subscriptions"]) == 3


async def test_subscription_validation(api: Api) -> None:
    """pushUrl and a non-empty integer busiTypes list are required."""
    for body in (
        {"busiTypes": [5]},
        {"pushUrl": "", "busiTypes": [5]},
        {"pushUrl": "http://x", "busiTypes": []},
        {"pushUrl": "http://x", "busiTypes": "5"},
        {"pushUrl": "http://x", "busiTypes": ["5"]},
        {"pushUrl": "http://x", "busiTypes": [True]},
        {"pushUrl": "http://x"},
    ):
        assert await api.code(ADD, body) == 100003


async def test_face_config(api: Api, simulator: Simulator) -> None:
    """query → save (switches required, URLs optional and kept) → reset."""
    defaults = {
        "attendanceRecordCallbackUrl": "",
        "identifyRecordCallbackUrl": "",
        "temperatureSwitch": 0,
        "maskAlertSwitch": 0,
        "healthKitSwitch": 0,
    }
    assert await api.data("/v1/api/sys/config/queryAFaceConfig") == defaults
    switches = {"temperatureSwitch": 1, "maskAlertSwitch": 0, "healthKitSwitch": "1"}
    saved = await api.data(SAVE, {**switches, "identifyRecordCallbackUrl": "http://h/cb"})
    assert saved["identifyRecordCallbackUrl"] == "http://h/cb"
    assert (saved["temperatureSwitch"], saved["healthKitSwitch"]) == (1, 1)
    assert simulator.state.identify_record_callback_url == "http://h/cb"
    # Omitting a URL keeps it; "" turns it off.
    kept = await api.data(SAVE, {**switches, "attendanceRecordCallbackUrl": "http://h/att"})
    assert kept["identifyRecordCallbackUrl"] == "http://h/cb"
    assert (await api.data(SAVE, {**switches, "identifyRecordCallbackUrl": ""}))[
        "identifyRecordCallbackUrl"
    ] == ""
    temperature = await api.data("/v1/api/sys/config/temperatureConfig")
    assert temperature == {"temperatureSwitch": 1, "maskAlertSwitch": 0, "healthKitSwitch": 1}
    assert await api.data("/v1/api/sys/config/resetAFaceConfig") == defaults
    assert simulator.state.face_config == defaults


async def test_face_config_save_requires_switches(api: Api, simulator: Simulator) -> None:
    """A save with a switch missing or out of range is 100003 and changes nothing."""
    for body in (
        {"identifyRecordCallbackUrl": "http://h/cb"},
        {"temperatureSwitch": 1, "maskAlertSwitch": 1, "identifyRecordCallbackUrl": "http://h"},
        {"temperatureSwitch": 2, "maskAlertSwitch": 1, "healthKitSwitch": 1},
        {
            "temperatureSwitch": 1,
            "maskAlertSwitch": 1,
            "healthKitSwitch": 1,
            "identifyRecordCallbackUrl": 5,
        },
    ):
        assert await api.code(SAVE, body) == 100003
    assert simulator.state.identify_record_callback_url == ""


async def test_pass_record_list(api: Api, simulator: Simulator) -> None:
    """Pushed passes are listed newest first with their own numeric uuid (§6.1 shape)."""
    alice = await simulator.push_pass("Front door", "Alice")
    bob = await simulator.push_pass("Back door", "Bob", granted=False)
    await simulator.push_pass("Garage door", None, granted=False)
    stored = simulator.state.pass_records
    assert stored[0]["passTimestamp"] == alice["passTimestamp"]
    for index, record in enumerate(stored):  # distinct times for the time filters below
        record["passTimestamp"] = 1_700_000_000_000 + index * 1000
    data = await api.data(PASS_LIST, {"pageNum": 1, "pageSize": 10})
    assert data["total"] == 3
    items = data["list"]
    assert [item.get("personName") for item in items] == [None, "Bob", "Alice"]
    by_uuid = {item["deviceUuid"]: item for item in items}
    first = by_uuid[FRONT_DOOR_UUID]
    assert first["uuid"].isdigit()
    assert first["uuid"] != alice["id"]
    assert first["personUuid"] == alice["personUuid"]
    assert (first["passType"], first["recognitionType"]) == (1, 1)
    assert first["snapshotUrl"] == alice["snapshotUrl"]
    assert "id" not in first
    assert first["passTime"].endswith("+08:00")
    assert "frameUrl" not in first

    async def names(body: dict[str, Any]) -> list[str]:
        page = await api.data(PASS_LIST, body)
        return sorted(str(item.get("personName")) for item in page["list"])

    assert await names({"personName": "ali"}) == ["Alice"]
    assert await names({"personUuid": bob["personUuid"]}) == ["Bob"]
    assert await names({"personCode": bob["personCode"]}) == ["Bob"]
    assert await names({"passType": 0}) == ["Bob", "None"]
    assert await names({"recognitionType": 5}) == ["None"]
    assert await names({"deviceUuids": [FRONT_DOOR_UUID]}) == ["Alice"]
    assert await names({"deviceName": "garage"}) == ["None"]
    assert await names({"startPassTime": 1_700_000_002_000}) == ["None"]
    assert await names({"endPassTime": "1700000001000"}) == ["Alice"]
    assert await names({"startPassTime": "", "endPassTime": ""}) == ["Alice", "Bob", "None"]
    assert await api.code(PASS_LIST, {"pageSize": 0}) == 100003


async def test_area_alert_list(api: Api, simulator: Simulator) -> None:
    """Pushed alerts are listed with currPage paging, default pageSize 10 (§6.4 shape)."""
    pushed = [await simulator.push_alert(alarm_type=alarm) for alarm in (1, 2, 4)]
    for index, record in enumerate(simulator.state.alert_records):  # distinct times
        record["alarmTime"] = pushed[index]["alarmTime"] = 1_700_000_000_000 + index * 1000
    data = await api.data(ALERT_LIST, {"startTime": 0, "endTime": 9_999_999_999_999})
    assert (data["pageNum"], data["pageSize"], data["total"]) == (1, 10, 3)
    item = next(i for i in data["list"] if i["alarmRecordUuId"] == pushed[1]["alarmRecordUuId"])
    assert item["deviceUuId"] == PERIMETER_CAMERA_UUID
    assert (item["alarmType"], item["alarmTime"]) == (2, pushed[1]["alarmTime"])
    assert set(item["targetRect"]) == {"top", "left", "bottom", "right"}
    assert isinstance(item["continueTime"], float)
    assert item["targetId"] == ""
    typed = await api.data(ALERT_LIST, {"type": 4, "deviceUuIdList": [PERIMETER_CAMERA_UUID]})
    assert [i["alarmType"] for i in typed["list"]] == [4]
    paged = await api.data(ALERT_LIST, {"currPage": 2, "pageSize": 2})
    assert (paged["pageNum"], len(paged["list"])) == (2, 1)
    assert (await api.data(ALERT_LIST, {"pageNum": 2, "pageSize": 2}))["pageNum"] == 2
    window = await api.data(
        ALERT_LIST, {"startTime": pushed[2]["alarmTime"], "endTime": pushed[2]["alarmTime"]}
    )
    assert [i["alarmType"] for i in window["list"]] == [4]
    assert await api.code(ALERT_LIST, {"startTime": 2, "endTime": 1}) == 124302
    assert await api.code(ALERT_LIST, {"currPage": 0}) == 124303


async def test_records_are_kept_without_subscribers(api: Api, simulator: Simulator) -> None:
    """Nobody subscribed: nothing delivered, but the lists can catch up later."""
    await simulator.push_pass()
    await simulator.push_alert()
    assert simulator.deliveries == []
    assert (await api.data(PASS_LIST))["total"] == 1
    assert (await api.data(ALERT_LIST))["total"] == 1


async def test_video_capture_serves_a_jpeg(api: Api, simulator: Simulator, session) -> None:
    """capture returns a URL on the simulator that serves a valid JPEG."""
    data = await api.data("/v1/api/video/realtime/capture", {"deviceUuid": LOBBY_CAMERA_UUID})
    url = data["captureUrl"]
    assert url.startswith(simulator.url + "/pub/_")
    async with session.get(url) as response:
        assert response.status == 200
        assert response.content_type == "image/jpeg"
        image = await response.read()
    assert image == SNAPSHOT_JPEG
    assert image[:2] == b"\xff\xd8"
    assert image[-2:] == b"\xff\xd9"
    with Image.open(io.BytesIO(image)) as decoded:
        decoded.load()
        assert decoded.format == "JPEG"
        assert decoded.size == (32, 24)
    assert await api.code("/v1/api/video/realtime/capture", {"deviceUuid": "0" * 32}) == 102013
    simulator.set_device_online(LOBBY_CAMERA_UUID, False)
    assert await api.code("/v1/api/video/realtime/capture", {"deviceUuid": LOBBY_CAMERA_UUID}) == (
        102091
    )


async def test_pub_rejects_unknown_names(simulator: Simulator, session) -> None:
    """Only the simulator's own image URIs are served."""
    for path in ("/pub/nothing", "/pub/_c2ltdWxhdG9y_123"):
        async with session.get(simulator.url + path) as response:
            assert response.status == 404
    async with session.post(simulator.url + "/pub/_c2ltdWxhdG9y_" + "a" * 32) as response:
        assert response.status == 404


async def test_ptz_control(api: Api, simulator: Simulator) -> None:
    """Start and stop are logged in state; bad values, offline and non-PTZ devices refused."""
    start = {"deviceUuid": LOBBY_CAMERA_UUID, "ptzCmd": 1, "speed": 4, "stop": 0}
    assert await api.post("/v1/api/video/realtime/ptzControl", start) == {"code": 0, "msg": "成功"}
    await api.data("/v1/api/video/realtime/ptzControl", {**start, "stop": 1})
    assert [(e["ptzCmd"], e["speed"], e["stop"]) for e in simulator.state.ptz_log] == [
        (1, 4, 0),
        (1, 4, 1),
    ]
    assert simulator.state.ptz_log[0]["deviceUuid"] == LOBBY_CAMERA_UUID
    ptz = "/v1/api/video/realtime/ptzControl"
    for bad in ({**start, "ptzCmd": 15}, {**start, "speed": 9}, {**start, "stop": None}):
        assert await api.code(ptz, bad) == 100003
    assert await api.code(ptz, {**start, "deviceUuid": FRONT_DOOR_UUID}) == 102141
    assert await api.code(ptz, {**start, "deviceUuid": "1" * 32}) == 102013
    simulator.set_device_online("Lobby camera", False)
    assert await api.code(ptz, start) == 102091
    assert len(simulator.state.ptz_log) == 2


async def test_image_urls_follow_the_request_host(api: Api) -> None:
    """capture answers with the host the client addressed."""
    raw = encode({"deviceUuid": LOBBY_CAMERA_UUID})
    path = "/v1/api/video/realtime/capture"
    headers = {**sign(path, "POST", raw), "Host": "appliance.example:8080"}
    status, text = await api.raw(path, raw, headers=headers)
    assert json.loads(text)["data"]["captureUrl"].startswith("http://appliance.example:8080/pub/_")
