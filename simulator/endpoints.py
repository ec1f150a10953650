"""The appliance's OpenAPI endpoints, as pure functions of the state and a parsed body.

Transport concerns (signatures, faults, envelopes) live in :mod:`simulator.server`; each
function here reads ``call.body`` and returns the envelope's ``data`` (or :data:`NO_DATA` for
endpoints the document answers with a bare ``{"code":0,"msg":"成功"}``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final

from .errors import (
    ALERT_PAGING,
    ALERT_TIME_ORDER,
    DEVICE_NOT_FOUND,
    DEVICE_OFFLINE,
    NOT_DOOR_DEVICE,
    PANEL_ONLY,
    PARAM_INVALID,
    PTZ_FAILED,
    ApiError,
)
from .faults import Faults
from .inventory import (
    CMD_ALWAYS_CLOSED,
    CMD_ALWAYS_OPEN,
    CMD_NORMAL,
    NETWORK_CAMERA,
    PANEL,
    SMART_CAMERA,
    Device,
)
from .parsing import (
    contains,
    opt_int,
    opt_str,
    opt_str_list,
    opt_time_ms,
    req_bool,
    req_int,
    req_str,
)
from .records import new_image_uri, now_ms
from .state import FACE_CONFIG_DEFAULTS, ApplianceState, Subscription


class _NoData:
    """Marker: the answer has no ``data`` key at all."""

    def __repr__(self) -> str:
        return "NO_DATA"


NO_DATA: Final = _NoData()

FACE_SWITCHES = ("temperatureSwitch", "maskAlertSwitch", "healthKitSwitch")
FACE_URLS = ("identifyRecordCallbackUrl", "attendanceRecordCallbackUrl")


@dataclass(slots=True)
class Call:
    """One authenticated API call: the state it acts on and what the client sent."""

    state: ApplianceState
    faults: Faults
    body: dict[str, Any]
    app_key: str | None
    base_url: str


Handler = Callable[[Call], Any]


@dataclass(frozen=True, slots=True)
class Endpoint:
    """A path's method and handler; ``time_used`` adds the field device/info's example has."""

    method: str
    handler: Handler
    time_used: bool = False


def page(
    call: Call,
    items: list[dict[str, Any]],
    *,
    default_size: int = 20,
    page_keys: tuple[str, ...] = ("pageNum",),
    invalid_code: int = PARAM_INVALID,
) -> dict[str, Any]:
    """One page of ``items`` (api-core.md §4), echoing the pageSize actually used.

    Faults: ``page_size_cap`` shrinks pageSize (and reports it); ``repeat_pages`` always
    serves the first page while echoing the requested pageNum.
    """
    page_num = next(
        (value for key in page_keys if (value := opt_int(call.body, key)) is not None), 1
    )
    page_size = opt_int(call.body, "pageSize")
    if page_size is None:
        page_size = default_size
    if page_num <= 0 or page_size <= 0:
        raise ApiError(invalid_code)
    if call.faults.page_size_cap is not None:
        page_size = min(page_size, call.faults.page_size_cap)
    start = 0 if call.faults.repeat_pages else (page_num - 1) * page_size
    return {
        "pageNum": page_num,
        "pageSize": page_size,
        "total": len(items),
        "list": items[start : start + page_size],
    }


def _newest_first(records: list[dict[str, Any]], key: str) -> list[dict[str, Any]]:
    """Newest first; of records with the same time, the one stored last comes first."""
    order = sorted(enumerate(records), key=lambda pair: (-int(pair[1][key]), -pair[0]))
    return [record for _, record in order]


def _device(call: Call, key: str) -> Device:
    uuid = req_str(call.body, key)
    device = call.state.devices.get(uuid)
    if device is None:
        raise ApiError(DEVICE_NOT_FOUND)
    return device


# --- appliance and organisation -------------------------------------------------------------


def device_info(call: Call) -> dict[str, Any]:
    """GET /v1/api/device/info: the appliance's name, model and version."""
    state = call.state
    return {"name": state.name, "type": state.type, "version": state.version}


def org_top_detail(call: Call) -> dict[str, Any]:
    """/v1/api/org/top/detail: the top organisation (the integration's unique id)."""
    return {"orgUuid": call.state.org_uuid, "orgName": call.state.org_name}


# --- devices and door points ----------------------------------------------------------------


def _device_item(device: Device) -> dict[str, Any]:
    return {
        "uuid": device.uuid,
        "name": device.name,
        "location": device.location,
        "deviceType": device.device_type,
        "deviceMode": device.device_mode,
        "status": device.status,
        "ipAddress": device.ip_address,
        "mac": device.mac,
        "upgradeAction": 0,
        "currentVersion": device.version,
        "checkFirm": 0,
    }


