"""Bad input gives HongTuParseError or a record with defaults, never a bare Python error."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings, strategies as st
import pytest

from custom_components.hongtu.api.errors import HongTuParseError
from custom_components.hongtu.api.record_models import HongTuRecord
from custom_components.hongtu.api.records import (
    detect_and_parse,
    detect_shape,
    parse_alert_push,
    parse_attendance_callback,
    parse_business_push,
    parse_event_callback,
    parse_pass_callback,
    parse_pass_push,
    parse_recognition_push,
    parse_structured_push,
    person_type_code,
)

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
ALL_FIXTURES = sorted(path.name for path in FIXTURES.glob("*.json") if "list_" not in path.name)


def load(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    "body",
    [None, [], [{"busiType": 5}], "text", 5, True, 1.5],
    ids=["null", "empty array", "array", "string", "int", "bool", "float"],
)
def test_body_that_is_not_an_object(body: Any) -> None:
    with pytest.raises(HongTuParseError, match="not a JSON object"):
        detect_and_parse(body)


@pytest.mark.parametrize("body", [{}, {"foo": 1}, {"data": "{}"}, {"id": "x", "deviceUuid": "y"}])
def test_object_of_no_known_shape(body: dict[str, Any]) -> None:
    with pytest.raises(HongTuParseError, match="neither a business push"):
        detect_shape(body)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"busiType": None, "data": "{}"}, "busiType is null"),
        ({"busiType": "abc", "data": "{}"}, "busiType is a string"),
        ({"busiType": True, "data": "{}"}, "busiType is a boolean"),
        ({"busiType": [5], "data": "{}"}, "busiType is an array"),
        ({"busiType": {"x": 5}, "data": "{}"}, "busiType is dict"),
        ({"busiType": 5}, "has no data"),
        ({"busiType": 5, "data": None}, "is null, not a JSON object"),
        ({"busiType": 5, "data": ""}, "not valid JSON"),
        ({"busiType": 5, "data": '{"passTimestamp": 1'}, "not valid JSON"),
        ({"busiType": 5, "data": "[1, 2]"}, "is an array"),
        ({"busiType": 5, "data": [{"passTimestamp": 1}]}, "is an array"),
        ({"busiType": "5", "data": 42}, "is a number"),
        ({"busiType": 5, "data": '"\\"\\\\\\"{}\\\\\\"\\""'}, "more than 3 times"),
        ({"busiType": 5, "data": "[" * 100_000}, "not valid JSON"),
    ],
)
def test_bad_envelopes(body: dict[str, Any], message: str) -> None:
    with pytest.raises(HongTuParseError, match=message):
        detect_and_parse(body)


def test_envelope_given_as_json_text() -> None:
    envelope = load("envelope_busi5_int_type_obj_data.json")
    record = parse_business_push(json.dumps(envelope))
    assert record is not None
    assert record.record_id == "30eb7cb982694641b64c334087849aec"


@pytest.mark.parametrize(
    "value",
    [None, "", "abc", True, 0, -5, {"t": 1}, [1], float("nan"), float("inf"), 10**20, "1e400"],
)
def test_unusable_timestamps(value: Any) -> None:
    payload = load("push_busi1_recognition.json")
    payload["captureTime"] = value
    with pytest.raises(HongTuParseError, match="no usable timestamp"):
        parse_recognition_push(payload)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1628849476258", 1628849476258),
        (" 1628849476258 ", 1628849476258),
        (1628849476258.0, 1628849476258),
        (1628849476258.7, 1628849476258),
        ("1.628849476258e12", 1628849476258),
        ("2021-08-13T18:11:16.258+08:00", 1628849476258),
        ("2021-08-13T10:11:16.258Z", 1628849476258),
    ],
)
def test_timestamp_encodings(value: Any, expected: int) -> None:
    payload = load("push_busi1_recognition.json")
    payload["captureTime"] = value
    assert parse_recognition_push(payload).time_ms == expected


@pytest.mark.parametrize(
    "pass_time",
    ["2021-08-13 18:11:27", "0001-01-01T00:00:00+08:00", "yesterday", "2021-13-45T00:00:00+08:00"],
)
def test_pass_time_without_offset_or_out_of_range_is_not_used(pass_time: str) -> None:
    payload = load("push_busi5_pass.json")
    del payload["passTimestamp"]
    payload["passTime"] = pass_time
    with pytest.raises(HongTuParseError, match="busiType 5 record has no usable timestamp"):
        parse_pass_push(payload)


def test_wrong_types_fall_back_to_defaults() -> None:
    payload = load("push_busi5_pass.json")
    payload |= {
        "personName": ["not", "a", "name"],
        "personUuid": {"x": 1},
        "recognitionScore": "n/a",
        "passType": "1",
        "deviceId": "661",
        "verificationMode": True,
        "snapshotUrl": 12,
        "personImageUrl": "   ",
        "deviceName": 42,
    }
    record = parse_pass_push(payload)
    assert record.person_name is None
    assert record.person_uuid is None
    assert record.score is None
    assert record.passed is True
    assert record.pass_type == 1
    assert record.device_id == 661
    assert record.verification_mode is None
    assert record.capture_image_url is None
    assert record.library_image_url is None
    assert record.device_name == "42"
    # No person uuid and no image: the snapshotUri still tells the record apart.
    assert record.content_key[3] == "_Y2FjdHVzMTAwXzNt_b659c59340894abcaaa91a1fbeb8a6d2"


@pytest.mark.parametrize(
    ("pass_type", "passed"), [(0, False), (2, False), ("1", True), (None, None)]
)
def test_passed_flag(pass_type: Any, passed: bool | None) -> None:
    payload = load("callback_pass_record.json")
    payload["passType"] = pass_type
    assert parse_pass_callback(payload).passed is passed


@pytest.mark.parametrize(
    ("value", "code", "slug"),
    [
        ("员工", 1, "employee"),
        ("访客", 2, "visitor"),
        ("重点人员", 3, "key_person"),
        ("未知人员", 4, "stranger"),
        ("未识别人员", 5, "unrecognized"),
        ("高频重点人员", 6, "frequent_key_person"),
        (" 员工 ", 1, "employee"),
        ("⾼频重点⼈员", 6, "frequent_key_person"),  # Kangxi radicals, as in the PDF text
        (1, 1, "employee"),
        ("3", 3, "key_person"),
        (3.0, 3, "key_person"),
        (9, 9, "unknown"),
        ("某类人员", None, "unknown"),
        (None, None, "unknown"),
        (True, None, "unknown"),
        ([1], None, "unknown"),
    ],
)
def test_person_type_text_or_number(value: Any, code: int | None, slug: str) -> None:
    assert person_type_code(value) == code
    payload = load("push_busi1_recognition.json")
    payload["personType"] = value
    record = parse_recognition_push(payload)
    assert record.person_type == code
    assert record.person_type_name == slug


@pytest.mark.parametrize(
    ("recognition_type", "slug"),
    [(1, "employee"), (3, "key_person"), (4, "stranger"), (5, "unrecognized"), (6, "visitor")],
)
def test_pass_without_person_type_uses_recognition_type(recognition_type: int, slug: str) -> None:
    payload = load("callback_pass_record.json")
    del payload["personType"]
    payload["recognitionType"] = recognition_type
    assert parse_pass_callback(payload).person_type_name == slug


def test_pass_without_any_type_is_unknown() -> None:
    payload = load("callback_pass_record.json")
    del payload["personType"]
    del payload["recognitionType"]
    record = parse_pass_callback(payload)
    assert record.person_type is None
    assert record.person_type_name == "unknown"


@pytest.mark.parametrize(
    ("alarm_type", "code", "slug"),
    [(99, 99, "unknown"), ("14", 14, "fall"), (None, None, "unknown"), ("x", None, "unknown")],
)
def test_alert_types(alarm_type: Any, code: int | None, slug: str) -> None:
    payload = load("push_busi3_alert.json")
    payload["alarmType"] = alarm_type
    record = parse_alert_push(payload)
    assert record.alarm_type == code
    assert record.alarm_type_name == slug
    assert record.content_key[3] == (None if code is None else str(code))


def test_alert_nested_json_strings() -> None:
    payload = load("push_busi3_alert.json")
    payload["targetRect"] = json.dumps(payload["targetRect"])
    payload["drawLineDetail"] = "[not json"
    payload["targetId"] = '["car:1"]'
    record = parse_alert_push(payload)
    assert record.raw["targetRect"][0]["left"] == pytest.approx(56.719376)
    assert record.raw["drawLineDetail"] == "[not json"  # kept as sent
    assert record.raw["targetId"] == ["car:1"]


@pytest.mark.parametrize("ext", ["{broken", "[1, 2]", 5, None, "", "plain text"])
def test_event_ext_that_is_not_an_object(ext: Any) -> None:
    body = load("callback_event_vehicle.json")
    body["ext"] = ext
    record = parse_event_callback(body)
    assert record.plate_number is None
    assert record.person_name is None
    assert record.alarm_type is None
    assert record.event_type_id == 202


def test_event_ext_nested_field_that_is_not_json() -> None:
    body = load("callback_event_alert.json")
    body["ext"]["ruleConfig"] = "{stayTime: 1"
    body["ext"]["alarmType"] = "99"
    record = parse_event_callback(body)
    assert record.raw["ext"]["ruleConfig"] == "{stayTime: 1"
    assert record.alarm_type == 99
    assert record.alarm_type_name == "unknown"
    # The caller's body is not modified.
    assert (
        load("callback_event_alert.json")["ext"]
        == parse_event_callback(load("callback_event_alert.json")).raw["ext"]
    )


def test_event_without_timestamp_uses_gmt_create() -> None:
    body = load("callback_event_person.json")
    del body["timestamp"]
    assert parse_event_callback(body).time_ms == 1625123387841


def test_event_with_device_uuid() -> None:
    body = load("callback_event_person.json")
    body["deviceUuid"] = "aa10447dfaa4483c9403c59a736107df"
    assert parse_event_callback(body).device_uuid == "aa10447dfaa4483c9403c59a736107df"


def test_attendance_variants() -> None:
    body = load("callback_attendance.json")
    body["attTimeResult"] = json.dumps(body["attTimeResult"] + ["junk", None])
    body["attendanceDate"] = "1624896000000"
    body["status"] = 9
    record = parse_attendance_callback(body)
    assert record.time_ms == 1624896000000
    assert len(record.periods) == 1
    assert record.periods[0].result == 4
    assert record.status_name == "unknown"
    body["attTimeResult"] = {"order": 1}
    del body["status"]
    record = parse_attendance_callback(body)
    assert record.periods == ()
    assert record.status is None
    assert record.status_name == "unknown"


def test_attendance_without_person_uuid_uses_code() -> None:
    body = load("callback_attendance.json")
    del body["personUuid"]
    assert parse_attendance_callback(body).content_key[3] == "5677978"


@pytest.mark.parametrize(
    ("category", "slug"), [(None, "unknown"), (9, "unknown"), ("3", "motor_vehicle")]
)
def test_structured_category(category: Any, slug: str) -> None:
    payload = load("push_busi12_motor_vehicle.json")
    payload["category"] = category
    record = parse_structured_push(payload)
    assert record.category_name == slug
    assert record.plate_number == ("苏D0112U" if slug == "motor_vehicle" else None)


def test_structured_time_falls_back_to_server_time() -> None:
    payload = load("push_busi12_face.json")
    del payload["recognitionTime"]
    assert parse_structured_push(payload).time_ms == 1628837931252


@pytest.mark.parametrize(
    ("url", "expected_url", "key"),
    [
        ("http: //10.0.0.1/pub/_abc", "http://10.0.0.1/pub/_abc", "_abc"),
        ("HTTPS:  //10.0.0.1/pub/_abc/", "HTTPS://10.0.0.1/pub/_abc/", "_abc"),
        ("http://10.0.0.1/pub/_abc#frag", "http://10.0.0.1/pub/_abc#frag", "_abc"),
        ("_bare_key", "_bare_key", "_bare_key"),
        ("http://10.0.0.1", "http://10.0.0.1", None),
    ],
)
def test_capture_image_key(url: str, expected_url: str, key: str | None) -> None:
    payload = load("push_busi1_recognition.json")
    del payload["personUuid"]
    payload["captureImageUrl"] = url
    record = parse_recognition_push(payload)
    assert record.capture_image_url == expected_url
    assert record.content_key[3] == key


# --- fuzzing ------------------------------------------------------------------------------

# Explicit alphabets (with JSON syntax, CJK, a Kangxi radical and a lone surrogate) keep
# hypothesis from building its unicode cache in the working tree.
ALPHABET = 'ab:,.{}[]"\\ 0123456789-eE员工⼈\ud800'


def _texts(max_size: int) -> st.SearchStrategy[str]:
    return st.lists(st.sampled_from(ALPHABET), max_size=max_size).map("".join)


JSON_LEAVES = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=True, allow_infinity=True)
    | _texts(12)
    | st.sampled_from(["{", "[", "{}", "[]", '"{}"', "1628849476258", "5", "12", "员工"])
)
JSON_VALUES = st.recursive(
    JSON_LEAVES,
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(_texts(8), children, max_size=4),
    max_leaves=12,
)
KNOWN_KEYS = st.sampled_from(
    [
        "busiType", "data", "passTimestamp", "passTime", "captureTime", "alarmTime", "timestamp",
        "recognitionTime", "attendanceDate", "attTimeResult", "eventTypeId", "ext", "personType",
        "recognitionType", "personUuid", "deviceUuid", "deviceUuId", "id", "uuid", "category",
        "alarmType", "snapshotUrl", "captureImageUrl", "plateNumber", "targetRect", "status",
    ]
)  # fmt: skip
BODIES = st.one_of(
    JSON_VALUES,
    st.dictionaries(KNOWN_KEYS, JSON_VALUES, max_size=8),
    st.builds(
        lambda busi, data, as_text: {
            "busiType": busi,
            "data": json.dumps(data) if as_text else data,
        },
        st.sampled_from([1, 2, 3, 5, 12, "1", "5", "12", 7]),
        st.dictionaries(KNOWN_KEYS, JSON_VALUES, max_size=8),
        st.booleans(),
    ),
)
FUZZ = settings(
    max_examples=250,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def _check(body: Any) -> None:
    """The whole contract: a record, None, or HongTuParseError, and the record is usable."""
    try:
        record = detect_and_parse(body)
    except HongTuParseError:
        return
    if record is None:
        return
    assert isinstance(record, HongTuRecord)
    assert isinstance(record.time_ms, int)
    assert isinstance(record.record_id, str)
    assert record.record_id
    hash(record)
    hash(record.content_key)
    record.time.isoformat()
    json.dumps(record.public_data(), default=str)


@FUZZ
@given(BODIES)
def test_fuzz_random_bodies(body: Any) -> None:
    _check(body)


@FUZZ
@given(st.sampled_from(ALL_FIXTURES), st.data())
def test_fuzz_mutated_fixtures(name: str, data: st.DataObject) -> None:
    body = load(name)
    target = body
    if "busiType" in body and isinstance(body["data"], dict):
        target = body["data"]
    keys = sorted(target)
    for key in data.draw(st.lists(st.sampled_from(keys), max_size=4, unique=True)):
        if data.draw(st.booleans()):
            del target[key]
        else:
            target[key] = data.draw(JSON_VALUES)
    _check(body)
