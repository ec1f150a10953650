"""Logbook lines for ``hongtu_event``: one readable sentence per type, from the translations."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
import json
from pathlib import Path
from typing import Any

from aiohttp.test_utils import TestClient
from homeassistant.components.logbook.const import LOGBOOK_ENTRY_MESSAGE, LOGBOOK_ENTRY_NAME
from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_capture_events

from custom_components.hongtu import logbook
from custom_components.hongtu.api.record_models import (
    ALERT_TYPE_SLUGS,
    ATTENDANCE_STATUS_SLUGS,
    PERSON_TYPE_SLUGS,
    STRUCTURED_CATEGORY_SLUGS,
)
from custom_components.hongtu.const import DEVICE_ALARM_SLUGS, DOMAIN, EVENT_HONGTU
from simulator import FRONT_DOOR_UUID
from tests.push_helpers import load_fixture, post, settle

COMPONENT = Path(__file__).parent.parent / "custom_components" / "hongtu"

type Describe = Callable[[Any], dict[str, Any]]


@dataclass
class FakeLazyEvent:
    """What the logbook hands a describe callback: an object with the event's ``data``."""

    data: Mapping[str, Any]


async def describer(hass: HomeAssistant, language: str = "en") -> Describe:
    """The callback the logbook would register for ``hongtu_event``, translations loaded."""
    hass.config.language = language
    registered: dict[str, tuple[str, Describe]] = {}

    def describe_event(domain: str, event_name: str, callback: Describe) -> None:
        registered[event_name] = (domain, callback)

    logbook.async_describe_events(hass, describe_event)
    await hass.async_block_till_done()
    domain, callback = registered[EVENT_HONGTU]
    assert domain == DOMAIN
    return callback


def line(describe: Describe, **data: Any) -> str:
    message: str = describe(FakeLazyEvent(data))[LOGBOOK_ENTRY_MESSAGE]
    return message


ENGLISH: list[tuple[dict[str, Any], str]] = [
    (
        {"type": "pass", "device_name": "Front door", "person_name": "Alice", "passed": True},
        "Alice was granted access at Front door",
    ),
    (
        {"type": "pass", "device_name": "Front door", "person_name": "Alice", "passed": False},
        "Alice was denied access at Front door",
    ),
    (
        {"type": "pass", "device_name": "Front door", "person_name": None, "passed": False},
        "Someone was denied access at Front door",
    ),
    (
        {"type": "pass", "device_name": "Front door", "person_name": "Alice", "passed": None},
        "Pass record of Alice at Front door",
    ),
    (
        {
            "type": "recognition",
            "device_name": "Lobby camera",
            "person_name": "Alice",
            "person_type": "key_person",
        },
        "Recognised Alice (key person) at Lobby camera",
    ),
    (
        {"type": "recognition", "device_name": "Lobby camera", "person_type": "stranger"},
        "Recognised a person (stranger) at Lobby camera",
    ),
    (
        {"type": "recognition", "device_name": "Lobby camera", "person_type": "martian"},
        "Recognised a person (unknown type) at Lobby camera",
    ),
    (
        {"type": "alert", "device_name": "Perimeter camera", "alarm_type_name": "intrusion"},
        "Intrusion alert at Perimeter camera",
    ),
    (
        {"type": "alert", "device_name": None, "alarm_type_name": "unknown"},
        "Unknown alert at an unknown device",
    ),
    (
        {"type": "vehicle", "device_name": "Parking camera", "plate_number": "京A12345"},
        "Vehicle 京A12345 at Parking camera",
    ),
    (
        {"type": "vehicle", "device_name": "Parking camera", "plate_number": None},
        "Vehicle without a plate at Parking camera",
    ),
    (
        {
            "type": "structured",
            "device_name": "Parking camera",
            "category": "motor_vehicle",
            "plate_number": "苏D0112U",
        },
        "Vehicle 苏D0112U at Parking camera",
    ),
    (
        {"type": "structured", "device_name": "Lobby camera", "category": "face"},
        "Structured record (face) at Lobby camera",
    ),
    (
        {"type": "device_alarm", "device_name": "Front door", "alarm_type_name": "tamper"},
        "Device alarm: tamper at Front door",
    ),
    (
        {
            "type": "device_alarm",
            "device_name": "Front door",
            "alarm_type_name": "door_held_open",
            "active": False,
        },
        "Device alarm cleared: door held open at Front door",
    ),
    (
        {"type": "event_record", "device_name": "Lobby camera", "event_type_name": "重点人员"},
        "Event 重点人员 at Lobby camera",
    ),
    (
        {"type": "event_record", "device_name": "Lobby camera", "event_type_name": ""},
        "Event unknown at Lobby camera",
    ),
    (
        {"type": "attendance", "person_name": "Alice", "status": "abnormal"},
        "Attendance: Alice (abnormal)",
    ),
    ({"type": "teleport", "device_name": "Lobby camera"}, "teleport record at Lobby camera"),
]


