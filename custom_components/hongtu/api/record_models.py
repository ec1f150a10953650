"""Frozen records built from the appliance's pushes, callbacks and record lists.

One class per record kind, all sharing `HongTuRecord`: the identity fields (`record_id`,
`content_key`) that de-duplication relies on, the device reference, the record's own
millisecond timestamp, and `raw`, the decoded payload as the appliance sent it. The
vocabularies (alert and person type slugs) live here too, so that Home Assistant platforms
can name event types without importing the parsers.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

#: Prefix of a `record_id` that is a hash of the content key, not the payload's own id.
HASH_PREFIX = "h:"

#: Keys whose values are contact details; dropped wherever they occur in `public_data`.
#: The four named in the design, plus busiType 2's vehicle-owner phone number.
CONTACT_KEYS = frozenset(
    {"personPhone", "personIdentifyNum", "personEmail", "birthdayString", "personTelephone"}
)

#: Slug of the person type in events; ``unknown`` for anything not listed.
UNKNOWN = "unknown"

#: alarmType (dictionary 警戒类型) → English slug, the event types of the `alert` entity.
ALERT_TYPE_SLUGS: Mapping[int, str] = {
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

#: Person type code → slug. 1–3 are the dictionary 人员类型 (employee, visitor, key person).
#: busiType 1 sends the type as text with three more values that have no documented number:
#: 未知人员 takes 4 (its personTag in /v1/api/person/record/list), 未识别人员 takes 5 (the
#: recognitionType of 未识别), 高频重点人员 takes 6 (this library's choice).
PERSON_TYPE_SLUGS: Mapping[int, str] = {
    1: "employee",
    2: "visitor",
    3: "key_person",
    4: "stranger",
    5: "unrecognized",
    6: "frequent_key_person",
}

#: Person type texts (busiType 1 `personType`, and the descriptions of other channels) → code.
PERSON_TYPE_TEXTS: Mapping[str, int] = {
    "员工": 1,
    "访客": 2,
    "普通访客": 2,
    "VIP访客": 2,
    "重点人员": 3,
    "重点人员（黑名单）": 3,
    "未知人员": 4,
    "陌生人": 4,
    "通道陌生人": 4,
    "未识别人员": 5,
    "未识别": 5,
    "高频重点人员": 6,
}

#: Structured record category (dictionary 结构化类别) → slug.
STRUCTURED_CATEGORY_SLUGS: Mapping[int, str] = {
    1: "face",
    2: "body",
    3: "motor_vehicle",
    4: "non_motor_vehicle",
}

#: Attendance status (考勤状态) → slug.
ATTENDANCE_STATUS_SLUGS: Mapping[int, str] = {
    0: "no_result",
    1: "normal",
    2: "absent",
    3: "adjusted",
    4: "abnormal",
}


def alert_type_slug(alarm_type: int | None) -> str:
    """The slug of an alarmType, ``unknown`` when missing or not in the dictionary."""
    if alarm_type is None:
        return UNKNOWN
    return ALERT_TYPE_SLUGS.get(alarm_type, UNKNOWN)


def person_type_slug(code: int | None) -> str:
    """The slug of a person type code, ``unknown`` when missing or not listed."""
    if code is None:
        return UNKNOWN
    return PERSON_TYPE_SLUGS.get(code, UNKNOWN)


class RecordKind(StrEnum):
    """What a record is about; the `type` of the `hongtu_event` bus event."""

    RECOGNITION = "recognition"
    VEHICLE = "vehicle"
    ALERT = "alert"
    PASS = "pass"  # noqa: S105 - a record kind, not a password
    STRUCTURED = "structured"
    EVENT_RECORD = "event_record"
    ATTENDANCE = "attendance"


class RecordSource(StrEnum):
    """Which channel delivered a record (the same pass can arrive through three)."""

    BUSINESS_PUSH = "business_push"
    PASS_CALLBACK = "pass_callback"  # noqa: S105 - a channel name
    EVENT_CALLBACK = "event_callback"
    ATTENDANCE_CALLBACK = "attendance_callback"
    PASS_LIST = "pass_list"  # noqa: S105 - a channel name
    ALERT_LIST = "alert_list"


#: (kind, device uuid, time in ms, what tells two records of that instant apart).
type ContentKey = tuple[str, str | None, int, str | None]


@dataclass(frozen=True, slots=True, kw_only=True)
class HongTuRecord:
    """Fields every record has. `raw` is left out of hashing (it is a dict)."""

    kind: RecordKind
    source: RecordSource
    record_id: str
    time_ms: int
    content_key: ContentKey
    device_uuid: str | None = None
    device_id: int | None = None
    device_name: str | None = None
    capture_image_url: str | None = None
    library_image_url: str | None = None
    panorama_image_url: str | None = None
    raw: dict[str, Any] = field(default_factory=dict, hash=False, repr=False)

    @property
    def has_own_id(self) -> bool:
        """True when `record_id` is the payload's id, False when it is a content hash."""
        return not self.record_id.startswith(HASH_PREFIX)

    @property
    def time(self) -> datetime:
        """The record's timestamp as an aware UTC datetime, exact to the millisecond."""
        seconds, millis = divmod(self.time_ms, 1000)
        return datetime.fromtimestamp(seconds, UTC).replace(microsecond=millis * 1000)

    def public_data(self) -> dict[str, Any]:
        """`raw` without contact details, at any depth (what may go on the event bus)."""
        return _strip_object(self.raw)


