"""Pure parsers from the appliance's push, callback and list JSON to record models.

Shared by the webhook receiver and the catch-up poll, so that one fact gives the same record
(and the same identity) whichever channel brought it. The vendor document types numbers as
strings and JSON as strings where the examples show numbers and objects, so every reader
here accepts both. Whatever cannot be understood raises `HongTuParseError`; no bare
KeyError, TypeError, ValueError or JSONDecodeError escapes.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
import hashlib
import json
import math
import re
from typing import Any
import unicodedata

from .errors import HongTuParseError
from .jsondecode import loads
from .parsing import as_float, as_int, as_str, device_uuid_of
from .record_models import (
    ALERT_TYPE_SLUGS,
    ATTENDANCE_STATUS_SLUGS,
    HASH_PREFIX,
    PERSON_TYPE_SLUGS,
    PERSON_TYPE_TEXTS,
    STRUCTURED_CATEGORY_SLUGS,
    UNKNOWN,
    AlertRecord,
    AttendancePeriod,
    AttendanceRecord,
    ContentKey,
    EventRecord,
    HongTuRecord,
    PassRecord,
    RecognitionRecord,
    RecordKind,
    RecordSource,
    StructuredRecord,
    VehicleRecord,
    alert_type_slug,
    person_type_slug,
)

__all__ = [
    "ALERT_TYPE_SLUGS",
    "PERSON_TYPE_SLUGS",
    "SUPPORTED_BUSI_TYPES",
    "detect_and_parse",
    "detect_shape",
    "parse_alert_list_item",
    "parse_alert_push",
    "parse_attendance_callback",
    "parse_business_push",
    "parse_event_callback",
    "parse_pass_callback",
    "parse_pass_list_item",
    "parse_pass_push",
    "parse_push_data",
    "parse_recognition_push",
    "parse_structured_push",
    "parse_vehicle_push",
    "person_type_code",
    "public_data",
]

#: The busiTypes this module understands (the ones a subscription can ask for).
SUPPORTED_BUSI_TYPES = frozenset({1, 2, 3, 5, 12})

# The device uuid of a record. Not the bare `uuid`: in records that key is the record's own id.
_DEVICE_KEYS = ("deviceUuid", "deviceUuId", "deviceUUID")
# How many times `data` may be JSON-encoded as a string (the document says once).
_MAX_STRING_LEVELS = 3
# Unix ms bounds: later than the epoch, earlier than the year 10000 (datetime's limit).
_MAX_MS = 253_402_300_800_000
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_ONE_MS = timedelta(milliseconds=1)
# The event callback's examples write "https: //host/…".
_SPACED_SCHEME = re.compile(r"^(https?):\s+//", re.IGNORECASE)
# Fields typed "string" that the examples show as nested JSON.
_ALERT_JSON_FIELDS = ("drawLineDetail", "targetRect", "targetId")
_EXT_JSON_FIELDS = ("ruleConfig", "targetRect", "drawLineDetail", "shieldLineDetail")
# Pass records without personType: recognitionType → person type code.
_RECOGNITION_TO_PERSON_TYPE = {1: 1, 2: 2, 3: 3, 4: 4, 5: 5, 6: 2}
_VEHICLE_CATEGORIES = frozenset({3, 4})


# --- low-level readers -------------------------------------------------------------------


def _describe(value: Any) -> str:
    """A short name of a JSON value's type for error messages (never the value itself)."""
    if value is None:
        return "null"
    if isinstance(value, list | tuple):
        return "an array"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    return type(value).__name__


def _loads(text: str, what: str) -> Any:
    try:
        return loads(text)
    except (ValueError, RecursionError) as err:
        raise HongTuParseError(f"{what} is not valid JSON ({err})") from err


def _as_object(value: Any, what: str) -> dict[str, Any]:
    """A JSON object as a fresh dict, decoding string levels (double encoding) first."""
    levels = 0
    while isinstance(value, str):
        if levels == _MAX_STRING_LEVELS:
            raise HongTuParseError(f"{what} is JSON-encoded more than {levels} times")
        value = _loads(value, what)
        levels += 1
    if isinstance(value, Mapping):
        return dict(value)
    raise HongTuParseError(f"{what} is {_describe(value)}, not a JSON object")


def _decode_fields(record: dict[str, Any], keys: tuple[str, ...]) -> None:
    """Replace string fields that hold JSON objects or arrays by their value (in place).

    A string that is not valid JSON is kept as it was sent: these fields are descriptive.
    """
    for key in keys:
        value = record.get(key)
        if isinstance(value, str):
            text = value.strip()
            if text[:1] in ("{", "["):
                try:
                    record[key] = loads(text)
                except (ValueError, RecursionError):
                    continue


