"""Tolerant parsing of the appliance's answers into the client's models."""

from __future__ import annotations

from typing import Any

import pytest

from custom_components.hongtu.api import (
    CMD_STATUS_NORMAL,
    DEVICE_ALARM_NAMES,
    DEVICE_ALARM_TAMPER,
    DEVICE_MODEL_NAMES,
    DEVICE_TYPE_NAMES,
    DEVICE_TYPE_PANEL,
    ApplianceInfo,
    CaptureResult,
    Device,
    DeviceAlarm,
    DeviceDetail,
    DoorPoint,
    HongTuParseError,
    Subscription,
    TopOrganization,
)
from custom_components.hongtu.api.parsing import as_bool, as_float, as_int, as_str, device_uuid_of


def test_appliance_info_from_vendor_example() -> None:
    """The documented device/info answer."""
    info = ApplianceInfo.from_api(
        {"name": "AIoT视图综合应用一体机", "type": "MegCube-HAL3004-4S2", "version": "V1.0.2.0"}
    )
    assert info == ApplianceInfo("AIoT视图综合应用一体机", "MegCube-HAL3004-4S2", "V1.0.2.0")


def test_appliance_info_missing_fields() -> None:
    """A missing name falls back to the model; an object with nothing usable is an error."""
    assert ApplianceInfo.from_api({"type": "M1"}) == ApplianceInfo("M1", "M1", "")
    with pytest.raises(HongTuParseError):
        ApplianceInfo.from_api({"other": 1})
    with pytest.raises(HongTuParseError):
        ApplianceInfo.from_api([])  # type: ignore[arg-type]


def test_top_organization() -> None:
    """Both fields optional; no data at all gives two Nones."""
    org = TopOrganization.from_api(
        {"orgUuid": "5136133420854963ad5c939f6f10026e", "orgName": "一级组织"}
    )
    assert org.org_uuid == "5136133420854963ad5c939f6f10026e"
    assert org.org_name == "一级组织"
    assert TopOrganization.from_api({}) == TopOrganization(None, None)
    assert TopOrganization.from_api(None) == TopOrganization(None, None)


def test_device_from_vendor_example_and_numeric_strings() -> None:
    """Numbers may arrive as strings; optional fields default to None."""
    device = Device.from_api(
        {
            "checkFirm": 0,
            "deviceMode": "1",
            "deviceType": "4",
            "ipAddress": "10.171.8.140",
            "location": "openapi",
            "name": "c3v-120-p",
            "status": "3",
            "uuid": "0e8b42ac716d4f849348d0c81c4db693",
        }
    )
    assert device.uuid == "0e8b42ac716d4f849348d0c81c4db693"
    assert device.device_type == 4
    assert device.device_mode == 1
    assert device.status == 3
    assert device.online
    assert device.mac is None
    assert device.current_version is None


def test_device_offline_and_unknown_status() -> None:
    """Only status 3 is online; a missing name falls back to the uuid."""
    assert not Device.from_api({"uuid": "u", "status": 4}).online
    assert not Device.from_api({"uuid": "u", "status": 1}).online
    assert not Device.from_api({"uuid": "u"}).online
    assert Device.from_api({"uuid": "u"}).name == "u"


@pytest.mark.parametrize("item", [{}, {"uuid": ""}, {"uuid": None, "name": "x"}, {"uuid": True}])
def test_device_without_uuid_is_a_parse_error(item: dict[str, Any]) -> None:
    """A device without a usable uuid cannot be tracked."""
    with pytest.raises(HongTuParseError):
        Device.from_api(item)
    with pytest.raises(HongTuParseError):
        DoorPoint.from_api(item)
    with pytest.raises(HongTuParseError):
        DeviceDetail.from_api(item)


def test_door_point_with_and_without_cmd_status() -> None:
    """cmdStatus is optional on door/list; isPass is 0/1."""
    panel = DoorPoint.from_api(
        {
            "deviceModel": 1,
            "deviceType": 2,
            "isPass": 1,
            "location": "OpenAPI测试",
            "name": "智能面板机-MegEye-W5K-I8",
            "status": 4,
            "uuid": "8b2e4da9392b4847aff5faf9dcb17a3c",
            "cmdStatus": "17",
            "synStatus": "1",
            "failNum": 0,
            "switchIp": "10.0.0.9",
        }
    )
    assert panel.is_panel
    assert not panel.online
    assert panel.is_pass is True
    assert panel.cmd_status == CMD_STATUS_NORMAL
    assert panel.syn_status == 1
    assert panel.fail_num == 0
    assert panel.switch_ip == "10.0.0.9"
    camera = DoorPoint.from_api({"deviceUuId": "cam1", "deviceType": 4, "status": 3})
    assert camera.uuid == "cam1"
    assert not camera.is_panel
    assert camera.online
    assert camera.cmd_status is None
    assert camera.is_pass is None