@dataclass(frozen=True, slots=True, kw_only=True)
class PersonRecord(HongTuRecord):
    """A record about a recognised (or unrecognised) person."""

    person_name: str | None = None
    person_uuid: str | None = None
    person_type: int | None = None
    person_type_name: str = UNKNOWN
    score: float | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class RecognitionRecord(PersonRecord):
    """busiType 1: a security recognition (key person, stranger, employee, visitor)."""

    kind: RecordKind = field(default=RecordKind.RECOGNITION, init=False)
    location: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class PassRecord(PersonRecord):
    """A door pass: busiType 5, the pass-record callback or an item of the pass-record list."""

    kind: RecordKind = field(default=RecordKind.PASS, init=False)
    passed: bool | None = None
    pass_type: int | None = None
    recognition_type: int | None = None
    verification_mode: int | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class VehicleRecord(HongTuRecord):
    """busiType 2: a recognised vehicle."""

    kind: RecordKind = field(default=RecordKind.VEHICLE, init=False)
    plate_number: str | None = None
    owner_name: str | None = None
    vehicle_identity_type: int | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class AlertRecord(HongTuRecord):
    """busiType 3 or an item of the alert-record list."""

    kind: RecordKind = field(default=RecordKind.ALERT, init=False)
    alarm_type: int | None = None
    alarm_type_name: str = UNKNOWN
    alarm_end_time_ms: int | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class StructuredRecord(HongTuRecord):
    """busiType 12: a structured face, body, motor vehicle or non-motor vehicle."""

    kind: RecordKind = field(default=RecordKind.STRUCTURED, init=False)
    category: int | None = None
    category_name: str = UNKNOWN
    plate_number: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class EventRecord(HongTuRecord):
    """The event-record callback: a UI event-linkage rule matched (vehicle, alert, pass, person)."""

    kind: RecordKind = field(default=RecordKind.EVENT_RECORD, init=False)
    event_type_id: int | None = None
    event_type_name: str | None = None
    event_level: int | None = None
    event_level_name: str | None = None
    status: int | None = None
    person_name: str | None = None
    plate_number: str | None = None
    alarm_type: int | None = None
    alarm_type_name: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class AttendancePeriod:
    """One attendance period of a day (attTimeResult item)."""

    order: int | None = None
    in_punch: str | None = None
    out_punch: str | None = None
    result: int | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class AttendanceRecord(HongTuRecord):
    """The attendance callback: a person's result for one day (no device field)."""

    kind: RecordKind = field(default=RecordKind.ATTENDANCE, init=False)
    person_name: str | None = None
    person_uuid: str | None = None
    person_code: str | None = None
    status: int | None = None
    status_name: str = UNKNOWN
    periods: tuple[AttendancePeriod, ...] = ()


_CONTAINERS = (dict, list)
#: The types of JSON's scalar values, exactly (a subclass may be a container in disguise).
_SCALARS = frozenset({str, int, float, bool, type(None)})


def strip_contact_details(value: Any) -> Any:
    """A copy of a JSON value without `CONTACT_KEYS` in any object, however deeply nested."""
    if isinstance(value, dict):
        if _SCALARS.issuperset(map(type, value.values())):
            # A flat object (every record the appliance pushes): copied and cut in C.
            flat = dict(value)
            for key in CONTACT_KEYS.intersection(flat):
                del flat[key]
            return flat
        return _strip_object(value)
    if isinstance(value, list):
        wrapper = _strip_object({"": value})
        return wrapper[""]
    return value


def _strip_object(source: dict[Any, Any]) -> dict[Any, Any]:
    """Copy `source` dropping contact keys; iterative, so deep nesting cannot overflow the stack.

    Runs for every record that reaches the bus, so a scalar value costs one type check: the
    kind of each container is decided once per container, not once per item.
    """
    root: dict[Any, Any] = {}
    stack: list[tuple[Any, Any]] = [(source, root)]
    while stack:
        original, copy = stack.pop()
        if isinstance(copy, dict):
            for key, item in original.items():
                if key not in CONTACT_KEYS:
                    copy[key] = _nested_copy(item, stack) if isinstance(item, _CONTAINERS) else item
        else:
            for item in original:
                copy.append(_nested_copy(item, stack) if isinstance(item, _CONTAINERS) else item)
    return root


def _nested_copy(item: dict[Any, Any] | list[Any], stack: list[tuple[Any, Any]]) -> Any:
    """An empty container of the item's kind, queued on `stack` to be filled from it."""
    copy: dict[Any, Any] | list[Any] = {} if isinstance(item, dict) else []
    stack.append((item, copy))
    return copy
