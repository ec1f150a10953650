"""Typed views of what the appliance answers, parsed tolerantly.

The vendor document types many numbers as strings while its examples send numbers, spells the device
uuid three ways and leaves most fields optional; each ``from_api`` copes with all of that and raises
``HongTuParseError`` only when a field the integration cannot do without is missing.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Self

from .errors import HongTuParseError
from .parsing import as_bool, as_int, as_str, device_uuid_of

# Device status (api-core.md §3.4.8): only 3 means online.
DEVICE_STATUS_ONLINE = 3
DEVICE_STATUS_OFFLINE = 4

# Device type (api-core.md §3.4.2).
DEVICE_TYPE_SMART_CAMERA = 1
DEVICE_TYPE_PANEL = 2
DEVICE_TYPE_SERVER = 3
DEVICE_TYPE_NETWORK_CAMERA = 4
DEVICE_TYPE_STORAGE = 5

DEVICE_TYPE_NAMES: dict[int, str] = {
    DEVICE_TYPE_SMART_CAMERA: "Smart camera",
    DEVICE_TYPE_PANEL: "Smart panel",
    DEVICE_TYPE_SERVER: "Smart server",
    DEVICE_TYPE_NETWORK_CAMERA: "Network camera",
    DEVICE_TYPE_STORAGE: "Storage server",
}

#: Device types that deliver video (capture, PTZ, recognition events).
CAMERA_DEVICE_TYPES = frozenset({DEVICE_TYPE_SMART_CAMERA, DEVICE_TYPE_NETWORK_CAMERA})

# Door mode ``cmdStatus`` (api-core.md §3.4.9).
CMD_STATUS_ALWAYS_OPEN = 15
CMD_STATUS_ALWAYS_CLOSED = 16
CMD_STATUS_NORMAL = 17

# Device alarm ``alarmType`` (api-core.md §3.6).
DEVICE_ALARM_STORAGE_FULL = 500000
DEVICE_ALARM_TAMPER = 500100
DEVICE_ALARM_PASSWORD_CRACKING = 500102
DEVICE_ALARM_DOOR_HELD_OPEN = 500104
DEVICE_ALARM_TEMPERATURE_MODULE = 500108
DEVICE_ALARM_ALARM_INPUT = 500200
DEVICE_ALARM_FIRE = 500500

#: Device alarm types by their slug (the key of the binary sensor and the event).
DEVICE_ALARM_NAMES: dict[int, str] = {
    DEVICE_ALARM_STORAGE_FULL: "storage_full",
    DEVICE_ALARM_TAMPER: "tamper",
    DEVICE_ALARM_PASSWORD_CRACKING: "password_cracking",
    DEVICE_ALARM_DOOR_HELD_OPEN: "door_held_open",
    DEVICE_ALARM_TEMPERATURE_MODULE: "temperature_module",
    DEVICE_ALARM_ALARM_INPUT: "alarm_input",
    DEVICE_ALARM_FIRE: "fire_alarm",
}

#: ``deviceModel`` dictionary (api-core.md §3.4.3).
DEVICE_MODEL_NAMES: dict[int, str] = {
    1: "MegEye-W5K-I8",
    2: "MegEye-W4K-E7",
    3: "MegEye-W4K-I51",
    4: "MegEye-C3S-123",
    5: "MegEye-C4H-141",
    6: "MegEye-C4H-241",
    7: "MegEye-C4N-888",
    8: "MegEye-C4S-222",
    9: "MegEye-C4S-322",
    10: "MegEye-C4R-122",
    11: "MegEye-C4R-222",
    12: "MegEye-C4R-322",
    13: "Smart IPC",
    21: "IPC",
    22: "MegBox-B3R-412",
    23: "MegBox-B3R-1012",
    24: "MegNVR-N4K-001",
    25: "MegNVR-N4M-001",
    26: "MegNVR-N8K-281",
    27: "MegNVR-N8M-281",
    28: "MegNVR-N8P-281",
    29: "Hikvision camera",
    30: "Dahua camera",
    31: "Uniview camera",
    32: "Kedacom camera",
    33: "Huawei camera",
    34: "MegEye-W4K-I52",
    36: "MegEye-W4K-I31",
    37: "MegBox-B3R-1012(H1)",
    40: "MegEye-W5K-EA",
    41: "MegEye-W5K-EA-D",
    42: "MegEye-W5K-EA-T",
    43: "MegEye-W5K-EA-DT",
    44: "MegEye-W4K-E82",
    45: "SmartEye-W4K-E7",
    57: "MegCube-B4H16-311",
}


def _require_mapping(item: Any, what: str) -> Mapping[str, Any]:
    if not isinstance(item, Mapping):
        raise HongTuParseError(f"{what}: expected a JSON object, got {type(item).__name__}")
    return item


def _require_uuid(item: Mapping[str, Any], what: str) -> str:
    uuid = device_uuid_of(item)
    if uuid is None:
        raise HongTuParseError(f"{what}: no device uuid")
    return uuid


def _int_tuple(value: Any) -> tuple[int, ...]:
    """Integers from a JSON array or a comma-separated string; unusable entries are dropped."""
    raw: Iterable[Any]
    if isinstance(value, str):
        raw = value.split(",")
    elif isinstance(value, list | tuple):
        raw = value
    else:
        return ()
    numbers = (as_int(entry) for entry in raw)
    return tuple(number for number in numbers if number is not None)


@dataclass(frozen=True, slots=True)
class ApplianceInfo:
    """The appliance itself (``GET /v1/api/device/info``): name, model (``type``) and version."""

    name: str
    model: str
    version: str

    @classmethod
    def from_api(cls, item: Mapping[str, Any]) -> Self:
        """Parse ``data``; an object with none of the three fields is not device info."""
        data = _require_mapping(item, "device info")
        name = as_str(data.get("name"))
        model = as_str(data.get("type"))
        version = as_str(data.get("version"))
        if name is None and model is None and version is None:
            raise HongTuParseError("device info: no name, type or version")
        return cls(name=name or model or "", model=model or "", version=version or "")


@dataclass(frozen=True, slots=True)
class TopOrganization:
    """The top organisation (``/v1/api/org/top/detail``); its uuid identifies the appliance."""

    org_uuid: str | None
    org_name: str | None

    @classmethod
    def from_api(cls, item: Mapping[str, Any] | None) -> Self:
        """Both fields are optional in the vendor document; a missing ``data`` gives two Nones."""
        if item is None:
            return cls(org_uuid=None, org_name=None)
        data = _require_mapping(item, "top organisation")
        return cls(org_uuid=as_str(data.get("orgUuid")), org_name=as_str(data.get("orgName")))


@dataclass(frozen=True, slots=True)
class Device:
    """One managed device from ``/v1/api/device/list``."""

    uuid: str
    name: str
    location: str | None
    device_type: int | None
    device_mode: int | None
    status: int | None
    ip_address: str | None
    mac: str | None
    current_version: str | None

    @property
    def online(self) -> bool:
        """Only status 3 is online; 4 and the undocumented 0, 1, 2, 5 are not."""
        return self.status == DEVICE_STATUS_ONLINE

    @classmethod
    def from_api(cls, item: Mapping[str, Any]) -> Self:
        """Parse one list item; the uuid is required, a missing name falls back to it."""
        data = _require_mapping(item, "device")
        uuid = _require_uuid(data, "device")
        return cls(
            uuid=uuid,
            name=as_str(data.get("name")) or uuid,
            location=as_str(data.get("location")),
            device_type=as_int(data.get("deviceType")),
            device_mode=as_int(data.get("deviceMode")),
            status=as_int(data.get("status")),
            ip_address=as_str(data.get("ipAddress")),
            mac=as_str(data.get("mac")),
            current_version=as_str(data.get("currentVersion")),
        )


@dataclass(frozen=True, slots=True)
class DoorPoint:
    """One bound door point from ``/v1/api/door/list`` (``passModel`` false)."""

    uuid: str
    name: str
    location: str | None
    device_type: int | None
    device_model: int | None
    status: int | None
    is_pass: bool | None
    syn_status: int | None
    fail_num: int | None
    switch_ip: str | None
    cmd_status: int | None

    @property
    def online(self) -> bool:
        """Only status 3 is online."""
        return self.status == DEVICE_STATUS_ONLINE

    @property
    def is_panel(self) -> bool:
        """Face panels (deviceType 2) are the only devices that accept the door-mode commands."""
        return self.device_type == DEVICE_TYPE_PANEL

    @classmethod
    def from_api(cls, item: Mapping[str, Any]) -> Self:
        """Parse one list item; the uuid is required, ``cmdStatus`` is often absent."""
        data = _require_mapping(item, "door point")
        uuid = _require_uuid(data, "door point")
        return cls(
            uuid=uuid,
            name=as_str(data.get("name")) or uuid,
            location=as_str(data.get("location")),
            device_type=as_int(data.get("deviceType")),
            device_model=as_int(data.get("deviceModel")),
            status=as_int(data.get("status")),
            is_pass=as_bool(data.get("isPass")),
            syn_status=as_int(data.get("synStatus")),
            fail_num=as_int(data.get("failNum")),
            switch_ip=as_str(data.get("switchIp")),
            cmd_status=as_int(data.get("cmdStatus")),
        )


@dataclass(frozen=True, slots=True)
class DeviceDetail:
    """One device's details from ``/v1/api/device/query``, where ``cmdStatus`` is documented."""

    uuid: str
    name: str
    location: str | None
    device_type: int | None
    device_model: int | None
    device_mode: int | None
    status: int | None
    cmd_status: int | None
    ip_address: str | None
    mac: str | None
    sn_code: str | None
    # The stream address, when the appliance gives one (documented for queryDeviceInfo; some
    # appliances may send it here too). It may embed credentials: kept out of repr, and
    # whoever logs it redacts it first.
    rtsp_url: str | None = field(default=None, repr=False)

    @property
    def online(self) -> bool:
        """Only status 3 is online."""
        return self.status == DEVICE_STATUS_ONLINE

    @classmethod
    def from_api(cls, item: Mapping[str, Any]) -> Self:
        """Parse ``data``; ``userPassword`` is not kept, ``rtspUrl`` only if it is rtsp(s)."""
        data = _require_mapping(item, "device detail")
        uuid = _require_uuid(data, "device detail")
        return cls(
            uuid=uuid,
            name=as_str(data.get("name")) or uuid,
            location=as_str(data.get("location")),
            device_type=as_int(data.get("deviceType")),
            device_model=as_int(data.get("deviceModel")),
            device_mode=as_int(data.get("deviceMode")),
            status=as_int(data.get("status")),
            cmd_status=as_int(data.get("cmdStatus")),
            ip_address=as_str(data.get("ipAddress")),
            mac=as_str(data.get("mac")),
            sn_code=as_str(data.get("snCode")),
            rtsp_url=_rtsp_url(data.get("rtspUrl")),
        )