@pytest.mark.parametrize(("data", "expected"), ENGLISH, ids=[e for _d, e in ENGLISH])
async def test_english_lines(hass: HomeAssistant, data: dict[str, Any], expected: str) -> None:
    """One sentence per event type, the device name as the entry's name."""
    describe = await describer(hass)
    described = describe(FakeLazyEvent(data))
    assert described[LOGBOOK_ENTRY_MESSAGE] == expected
    if data.get("device_name"):
        assert described[LOGBOOK_ENTRY_NAME] == data["device_name"]


async def test_chinese_lines(hass: HomeAssistant) -> None:
    """The same events in Simplified Chinese."""
    describe = await describer(hass, "zh-Hans")
    assert (
        line(describe, type="pass", device_name="前门", person_name="张三", passed=True)
        == "张三在前门通行成功"
    )
    assert (
        line(
            describe,
            type="recognition",
            device_name="大厅",
            person_name="张三",
            person_type="key_person",
        )
        == "在大厅识别到张三（重点人员）"
    )
    assert line(describe, type="alert", device_name="周界", alarm_type_name="intrusion") == (
        "周界发生警戒：人员入侵"
    )
    assert line(describe, type="attendance", person_name="张三", status="normal") == (
        "考勤：张三（正常）"
    )


async def test_language_change_reloads(hass: HomeAssistant) -> None:
    """Switching Home Assistant's language switches the lines, without a restart."""
    describe = await describer(hass)
    data = {"type": "vehicle", "device_name": "P1", "plate_number": "京A12345"}
    assert line(describe, **data) == "Vehicle 京A12345 at P1"
    await hass.config.async_update(language="zh-Hans")
    await hass.async_block_till_done()
    assert line(describe, **data) == "P1识别到车辆京A12345"


async def test_language_without_translation_falls_back_to_english(hass: HomeAssistant) -> None:
    """A language the integration does not ship reads English."""
    describe = await describer(hass, "fr")
    assert line(describe, type="alert", device_name="C", alarm_type_name="fall") == (
        "Fall alert at C"
    )


async def test_name_without_a_device(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """Attendance has no device: the entry's title names the line, else "HongTu"."""
    describe = await describer(hass)
    described = describe(
        FakeLazyEvent({"type": "attendance", "entry_id": init_integration.entry_id})
    )
    assert described[LOGBOOK_ENTRY_NAME] == init_integration.title
    assert described[LOGBOOK_ENTRY_MESSAGE] == "Attendance: Someone (unknown)"
    assert (
        describe(FakeLazyEvent({"type": "attendance", "entry_id": "gone"}))[LOGBOOK_ENTRY_NAME]
        == "HongTu"
    )


def test_templates_before_loading(hass: HomeAssistant) -> None:
    """Before the translations are loaded, a line still names what happened."""
    templates = logbook.LogbookTemplates(hass)
    assert templates.text("pass_granted", person="Alice", device="Front door") == (
        "pass_granted Alice Front door"
    )
    assert templates.word("alert_type", "intrusion") == "intrusion"


async def test_broken_translation_falls_back_to_english(hass: HomeAssistant) -> None:
    """A translated template with a placeholder the code does not fill is skipped for English."""
    templates = logbook.LogbookTemplates(hass)
    await templates.async_load("zh-Hans")
    hass.config.language = "zh-Hans"
    templates._tables["zh-Hans"]["vehicle"] = "{plate}{nonsense}"
    assert templates.text("vehicle", plate="京A", device="P") == "Vehicle 京A at P"


async def test_line_for_a_real_push(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    hass_client_no_auth: Callable[[], Any],
) -> None:
    """A pass posted to the webhook reads as a sentence in the logbook."""
    describe = await describer(hass)
    client: TestClient[Any, Any] = await hass_client_no_auth()
    body = load_fixture("callback_pass_record.json")
    body.update(deviceUuid=FRONT_DOOR_UUID, personName="Alice", passType=2)
    del body["deviceName"]
    events = async_capture_events(hass, EVENT_HONGTU)
    assert (await post(client, init_integration, body))[0] == 200
    await settle(hass, init_integration)
    described = describe(FakeLazyEvent(events[0].data))
    assert described == {
        LOGBOOK_ENTRY_NAME: "Front door",
        LOGBOOK_ENTRY_MESSAGE: "Alice was denied access at Front door",
    }


@pytest.mark.parametrize("language", ["en", "zh-Hans"])
def test_every_slug_has_a_word(language: str) -> None:
    """Each person type, alert type, device alarm, attendance status and structured category
    that events carry has a translated word (and each group an ``unknown``)."""
    name = "strings.json" if language == "en" else f"translations/{language}.json"
    exceptions = json.loads((COMPONENT / name).read_text(encoding="utf-8"))["exceptions"]
    groups = {
        "person_type": PERSON_TYPE_SLUGS.values(),
        "alert_type": ALERT_TYPE_SLUGS.values(),
        "device_alarm": DEVICE_ALARM_SLUGS.values(),
        "attendance_status": ATTENDANCE_STATUS_SLUGS.values(),
        "structured_category": STRUCTURED_CATEGORY_SLUGS.values(),
    }
    for group, slugs in groups.items():
        for slug in [*slugs, "unknown"]:
            assert exceptions[f"logbook_{group}_{slug}"]["message"].strip(), (group, slug)