def _ms(value: Any) -> int | None:
    """Unix milliseconds from a number, a numeric string or an ISO 8601 time with offset."""
    if isinstance(value, bool):
        return None
    number: float | int | None = None
    if isinstance(value, int):
        number = value
    elif isinstance(value, float):
        number = value if math.isfinite(value) else None
    elif isinstance(value, str):
        text = value.strip()
        number = as_int(text)
        if number is None:
            number = _iso_ms(text)
    if number is None or not 0 < number < _MAX_MS:
        return None
    return int(number)


def _iso_ms(text: str) -> int | None:
    """Unix ms of an ISO 8601 text that carries its UTC offset; None otherwise."""
    if not text[:4].isdigit():
        return None
    try:
        moment = datetime.fromisoformat(text)
        if moment.tzinfo is None:
            return None
        return (moment - _EPOCH) // _ONE_MS
    except (ValueError, OverflowError):
        return None


def _time(raw: Mapping[str, Any], keys: tuple[str, ...], what: str) -> int:
    """The first usable timestamp among `keys`; a record without one cannot be placed."""
    for key in keys:
        found = _ms(raw.get(key))
        if found is not None:
            return found
    raise HongTuParseError(f"{what} has no usable timestamp ({', '.join(keys)})")


def _url(value: Any) -> str | None:
    """An image URL, with the "http: //" typesetting space of the examples removed."""
    if not isinstance(value, str):
        return None
    text = value.strip()
    if ": " in text[:8]:
        text = _SPACED_SCHEME.sub(r"\1://", text)
    return text or None


def _uri(url: str | None, uri: Any = None) -> str | None:
    """The storage key of an image: the last path segment of its URL, else the `*Uri` field.

    Images are compared by this key because channels may name the appliance differently.
    """
    if url:
        path = url.split("?", 1)[0].split("#", 1)[0].rstrip("/")
        head, slash, tail = path.rpartition("/")
        if not slash:
            return path or None
        if tail and not head.endswith("/"):
            return tail
    if isinstance(uri, str):
        return uri.strip() or None
    return None


def _score(value: Any) -> float | None:
    number = as_float(value)
    return number if number is not None and math.isfinite(number) else None


def _text(raw: Mapping[str, Any], key: str) -> str | None:
    value = raw.get(key)
    if isinstance(value, str):
        return value.strip() or None
    return as_str(value)


def _int(raw: Mapping[str, Any], key: str) -> int | None:
    value = raw.get(key)
    return None if isinstance(value, bool) else as_int(value)


def _content_key(
    kind: RecordKind, device_uuid: str | None, time_ms: int, discriminator: str | None
) -> ContentKey:
    return (kind.value, device_uuid, time_ms, discriminator)


def _record_id(raw: Mapping[str, Any], keys: tuple[str, ...], key: ContentKey) -> str:
    """The payload's own id under the first of `keys` it has, else a hash of the content key."""
    for name in keys:
        own = _text(raw, name)
        if own is not None:
            return own
    digest = hashlib.sha1(json.dumps(key).encode("ascii"), usedforsecurity=False).hexdigest()
    return HASH_PREFIX + digest