def device_list(call: Call) -> dict[str, Any]:
    """/v1/api/device/list: every managed device, filtered by name and deviceType."""
    name = opt_str(call.body, "name")
    device_type = opt_int(call.body, "deviceType")
    items = [
        _device_item(device)
        for device in call.state.devices.values()
        if contains(device.name, name) and device_type in (None, device.device_type)
    ]
    return page(call, items)


def _door_item(device: Device, *, with_cmd_status: bool) -> dict[str, Any]:
    item: dict[str, Any] = {
        "uuid": device.uuid,
        "name": device.name,
        "location": device.location,
        "deviceType": device.device_type,
        "deviceModel": device.device_model,
        "status": device.status,
        "isPass": 1 if device.door else 0,
    }
    if device.door:
        item["synStatus"] = 1
        item["failNum"] = 0
    if device.switch_ip:
        item["switchIp"] = device.switch_ip
    if with_cmd_status and device.door and device.cmd_status is not None:
        item["cmdStatus"] = device.cmd_status
    return item


def door_list(call: Call) -> dict[str, Any]:
    """/v1/api/door/list: ``passModel`` false lists bound door points, true every candidate."""
    pass_model = req_bool(call.body, "passModel")
    name = opt_str(call.body, "name")
    location = opt_str(call.body, "location")
    device_type = opt_int(call.body, "deviceType")
    device_model = opt_int(call.body, "deviceModel")
    with_cmd_status = not call.faults.omit_cmd_status
    items = [
        _door_item(device, with_cmd_status=with_cmd_status)
        for device in call.state.devices.values()
        if (device.door or pass_model)
        and device.device_type in (SMART_CAMERA, PANEL, NETWORK_CAMERA)
        and contains(device.name, name)
        and contains(device.location, location)
        and device_type in (None, device.device_type)
        and device_model in (None, device.device_model)
    ]
    return page(call, items)


def device_query(call: Call) -> dict[str, Any]:
    """/v1/api/device/query: one device in detail, with ``cmdStatus`` on panels and
    ``rtspUrl`` on devices that have a stream address (the document lists it under
    queryDeviceInfo only; a real appliance may or may not send it here)."""
    device = _device(call, "uuid")
    online = device.online
    data: dict[str, Any] = {
        "uuid": device.uuid,
        "name": device.name,
        "ipAddress": device.ip_address,
        "location": device.location,
        "deviceType": device.device_type,
        "deviceModel": device.device_model,
        "deviceMode": device.device_mode,
        "status": device.status,
        "mac": device.mac,
        "appVersion": device.version,
        "featureVersion": "3.4.0",
        "cpuUsage": 23.5 if online else 0.0,
        "memoryUsage": 41.2 if online else 0.0,
        "diskUsage": 12.8,
        "cpuTemperature": 47.0 if online else 0.0,
        "memoryValue": 4096,
        "diskValue": 65536,
        "protocol": 1,
        "activeMode": 0,
        "isSupportActiveSdk": 1,
        "joinProtocol": 1,
        "bindDevices": [],
    }
    if device.cmd_status is not None:
        data["cmdStatus"] = device.cmd_status
    if device.rtsp_url is not None:
        data["rtspUrl"] = device.rtsp_url
    return data


_MODE_COMMANDS = {
    "alwaysOpenDoor": CMD_ALWAYS_OPEN,
    "alwaysCloseDoor": CMD_ALWAYS_CLOSED,
    "normal": CMD_NORMAL,
}


def _door_command(command: str) -> Handler:
    def handler(call: Call) -> _NoData:
        device = _device(call, "uuid")
        mode = _MODE_COMMANDS.get(command)
        if mode is not None and not device.is_panel:
            raise ApiError(PANEL_ONLY)
        if mode is None and not device.door:
            raise ApiError(NOT_DOOR_DEVICE)
        if not device.online:
            raise ApiError(DEVICE_OFFLINE)
        if mode is not None:
            device.cmd_status = mode
        call.state.door_commands.append(
            {"command": command, "uuid": device.uuid, "name": device.name, "time": now_ms()}
        )
        return NO_DATA

    handler.__doc__ = f"/v1/api/door/{command}: a remote door command."
    return handler


