"""Builders for the records the appliance pushes, calls back and lists.

Shapes follow the vendor's examples (api-events.md §2.5–2.9, §3.3, §4.1, §6.1, §6.4): the same
field names, spellings (``deviceUuId``, ``visitPeronUuid``) and value types, with fresh ids,
the current time and image URLs that point at the simulator's own ``/pub/...``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, tzinfo
import hashlib
import re
import secrets
import string
import time
from typing import Any
import uuid as uuid_module

from .inventory import Device

#: Storage bucket part of the simulator's image URIs (base64 of "simulator").
IMAGE_BUCKET = "c2ltdWxhdG9y"
IMAGE_URI = re.compile(r"^_[A-Za-z0-9+=]+_[0-9a-f]{32}$")

PASS_KIND = "pass"  # noqa: S105  (an event kind, not a password)
ALERT_KIND = "alert"
VEHICLE_KIND = "vehicle"
PERSON_KIND = "person"
EVENT_KINDS = (PASS_KIND, ALERT_KIND, VEHICLE_KIND, PERSON_KIND)

#: Text person types of busiType 1 (api-events.md §2.5).
RECOGNITION_PERSON_TYPES = ("员工", "访客", "重点人员", "未知人员", "未识别人员", "高频重点人员")

_RECOGNITION_DESC = {
    1: "员工",
    2: "访客",
    3: "重点人员",
    4: "无权限人员",
    5: "未识别",
    6: "VIP访客",
}
_EVENT_ID_ALPHABET = string.ascii_letters + string.digits + "-_"


def now_ms() -> int:
    """The current Unix time in milliseconds."""
    return time.time_ns() // 1_000_000


def new_id() -> str:
    """A fresh 32-hex record id, as pushes carry."""
    return uuid_module.uuid4().hex


def new_event_id() -> str:
    """A fresh 20-character id like the event callback's (``"KgYsYHoBdNc5wFDjhEE4"``)."""
    return "".join(secrets.choice(_EVENT_ID_ALPHABET) for _ in range(20))


def new_image_uri() -> str:
    """A storage URI in the appliance's form (``_<bucket>_<32 hex>``)."""
    return f"_{IMAGE_BUCKET}_{new_id()}"


@dataclass(frozen=True, slots=True)
class RecordContext:
    """What every record needs besides its device: where images live, the clock, the org."""

    base_url: str
    tz: tzinfo
    org_uuid: str
    org_name: str
    now: int

    def image(self) -> tuple[str, str]:
        """A fresh (uri, url) pair served by the simulator."""
        uri = new_image_uri()
        return uri, f"{self.base_url}/pub/{uri}"

    def iso(self, ms: int, *, millis: bool = True) -> str:
        """ISO 8601 with the appliance's offset (``2021-08-13T18:11:27.177+08:00``)."""
        moment = datetime.fromtimestamp(ms / 1000, self.tz)
        return moment.isoformat(timespec="milliseconds" if millis else "seconds")

    def formatted(self, ms: int) -> str:
        """``yyyy-MM-dd HH:mm:ss`` in the appliance's time zone."""
        return datetime.fromtimestamp(ms / 1000, self.tz).strftime("%Y-%m-%d %H:%M:%S")


@dataclass(frozen=True, slots=True)
class Person:
    """An enrolled person; every detail derives from the name, so records are repeatable."""

    name: str
    uuid: str
    person_id: int
    code: str
    phone: str
    identify_num: str
    email: str

    @classmethod
    def named(cls, name: str) -> Person:
        """The person enrolled under ``name``."""
        digest = hashlib.md5(f"person:{name}".encode(), usedforsecurity=False).hexdigest()
        digits = str(int(digest[:16], 16))
        slug = re.sub(r"[^a-z0-9]+", ".", name.lower()).strip(".") or "person"
        return cls(
            name=name,
            uuid=digest,
            person_id=int(digest[:5], 16),
            code=digits[:6],
            phone="138" + digits[:8],
            identify_num="11010119900101" + digits[:4],
            email=f"{slug}@example.com",
        )