def person_type_code(value: Any) -> int | None:
    """A person type as its code: numbers as they are, texts via `PERSON_TYPE_TEXTS`.

    Text that is neither a known type nor a number gives None (slug ``unknown``).
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        text = value.strip()
        code = PERSON_TYPE_TEXTS.get(text)
        if code is None:
            code = PERSON_TYPE_TEXTS.get(unicodedata.normalize("NFKC", text))
        if code is not None:
            return code
    return as_int(value)


# --- one parser per payload ---------------------------------------------------------------


def parse_recognition_push(data: Any) -> RecognitionRecord:
    """busiType 1: no record id, so the id is a hash of (device, captureTime, person or image)."""
    raw = _as_object(data, "busiType 1 record")
    time_ms = _time(raw, ("captureTime",), "busiType 1 record")
    device_uuid = device_uuid_of(raw, _DEVICE_KEYS)
    person_uuid = _text(raw, "personUuid")
    capture = _url(raw.get("captureImageUrl"))
    key = _content_key(RecordKind.RECOGNITION, device_uuid, time_ms, person_uuid or _uri(capture))
    code = person_type_code(raw.get("personType"))
    return RecognitionRecord(
        source=RecordSource.BUSINESS_PUSH,
        record_id=_record_id(raw, (), key),
        time_ms=time_ms,
        content_key=key,
        device_uuid=device_uuid,
        device_name=_text(raw, "deviceName"),
        capture_image_url=capture,
        library_image_url=_url(raw.get("groupImageUrl")),
        panorama_image_url=_url(raw.get("frameUrl")),
        raw=raw,
        person_name=_text(raw, "personName"),
        person_uuid=person_uuid,
        person_type=code,
        person_type_name=person_type_slug(code),
        score=_score(raw.get("score")),
        location=_text(raw, "location"),
    )


def parse_vehicle_push(data: Any) -> VehicleRecord:
    """busiType 2: no record id; a vehicle is told apart by its plate, else its crop image."""
    raw = _as_object(data, "busiType 2 record")
    time_ms = _time(raw, ("recognitionTime",), "busiType 2 record")
    device_uuid = device_uuid_of(raw, _DEVICE_KEYS)
    plate = _text(raw, "plateNumber")
    crop = _url(raw.get("cropUrl"))
    key = _content_key(
        RecordKind.VEHICLE, device_uuid, time_ms, plate or _uri(crop, raw.get("cropUri"))
    )
    return VehicleRecord(
        source=RecordSource.BUSINESS_PUSH,
        record_id=_record_id(raw, (), key),
        time_ms=time_ms,
        content_key=key,
        device_uuid=device_uuid,
        device_name=_text(raw, "deviceName"),
        capture_image_url=crop,
        panorama_image_url=_url(raw.get("fullUrl")),
        raw=raw,
        plate_number=plate,
        owner_name=_text(raw, "personName"),
        vehicle_identity_type=_int(raw, "vehicleIdentityType"),
    )


def _parse_alert(data: Any, source: RecordSource, what: str) -> AlertRecord:
    raw = _as_object(data, what)
    _decode_fields(raw, _ALERT_JSON_FIELDS)
    time_ms = _time(raw, ("alarmTime",), what)
    device_uuid = device_uuid_of(raw, _DEVICE_KEYS)
    alarm_type = _int(raw, "alarmType")
    discriminator = None if alarm_type is None else str(alarm_type)
    key = _content_key(RecordKind.ALERT, device_uuid, time_ms, discriminator)
    return AlertRecord(
        source=source,
        record_id=_record_id(raw, ("alarmRecordUuId", "alarmRecordUuid"), key),
        time_ms=time_ms,
        content_key=key,
        device_uuid=device_uuid,
        device_name=_text(raw, "deviceName"),
        panorama_image_url=_url(raw.get("wholeImageUrl")),
        raw=raw,
        alarm_type=alarm_type,
        alarm_type_name=alert_type_slug(alarm_type),
        alarm_end_time_ms=_ms(raw.get("alarmEndTime")),
    )


def parse_alert_push(data: Any) -> AlertRecord:
    """busiType 3; `drawLineDetail`, `targetRect`, `targetId` may be JSON strings."""
    return _parse_alert(data, RecordSource.BUSINESS_PUSH, "busiType 3 record")


def parse_alert_list_item(item: Any) -> AlertRecord:
    """An item of /v1/api/areaAlert/record/list; same id and content key as busiType 3."""
    return _parse_alert(item, RecordSource.ALERT_LIST, "alert list item")


def _parse_pass(data: Any, source: RecordSource, what: str) -> PassRecord:
    """Pass records share one field list across busiType 5, the callback and the list."""
    raw = _as_object(data, what)
    time_ms = _time(raw, ("passTimestamp", "passTime"), what)
    device_uuid = device_uuid_of(raw, _DEVICE_KEYS)
    person_uuid = _text(raw, "personUuid")
    snapshot = _url(raw.get("snapshotUrl"))
    discriminator = person_uuid or _uri(snapshot, raw.get("snapshotUri"))
    key = _content_key(RecordKind.PASS, device_uuid, time_ms, discriminator)
    id_keys = ("uuid", "id") if source is RecordSource.PASS_LIST else ("id",)
    pass_type = _int(raw, "passType")
    recognition_type = _int(raw, "recognitionType")
    code = person_type_code(raw.get("personType"))
    if code is None and recognition_type is not None:
        code = _RECOGNITION_TO_PERSON_TYPE.get(recognition_type)
    return PassRecord(
        source=source,
        record_id=_record_id(raw, id_keys, key),
        time_ms=time_ms,
        content_key=key,
        device_uuid=device_uuid,
        device_id=_int(raw, "deviceId"),
        device_name=_text(raw, "deviceName"),
        capture_image_url=snapshot,
        library_image_url=_url(raw.get("personImageUrl")),
        panorama_image_url=_url(raw.get("frameUrl")),
        raw=raw,
        person_name=_text(raw, "personName"),
        person_uuid=person_uuid,
        person_type=code,
        person_type_name=person_type_slug(code),
        score=_score(raw.get("recognitionScore")),
        passed=None if pass_type is None else pass_type == 1,
        pass_type=pass_type,
        recognition_type=recognition_type,
        verification_mode=_int(raw, "verificationMode"),
    )


def parse_pass_push(data: Any) -> PassRecord:
    """busiType 5."""
    return _parse_pass(data, RecordSource.BUSINESS_PUSH, "busiType 5 record")


def parse_pass_callback(body: Any) -> PassRecord:
    """The pass-record callback (identifyRecordCallbackUrl); scores may be strings."""
    return _parse_pass(body, RecordSource.PASS_CALLBACK, "pass-record callback")


def parse_pass_list_item(item: Any) -> PassRecord:
    """An item of /v1/api/pass_record/list: its id is `uuid`, not the push's `id`."""
    return _parse_pass(item, RecordSource.PASS_LIST, "pass list item")


