"""Pushes delivered over HTTP to a test receiver, in the documented shapes, on every channel."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from simulator import (
    BACK_DOOR_UUID,
    FRONT_DOOR_UUID,
    LOBBY_CAMERA_UUID,
    ORG_UUID,
    PARKING_CAMERA_UUID,
    PERIMETER_CAMERA_UUID,
    Simulator,
)
from tests.conftest import PushReceiver

from .helpers import Api

HEX32 = re.compile(r"^[0-9a-f]{32}$")
ALL_TYPES = [1, 2, 3, 5, 12]
SAVE = "/v1/api/sys/config/saveAFaceConfig"


async def _subscribe(api: Api, receiver: PushReceiver, types: list[int] = ALL_TYPES) -> None:
    body = {"pushUrl": receiver.url_for("/busi"), "busiTypes": types}
    assert await api.post("/v1/api/pubsub/busi/record/add", body) == {"code": 0, "msg": "成功"}


def _unwrap(receiver: PushReceiver, index: int = -1) -> tuple[str, dict[str, Any]]:
    """The envelope's busiType and its data (a JSON string, decoded)."""
    envelope = receiver.received[index].json
    assert set(envelope) == {"busiType", "data"}
    assert isinstance(envelope["busiType"], str)
    assert isinstance(envelope["data"], str)
    return envelope["busiType"], json.loads(envelope["data"])