def pass_push(
    ctx: RecordContext,
    device: Device,
    person_name: str | None,
    *,
    granted: bool,
    person_type: int = 1,
    recognition_type: int | None = None,
) -> dict[str, Any]:
    """busiType 5: a pass (access) record (api-events.md §2.8)."""
    ts = ctx.now
    snapshot_uri, snapshot_url = ctx.image()
    _, frame_url = ctx.image()
    if recognition_type is None:
        if person_name is None:
            recognition_type = 5
        elif not granted:
            recognition_type = 4
        else:
            recognition_type = {1: 1, 2: 2, 3: 3}.get(person_type, 1)
    record: dict[str, Any] = {
        "id": new_id(),
        "recordType": 1,
        "passType": 1 if granted else 0,
        "passTypeDesc": "通行" if granted else "未通行",
        "passTimestamp": ts,
        "passTime": ctx.iso(ts),
        "passTimeFormat": ctx.formatted(ts),
        "recognitionType": recognition_type,
        "recognitionTypeDesc": _RECOGNITION_DESC.get(recognition_type, "未识别"),
        "recognitionScore": 91.37 if person_name is not None else 0.0,
        "livenessScore": 88.12,
        "livenessType": 1,
        "verificationMode": 0,
        "verificationModeDesc": "人脸",
        "temperature": 0.0,
        "temperatureType": 0,
        "temperatureTypeDesc": "未检测",
        "highThreshold": 37.2,
        "maskType": 0,
        "maskTypeDesc": "未检测",
        "deviceId": device.device_id,
        "deviceUuid": device.uuid,
        "deviceName": device.name,
        "deviceLocation": device.location,
        "deviceType": device.device_type,
        "deviceModel": device.device_model,
        "deviceStatus": device.status,
        "deviceSetUuid": device.uuid[::-1],
        "deviceSetId": device.device_id + 374,
        "orgId": 1,
        "orgUuid": ctx.org_uuid,
        "orgType": 2,
        "orgFullName": ctx.org_name,
        "orgParentId": 0,
        "zoneId": 1,
        "zoneUuid": ctx.org_uuid,
        "zoneName": ctx.org_name,
        "snapshotUrl": snapshot_url,
        "snapshotUri": snapshot_uri,
        "frameUrl": frame_url,
        "playbackSupport": False,
        "vistorType": 0,
        "isAttendance": False,
        "highTemperatureOff": False,
        "recordSource": 1,
    }
    if person_name is not None:
        person = Person.named(person_name)
        person_image_uri, person_image_url = ctx.image()
        record.update(
            {
                "personId": person.person_id,
                "personUuid": person.uuid,
                "personName": person.name,
                "personType": person_type,
                "personCode": person.code,
                "personPhone": person.phone,
                "personIdentifyNum": person.identify_num,
                "personEmail": person.email,
                "personExt": "",
                "personImageUrl": person_image_url,
                "personImageUri": person_image_uri,
                "autograph": "Have a nice day",
            }
        )
        if person_type == 2:
            host = Person.named("Reception")
            record.update(
                {
                    "visitType": 1,
                    "visitPeronUuid": host.uuid,
                    "visitPersonId": host.person_id,
                    "visitPersonType": 1,
                    "visitPersonCode": host.code,
                    "visitPersonName": host.name,
                    "visitReason": "Meeting",
                    "visitFirm": "Example Ltd",
                }
            )
    return record


#: Keys the pass-record callback carries that the busiType 5 push does not, and vice versa.
_PUSH_ONLY_KEYS = (
    "deviceSetUuid",
    "deviceSetId",
    "vistorType",
    "isAttendance",
    "highTemperatureOff",
    "recordSource",
    "personImageUri",
    "snapshotUri",
)