def device_alarm_list(call: Call) -> dict[str, Any]:
    """/v1/api/device_alarm/list: device alarms, newest first, with the documented filters."""
    body = call.body
    uuids = opt_str_list(body, "deviceUuids")
    name = opt_str(body, "deviceName")
    status = opt_int(body, "alarmStatus")
    alarm_type = opt_int(body, "alarmType")
    start = opt_time_ms(body, "startAlarmTime", call.state.timezone)
    end = opt_time_ms(body, "endAlarmTime", call.state.timezone)
    items = [
        dict(alarm)
        for alarm in _newest_first(call.state.alarms, "alarmTime")
        if (uuids is None or alarm["deviceUuid"] in uuids)
        and contains(alarm["deviceName"], name)
        and status in (None, alarm["alarmStatus"])
        and alarm_type in (None, alarm["alarmType"])
        and (start is None or alarm["alarmTime"] >= start)
        and (end is None or alarm["alarmTime"] < end)
    ]
    return page(call, items)


# --- business-data subscription ---------------------------------------------------------------


def pubsub_add(call: Call) -> _NoData:
    """/v1/api/pubsub/busi/record/add: subscribe; the body appKey wins over the header's."""
    app_key = opt_str(call.body, "appKey") or call.app_key
    push_url = req_str(call.body, "pushUrl")
    types = call.body.get("busiTypes")
    if (
        not app_key
        or not isinstance(types, list)
        or not types
        or not all(isinstance(item, int) and not isinstance(item, bool) for item in types)
    ):
        raise ApiError(PARAM_INVALID)
    call.state.subscriptions[app_key] = Subscription(app_key, push_url, list(dict.fromkeys(types)))
    return NO_DATA


def _subscriber_key(call: Call) -> str:
    key = call.app_key or opt_str(call.body, "appKey")
    if not key:
        raise ApiError(PARAM_INVALID)
    return key


def pubsub_query(call: Call) -> dict[str, Any] | None:
    """/v1/api/pubsub/busi/record/query: the caller's subscription, or ``data: null``."""
    subscription = call.state.subscriptions.get(_subscriber_key(call))
    return subscription.view() if subscription else None


def pubsub_unbind(call: Call) -> _NoData:
    """/v1/api/pubsub/busi/record/unbind: drop the caller's subscription (if any)."""
    call.state.subscriptions.pop(_subscriber_key(call), None)
    return NO_DATA


# --- one-face-pass config (callbacks) ---------------------------------------------------------


def face_config_query(call: Call) -> dict[str, Any]:
    """/v1/api/sys/config/queryAFaceConfig: callback URLs and switches."""
    return dict(call.state.face_config)


def face_config_save(call: Call) -> dict[str, Any]:
    """/v1/api/sys/config/saveAFaceConfig: the three switches are required, URLs optional.

    An omitted URL keeps its value; ``""`` turns that callback off.
    """
    update: dict[str, Any] = {}
    for key in FACE_SWITCHES:
        value = req_int(call.body, key)
        if value not in (0, 1):
            raise ApiError(PARAM_INVALID)
        update[key] = value
    for key in FACE_URLS:
        url = opt_str(call.body, key)
        if url is not None:
            update[key] = url
    call.state.face_config.update(update)
    return dict(call.state.face_config)


def face_config_reset(call: Call) -> dict[str, Any]:
    """/v1/api/sys/config/resetAFaceConfig: back to empty URLs and switches off."""
    call.state.face_config = dict(FACE_CONFIG_DEFAULTS)
    return dict(call.state.face_config)


def temperature_config(call: Call) -> dict[str, Any]:
    """/v1/api/sys/config/temperatureConfig: the three switches alone."""
    return {key: call.state.face_config[key] for key in FACE_SWITCHES}


# --- record lists ---------------------------------------------------------------------------


def pass_record_list(call: Call) -> dict[str, Any]:
    """/v1/api/pass_record/list: stored pass records, newest first (api-events.md §6.1)."""
    body = call.body
    tz = call.state.timezone
    uuids = opt_str_list(body, "deviceUuids")
    exact = {
        key: opt_int(body, key)
        for key in ("recognitionType", "verificationMode", "passType", "livenessType", "maskType")
    }
    person_uuid = opt_str(body, "personUuid")
    person_code = opt_str(body, "personCode")
    fuzzy = {
        key: opt_str(body, key)
        for key in ("personName", "visitPersonName", "deviceName", "deviceLocation")
    }
    start = opt_time_ms(body, "startPassTime", tz)
    end = opt_time_ms(body, "endPassTime", tz)
    items = [
        dict(item)
        for item in _newest_first(call.state.pass_records, "passTimestamp")
        if (uuids is None or item.get("deviceUuid") in uuids)
        and all(value in (None, item.get(key)) for key, value in exact.items())
        and person_uuid in (None, "", item.get("personUuid"))
        and person_code in (None, "", item.get("personCode"))
        and all(contains(str(item.get(key, "")), value) for key, value in fuzzy.items())
        and (start is None or item["passTimestamp"] >= start)
        and (end is None or item["passTimestamp"] < end)
    ]
    return page(call, items)


