"""Record identity: own ids versus content hashes; one fact gives one content key everywhere."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
import re
from typing import Any

import pytest

from custom_components.hongtu.api.records import (
    detect_and_parse,
    parse_alert_list_item,
    parse_alert_push,
    parse_attendance_callback,
    parse_event_callback,
    parse_pass_callback,
    parse_pass_list_item,
    parse_pass_push,
    parse_recognition_push,
    parse_structured_push,
    parse_vehicle_push,
)

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
HASH_ID = re.compile(r"^h:[0-9a-f]{40}$")


def load(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    ("parser", "name"),
    [
        (parse_recognition_push, "push_busi1_recognition.json"),
        (parse_vehicle_push, "push_busi2_vehicle.json"),
        (parse_structured_push, "push_busi12_face.json"),
        (parse_structured_push, "push_busi12_motor_vehicle.json"),
    ],
)
def test_records_without_id_get_a_content_hash(parser: Any, name: str) -> None:
    record = parser(load(name))
    assert HASH_ID.match(record.record_id)
    assert not record.has_own_id
    # The hash is SHA-1 of the content key as JSON: stable across runs and processes.
    key_json = json.dumps(list(record.content_key)).encode()
    expected = hashlib.sha1(key_json, usedforsecurity=False).hexdigest()
    assert record.record_id == f"h:{expected}"
    assert parser(load(name)).record_id == record.record_id


def test_hash_ignores_fields_outside_the_content_key() -> None:
    payload = load("push_busi1_recognition.json")
    first = parse_recognition_push(payload)
    payload["score"] = 12.5
    payload["location"] = "elsewhere"
    assert parse_recognition_push(payload).record_id == first.record_id


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("captureTime", 1628849476259),
        ("deviceUuid", "00000000000000000000000000000000"),
        ("personUuid", "11111111111111111111111111111111"),
    ],
)
def test_hash_changes_with_the_content(field: str, value: Any) -> None:
    payload = load("push_busi1_recognition.json")
    first = parse_recognition_push(payload)
    payload[field] = value
    second = parse_recognition_push(payload)
    assert second.content_key != first.content_key
    assert second.record_id != first.record_id


def test_strangers_are_told_apart_by_their_capture_image() -> None:
    payload = load("push_busi1_recognition.json")
    del payload["personUuid"]
    payload["personType"] = "未知人员"
    first = parse_recognition_push(payload)
    assert first.person_type_name == "stranger"
    assert first.content_key[3] == "_Y2FjdHVzMTAwXzNt_a548f9142e16480a1b2c3d4e5f607182"
    payload["captureImageUrl"] = "http://10.171.4.194/pub/_Y2FjdHVzMTAwXzNt_other"
    second = parse_recognition_push(payload)
    assert second.content_key[:3] == first.content_key[:3]
    assert second.record_id != first.record_id


@pytest.mark.parametrize(
    ("parser", "name", "own_id"),
    [
        (parse_pass_push, "push_busi5_pass.json", "30eb7cb982694641b64c334087849aec"),
        (parse_pass_callback, "callback_pass_record.json", "313123"),
        (parse_alert_push, "push_busi3_alert.json", "5ce33c9accb94a978976b232958bdc88"),
        (parse_event_callback, "callback_event_vehicle.json", "KgYsYHoBdNc5wFDjhEE4"),
        (parse_attendance_callback, "callback_attendance.json", "26862b1abeb64c4d869add1d225e5ebe"),
    ],
)
def test_payloads_with_an_id_keep_it(parser: Any, name: str, own_id: str) -> None:
    record = parser(load(name))
    assert record.record_id == own_id
    assert record.has_own_id


def test_event_callback_falls_back_to_uuid() -> None:
    body = load("callback_event_vehicle.json")
    del body["id"]
    assert parse_event_callback(body).record_id == "3a3f0567528547eca7b613fa7b6909a8"


def test_numeric_list_uuid_becomes_text() -> None:
    item = load("list_pass_record.json")["data"]["list"][0]
    item["uuid"] = 44467
    assert parse_pass_list_item(item).record_id == "44467"


def test_list_item_uuid_is_not_taken_for_the_device() -> None:
    item = load("list_pass_record.json")["data"]["list"][0]
    del item["deviceUuid"]
    record = parse_pass_list_item(item)
    assert record.device_uuid is None
    assert record.record_id == "44467"


def _same_pass_three_ways(facts: dict[str, Any]) -> tuple[Any, Any, Any]:
    """One pass as busiType 5 push, pass-record callback and list item (each its own host name)."""
    shared = {
        "deviceUuid": facts["device"],
        "deviceName": "d1s-247",
        "passType": 1,
        "recognitionType": facts["recognition"],
        "verificationMode": 0,
    }
    if facts["person"]:
        shared |= {"personUuid": facts["person"], "personName": "通行_员工", "personType": 1}
    image = facts["image"]
    push = shared | {
        "id": "30eb7cb982694641b64c334087849aec",
        "passTimestamp": facts["time"],
        "passTime": "2021-08-23T03:53:38.000+08:00",
        "snapshotUrl": f"http://10.171.4.194/pub/{image}",
        "snapshotUri": image,
        "recognitionScore": 86.8,
    }
    callback = shared | {
        "id": "30eb7cb982694641b64c334087849aec",
        "recordType": 1,
        "passTimestamp": str(facts["time"]),
        "snapshotUrl": f"http://hongtu.local:8080/pub/{image}?token=1",
        "recognitionScore": "86.8",
    }
    listed = shared | {
        "uuid": "44467",
        "passTimestamp": facts["time"],
        "snapshotUrl": f"https://10.171.4.194/pub/{image}",
    }
    envelope = {"busiType": "5", "data": json.dumps(push, ensure_ascii=False)}
    return detect_and_parse(envelope), detect_and_parse(callback), parse_pass_list_item(listed)


@pytest.mark.parametrize(
    "person",
    ["5b561102d7ba47458b26b51a07ee36de", None],
    ids=["known person", "stranger"],
)
def test_one_pass_has_one_content_key_on_every_channel(person: str | None) -> None:
    facts = {
        "device": "83ddaf6a033548a6879fcf7e708e0c74",
        "time": 1629662018000,
        "person": person,
        "recognition": 1 if person else 4,
        "image": "_Y2FjdHVzMTAwXzNt_fec90a1b2c3d4e5f60718293a4b5c6d7",
    }
    push, callback, listed = _same_pass_three_ways(facts)
    assert push.content_key == callback.content_key == listed.content_key
    assert push.content_key == (
        "pass",
        facts["device"],
        facts["time"],
        person or facts["image"],
    )
    # Push and callback share the record id; the list numbers records its own way.
    assert push.record_id == callback.record_id == "30eb7cb982694641b64c334087849aec"
    assert listed.record_id == "44467"
    assert push.person_type_name == callback.person_type_name == listed.person_type_name
    assert push.person_type_name == ("employee" if person else "stranger")
    assert push.passed is callback.passed is listed.passed is True


def test_pass_time_falls_back_to_iso_pass_time() -> None:
    payload = load("push_busi5_pass.json")
    expected = parse_pass_push(payload)
    del payload["passTimestamp"]
    record = parse_pass_push(payload)
    assert record.time_ms == 1628849487177  # "2021-08-13T18:11:27.177+08:00"
    assert record.content_key == expected.content_key


def test_alert_push_and_list_item_share_identity() -> None:
    item = load("list_alert_record.json")["data"]["list"][0]
    push = dict(item)
    push["deviceUuid"] = push.pop("deviceUuId")
    push["targetRect"] = json.dumps([push["targetRect"]])
    from_push = parse_alert_push(push)
    from_list = parse_alert_list_item(item)
    assert from_push.record_id == from_list.record_id == "4338bf95a0774d2fb976702766b3407d"
    assert from_push.content_key == from_list.content_key
    assert from_push.content_key == (
        "alert",
        "34e2f5500c7b4a5f9109f9cbd5565734",
        1626205068000,
        "4",
    )
    assert from_push.raw["targetRect"] == [item["targetRect"]]


def test_vehicle_without_plate_uses_crop_image() -> None:
    payload = load("push_busi2_vehicle.json")
    payload["plateNumber"] = ""
    record = parse_vehicle_push(payload)
    assert record.plate_number is None
    assert record.content_key[3] == "_Y2FjdHVzMTAwXzNt_165c2dfbe3e54f8c8bf6b6073f9cf6b3"
    del payload["cropUrl"]
    assert parse_vehicle_push(payload).content_key == record.content_key  # from cropUri


def test_event_records_of_one_instant_differ_by_type_and_device() -> None:
    body = load("callback_event_vehicle.json")
    first = parse_event_callback(body)
    body["deviceId"] = 289
    assert parse_event_callback(body).content_key != first.content_key
    body["deviceId"] = 288
    body["eventTypeId"] = 203
    assert parse_event_callback(body).content_key != first.content_key
    assert (
        first.content_key[3] == "202/288/_ZzEwMF9mb3JldmVyQnVja2V0_3a978ff80a1b2c3d4e5f60718293a4b5"
    )