def pass_callback(push: dict[str, Any]) -> dict[str, Any]:
    """The same pass in the pass-record callback shape (api-events.md §4.1).

    Same ``id``; scores as strings ("89.0"), as in the document's example.
    """
    record = {key: value for key, value in push.items() if key not in _PUSH_ONLY_KEYS}
    record["recordType"] = 1
    record["recognitionScore"] = f"{push['recognitionScore']:.1f}"
    record["livenessScore"] = f"{push['livenessScore']:.1f}"
    return record


_PASS_LIST_KEYS = (
    "personUuid",
    "personName",
    "personType",
    "personCode",
    "visitType",
    "visitPeronUuid",
    "visitPersonType",
    "visitPersonCode",
    "visitPersonName",
    "visitReason",
    "visitFirm",
    "deviceSetUuid",
    "deviceUuid",
    "deviceName",
    "deviceLocation",
    "deviceModel",
    "deviceStatus",
    "recognitionType",
    "verificationMode",
    "passType",
    "livenessType",
    "recognitionScore",
    "livenessScore",
    "personImageUrl",
    "snapshotUrl",
    "passTimestamp",
    "recognitionTypeDesc",
    "verificationModeDesc",
    "passTypeDesc",
    "temperature",
    "temperatureType",
    "temperatureTypeDesc",
    "maskType",
    "maskTypeDesc",
    "autograph",
)


def pass_list_item(ctx: RecordContext, push: dict[str, Any], number: str) -> dict[str, Any]:
    """The same pass as ``/v1/api/pass_record/list`` lists it: own short ``uuid`` (§6.1)."""
    item = {key: push[key] for key in _PASS_LIST_KEYS if key in push}
    item["uuid"] = number
    item["passTime"] = ctx.iso(push["passTimestamp"], millis=False)
    item["healthyState"] = 3
    item["healthkitPasstype"] = 2
    return item


def recognition_push(
    ctx: RecordContext, device: Device, person_name: str | None, person_type: str
) -> dict[str, Any]:
    """busiType 1: a security recognition record; no id of its own (api-events.md §2.5)."""
    _, capture_url = ctx.image()
    record: dict[str, Any] = {
        "deviceUuid": device.uuid,
        "deviceName": device.name,
        "location": device.location,
        "captureTime": ctx.now,
        "captureImageUrl": capture_url,
        "frameUrl": "",
        "personType": person_type,
        "score": 75.92897 if person_name is not None else 0.0,
    }
    if person_name is not None:
        person = Person.named(person_name)
        _, group_url = ctx.image()
        record.update(
            {"personUuid": person.uuid, "personName": person.name, "groupImageUrl": group_url}
        )
    return record


def vehicle_push(ctx: RecordContext, device: Device, plate: str) -> dict[str, Any]:
    """busiType 2: a vehicle record; note ``deviceUuId`` (api-events.md §2.6)."""
    full_uri, full_url = ctx.image()
    crop_uri, crop_url = ctx.image()
    return {
        "deviceUuId": device.uuid,
        "deviceName": device.name,
        "deviceLocation": device.location,
        "recognitionTime": ctx.now,
        "plateNumber": plate,
        "basicsPlateColor": "蓝色",
        "basicsVehicleColor": "白色",
        "basicsVehicleType": 1,
        "basicsPlateType": 1,
        "vehicleIdentityType": 4,
        "fullUri": full_uri,
        "fullUrl": full_url,
        "cropUri": crop_uri,
        "cropUrl": crop_url,
    }


def _alert_geometry() -> tuple[list[dict[str, Any]], list[dict[str, float]]]:
    draw = [
        {
            "firstNodeDetail": [
                {"x": 0.3242320819112628, "y": 0.5976488433826318},
                {"x": 0.909556313993174, "y": 0.6613576033371256},
            ],
            "inTheArea": True,
        }
    ]
    rect = [{"bottom": 78.19312, "left": 56.719376, "right": 77.822495, "top": 43.796726}]
    return draw, rect