async def test_pass_push_envelope_and_shape(
    api: Api, simulator: Simulator, push_receiver: PushReceiver
) -> None:
    """busiType "5", data a JSON string holding the §2.8 record; images are served."""
    await _subscribe(api, push_receiver)
    record = await simulator.push_pass()
    assert len(push_receiver.received) == 1
    received = push_receiver.received[0]
    assert received.path == "/busi"
    assert received.headers["Content-Type"].startswith("application/json")
    busi_type, data = _unwrap(push_receiver)
    assert busi_type == "5"
    assert data == record
    assert HEX32.match(data["id"])
    assert (data["deviceUuid"], data["deviceName"], data["deviceType"]) == (
        FRONT_DOOR_UUID,
        "Front door",
        2,
    )
    assert (data["personName"], data["personType"], data["passType"]) == ("Alice", 1, 1)
    assert (data["recognitionType"], data["passTypeDesc"]) == (1, "通行")
    assert data["orgUuid"] == ORG_UUID
    assert isinstance(data["passTimestamp"], int)
    assert data["passTime"].endswith("+08:00")
    assert re.match(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$", data["passTimeFormat"])
    assert isinstance(data["recognitionScore"], float)
    for key in ("personImageUrl", "snapshotUrl", "frameUrl"):
        assert data[key].startswith(f"{simulator.url}/pub/_")
    assert data["snapshotUrl"].endswith(data["snapshotUri"])
    assert {"personPhone", "personIdentifyNum", "personEmail"} <= data.keys()
    assert simulator.push_failures == 0
    assert simulator.deliveries[-1].ok


async def test_pass_variants(api: Api, simulator: Simulator, push_receiver: PushReceiver) -> None:
    """Denied, stranger, visitor and door by uuid or name."""
    await _subscribe(api, push_receiver, [5])
    denied = await simulator.push_pass("Back door", "Bob", granted=False)
    assert (denied["deviceUuid"], denied["passType"], denied["recognitionType"]) == (
        BACK_DOOR_UUID,
        0,
        4,
    )
    assert denied["passTypeDesc"] == "未通行"
    stranger = await simulator.push_pass(BACK_DOOR_UUID, None, granted=False)
    assert "personName" not in stranger
    assert "personUuid" not in stranger
    assert stranger["recognitionType"] == 5
    visitor = await simulator.push_pass(person="Carol", person_type=2)
    assert (visitor["recognitionType"], visitor["visitPersonName"]) == (2, "Reception")
    assert HEX32.match(visitor["visitPeronUuid"])
    explicit = await simulator.push_pass(person="Dan", recognition_type=6)
    assert explicit["recognitionTypeDesc"] == "VIP访客"
    again = await simulator.push_pass(person="Alice")
    first = await simulator.push_pass(person="Alice")
    assert again["personUuid"] == first["personUuid"]
    assert again["id"] != first["id"]
    assert len(push_receiver.received) == 6


async def test_pass_also_goes_to_the_pass_record_callback(
    api: Api, simulator: Simulator, push_receiver: PushReceiver
) -> None:
    """With identifyRecordCallbackUrl set, the same pass arrives flat (§4.1), same id."""
    await _subscribe(api, push_receiver)
    switches = {"temperatureSwitch": 0, "maskAlertSwitch": 0, "healthKitSwitch": 0}
    await api.data(SAVE, {**switches, "identifyRecordCallbackUrl": push_receiver.url_for("/pass")})
    record = await simulator.push_pass("Front door", "Alice")
    busi = push_receiver.on("/busi")
    callback = push_receiver.on("/pass")
    assert (len(busi), len(callback)) == (1, 1)
    flat = callback[0].json
    assert "busiType" not in flat
    assert flat["id"] == record["id"]
    assert flat["recordType"] == 1
    assert flat["recognitionScore"] == "91.4"
    assert flat["livenessScore"] == "88.1"
    assert flat["passTimestamp"] == record["passTimestamp"]
    assert "snapshotUri" not in flat
    assert "deviceSetUuid" not in flat
    # Only the callback, no subscription.
    await api.data("/v1/api/pubsub/busi/record/unbind")
    await simulator.push_pass()
    assert (len(push_receiver.on("/busi")), len(push_receiver.on("/pass"))) == (1, 2)


async def test_recognition_push(
    api: Api, simulator: Simulator, push_receiver: PushReceiver
) -> None:
    """busiType "1": text personType, captureTime in ms, no record id."""
    await _subscribe(api, push_receiver)
    record = await simulator.push_recognition()
    busi_type, data = _unwrap(push_receiver)
    assert busi_type == "1"
    assert data == record
    assert (data["deviceUuid"], data["deviceName"]) == (LOBBY_CAMERA_UUID, "Lobby camera")
    assert (data["personName"], data["personType"]) == ("Alice", "员工")
    assert "id" not in data
    assert data["captureImageUrl"].startswith(simulator.url + "/pub/")
    assert data["groupImageUrl"].startswith(simulator.url + "/pub/")
    stranger = await simulator.push_recognition("Garage door", None)
    assert (stranger["personType"], stranger["deviceName"]) == ("未知人员", "Garage door")
    assert "personUuid" not in stranger
    key_person = await simulator.push_recognition(person="Eve", person_type="重点人员")
    assert key_person["personType"] == "重点人员"


async def test_vehicle_push(api: Api, simulator: Simulator, push_receiver: PushReceiver) -> None:
    """busiType "2": ``deviceUuId`` (capital I), plate, URIs and URLs."""
    await _subscribe(api, push_receiver)
    await simulator.push_vehicle(plate="粤B12345")
    busi_type, data = _unwrap(push_receiver)
    assert busi_type == "2"
    assert (data["deviceUuId"], data["plateNumber"]) == (PARKING_CAMERA_UUID, "粤B12345")
    assert "deviceUuid" not in data
    assert data["fullUrl"].endswith(data["fullUri"])
    assert data["cropUrl"].endswith(data["cropUri"])
    assert '"plateNumber":"粤B12345"' in push_receiver.received[-1].json["data"].replace(" ", "")


async def test_alert_push(api: Api, simulator: Simulator, push_receiver: PushReceiver) -> None:
    """busiType "3": alarmRecordUuId, alarmType, geometry as nested arrays."""
    await _subscribe(api, push_receiver)
    record = await simulator.push_alert(alarm_type=14)
    busi_type, data = _unwrap(push_receiver)
    assert busi_type == "3"
    assert data == record
    assert HEX32.match(data["alarmRecordUuId"])
    assert (data["deviceUuid"], data["alarmType"]) == (PERIMETER_CAMERA_UUID, 14)
    assert isinstance(data["targetRect"], list)
    assert data["drawLineDetail"][0]["inTheArea"] is True
    assert data["continueTime"] == "3.0"
    assert simulator.state.alert_records[-1]["alarmRecordUuId"] == data["alarmRecordUuId"]


@pytest.mark.parametrize(
    ("category", "expected"),
    [(1, "gender"), (2, "dressUpperColor"), (3, "plateNumber"), (4, "vehicleType")],
)
async def test_structured_push(
    api: Api, simulator: Simulator, push_receiver: PushReceiver, category: int, expected: str
) -> None:
    """busiType "12": the four categories, second-granular recognitionTime."""
    await _subscribe(api, push_receiver)
    await simulator.push_structured(category=category)
    busi_type, data = _unwrap(push_receiver)
    assert busi_type == "12"
    assert (data["category"], data["ruleType"], data["deviceUuId"]) == (
        category,
        1,
        PARKING_CAMERA_UUID,
    )
    assert expected in data
    assert data["recognitionTime"] % 1000 == 0
    if category == 3:
        assert data["plateNumber"] == "京A12345"
    if category == 4:
        assert data["vehicleType"] == 101


async def test_structured_category_checked(simulator: Simulator) -> None:
    """Only the four documented categories."""
    with pytest.raises(ValueError, match="category"):
        await simulator.push_structured(category=5)


async def test_busi_types_filter_and_several_subscribers(
    api: Api, simulator: Simulator, push_receiver: PushReceiver, session
) -> None:
    """Each subscriber gets only the types it asked for."""
    await _subscribe(api, push_receiver, [5])
    other = Api(session, simulator.url, "appkey2")
    await other.data(
        "/v1/api/pubsub/busi/record/add",
        {"pushUrl": push_receiver.url_for("/other"), "busiTypes": [3]},
    )
    await simulator.push_recognition()
    await simulator.push_alert()
    await simulator.push_pass()
    assert [item.path for item in push_receiver.received] == ["/other", "/busi"]


async def test_push_format_variants(
    api: Api, simulator: Simulator, push_receiver: PushReceiver
) -> None:
    """busiType as an integer and data as an object, the other readings of §2.4."""
    await _subscribe(api, push_receiver)
    simulator.set_push_format(data_as_object=True, busi_type_as_int=True)
    record = await simulator.push_pass()
    envelope = push_receiver.received[-1].json
    assert envelope == {"busiType": 5, "data": record}
    simulator.set_push_format()
    await simulator.push_pass()
    assert isinstance(push_receiver.received[-1].json["data"], str)


@pytest.mark.parametrize(
    ("kind", "event_type", "ext_key"),
    [
        ("pass", 501, "personName"),
        ("alert", 301, "alarmType"),
        ("vehicle", 202, "plateNumber"),
        ("person", 101, "personName"),
    ],
)
async def test_event_record_callback(
    simulator: Simulator, push_receiver: PushReceiver, kind: str, event_type: int, ext_key: str
) -> None:
    """The event-record callback: flat, integer deviceId, nested ext, no deviceUuid by default."""
    simulator.set_event_callback_url(push_receiver.url_for("/event"))
    record = await simulator.push_event_record(kind)
    body = push_receiver.on("/event")[-1].json
    assert body == record
    assert body["eventTypeId"] == event_type
    assert ext_key in body["ext"]
    assert isinstance(body["deviceId"], int)
    assert "deviceUuid" not in body
    assert len(body["id"]) == 20
    assert HEX32.match(body["uuid"])
    assert body["eventLevelId"] in (1, 2)
    device = simulator.device(body["deviceName"])
    assert device.device_id == body["deviceId"]
    with_uuid = await simulator.push_event_record(kind, include_device_uuid=True)
    assert with_uuid["deviceUuid"] == device.uuid


async def test_event_record_options(simulator: Simulator, push_receiver: PushReceiver) -> None:
    """Device, person, plate and alarm type can be chosen; unknown kinds refused."""
    simulator.set_event_callback_url(push_receiver.url_for("/event"))
    record = await simulator.push_event_record("alert", "Lobby camera", alarm_type=13)
    assert (record["deviceName"], record["ext"]["alarmType"]) == ("Lobby camera", 13)
    record = await simulator.push_event_record("person", person="Mallory")
    assert record["ext"]["personName"] == "Mallory"
    record = await simulator.push_event_record("vehicle", plate="ABC123")
    assert record["ext"]["plateNumber"] == "ABC123"
    with pytest.raises(ValueError, match="event kind"):
        await simulator.push_event_record("weather")
    simulator.set_event_callback_url(None)
    await simulator.push_event_record("pass")
    assert len(push_receiver.received) == 3


async def test_delivery_failures_are_counted_not_raised(
    api: Api, simulator: Simulator, push_receiver: PushReceiver, caplog: pytest.LogCaptureFixture
) -> None:
    """A receiver answering 500, and one that refuses connections."""
    await _subscribe(api, push_receiver)
    push_receiver.status = 500
    record = await simulator.push_pass()
    assert record["id"]
    assert simulator.push_failures == 1
    assert simulator.deliveries[-1].status == 500
    assert not simulator.deliveries[-1].ok
    await api.data(
        "/v1/api/pubsub/busi/record/add", {"pushUrl": "http://127.0.0.1:1/x", "busiTypes": [5]}
    )
    await simulator.push_pass()
    assert simulator.push_failures == 2
    assert simulator.deliveries[-1].error
    await api.data("/v1/api/pubsub/busi/record/add", {"pushUrl": "not a url", "busiTypes": [5]})
    await simulator.push_pass()
    assert simulator.push_failures == 3
    assert "Push (busi)" in caplog.text


async def test_no_delivery_while_down(
    api: Api, simulator: Simulator, push_receiver: PushReceiver
) -> None:
    """An unreachable appliance pushes nothing, but still records (for catch-up)."""
    await _subscribe(api, push_receiver)
    await simulator.set_down(True)
    await simulator.push_pass()
    await simulator.push_alert()
    assert push_receiver.received == []
    assert simulator.push_failures == 0
    assert simulator.deliveries[-1].error == "not sent: the appliance is down"
    await simulator.set_down(False)
    data = await api.data("/v1/api/pass_record/list")
    assert data["total"] == 1


async def test_offline_device_pushes_carry_its_status(
    api: Api, simulator: Simulator, push_receiver: PushReceiver
) -> None:
    """deviceStatus reflects the device at push time."""
    await _subscribe(api, push_receiver)
    simulator.set_device_online(FRONT_DOOR_UUID, False)
    record = await simulator.push_pass(FRONT_DOOR_UUID)
    assert record["deviceStatus"] == 4


async def test_pick_without_suitable_devices() -> None:
    """An inventory without cameras or doors cannot push their records."""
    from simulator import Inventory

    async with Simulator(Inventory()) as sim:
        with pytest.raises(LookupError):
            await sim.push_alert()
        with pytest.raises(LookupError):
            await sim.push_pass()
        sim.add_device("Cam", device_mode=3, door=True)
        assert (await sim.push_alert())["deviceName"] == "Cam"
        assert (await sim.push_pass())["deviceName"] == "Cam"