def _rtsp_url(value: Any) -> str | None:
    """An rtsp:// or rtsps:// address; anything else (empty, another scheme) is no stream."""
    url = (as_str(value) or "").strip()
    if not url.lower().startswith(("rtsp://", "rtsps://")):
        return None
    return url


@dataclass(frozen=True, slots=True)
class DeviceAlarm:
    """One record of ``/v1/api/device_alarm/list``; ``alarm_status_now`` is the current state."""

    device_uuid: str | None
    device_name: str | None
    device_location: str | None
    device_type: int | None
    device_model: int | None
    device_status: int | None
    alarm_type: int
    alarm_status: int | None
    alarm_status_now: int | None
    alarm_time_ms: int | None
    gmt_create_ms: int | None
    gmt_modified_ms: int | None

    @property
    def active(self) -> bool:
        """Alarming now (``alarmStatusNow`` 1); the historical ``alarmStatus`` does not count."""
        return self.alarm_status_now == 1

    @classmethod
    def from_api(cls, item: Mapping[str, Any]) -> Self:
        """Parse one record; ``alarmType`` is required, times may be numbers or numeric strings."""
        data = _require_mapping(item, "device alarm")
        alarm_type = as_int(data.get("alarmType"))
        if alarm_type is None:
            raise HongTuParseError("device alarm: no alarmType")
        return cls(
            device_uuid=device_uuid_of(data),
            device_name=as_str(data.get("deviceName")),
            device_location=as_str(data.get("deviceLocation")),
            device_type=as_int(data.get("deviceType")),
            device_model=as_int(data.get("deviceModel")),
            device_status=as_int(data.get("deviceStatus")),
            alarm_type=alarm_type,
            alarm_status=as_int(data.get("alarmStatus")),
            alarm_status_now=as_int(data.get("alarmStatusNow")),
            alarm_time_ms=as_int(data.get("alarmTime")),
            gmt_create_ms=as_int(data.get("gmtCreate")),
            gmt_modified_ms=as_int(data.get("gmtModified")),
        )


@dataclass(frozen=True, slots=True)
class Subscription:
    """The business-data push subscription of one appKey (``/v1/api/pubsub/busi/record/query``)."""

    app_key: str | None
    push_url: str | None
    busi_types: tuple[int, ...]

    @classmethod
    def from_api(cls, item: Mapping[str, Any]) -> Self:
        """Parse ``data``; ``busiTypes`` may be an array of numbers or strings, or a CSV string."""
        data = _require_mapping(item, "subscription")
        return cls(
            app_key=as_str(data.get("appKey")),
            push_url=as_str(data.get("pushUrl")),
            busi_types=_int_tuple(data.get("busiTypes")),
        )


@dataclass(frozen=True, slots=True)
class CaptureResult:
    """A video snapshot (``/v1/api/video/realtime/capture``): the image URL, valid 24 hours."""

    image_url: str

    @classmethod
    def from_api(cls, item: Mapping[str, Any]) -> Self:
        """Parse ``data``; without ``captureUrl`` there is nothing to show."""
        data = _require_mapping(item, "capture")
        url = as_str(data.get("captureUrl")) or as_str(data.get("url"))
        if url is None:
            raise HongTuParseError("capture: no captureUrl")
        return cls(image_url=url)
