"""Record models: vocabularies, privacy of `public_data`, and the dataclass behaviour."""

from __future__ import annotations

from dataclasses import FrozenInstanceError, asdict
from datetime import UTC, datetime
import json
from pathlib import Path
from typing import Any

import pytest

from custom_components.hongtu.api.record_models import (
    ALERT_TYPE_SLUGS,
    CONTACT_KEYS,
    PERSON_TYPE_SLUGS,
    PassRecord,
    RecordKind,
    RecordSource,
    alert_type_slug,
    person_type_slug,
    strip_contact_details,
)
from custom_components.hongtu.api.records import (
    detect_and_parse,
    parse_event_callback,
    parse_pass_callback,
    parse_pass_push,
    public_data,
)

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
CONTACTS = {"personPhone", "personIdentifyNum", "personEmail", "birthdayString"}


def load(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def test_alert_type_slugs_are_the_contract() -> None:
    assert dict(ALERT_TYPE_SLUGS) == {
        1: "line_crossing",
        2: "intrusion",
        3: "vehicle_line_crossing",
        4: "vehicle_no_parking",
        5: "wall_climbing",
        6: "loitering",
        7: "motor_vehicle_leaving",
        8: "non_motor_vehicle_leaving",
        10: "off_post",
        11: "post_overstaffed",
        12: "post_understaffed",
        13: "running",
        14: "fall",
        15: "fighting",
        16: "smoking",
        17: "watching_phone",
        18: "phone_call",
        19: "crowd",
        20: "collision_warning",
        21: "wrong_way",
        22: "sleeping_on_duty",
        31: "motor_vehicle_line_crossing",
        32: "non_motor_vehicle_line_crossing",
        41: "motor_vehicle_no_parking",
        42: "non_motor_vehicle_no_parking",
    }
    assert alert_type_slug(9) == "unknown"
    assert alert_type_slug(None) == "unknown"


def test_person_type_slugs_are_the_contract() -> None:
    assert set(PERSON_TYPE_SLUGS.values()) | {"unknown"} == {
        "employee",
        "visitor",
        "key_person",
        "stranger",
        "unrecognized",
        "frequent_key_person",
        "unknown",
    }
    assert [PERSON_TYPE_SLUGS[code] for code in (1, 2, 3)] == ["employee", "visitor", "key_person"]
    assert person_type_slug(None) == "unknown"
    assert person_type_slug(0) == "unknown"


def test_kind_strings_are_the_contract() -> None:
    assert [kind.value for kind in RecordKind] == [
        "recognition",
        "vehicle",
        "alert",
        "pass",
        "structured",
        "event_record",
        "attendance",
    ]


@pytest.mark.parametrize("name", ["push_busi5_pass.json", "callback_pass_record.json"])
def test_public_data_drops_contact_details(name: str) -> None:
    payload = load(name)
    record = detect_and_parse(payload)
    assert record is not None
    present = CONTACTS & payload.keys()
    assert present  # the examples do carry contact details
    cleaned = public_data(record)
    assert not CONTACTS & cleaned.keys()
    assert cleaned == {key: value for key, value in payload.items() if key not in CONTACTS}
    # raw is untouched: public_data is a copy.
    assert present <= record.raw.keys()
    assert record.public_data() == cleaned


def test_public_data_drops_nested_contact_details() -> None:
    body = load("callback_event_pass.json")
    body["ext"] = json.dumps(
        {
            "personName": "杨亮",
            "personPhone": "13513502132",
            "ruleConfig": json.dumps({"personEmail": "a@b.c", "stayTime": 1}),
            "visitors": [{"birthdayString": "生日快乐", "personIdentifyNum": "1423", "keep": 1}],
        }
    )
    cleaned = public_data(parse_event_callback(body))
    assert cleaned["ext"] == {
        "personName": "杨亮",
        "ruleConfig": {"stayTime": 1},
        "visitors": [{"keep": 1}],
    }
    assert cleaned["eventTypeId"] == 501


def test_public_data_drops_vehicle_owner_phone() -> None:
    payload = load("push_busi2_vehicle.json") | {"personTelephone": "13800000000"}
    record = detect_and_parse({"busiType": 2, "data": payload})
    assert record is not None
    assert "personTelephone" not in public_data(record)
    assert "personTelephone" in CONTACT_KEYS


def test_strip_contact_details_on_any_json_value() -> None:
    assert strip_contact_details("text") == "text"
    assert strip_contact_details(None) is None
    assert strip_contact_details([{"personPhone": 1, "a": [{"personEmail": 2}]}, 3]) == [
        {"a": [{}]},
        3,
    ]
    deep: Any = {"personPhone": "x", "keep": True}
    for _ in range(5000):  # deeper than the recursion limit
        deep = {"next": deep}
    cleaned = strip_contact_details(deep)
    for _ in range(5000):
        cleaned = cleaned["next"]
    assert cleaned == {"keep": True}


def test_strip_contact_details_flat_and_nested_agree() -> None:
    """A flat object (the fast path) and the same object nested give the same result; a
    value of an unusual type (not JSON's) takes the general path."""

    class Text(str):
        pass

    flat = load("push_busi5_pass.json")
    assert not any(isinstance(value, dict | list) for value in flat.values())
    expected = {key: value for key, value in flat.items() if key not in CONTACT_KEYS}
    cleaned = strip_contact_details(flat)
    assert cleaned == expected
    assert cleaned is not flat
    assert "personPhone" in flat  # the source is left as it was
    assert strip_contact_details({"outer": flat}) == {"outer": expected}
    assert strip_contact_details(flat | {"note": Text("x")}) == expected | {"note": "x"}


def test_time_is_aware_utc_to_the_millisecond() -> None:
    record = parse_pass_push(load("push_busi5_pass.json"))
    assert record.time == datetime(2021, 8, 13, 10, 11, 27, 177000, tzinfo=UTC)
    assert record.time.isoformat(timespec="milliseconds") == "2021-08-13T10:11:27.177+00:00"


def test_records_are_frozen_hashable_and_convertible() -> None:
    record = parse_pass_callback(load("callback_pass_record.json"))
    with pytest.raises(FrozenInstanceError):
        record.record_id = "other"  # type: ignore[misc]
    assert hash(record) == hash(parse_pass_callback(load("callback_pass_record.json")))
    assert "raw" not in repr(record)  # personal data stays out of reprs
    as_dict = asdict(record)
    assert as_dict["kind"] == "pass"
    assert as_dict["source"] == "pass_callback"
    assert as_dict["content_key"] == record.content_key


def test_kind_cannot_be_passed_to_a_subclass() -> None:
    with pytest.raises(TypeError):
        PassRecord(  # type: ignore[call-arg]
            kind=RecordKind.ALERT,
            source=RecordSource.PASS_LIST,
            record_id="1",
            time_ms=1,
            content_key=("pass", None, 1, None),
        )
    record = PassRecord(
        source=RecordSource.PASS_LIST, record_id="1", time_ms=1, content_key=("pass", None, 1, None)
    )
    assert record.kind is RecordKind.PASS
    assert record.person_type_name == "unknown"
    assert record.raw == {}