def parse_structured_push(data: Any) -> StructuredRecord:
    """busiType 12 (category 1 face, 2 body, 3 motor vehicle, 4 non-motor vehicle)."""
    raw = _as_object(data, "busiType 12 record")
    time_ms = _time(raw, ("recognitionTime", "serverTime"), "busiType 12 record")
    device_uuid = device_uuid_of(raw, _DEVICE_KEYS)
    category = _int(raw, "category")
    plate = _text(raw, "plateNumber") if category in _VEHICLE_CATEGORIES else None
    crop = _url(raw.get("cropUrl"))
    key = _content_key(
        RecordKind.STRUCTURED, device_uuid, time_ms, plate or _uri(crop, raw.get("cropUri"))
    )
    return StructuredRecord(
        source=RecordSource.BUSINESS_PUSH,
        record_id=_record_id(raw, (), key),
        time_ms=time_ms,
        content_key=key,
        device_uuid=device_uuid,
        device_name=_text(raw, "deviceName"),
        capture_image_url=crop,
        panorama_image_url=_url(raw.get("fullUrl")),
        raw=raw,
        category=category,
        category_name=UNKNOWN
        if category is None
        else STRUCTURED_CATEGORY_SLUGS.get(category, UNKNOWN),
        plate_number=plate,
    )


def parse_event_callback(body: Any) -> EventRecord:
    """The event-record callback; `ext` and its nested fields may be JSON strings.

    The examples carry only the numeric `deviceId`; `device_uuid` is set when `deviceUuid` is.
    """
    raw = _as_object(body, "event-record callback")
    _decode_fields(raw, ("ext",))
    ext_value = raw.get("ext")
    ext: dict[str, Any] = {}
    if isinstance(ext_value, Mapping):
        ext = dict(ext_value)
        _decode_fields(ext, _EXT_JSON_FIELDS)
        raw["ext"] = ext
    time_ms = _time(raw, ("timestamp", "gmtCreate"), "event-record callback")
    device_uuid = device_uuid_of(raw, _DEVICE_KEYS)
    device_id = _int(raw, "deviceId")
    event_type_id = _int(raw, "eventTypeId")
    capture = _url(raw.get("captureImg"))
    panorama = _url(raw.get("fullImg"))
    discriminator = f"{event_type_id}/{device_id}/{_uri(capture or panorama)}"
    key = _content_key(RecordKind.EVENT_RECORD, device_uuid, time_ms, discriminator)
    alarm_type = _int(ext, "alarmType")
    return EventRecord(
        source=RecordSource.EVENT_CALLBACK,
        record_id=_record_id(raw, ("id", "uuid"), key),
        time_ms=time_ms,
        content_key=key,
        device_uuid=device_uuid,
        device_id=device_id,
        device_name=_text(raw, "deviceName"),
        capture_image_url=capture,
        library_image_url=_url(raw.get("groupImg")),
        panorama_image_url=panorama,
        raw=raw,
        event_type_id=event_type_id,
        event_type_name=_text(raw, "eventTypeName"),
        event_level=_int(raw, "eventLevelId"),
        event_level_name=_text(raw, "eventLevelName"),
        status=_int(raw, "status"),
        person_name=_text(ext, "personName"),
        plate_number=_text(ext, "plateNumber"),
        alarm_type=alarm_type,
        alarm_type_name=None if alarm_type is None else alert_type_slug(alarm_type),
    )


