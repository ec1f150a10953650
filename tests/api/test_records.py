"""Every documented push, callback and list example parses to the values the document shows."""

from __future__ import annotations

from collections.abc import Callable
import json
from pathlib import Path
from typing import Any

import pytest

from custom_components.hongtu.api.record_models import (
    AlertRecord,
    AttendancePeriod,
    AttendanceRecord,
    EventRecord,
    HongTuRecord,
    PassRecord,
    RecognitionRecord,
    RecordKind,
    RecordSource,
    StructuredRecord,
    VehicleRecord,
)
from custom_components.hongtu.api.records import (
    detect_and_parse,
    detect_shape,
    parse_alert_list_item,
    parse_alert_push,
    parse_attendance_callback,
    parse_business_push,
    parse_event_callback,
    parse_pass_callback,
    parse_pass_list_item,
    parse_pass_push,
    parse_push_data,
    parse_recognition_push,
    parse_structured_push,
    parse_vehicle_push,
)

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
PUB = "http://10.171.4.194/pub/"


def load(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def test_busi1_recognition() -> None:
    record = parse_recognition_push(load("push_busi1_recognition.json"))
    assert isinstance(record, RecognitionRecord)
    assert record.kind == "recognition"
    assert record.source is RecordSource.BUSINESS_PUSH
    assert record.device_uuid == "30db96fbbf1a4be0abb9ba57528854ec"
    assert record.device_id is None
    assert record.device_name == "c2"
    assert record.time_ms == 1628849476258
    assert record.person_name == "人员001"
    assert record.person_uuid == "e32143ab71db45f4ad3ee0e5f2115804"
    assert record.person_type == 6
    assert record.person_type_name == "frequent_key_person"
    assert record.score == pytest.approx(75.92897)
    assert record.location == "openapi"
    assert record.capture_image_url == (PUB + "_Y2FjdHVzMTAwXzNt_a548f9142e16480a1b2c3d4e5f607182")
    assert record.library_image_url is not None
    assert record.library_image_url.startswith(PUB + "_Y2FjdHVzMTAwX2ZvcmV2ZXJCdWNrZXQ=_")
    assert record.panorama_image_url is None  # frameUrl is "" in the example
    assert record.content_key == (
        "recognition",
        "30db96fbbf1a4be0abb9ba57528854ec",
        1628849476258,
        "e32143ab71db45f4ad3ee0e5f2115804",
    )
    assert record.record_id.startswith("h:")
    assert record.raw == load("push_busi1_recognition.json")


def test_busi2_vehicle() -> None:
    record = parse_vehicle_push(load("push_busi2_vehicle.json"))
    assert isinstance(record, VehicleRecord)
    assert record.kind == "vehicle"
    assert record.device_uuid == "ee125d8527f2408c9432cfe6d21003d4"  # spelled deviceUuId
    assert record.device_name == "结构化记录"
    assert record.time_ms == 1628842913000
    assert record.plate_number == "桂B5U006"
    assert record.vehicle_identity_type == 5
    assert record.owner_name is None
    assert record.capture_image_url == PUB + "_Y2FjdHVzMTAwXzNt_165c2dfbe3e54f8c8bf6b6073f9cf6b3"
    assert record.panorama_image_url == PUB + "_Y2FjdHVzMTAwXzNt_dae43a12db224e00ae54dfbdf4202ffa"
    assert record.content_key == (
        "vehicle",
        "ee125d8527f2408c9432cfe6d21003d4",
        1628842913000,
        "桂B5U006",
    )
    assert record.record_id.startswith("h:")


def test_busi3_alert() -> None:
    record = parse_alert_push(load("push_busi3_alert.json"))
    assert isinstance(record, AlertRecord)
    assert record.kind == "alert"
    assert record.record_id == "5ce33c9accb94a978976b232958bdc88"
    assert record.has_own_id
    assert record.device_uuid == "5ce33c9accb94a978976b232958bdc88"
    assert record.device_name == "警戒算法仓-车辆虚拟流"
    assert record.time_ms == 1621497491318
    assert record.alarm_type == 1
    assert record.alarm_type_name == "line_crossing"
    assert record.alarm_end_time_ms == 1621497491318
    assert record.panorama_image_url is not None
    assert record.panorama_image_url.startswith("http://10.122.101.86:12029/pub/_ZzEwMF8zbQ==_")
    assert record.content_key == ("alert", "5ce33c9accb94a978976b232958bdc88", 1621497491318, "1")
    assert record.raw["targetRect"][0]["top"] == pytest.approx(43.796726)


def test_busi5_pass() -> None:
    record = parse_pass_push(load("push_busi5_pass.json"))
    assert isinstance(record, PassRecord)
    assert record.kind == "pass"
    assert record.source is RecordSource.BUSINESS_PUSH
    assert record.record_id == "30eb7cb982694641b64c334087849aec"
    assert record.device_uuid == "c95557d72d394ece943f90e0d975fdf2"
    assert record.device_id == 661
    assert record.device_name == "c3v-32j"
    assert record.time_ms == 1628849487177
    assert record.person_name == "备用vip访客1"
    assert record.person_uuid == "24b73fcd65f34147b0473ff00200efdd"
    assert record.person_type == 2
    assert record.person_type_name == "visitor"
    assert record.score == pytest.approx(86.82751)
    assert record.passed is True
    assert record.pass_type == 1
    assert record.recognition_type == 6
    assert record.verification_mode == 0
    assert record.capture_image_url == PUB + "_Y2FjdHVzMTAwXzNt_b659c59340894abcaaa91a1fbeb8a6d2"
    assert record.library_image_url == PUB + load("push_busi5_pass.json")["personImageUri"]
    assert record.panorama_image_url is None
    assert record.content_key == (
        "pass",
        "c95557d72d394ece943f90e0d975fdf2",
        1628849487177,
        "24b73fcd65f34147b0473ff00200efdd",
    )


@pytest.mark.parametrize(
    ("name", "category", "category_name", "time_ms", "plate", "discriminator"),
    [
        (
            "push_busi12_face.json",
            1,
            "face",
            1628837949000,
            None,
            "_Y2FjdHVzMTAwXzNt_1a719b518b7145adb58c6a2d5daf7dc0",
        ),
        (
            "push_busi12_body.json",
            2,
            "body",
            1628837974000,
            None,
            "_Y2FjdHVzMTAwXzNt_12052883c2d7407697f14735b186bdc6",
        ),
        (
            "push_busi12_motor_vehicle.json",
            3,
            "motor_vehicle",
            1628845283000,
            "苏D0112U",
            "苏D0112U",
        ),
        (
            "push_busi12_non_motor_vehicle.json",
            4,
            "non_motor_vehicle",
            1628845284000,
            None,  # plateNumber "" in the example
            "_Y2FjdHVzMTAwXzNt_d7b97aaf783e4c95a3967cbc15cc0e86",
        ),
    ],
)
def test_busi12_structured(
    name: str,
    category: int,
    category_name: str,
    time_ms: int,
    plate: str | None,
    discriminator: str,
) -> None:
    payload = load(name)
    record = parse_structured_push(payload)
    assert isinstance(record, StructuredRecord)
    assert record.kind == "structured"
    assert record.category == category
    assert record.category_name == category_name
    assert record.time_ms == time_ms  # recognitionTime, not the earlier serverTime
    assert record.plate_number == plate
    assert record.device_uuid == payload["deviceUuId"]
    assert record.device_name == "c4n-888"
    assert record.capture_image_url == payload["cropUrl"]
    assert record.panorama_image_url == payload["fullUrl"]
    assert record.content_key == ("structured", payload["deviceUuId"], time_ms, discriminator)
    assert record.record_id.startswith("h:")


def test_event_callback_vehicle() -> None:
    record = parse_event_callback(load("callback_event_vehicle.json"))
    assert isinstance(record, EventRecord)
    assert record.kind == "event_record"
    assert record.source is RecordSource.EVENT_CALLBACK
    assert record.record_id == "KgYsYHoBdNc5wFDjhEE4"
    assert record.device_uuid is None  # the examples carry only the numeric deviceId
    assert record.device_id == 288
    assert record.device_name == "core结构化车辆"
    assert record.time_ms == 1625111160504
    assert record.event_type_id == 202
    assert record.event_type_name == "陌生车辆"
    assert record.event_level == 2
    assert record.event_level_name == "中"
    assert record.status == 0
    assert record.plate_number == "桂C6R325"
    assert record.person_name is None
    assert record.alarm_type is None
    assert record.alarm_type_name is None
    # "https: //host/…" in the example: the typesetting space is removed.
    assert record.capture_image_url == (
        "https://10.122.101.7/pub/_ZzEwMF9mb3JldmVyQnVja2V0_3a978ff80a1b2c3d4e5f60718293a4b5"
    )
    assert record.panorama_image_url is not None
    assert record.panorama_image_url.startswith("https://10.122.101.7/pub/")


@pytest.mark.parametrize(
    "name", ["callback_event_alert.json", "callback_event_alert_string_ext.json"]
)
def test_event_callback_alert(name: str) -> None:
    record = parse_event_callback(load(name))
    assert isinstance(record, EventRecord)
    assert record.record_id == "kQYuYHoBdNc5wFDjvUE3"
    assert record.device_id == 322
    assert record.device_name == "人员入侵-人员奔跑"
    assert record.time_ms == 1625111312000
    assert record.event_type_id == 301
    assert record.event_type_name == "人员入侵"
    assert record.event_level == 1
    assert record.event_level_name == "高"
    assert record.alarm_type == 2
    assert record.alarm_type_name == "intrusion"
    assert record.capture_image_url is None
    # ext and its nested fields come out as objects, whichever encoding was sent.
    ext = record.raw["ext"]
    assert ext["ruleConfig"] == {"stayTime": 1, "drawType": 1}
    assert ext["targetRect"][0]["bottom"] == pytest.approx(49.641)
    assert ext["drawLineDetail"][0]["inTheArea"] is True
    assert ext["alarmControlType"] == 2


def test_event_callback_pass_and_person() -> None:
    passed = parse_event_callback(load("callback_event_pass.json"))
    assert passed.event_type_id == 501
    assert passed.event_type_name == "重点人员出入事件"
    assert passed.person_name == "杨亮"
    assert passed.device_id == 351
    assert passed.time_ms == 1625123075478
    assert passed.record_id == "8-LiYHoBG4rJ_r3IO1B0"
    assert passed.library_image_url is not None
    assert passed.library_image_url.startswith("http://10.122.94.244/pub/")

    person = parse_event_callback(load("callback_event_person.json"))
    assert person.event_type_id == 101
    assert person.event_type_name == "重点人员"
    assert person.person_name == "杨志超"
    assert person.device_id == 285
    assert person.device_name == "C4S322-视频流-core-133-重+陌"
    assert person.time_ms == 1625123384049
    assert person.record_id == "A-LmYHoBG4rJ_r3I-VzD"


def test_pass_record_callback() -> None:
    record = parse_pass_callback(load("callback_pass_record.json"))
    assert isinstance(record, PassRecord)
    assert record.source is RecordSource.PASS_CALLBACK
    assert record.record_id == "313123"
    assert record.device_uuid == "c27689ef42d446c686ee58b14249ce7f"
    assert record.device_id == 1
    assert record.device_name == "设备"
    # passTimestamp wins over the disagreeing passTime of the example.
    assert record.time_ms == 1621836519111
    assert record.person_name == "张三"
    assert record.person_uuid == "1fe6039e266049acb1221388980b7a14"
    assert record.person_type == 1
    assert record.person_type_name == "employee"
    assert record.score == pytest.approx(89.0)  # "89.0" in the example
    assert record.passed is True  # passType 1, whatever passTypeDesc says
    assert record.recognition_type == 1
    assert record.verification_mode == 1
    assert record.panorama_image_url is not None
    assert record.panorama_image_url.startswith("http://10.122.101.181/pub/")


def test_attendance_callback() -> None:
    record = parse_attendance_callback(load("callback_attendance.json"))
    assert isinstance(record, AttendanceRecord)
    assert record.kind == "attendance"
    assert record.source is RecordSource.ATTENDANCE_CALLBACK
    assert record.record_id == "26862b1abeb64c4d869add1d225e5ebe"
    assert record.time_ms == 1624896000000
    assert record.device_uuid is None
    assert record.person_name == "彭斯亮"
    assert record.person_uuid == "2a12603fc2db4ebebe6dd8d6004e0c93"
    assert record.person_code == "5677978"
    assert record.status == 4
    assert record.status_name == "abnormal"
    assert record.periods == (
        AttendancePeriod(order=1, in_punch="09:00:00", out_punch="10:00:00", result=4),
    )
    assert record.content_key == (
        "attendance",
        None,
        1624896000000,
        "2a12603fc2db4ebebe6dd8d6004e0c93",
    )


def test_pass_record_list_item() -> None:
    item = load("list_pass_record.json")["data"]["list"][0]
    record = parse_pass_list_item(item)
    assert record.source is RecordSource.PASS_LIST
    assert record.record_id == "44467"  # the list's uuid, not the push's id
    assert record.device_uuid == "83ddaf6a033548a6879fcf7e708e0c74"
    assert record.device_name == "d1s-247"
    assert record.time_ms == 1629662018000
    assert record.person_name == "通行_员工"
    assert record.person_uuid == "5b561102d7ba47458b26b51a07ee36de"
    assert record.person_type_name == "employee"
    assert record.passed is True
    assert record.recognition_type == 1
    assert record.verification_mode == 0
    assert record.score is None
    assert record.capture_image_url == item["snapshotUrl"]


def test_alert_record_list_item() -> None:
    item = load("list_alert_record.json")["data"]["list"][0]
    record = parse_alert_list_item(item)
    assert record.source is RecordSource.ALERT_LIST
    assert record.record_id == "4338bf95a0774d2fb976702766b3407d"
    assert record.device_uuid == "34e2f5500c7b4a5f9109f9cbd5565734"
    assert record.device_name == "警戒设备"
    assert record.time_ms == 1626205068000
    assert record.alarm_type == 4
    assert record.alarm_type_name == "vehicle_no_parking"
    assert record.alarm_end_time_ms is None
    assert record.raw["targetRect"] == {"top": 364, "left": 511, "bottom": 489, "right": 675}
    assert record.raw["targetId"] == ""


ENVELOPES = [
    (
        "envelope_busi1_str_type_str_data.json",
        "push_busi1_recognition.json",
        parse_recognition_push,
    ),
    ("envelope_busi2_int_type_obj_data.json", "push_busi2_vehicle.json", parse_vehicle_push),
    ("envelope_busi3_str_type_str_data.json", "push_busi3_alert.json", parse_alert_push),
    ("envelope_busi5_str_type_str_data.json", "push_busi5_pass.json", parse_pass_push),
    ("envelope_busi5_int_type_obj_data.json", "push_busi5_pass.json", parse_pass_push),
    ("envelope_busi5_int_type_double_encoded.json", "push_busi5_pass.json", parse_pass_push),
    (
        "envelope_busi12_int_type_str_data.json",
        "push_busi12_motor_vehicle.json",
        parse_structured_push,
    ),
]


@pytest.mark.parametrize(("envelope", "payload", "parser"), ENVELOPES)
def test_envelope_fixtures(
    envelope: str, payload: str, parser: Callable[[Any], HongTuRecord]
) -> None:
    """busiType as "5" or 5, data as a JSON string, a double-encoded string or an object."""
    expected = parser(load(payload))
    assert detect_shape(load(envelope)) is RecordSource.BUSINESS_PUSH
    assert detect_and_parse(load(envelope)) == expected
    assert parse_business_push(load(envelope)) == expected


BUSI_FIXTURES = [
    (1, "push_busi1_recognition.json", RecordKind.RECOGNITION),
    (2, "push_busi2_vehicle.json", RecordKind.VEHICLE),
    (3, "push_busi3_alert.json", RecordKind.ALERT),
    (5, "push_busi5_pass.json", RecordKind.PASS),
    (12, "push_busi12_face.json", RecordKind.STRUCTURED),
    (12, "push_busi12_body.json", RecordKind.STRUCTURED),
    (12, "push_busi12_non_motor_vehicle.json", RecordKind.STRUCTURED),
]


@pytest.mark.parametrize(("busi_type", "payload", "kind"), BUSI_FIXTURES)
@pytest.mark.parametrize("type_as_text", [True, False])
@pytest.mark.parametrize("encoding", ["object", "string", "double"])
def test_every_busi_type_in_every_envelope(
    busi_type: int, payload: str, kind: RecordKind, type_as_text: bool, encoding: str
) -> None:
    data = load(payload)
    sent: Any = data
    if encoding != "object":
        sent = json.dumps(data, ensure_ascii=False)
    if encoding == "double":
        sent = json.dumps(sent)
    body = {"busiType": str(busi_type) if type_as_text else busi_type, "data": sent}
    record = detect_and_parse(body)
    assert record is not None
    assert record.kind is kind
    assert record.raw == data
    assert record == parse_push_data(busi_type, data)


def test_unknown_busi_type_is_ignored() -> None:
    assert detect_and_parse(load("envelope_busi7_unknown.json")) is None
    assert detect_and_parse({"busiType": 4, "data": "not even json"}) is None
    assert parse_push_data(99, {}) is None


@pytest.mark.parametrize(
    ("name", "source", "kind"),
    [
        ("callback_pass_record.json", RecordSource.PASS_CALLBACK, RecordKind.PASS),
        ("push_busi5_pass.json", RecordSource.PASS_CALLBACK, RecordKind.PASS),
        ("callback_event_vehicle.json", RecordSource.EVENT_CALLBACK, RecordKind.EVENT_RECORD),
        ("callback_event_alert.json", RecordSource.EVENT_CALLBACK, RecordKind.EVENT_RECORD),
        (
            "callback_event_alert_string_ext.json",
            RecordSource.EVENT_CALLBACK,
            RecordKind.EVENT_RECORD,
        ),
        ("callback_event_pass.json", RecordSource.EVENT_CALLBACK, RecordKind.EVENT_RECORD),
        ("callback_event_person.json", RecordSource.EVENT_CALLBACK, RecordKind.EVENT_RECORD),
        ("callback_attendance.json", RecordSource.ATTENDANCE_CALLBACK, RecordKind.ATTENDANCE),
    ],
)
def test_detects_callbacks(name: str, source: RecordSource, kind: RecordKind) -> None:
    body = load(name)
    assert detect_shape(body) is source
    record = detect_and_parse(body)
    assert record is not None
    assert record.kind is kind
    assert record.source is source