def area_alert_list(call: Call) -> dict[str, Any]:
    """/v1/api/areaAlert/record/list: stored alerts (api-events.md §6.4).

    Paged by ``currPage`` (``pageNum`` also understood), default pageSize 10.
    """
    body = call.body
    tz = call.state.timezone
    uuids = opt_str_list(body, "deviceUuIdList")
    alarm_type = opt_int(body, "type")
    start = opt_time_ms(body, "startTime", tz)
    end = opt_time_ms(body, "endTime", tz)
    if start is not None and end is not None and start > end:
        raise ApiError(ALERT_TIME_ORDER)
    items = [
        dict(item)
        for item in _newest_first(call.state.alert_records, "alarmTime")
        if (uuids is None or item["deviceUuId"] in uuids)
        and alarm_type in (None, item["alarmType"])
        and (start is None or item["alarmTime"] >= start)
        and (end is None or item["alarmTime"] <= end)
    ]
    return page(
        call, items, default_size=10, page_keys=("currPage", "pageNum"), invalid_code=ALERT_PAGING
    )


# --- video ----------------------------------------------------------------------------------


def video_capture(call: Call) -> dict[str, Any]:
    """/v1/api/video/realtime/capture: a snapshot URL the simulator serves."""
    device = _device(call, "deviceUuid")
    if not device.online:
        raise ApiError(DEVICE_OFFLINE)
    return {"captureUrl": f"{call.base_url}/pub/{new_image_uri()}"}


def ptz_control(call: Call) -> _NoData:
    """/v1/api/video/realtime/ptzControl: logged in ``state.ptz_log``."""
    device = _device(call, "deviceUuid")
    command = req_int(call.body, "ptzCmd")
    speed = req_int(call.body, "speed")
    stop = req_int(call.body, "stop")
    if not 1 <= command <= 14 or not 1 <= speed <= 8:
        raise ApiError(PARAM_INVALID)
    if not device.online:
        raise ApiError(DEVICE_OFFLINE)
    if not device.ptz:
        raise ApiError(PTZ_FAILED)
    call.state.ptz_log.append(
        {
            "deviceUuid": device.uuid,
            "ptzCmd": command,
            "speed": speed,
            "stop": stop,
            "time": now_ms(),
        }
    )
    return NO_DATA


ENDPOINTS: dict[str, Endpoint] = {
    "/v1/api/device/info": Endpoint("GET", device_info, time_used=True),
    "/v1/api/org/top/detail": Endpoint("POST", org_top_detail),
    "/v1/api/device/list": Endpoint("POST", device_list),
    "/v1/api/device/query": Endpoint("POST", device_query),
    "/v1/api/door/list": Endpoint("POST", door_list),
    "/v1/api/door/openDoor": Endpoint("POST", _door_command("openDoor")),
    "/v1/api/door/alwaysOpenDoor": Endpoint("POST", _door_command("alwaysOpenDoor")),
    "/v1/api/door/alwaysCloseDoor": Endpoint("POST", _door_command("alwaysCloseDoor")),
    "/v1/api/door/normal": Endpoint("POST", _door_command("normal")),
    "/v1/api/device_alarm/list": Endpoint("POST", device_alarm_list),
    "/v1/api/pubsub/busi/record/add": Endpoint("POST", pubsub_add),
    "/v1/api/pubsub/busi/record/query": Endpoint("POST", pubsub_query),
    "/v1/api/pubsub/busi/record/unbind": Endpoint("POST", pubsub_unbind),
    "/v1/api/sys/config/queryAFaceConfig": Endpoint("POST", face_config_query),
    "/v1/api/sys/config/saveAFaceConfig": Endpoint("POST", face_config_save),
    "/v1/api/sys/config/resetAFaceConfig": Endpoint("POST", face_config_reset),
    "/v1/api/sys/config/temperatureConfig": Endpoint("POST", temperature_config),
    "/v1/api/pass_record/list": Endpoint("POST", pass_record_list),
    "/v1/api/areaAlert/record/list": Endpoint("POST", area_alert_list),
    "/v1/api/video/realtime/capture": Endpoint("POST", video_capture),
    "/v1/api/video/realtime/ptzControl": Endpoint("POST", ptz_control),
}