def alert_push(ctx: RecordContext, device: Device, alarm_type: int) -> dict[str, Any]:
    """busiType 3: an alert record, id ``alarmRecordUuId`` (api-events.md §2.7)."""
    _, whole_url = ctx.image()
    draw, rect = _alert_geometry()
    return {
        "alarmRecordUuId": new_id(),
        "alarmControlType": 1,
        "alarmTime": ctx.now,
        "alarmEndTime": ctx.now + 3000,
        "continueTime": "3.0",
        "alarmType": alarm_type,
        "areaId": 0,
        "sceneId": 0,
        "deviceName": device.name,
        "deviceUuid": device.uuid,
        "drawLineDetail": draw,
        "targetId": [f"person:{new_id()}:1"],
        "targetRect": rect,
        "wholeImageUrl": whole_url,
    }


def alert_list_item(push: dict[str, Any]) -> dict[str, Any]:
    """The same alert as ``/v1/api/areaAlert/record/list`` lists it (api-events.md §6.4)."""
    rect = push["targetRect"][0]
    return {
        "alarmRecordUuId": push["alarmRecordUuId"],
        "alarmControlType": push["alarmControlType"],
        "wholeImageUrl": push["wholeImageUrl"],
        "alarmType": push["alarmType"],
        "deviceUuId": push["deviceUuid"],
        "deviceName": push["deviceName"],
        "alarmTime": push["alarmTime"],
        "alarmEndTime": push["alarmEndTime"],
        "continueTime": float(push["continueTime"]),
        "drawLineDetail": push["drawLineDetail"],
        "targetId": "",
        "areaId": push["areaId"],
        "sceneId": push["sceneId"],
        "targetRect": {key: round(value * 10) for key, value in rect.items()},
        "count": 1,
    }


_STRUCTURED_ATTRIBUTES: dict[int, dict[str, Any]] = {
    1: {
        "gender": 2,
        "age": 4,
        "noseOcclusion": 0,
        "hairStatus": 0,
        "beardStatus": 1,
        "maskStatus": 0,
        "glassesStatus": 0,
        "fullRectTop": 885,
        "fullRectLeft": 549,
        "fullRectRight": 656,
        "fullRectBottom": 566,
    },
    2: {
        "gender": 2,
        "age": 0,
        "hatColor": 0,
        "dressLowerStyle": 1,
        "dressLowerColor": 5,
        "dressUpperStyle": 0,
        "dressUpperColor": 9,
        "wearSafetycap": 0,
        "wearHat": 1,
        "fallStatus": 0,
        "smokeStatus": 0,
        "runStatus": 0,
        "usePhoneStatus": 0,
        "watchPhoneStatus": 0,
        "bagType": 1,
        "rideBike": 1,
        "relatedFaceId": "olZOPnsBk1ZUqeWWUyUZ",
        "fullRectTop": 0,
        "fullRectLeft": 2085,
        "fullRectRight": 610,
        "fullRectBottom": 1105,
    },
    3: {
        "vehicleColor": 99,
        "plateType": 1,
        "plateColor": 0,
        "vehicleFunctional": 0,
        "vehicleBrand": 18,
        "vehicleType": 7,
        "fullRectTop": -175458,
        "fullRectLeft": -1742849,
        "fullRectRight": 815,
        "fullRectBottom": 827,
    },
    4: {
        "vehicleColor": 99,
        "plateType": 0,
        "plateNumber": "",
        "plateColor": 0,
        "vehicleFunctional": 0,
        "vehicleBrand": 0,
        "vehicleType": 101,
        "fullRectTop": -174877,
        "fullRectLeft": -1743256,
        "fullRectRight": 603,
        "fullRectBottom": 821,
    },
}

STRUCTURED_CATEGORIES = tuple(_STRUCTURED_ATTRIBUTES)