def _periods(value: Any) -> tuple[AttendancePeriod, ...]:
    if not isinstance(value, list):
        return ()
    return tuple(
        AttendancePeriod(
            order=_int(item, "order"),
            in_punch=_text(item, "inPunch"),
            out_punch=_text(item, "outPunch"),
            result=_int(item, "result"),
        )
        for item in value
        if isinstance(item, Mapping)
    )


def parse_attendance_callback(body: Any) -> AttendanceRecord:
    """The attendance callback: one person's result for the day `attendanceDate` (ms)."""
    raw = _as_object(body, "attendance callback")
    _decode_fields(raw, ("attTimeResult",))
    time_ms = _time(raw, ("attendanceDate",), "attendance callback")
    person_uuid = _text(raw, "personUuid")
    person_code = _text(raw, "personCode")
    key = _content_key(RecordKind.ATTENDANCE, None, time_ms, person_uuid or person_code)
    status = _int(raw, "status")
    return AttendanceRecord(
        source=RecordSource.ATTENDANCE_CALLBACK,
        record_id=_record_id(raw, ("uuid",), key),
        time_ms=time_ms,
        content_key=key,
        raw=raw,
        person_name=_text(raw, "personName"),
        person_uuid=person_uuid,
        person_code=person_code,
        status=status,
        status_name=UNKNOWN if status is None else ATTENDANCE_STATUS_SLUGS.get(status, UNKNOWN),
        periods=_periods(raw.get("attTimeResult")),
    )


# --- envelope and shape detection ---------------------------------------------------------

_PUSH_PARSERS: Mapping[int, Callable[[Any], HongTuRecord]] = {
    1: parse_recognition_push,
    2: parse_vehicle_push,
    3: parse_alert_push,
    5: parse_pass_push,
    12: parse_structured_push,
}

# Keys that only one callback shape has, checked in this order.
_SHAPE_MARKERS: tuple[tuple[RecordSource, tuple[str, ...]], ...] = (
    (RecordSource.ATTENDANCE_CALLBACK, ("attTimeResult", "attendanceDate")),
    (RecordSource.EVENT_CALLBACK, ("eventTypeId", "eventTypeName", "eventLevelId")),
    (
        RecordSource.PASS_CALLBACK,
        ("passTimestamp", "passType", "passTime", "recordType", "recognitionType"),
    ),
)

_CALLBACK_PARSERS: Mapping[RecordSource, Callable[[Any], HongTuRecord]] = {
    RecordSource.ATTENDANCE_CALLBACK: parse_attendance_callback,
    RecordSource.EVENT_CALLBACK: parse_event_callback,
    RecordSource.PASS_CALLBACK: parse_pass_callback,
}


def parse_push_data(busi_type: int, data: Any) -> HongTuRecord | None:
    """The record in a business push's `data`; None for a busiType this module does not know."""
    parser = _PUSH_PARSERS.get(busi_type)
    return None if parser is None else parser(data)


def parse_business_push(body: Any) -> HongTuRecord | None:
    """The envelope `{busiType, data}`: busiType as string or number, data as JSON or object.

    Returns None for a well-formed envelope whose busiType is not one of
    `SUPPORTED_BUSI_TYPES` (the appliance may learn new ones).
    """
    envelope = _as_object(body, "business push")
    busi_value = envelope.get("busiType")
    busi_type = None if isinstance(busi_value, bool) else as_int(busi_value)
    if busi_type is None:
        raise HongTuParseError(f"business push busiType is {_describe(busi_value)}, not a number")
    if "data" not in envelope:
        raise HongTuParseError("business push has no data")
    return parse_push_data(busi_type, envelope["data"])


def detect_shape(body: Any) -> RecordSource:
    """Which channel a webhook body comes from, by the keys only that shape has."""
    if not isinstance(body, Mapping):
        raise HongTuParseError(f"push body is {_describe(body)}, not a JSON object")
    if "busiType" in body:
        return RecordSource.BUSINESS_PUSH
    for source, markers in _SHAPE_MARKERS:
        if any(marker in body for marker in markers):
            return source
    raise HongTuParseError(
        "push body is neither a business push nor a pass, event or attendance callback"
    )


def detect_and_parse(body: Any) -> HongTuRecord | None:
    """Parse any webhook body. None: a business push of an unknown busiType (ignore it)."""
    source = detect_shape(body)
    if source is RecordSource.BUSINESS_PUSH:
        return parse_business_push(body)
    return _CALLBACK_PARSERS[source](body)


def public_data(record: HongTuRecord) -> dict[str, Any]:
    """The record's decoded payload without contact details (what the event bus may carry)."""
    return record.public_data()
