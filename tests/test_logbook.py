"""Logbook lines for ``hongtu_event``: one readable sentence per type, from the translations."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
import json
from pathlib import Path
from typing import Any

from aiohttp.test_utils import TestClient
from homeassistant.components.logbook.const import (
    LOGBOOK_ENTRY_ICON,
    LOGBOOK_ENTRY_MESSAGE,
    LOGBOOK_ENTRY_NAME,
)
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
    """The entry as the logbook shows it: its name, then its message."""
    described = describe(FakeLazyEvent(data))
    return f"{described[LOGBOOK_ENTRY_NAME]} {described[LOGBOOK_ENTRY_MESSAGE]}"


# (event data, entry name, entry message): the name is the sentence's subject.
ENGLISH: list[tuple[dict[str, Any], str, str]] = [
    (
        {"type": "pass", "device_name": "Front door", "person_name": "Alice", "passed": True},
        "Alice",
        "was granted access at Front door",
    ),
    (
        {"type": "pass", "device_name": "Front door", "person_name": "Alice", "passed": False},
        "Alice",
        "was denied access at Front door",
    ),
    (
        {"type": "pass", "device_name": "Front door", "person_name": None, "passed": False},
        "Someone",
        "was denied access at Front door",
    ),
    (
        {"type": "pass", "device_name": "Front door", "person_name": "Alice", "passed": None},
        "Alice",
        "has a pass record at Front door",
    ),
    (
        {"type": "pass", "device_name": None, "person_name": "Alice", "passed": True},
        "Alice",
        "was granted access at an unknown device",
    ),
    (
        {
            "type": "recognition",
            "device_name": "Lobby camera",
            "person_name": "Alice",
            "person_type": "key_person",
        },
        "Alice",
        "was recognised at Lobby camera (key person)",
    ),
    (
        {"type": "recognition", "device_name": "Lobby camera", "person_type": "stranger"},
        "Lobby camera",
        "recognised a person (stranger)",
    ),
    (
        {"type": "recognition", "device_name": "Lobby camera", "person_type": "martian"},
        "Lobby camera",
        "recognised a person (unknown type)",
    ),
    (
        {"type": "alert", "device_name": "Perimeter camera", "alarm_type_name": "intrusion"},
        "Perimeter camera",
        "raised an alert: Intrusion",
    ),
    (
        {"type": "alert", "device_name": None, "alarm_type_name": "unknown"},
        "HongTu",
        "raised an alert: Unknown",
    ),
    (
        {"type": "vehicle", "device_name": "Parking camera", "plate_number": "京A12345"},
        "Parking camera",
        "saw vehicle 京A12345",
    ),
    (
        {"type": "vehicle", "device_name": "Parking camera", "plate_number": None},
        "Parking camera",
        "saw a vehicle without a plate",
    ),
    (
        {
            "type": "structured",
            "device_name": "Parking camera",
            "category": "motor_vehicle",
            "plate_number": "苏D0112U",
        },
        "Parking camera",
        "saw vehicle 苏D0112U",
    ),
    (
        {"type": "structured", "device_name": "Lobby camera", "category": "face"},
        "Lobby camera",
        "captured a structured record (face)",
    ),
    (
        {"type": "device_alarm", "device_name": "Front door", "alarm_type_name": "tamper"},
        "Front door",
        "raised a device alarm: tamper",
    ),
    (
        {
            "type": "device_alarm",
            "device_name": "Front door",
            "alarm_type_name": "door_held_open",
            "active": False,
        },
        "Front door",
        "cleared a device alarm: door held open",
    ),
    (
        {"type": "event_record", "device_name": "Lobby camera", "event_type_name": "重点人员"},
        "Lobby camera",
        "logged an event: 重点人员",
    ),
    (
        {"type": "event_record", "device_name": "Lobby camera", "event_type_name": ""},
        "Lobby camera",
        "logged an event: unknown",
    ),
    (
        {"type": "attendance", "person_name": "Alice", "status": "abnormal"},
        "Alice",
        "recorded attendance (abnormal)",
    ),
    (
        {"type": "teleport", "device_name": "Lobby camera"},
        "Lobby camera",
        "sent a teleport record",
    ),
]


@pytest.mark.parametrize(
    ("data", "name", "message"), ENGLISH, ids=[f"{n} {m}" for _d, n, m in ENGLISH]
)
async def test_english_lines(
    hass: HomeAssistant, data: dict[str, Any], name: str, message: str
) -> None:
    """One sentence per event type: its subject as the entry's name, the rest as the message."""
    describe = await describer(hass)
    described = describe(FakeLazyEvent(data))
    assert described[LOGBOOK_ENTRY_NAME] == name
    assert described[LOGBOOK_ENTRY_MESSAGE] == message
    assert described[LOGBOOK_ENTRY_ICON].startswith("mdi:")


async def test_name_and_message_read_as_one_sentence(hass: HomeAssistant) -> None:
    """The logbook shows the name, then the message: together they say it once."""
    describe = await describer(hass)
    data = {"type": "pass", "device_name": "Front door", "person_name": "Alice", "passed": True}
    described = describe(FakeLazyEvent(data))
    assert (described[LOGBOOK_ENTRY_NAME], described[LOGBOOK_ENTRY_MESSAGE]) == (
        "Alice",
        "was granted access at Front door",
    )
    name, message = described[LOGBOOK_ENTRY_NAME], described[LOGBOOK_ENTRY_MESSAGE]
    assert f"{name} {message}" == "Alice was granted access at Front door"