def structured_push(
    ctx: RecordContext, device: Device, category: int, plate: str
) -> dict[str, Any]:
    """busiType 12: a structured record, 1 face, 2 body, 3 motor and 4 non-motor vehicle (§2.9).

    ``recognitionTime`` is second-granular, as in every example.
    """
    full_uri, full_url = ctx.image()
    crop_uri, crop_url = ctx.image()
    record: dict[str, Any] = {
        "deviceUuId": device.uuid,
        "deviceName": device.name,
        "deviceLocation": device.location,
        "category": category,
        "ruleType": 1,
        "dataFromCore": False,
        "recognitionTime": ctx.now // 1000 * 1000,
        "serverTime": ctx.now,
        "fullUri": full_uri,
        "fullUrl": full_url,
        "cropUri": crop_uri,
        "cropUrl": crop_url,
    }
    record.update(_STRUCTURED_ATTRIBUTES[category])
    if category == 3:
        record["plateNumber"] = plate
    return record


def event_record(
    ctx: RecordContext,
    device: Device,
    kind: str,
    *,
    person_name: str,
    plate: str,
    alarm_type: int,
    include_device_uuid: bool,
) -> dict[str, Any]:
    """The event-record callback (api-events.md §3.3): integer ``deviceId``, nested ``ext``.

    The document's examples carry no ``deviceUuid``; ``include_device_uuid`` adds it.
    """
    _, capture_url = ctx.image()
    _, full_url = ctx.image()
    _, group_url = ctx.image()
    high = {"eventLevelId": 1, "eventLevelName": "高", "eventLevelColor": "#D9001B"}
    record: dict[str, Any] = {
        "id": new_event_id(),
        "uuid": new_id(),
        "deviceId": device.device_id,
        "deviceName": device.name,
        "status": 0,
        "timestamp": ctx.now,
        "gmtCreate": ctx.now + 1500,
        "gmtModified": ctx.now + 1500,
        "zoneId": 1,
        "zoneName": ctx.org_name,
    }
    if kind == VEHICLE_KIND:
        record.update(
            {
                "eventTypeId": 202,
                "eventTypeName": "陌生车辆",
                "eventLevelId": 2,
                "eventLevelName": "中",
                "eventLevelColor": "#E1E600",
                "ext": {"plateColorMsg": "蓝色", "plateNumber": plate, "plateColor": 1},
                "captureImg": capture_url,
                "fullImg": full_url,
                "nvrId": 374,
                "nvrChannelNo": 1,
            }
        )
    elif kind == ALERT_KIND:
        draw, rect = _alert_geometry()
        ext = {
            "alarmType": alarm_type,
            "targetRect": rect,
            "drawLineDetail": draw,
            "ruleConfig": {"stayTime": 1, "drawType": 1},
            "alarmControlType": 1,
        }
        record.update(
            {"eventTypeId": 301, "eventTypeName": "人员入侵", "ext": ext, "fullImg": full_url}
        )
        record.update(high)
    elif kind == PASS_KIND:
        record.update(
            {
                "eventTypeId": 501,
                "eventTypeName": "重点人员出入事件",
                "ext": {"personName": person_name},
                "captureImg": capture_url,
                "groupImg": group_url,
            }
        )
        record.update(high)
    elif kind == PERSON_KIND:
        record.update(
            {
                "eventTypeId": 101,
                "eventTypeName": "重点人员",
                "ext": {"personName": person_name},
                "captureImg": capture_url,
                "fullImg": full_url,
                "groupImg": group_url,
                "nvrId": 415,
                "nvrChannelNo": 5,
            }
        )
        record.update(high)
    else:
        msg = f"unknown event kind {kind!r}; expected one of {', '.join(EVENT_KINDS)}"
        raise ValueError(msg)
    if include_device_uuid:
        record["deviceUuid"] = device.uuid
    return record