def test_device_detail() -> None:
    """device/query keeps cmdStatus and the serial but not credentials."""
    detail = DeviceDetail.from_api(
        {
            "uuid": "a80f416fe6344a388b2c41ca1eca4c7a",
            "name": "c3s-123",
            "cmdStatus": 17,
            "deviceMode": 4,
            "deviceModel": 4,
            "deviceType": 1,
            "status": 3,
            "ipAddress": "10.171.4.92",
            "mac": "88:88:88:88:88:88:88:81",
            "snCode": "SN1",
            "userPassword": "admin123",
        }
    )
    assert detail.online
    assert detail.cmd_status == 17
    assert detail.device_model == 4
    assert detail.sn_code == "SN1"
    assert "admin123" not in repr(detail)
    assert detail.rtsp_url is None


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (
            " rtsp://10.171.4.92/user=admin&password=admin123 ",
            "rtsp://10.171.4.92/user=admin&password=admin123",
        ),
        ("RTSPS://cam.local/live", "RTSPS://cam.local/live"),
        ("", None),
        ("http://10.0.0.1/stream", None),
        (5, None),
        (None, None),
    ],
)
def test_device_detail_rtsp_url(raw: object, expected: str | None) -> None:
    """rtspUrl is kept when it is an rtsp(s) address, never shown by repr."""
    detail = DeviceDetail.from_api({"uuid": "cam", "rtspUrl": raw})
    assert detail.rtsp_url == expected
    assert "admin123" not in repr(detail)


def test_device_alarm_times_as_numbers_or_strings() -> None:
    """Alarm times arrive as ms numbers or numeric strings; deviceUuId spelling is accepted."""
    alarm = DeviceAlarm.from_api(
        {
            "alarmStatus": 1,
            "alarmStatusNow": "1",
            "alarmTime": "1626206007000",
            "alarmType": "500100",
            "deviceLocation": "Zxhcewen",
            "deviceModel": 1,
            "deviceName": "zxh",
            "deviceStatus": 3,
            "deviceType": 2,
            "deviceUuId": "6c37967ca6594070afd9699b07ad55c6",
            "gmtCreate": 1626206007000,
            "gmtModified": 1626206007000.0,
        }
    )
    assert alarm.device_uuid == "6c37967ca6594070afd9699b07ad55c6"
    assert alarm.alarm_type == DEVICE_ALARM_TAMPER
    assert alarm.active
    assert alarm.alarm_time_ms == 1626206007000
    assert alarm.gmt_create_ms == 1626206007000
    assert alarm.gmt_modified_ms == 1626206007000
    recovered = DeviceAlarm.from_api({"alarmType": 500104, "alarmStatus": 1, "alarmStatusNow": 0})
    assert not recovered.active
    assert recovered.device_uuid is None
    assert recovered.alarm_time_ms is None


def test_device_alarm_without_type_is_a_parse_error() -> None:
    """An alarm of no type cannot be mapped to a sensor."""
    with pytest.raises(HongTuParseError):
        DeviceAlarm.from_api({"deviceUuid": "x", "alarmType": "fire"})


def test_subscription_busi_types_shapes() -> None:
    """busiTypes as numbers, strings or a comma-separated string."""
    sub = Subscription.from_api(
        {"appKey": "appkey1", "busiTypes": [5, "1", None], "pushUrl": "http://h/p"}
    )
    assert sub == Subscription("appkey1", "http://h/p", (5, 1))
    assert Subscription.from_api({"busiTypes": "1, 2,3"}).busi_types == (1, 2, 3)
    assert Subscription.from_api({"busiTypes": 5}).busi_types == ()
    assert Subscription.from_api({}).push_url is None


def test_capture_result() -> None:
    """captureUrl is required."""
    assert CaptureResult.from_api({"captureUrl": "http://h/pub/x.jpg"}).image_url.endswith("x.jpg")
    with pytest.raises(HongTuParseError):
        CaptureResult.from_api({})


def test_models_are_frozen() -> None:
    """Models are immutable values."""
    device = Device.from_api({"uuid": "u"})
    with pytest.raises(AttributeError):
        device.name = "x"  # type: ignore[misc]


def test_dictionaries() -> None:
    """The dictionaries the entities name things with."""
    assert DEVICE_MODEL_NAMES[1] == "MegEye-W5K-I8"
    assert DEVICE_MODEL_NAMES[57] == "MegCube-B4H16-311"
    assert len(DEVICE_MODEL_NAMES) == 36
    assert DEVICE_TYPE_NAMES[DEVICE_TYPE_PANEL] == "Smart panel"
    assert DEVICE_ALARM_NAMES[500500] == "fire_alarm"
    assert set(DEVICE_ALARM_NAMES) == {500000, 500100, 500102, 500104, 500108, 500200, 500500}


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (True, 1),
        (5, 5),
        (5.0, 5),
        (5.5, None),
        (" 17 ", 17),
        ("1626206007000", 1626206007000),
        ("3.0", 3),
        ("3.5", None),
        ("", None),
        ("abc", None),
        (None, None),
        ([], None),
    ],
)
def test_as_int(value: Any, expected: int | None) -> None:
    """The readers the models are built on: integers from numbers and numeric strings."""
    assert as_int(value) == expected


def test_other_readers() -> None:
    """Floats, strings, bools and the uuid aliases."""
    assert as_float(1) == 1.0
    assert as_float(" 89.0 ") == 89.0
    assert as_float("x") is None
    assert as_float(True) is None
    assert as_float(None) is None
    assert as_str(12) == "12"
    assert as_str("") is None
    assert as_str(False) is None
    assert as_str({}) is None
    assert as_bool(True) is True
    assert as_bool("0") is False
    assert as_bool(" TRUE ") is True
    assert as_bool("false") is False
    assert as_bool("maybe") is None
    assert device_uuid_of({"deviceUUID": "a"}) == "a"
    assert device_uuid_of({"deviceUuid": "", "uuid": "b"}) == "b"
    assert device_uuid_of({}) is None