ICONS: list[tuple[dict[str, Any], str]] = [
    ({"type": "pass", "passed": True}, "mdi:door-open"),
    ({"type": "pass", "passed": False}, "mdi:door-closed-lock"),
    ({"type": "pass", "passed": None}, "mdi:door"),
    ({"type": "recognition", "person_name": "Alice"}, "mdi:face-recognition"),
    ({"type": "recognition"}, "mdi:face-recognition"),
    ({"type": "alert"}, "mdi:alarm-light"),
    ({"type": "vehicle"}, "mdi:car"),
    ({"type": "structured", "plate_number": "京A12345"}, "mdi:car"),
    ({"type": "structured", "category": "body"}, "mdi:cctv"),
    ({"type": "device_alarm"}, "mdi:alert"),
    ({"type": "device_alarm", "active": False}, "mdi:alert-outline"),
    ({"type": "event_record"}, "mdi:calendar-alert"),
    ({"type": "attendance"}, "mdi:clock-check"),
    ({"type": "teleport"}, "mdi:information-outline"),
]


@pytest.mark.parametrize(("data", "icon"), ICONS, ids=[icon for _d, icon in ICONS])
async def test_icons(hass: HomeAssistant, data: dict[str, Any], icon: str) -> None:
    """Each kind of record has its own icon in the logbook."""
    describe = await describer(hass)
    assert describe(FakeLazyEvent({"device_name": "D", **data}))[LOGBOOK_ENTRY_ICON] == icon


async def test_chinese_lines(hass: HomeAssistant) -> None:
    """The same events in Simplified Chinese: name and message, joined by the logbook."""
    describe = await describer(hass, "zh-Hans")
    described = describe(
        FakeLazyEvent(
            {"type": "pass", "device_name": "前门", "person_name": "张三", "passed": True}
        )
    )
    assert (described[LOGBOOK_ENTRY_NAME], described[LOGBOOK_ENTRY_MESSAGE]) == (
        "张三",
        "在前门通行成功",
    )
    assert line(describe, type="pass", device_name="前门", person_name="张三", passed=True) == (
        "张三 在前门通行成功"
    )
    assert line(describe, type="pass", device_name="前门", passed=False) == (
        "某人 在前门被拒绝通行"
    )
    assert (
        line(
            describe,
            type="recognition",
            device_name="大厅",
            person_name="张三",
            person_type="key_person",
        )
        == "张三 在大厅被识别（重点人员）"
    )
    assert line(describe, type="recognition", device_name="大厅", person_type="stranger") == (
        "大厅 识别到人员（陌生人）"
    )
    assert line(describe, type="alert", device_name="周界", alarm_type_name="intrusion") == (
        "周界 发生警戒：人员入侵"
    )
    assert line(describe, type="vehicle", device_name="车场") == "车场 识别到无牌车辆"
    assert line(describe, type="attendance", person_name="张三", status="normal") == (
        "张三 考勤（正常）"
    )
    assert line(describe, type="teleport", device_name="大厅") == "大厅 发来teleport记录"


async def test_language_change_reloads(hass: HomeAssistant) -> None:
    """Switching Home Assistant's language switches the lines, without a restart."""
    describe = await describer(hass)
    data = {"type": "vehicle", "device_name": "P1", "plate_number": "京A12345"}
    assert line(describe, **data) == "P1 saw vehicle 京A12345"
    await hass.config.async_update(language="zh-Hans")
    await hass.async_block_till_done()
    assert line(describe, **data) == "P1 识别到车辆京A12345"


async def test_language_without_translation_falls_back_to_english(hass: HomeAssistant) -> None:
    """A language the integration does not ship reads English."""
    describe = await describer(hass, "fr")
    assert line(describe, type="alert", device_name="C", alarm_type_name="fall") == (
        "C raised an alert: Fall"
    )


async def test_name_without_a_device(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """A device's record without its name: the entry's title names the line, else "HongTu".
    A person's record is named by the person, or "Someone"."""
    describe = await describer(hass)
    entry_id = init_integration.entry_id
    described = describe(FakeLazyEvent({"type": "alert", "entry_id": entry_id}))
    assert described[LOGBOOK_ENTRY_NAME] == init_integration.title
    assert described[LOGBOOK_ENTRY_MESSAGE] == "raised an alert: Unknown"
    gone = describe(FakeLazyEvent({"type": "alert", "entry_id": "gone"}))
    assert gone[LOGBOOK_ENTRY_NAME] == "HongTu"
    attendance = describe(FakeLazyEvent({"type": "attendance", "entry_id": entry_id}))
    assert line(describe, type="attendance", entry_id=entry_id) == (
        "Someone recorded attendance (unknown)"
    )
    assert attendance[LOGBOOK_ENTRY_NAME] == "Someone"


def test_templates_before_loading(hass: HomeAssistant) -> None:
    """Before the translations are loaded, a line still names what happened."""
    templates = logbook.LogbookTemplates(hass)
    assert templates.text("pass_granted", device="Front door") == "pass_granted Front door"
    assert templates.word("alert_type", "intrusion") == "intrusion"


async def test_broken_translation_falls_back_to_english(hass: HomeAssistant) -> None:
    """A translated template with a placeholder the code does not fill is skipped for English."""
    templates = logbook.LogbookTemplates(hass)
    await templates.async_load("zh-Hans")
    hass.config.language = "zh-Hans"
    templates._tables["zh-Hans"]["vehicle"] = "{plate}{nonsense}"
    assert templates.text("vehicle", plate="京A") == "saw vehicle 京A"


async def test_line_for_a_real_push(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    hass_client_no_auth: Callable[[], Any],
) -> None:
    """A pass posted to the webhook reads as one sentence in the logbook."""
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
        LOGBOOK_ENTRY_NAME: "Alice",
        LOGBOOK_ENTRY_MESSAGE: "was denied access at Front door",
        LOGBOOK_ENTRY_ICON: "mdi:door-closed-lock",
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
