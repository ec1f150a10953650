"""Automation blueprints: each loads with Home Assistant's blueprint schema and, instantiated
against the simulator, does what its description says."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
import shutil
from typing import Any
from urllib.parse import quote

from freezegun.api import FrozenDateTimeFactory
from homeassistant.components.binary_sensor import DOMAIN as BINARY_SENSOR_DOMAIN
from homeassistant.components.blueprint import models
from homeassistant.components.blueprint.schemas import BLUEPRINT_SCHEMA
from homeassistant.components.select import DOMAIN as SELECT_DOMAIN
from homeassistant.components.switch.const import DOMAIN as SWITCH_DOMAIN
from homeassistant.const import EVENT_HOMEASSISTANT_STARTED, STATE_ON
from homeassistant.core import CoreState, HomeAssistant, ServiceCall
from homeassistant.helpers import device_registry as dr
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
from homeassistant.util.yaml import load_yaml_dict
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
    async_mock_service,
)

from custom_components.hongtu.const import DOMAIN
from custom_components.hongtu.events import async_fire_hongtu_event
from simulator import BACK_DOOR_UUID, FRONT_DOOR_UUID, LOBBY_CAMERA_UUID, Simulator
from tests.ha_fixtures import async_refresh, door_commands, entity_id_of
from tests.record_helpers import Pushing, async_settle

SOURCE = Path(__file__).parent.parent / "blueprints" / "automation" / "hongtu"
NAMES = [
    "key_person_alert",
    "door_schedule",
    "fire_alarm_evacuation",
    "welcome_known_person",
]
SOURCE_URL = "https://github.com/hongtu-ha/hongtu/blob/main/blueprints/automation/hongtu/{}.yaml"
FIRE_ALARM = 500500
IMAGE = "http://192.168.1.20/pub/_Y2FjdHVzMTAwXzNt_a548f9142e1648"


# --- loading ------------------------------------------------------------------------------


def load(name: str) -> models.Blueprint:
    """A blueprint file as Home Assistant loads it for the automation domain."""
    return models.Blueprint(
        load_yaml_dict(SOURCE / f"{name}.yaml"),
        expected_domain="automation",
        path=f"hongtu/{name}.yaml",
        schema=BLUEPRINT_SCHEMA,
    )


def selector_filters(selector: dict[str, Any]) -> list[dict[str, Any]]:
    """The filters of an entity or device selector (empty for other selectors)."""
    for kind in ("entity", "device"):
        if kind in selector:
            filters = (selector[kind] or {}).get("filter", [])
            return filters if isinstance(filters, list) else [filters]
    return []


def test_blueprint_files() -> None:
    """The folder holds exactly the four blueprints."""
    assert sorted(path.stem for path in SOURCE.glob("*.yaml")) == sorted(NAMES)


@pytest.mark.parametrize("name", NAMES)
def test_schema(name: str) -> None:
    """Valid for the automation domain; named, described and filtered to this integration."""
    blueprint = load(name)
    assert blueprint.domain == "automation"
    assert blueprint.metadata["source_url"] == SOURCE_URL.format(name)
    assert blueprint.metadata["description"]
    assert blueprint.validate() is None
    for key, spec in blueprint.inputs.items():
        assert spec["name"], key
        picks_things = "entity" in spec["selector"] or "device" in spec["selector"]
        filters = selector_filters(spec["selector"])
        assert bool(filters) == picks_things, key
        assert all(item.get("integration") == DOMAIN for item in filters), key


def test_fire_alarm_filter() -> None:
    """Only smoke binary sensors can be picked as the fire alarm."""
    spec = load("fire_alarm_evacuation").inputs["fire_alarms"]
    assert selector_filters(spec["selector"]) == [
        {"integration": DOMAIN, "domain": ["binary_sensor"], "device_class": ["smoke"]}
    ]


@pytest.mark.parametrize("doc", ["blueprints.md", "blueprints.zh-Hans.md"])
def test_import_buttons(doc: str) -> None:
    """Each language's README section has one import button per blueprint, at its raw file."""
    text = (SOURCE.parents[2] / "docs" / doc).read_text(encoding="utf-8")
    for name in NAMES:
        raw = f"https://raw.githubusercontent.com/hongtu-ha/hongtu/main/blueprints/automation/hongtu/{name}.yaml"
        link = (
            "https://my.home-assistant.io/create-link/?redirect=blueprint_import"
            f"&blueprint_url={quote(raw, safe='')}"
        )
        assert text.count(f"]({link})") == 1, name
    assert text.count("https://my.home-assistant.io/badges/blueprint_import.svg") == len(NAMES)


# --- running ------------------------------------------------------------------------------


@pytest.fixture
async def blueprint_folder(hass: HomeAssistant, tmp_path: Path) -> AsyncIterator[Path]:
    """The blueprints copied where Home Assistant looks for them, in a temporary config dir."""
    config_dir = hass.config.config_dir
    hass.config.config_dir = str(tmp_path)
    target = Path(hass.config.path("blueprints", "automation", "hongtu"))
    shutil.copytree(SOURCE, target)
    yield target
    # Detach the triggers (a time trigger's timer would outlive the test otherwise).
    if hass.services.has_service("automation", "turn_off"):
        await hass.services.async_call(
            "automation", "turn_off", {"entity_id": "all"}, blocking=True
        )
    hass.config.config_dir = config_dir


async def use_blueprints(hass: HomeAssistant, blueprints: dict[str, dict[str, Any]]) -> None:
    """Automations made from blueprints (name → inputs), each checked to be on."""
    assert await async_setup_component(
        hass,
        "automation",
        {
            "automation": [
                {
                    "id": name,
                    "alias": name,
                    "use_blueprint": {"path": f"hongtu/{name}.yaml", "input": inputs},
                }
                for name, inputs in blueprints.items()
            ]
        },
    )
    await hass.async_block_till_done()
    for name in blueprints:
        state = hass.states.get(f"automation.{name}")
        assert state is not None, name
        if hass.state is CoreState.running:
            assert state.state == STATE_ON, state


async def use_blueprint(hass: HomeAssistant, name: str, inputs: dict[str, Any]) -> None:
    """One automation made from a blueprint."""
    await use_blueprints(hass, {name: inputs})


def device_id(hass: HomeAssistant, uuid: str) -> str:
    """The Home Assistant device of an appliance device."""
    device = dr.async_get(hass).async_get_device(identifiers={(DOMAIN, uuid)})
    assert device is not None
    return device.id


def device_name(hass: HomeAssistant, uuid: str) -> str | None:
    """The name the integration gives an appliance device ("Front door")."""
    device = dr.async_get(hass).async_get(device_id(hass, uuid))
    return device.name if device else None


async def fire(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    event_type: str,
    device_uuid: str,
    **extra: Any,
) -> None:
    """A ``hongtu_event`` as the integration fires it, with the flat keys given."""
    async_fire_hongtu_event(
        hass,
        entry_id=entry.entry_id,
        event_type=event_type,
        device_uuid=device_uuid,
        device_name=device_name(hass, device_uuid),
        record_id=f"{event_type}-{device_uuid}",
        time_ms=1_750_000_000_000,
        data={"personPhone": "13800000000"},
        extra=extra,
    )
    await hass.async_block_till_done()


KEY_PERSON = {
    "person_name": "Li Si",
    "person_uuid": "p-li-si",
    "person_type": "key_person",
    "score": 93.5,
    "capture_image_url": IMAGE,
}


@pytest.fixture
def notify_calls(hass: HomeAssistant) -> list[ServiceCall]:
    """Calls of the mock ``notify.test``."""
    calls: list[ServiceCall] = async_mock_service(hass, "notify", "test")
    return calls


@pytest.mark.usefixtures("blueprint_folder")
async def test_key_person_alert(
    hass: HomeAssistant, init_integration: MockConfigEntry, notify_calls: list[ServiceCall]
) -> None:
    """A key person at a chosen device sends the name, the door and the capture image."""
    await use_blueprint(
        hass,
        "key_person_alert",
        {
            "devices": [device_id(hass, FRONT_DOOR_UUID), device_id(hass, LOBBY_CAMERA_UUID)],
            "notify_action": "notify.test",
        },
    )
    await fire(hass, init_integration, "pass", FRONT_DOOR_UUID, passed=True, **KEY_PERSON)
    assert len(notify_calls) == 1
    call = notify_calls[0]
    assert call.data["title"] == "HongTu: Key person"
    local = dt_util.as_local(dt_util.utc_from_timestamp(1_750_000_000))
    assert call.data["message"] == f"Li Si at Front door, {local:%Y-%m-%d %H:%M:%S}"
    assert call.data["data"] == {"image": IMAGE}

    await fire(hass, init_integration, "recognition", LOBBY_CAMERA_UUID, **KEY_PERSON)
    assert len(notify_calls) == 2
    assert "Lobby" in notify_calls[1].data["message"]


@pytest.mark.usefixtures("blueprint_folder")
async def test_key_person_alert_ignores(
    hass: HomeAssistant, init_integration: MockConfigEntry, notify_calls: list[ServiceCall]
) -> None:
    """Other devices, other person types and other event types send nothing."""
    await use_blueprint(
        hass,
        "key_person_alert",
        {"devices": [device_id(hass, FRONT_DOOR_UUID)], "notify_action": "notify.test"},
    )
    await fire(hass, init_integration, "pass", BACK_DOOR_UUID, passed=True, **KEY_PERSON)
    employee = {**KEY_PERSON, "person_type": "employee"}
    await fire(hass, init_integration, "pass", FRONT_DOOR_UUID, passed=True, **employee)
    await fire(hass, init_integration, "vehicle", FRONT_DOOR_UUID, plate_number="京A12345")
    await fire(hass, init_integration, "attendance", FRONT_DOOR_UUID, person_name="Li Si")
    assert notify_calls == []


@pytest.mark.usefixtures("blueprint_folder")
async def test_key_person_alert_choices(
    hass: HomeAssistant, init_integration: MockConfigEntry, notify_calls: list[ServiceCall]
) -> None:
    """No device chosen means any; chosen types and record kinds; a bare notify name; no image."""
    await use_blueprint(
        hass,
        "key_person_alert",
        {
            "person_types": ["stranger"],
            "record_types": ["recognition"],
            "notify_action": "test",
            "message": "{{ person_type }} at {{ door }}",
        },
    )
    stranger = {"person_name": None, "person_type": "stranger", "capture_image_url": None}
    await fire(hass, init_integration, "recognition", BACK_DOOR_UUID, **stranger)
    await fire(hass, init_integration, "pass", BACK_DOOR_UUID, passed=False, **stranger)
    await fire(hass, init_integration, "recognition", BACK_DOOR_UUID, **KEY_PERSON)
    assert [call.data for call in notify_calls] == [
        {"title": "HongTu: Stranger", "message": "stranger at Back door", "data": {}}
    ]


@pytest.mark.usefixtures("blueprint_folder")
async def test_key_person_alert_numeric_type_and_cooldown(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    notify_calls: list[ServiceCall],
    freezer: FrozenDateTimeFactory,
) -> None:
    """A numeric person type code counts as its slug; a cooldown drops repeats for a while."""
    await use_blueprint(hass, "key_person_alert", {"notify_action": "notify.test", "cooldown": 10})
    coded = {**KEY_PERSON, "person_type": 3}
    await fire(hass, init_integration, "recognition", LOBBY_CAMERA_UUID, **coded)
    freezer.tick(5)
    await fire(hass, init_integration, "recognition", LOBBY_CAMERA_UUID, **coded)
    assert len(notify_calls) == 1
    freezer.tick(6)
    await fire(hass, init_integration, "recognition", LOBBY_CAMERA_UUID, **coded)
    assert len(notify_calls) == 2


# --- door schedule ------------------------------------------------------------------------
#
# The clock is frozen from the start (Home Assistant's test time zone is US/Pacific, -07:00 in
# June; 2 June 2025 is a Monday) and moved in steps of seconds: a jump of minutes would also
# expire the idle HTTP connections to the simulator, on both sides at once, and the next poll
# would fail. Hence windows of a few seconds.


async def move_to(hass: HomeAssistant, freezer: FrozenDateTimeFactory, moment: str) -> None:
    """Move the clock (a local ISO time) and run what was due by then."""
    await hass.async_block_till_done()
    freezer.move_to(moment)
    async_fire_time_changed(hass, dt_util.utcnow())
    await hass.async_block_till_done()


def cmd_status(simulator: Simulator, uuid: str) -> int | None:
    return simulator.device(uuid).cmd_status


def door_entities(hass: HomeAssistant) -> list[str]:
    """The front door by its always-open switch, the back door by its door mode select."""
    return [
        entity_id_of(hass, SWITCH_DOMAIN, f"{FRONT_DOOR_UUID}_always_open"),
        entity_id_of(hass, SELECT_DOMAIN, f"{BACK_DOOR_UUID}_door_mode"),
    ]


async def use_schedule(hass: HomeAssistant, doors: list[str], start: str, end: str) -> None:
    await use_blueprint(
        hass,
        "door_schedule",
        {"doors": doors, "start_time": start, "end_time": end, "weekdays": ["mon", "tue"]},
    )


@pytest.mark.freeze_time("2025-06-02T07:59:58-07:00")
@pytest.mark.usefixtures("blueprint_folder", "init_integration")
async def test_door_schedule(
    hass: HomeAssistant, simulator: Simulator, freezer: FrozenDateTimeFactory
) -> None:
    """Held open from the start time on a chosen day, back to normal at the end time."""
    await use_schedule(hass, door_entities(hass), "08:00:00", "08:00:05")
    await move_to(hass, freezer, "2025-06-02T08:00:00.6-07:00")
    assert cmd_status(simulator, FRONT_DOOR_UUID) == 15
    assert cmd_status(simulator, BACK_DOOR_UUID) == 15

    await move_to(hass, freezer, "2025-06-02T08:00:05.6-07:00")
    assert cmd_status(simulator, FRONT_DOOR_UUID) == 17
    assert cmd_status(simulator, BACK_DOOR_UUID) == 17


@pytest.mark.freeze_time("2025-06-04T07:59:58-07:00")
@pytest.mark.usefixtures("blueprint_folder", "init_integration")
async def test_door_schedule_other_day(
    hass: HomeAssistant, simulator: Simulator, freezer: FrozenDateTimeFactory
) -> None:
    """On a day not chosen (Wednesday) nothing opens, and a door held open by hand stays so."""
    await use_schedule(hass, door_entities(hass), "08:00:00", "08:00:05")
    simulator.device(BACK_DOOR_UUID).cmd_status = 15
    await move_to(hass, freezer, "2025-06-04T08:00:00.6-07:00")
    assert cmd_status(simulator, FRONT_DOOR_UUID) == 17
    await move_to(hass, freezer, "2025-06-04T08:00:05.6-07:00")
    assert cmd_status(simulator, BACK_DOOR_UUID) == 15
    assert door_commands(simulator) == []


@pytest.mark.freeze_time("2025-06-03T23:59:55-07:00")
@pytest.mark.usefixtures("blueprint_folder", "init_integration")
async def test_door_schedule_overnight(
    hass: HomeAssistant, simulator: Simulator, freezer: FrozenDateTimeFactory
) -> None:
    """A window past midnight belongs to the day it starts on (Tuesday here, ending Wednesday)."""
    await use_schedule(hass, door_entities(hass)[:1], "23:59:57", "00:00:03")
    await move_to(hass, freezer, "2025-06-03T23:59:57.6-07:00")
    assert cmd_status(simulator, FRONT_DOOR_UUID) == 15
    await move_to(hass, freezer, "2025-06-04T00:00:03.6-07:00")
    assert cmd_status(simulator, FRONT_DOOR_UUID) == 17


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        # Monday noon inside 08:00–18:00: held open again.
        pytest.param(
            "08:00", "18:00:00", 15, marks=pytest.mark.freeze_time("2025-06-02T12:00:00-07:00")
        ),
        # Monday evening, outside: left alone.
        pytest.param(
            "08:00:00", "18:00:00", 17, marks=pytest.mark.freeze_time("2025-06-02T19:00:00-07:00")
        ),
        # Sunday noon: not a chosen day.
        pytest.param(
            "08:00:00", "18:00:00", 17, marks=pytest.mark.freeze_time("2025-06-08T12:00:00-07:00")
        ),
        # Wednesday 01:00, in Tuesday's overnight window.
        pytest.param(
            "22:00:00", "06:00:00", 15, marks=pytest.mark.freeze_time("2025-06-04T01:00:00-07:00")
        ),
        # Monday 01:00: the overnight window that ends now began on Sunday, not chosen.
        pytest.param(
            "22:00:00", "06:00:00", 17, marks=pytest.mark.freeze_time("2025-06-02T01:00:00-07:00")
        ),
    ],
)
@pytest.mark.usefixtures("blueprint_folder", "init_integration")
async def test_door_schedule_restart(
    hass: HomeAssistant, simulator: Simulator, start: str, end: str, expected: int
) -> None:
    """At Home Assistant start the doors are held open only inside a window."""
    hass.set_state(CoreState.not_running)
    await use_schedule(hass, door_entities(hass)[:1], start, end)
    hass.set_state(CoreState.running)
    hass.bus.async_fire(EVENT_HOMEASSISTANT_STARTED)
    await hass.async_block_till_done()
    assert cmd_status(simulator, FRONT_DOOR_UUID) == expected


# --- fire alarm evacuation ----------------------------------------------------------------


def evacuation_inputs(hass: HomeAssistant, **overrides: Any) -> dict[str, Any]:
    """The front door's fire alarm; the front door by its select, the back door by its switch."""
    return {
        "fire_alarms": [entity_id_of(hass, BINARY_SENSOR_DOMAIN, f"{FRONT_DOOR_UUID}_fire_alarm")],
        "doors": [
            entity_id_of(hass, SELECT_DOMAIN, f"{FRONT_DOOR_UUID}_door_mode"),
            entity_id_of(hass, SWITCH_DOMAIN, f"{BACK_DOOR_UUID}_always_open"),
        ],
        "notify_action": "notify.test",
        **overrides,
    }


@pytest.mark.usefixtures("blueprint_folder")
async def test_fire_alarm_evacuation(
    hass: HomeAssistant,
    simulator: Simulator,
    init_integration: MockConfigEntry,
    notify_calls: list[ServiceCall],
) -> None:
    """The alarm opens the doors and notifies; clearing it puts them back to normal."""
    await use_blueprint(hass, "fire_alarm_evacuation", evacuation_inputs(hass))
    simulator.add_alarm(FRONT_DOOR_UUID, FIRE_ALARM)
    await async_refresh(hass, init_integration)
    assert cmd_status(simulator, FRONT_DOOR_UUID) == 15
    assert cmd_status(simulator, BACK_DOOR_UUID) == 15
    assert [call.data for call in notify_calls] == [
        {
            "title": "Fire alarm",
            "message": "Front door Fire alarm is on. Doors held open: Front door, Back door.",
        }
    ]

    simulator.clear_alarm(FRONT_DOOR_UUID, FIRE_ALARM)
    await async_refresh(hass, init_integration)
    assert cmd_status(simulator, FRONT_DOOR_UUID) == 17
    assert cmd_status(simulator, BACK_DOOR_UUID) == 17
    assert notify_calls[1].data == {
        "title": "Fire alarm",
        "message": "Fire alarm cleared. Doors back to normal: Front door, Back door.",
    }


@pytest.mark.usefixtures("blueprint_folder")
async def test_fire_alarm_waits_for_every_alarm(
    hass: HomeAssistant,
    simulator: Simulator,
    init_integration: MockConfigEntry,
    notify_calls: list[ServiceCall],
) -> None:
    """With two alarms, the doors stay open until both cleared; no notify when none is set."""
    inputs = evacuation_inputs(hass, notify_action="")
    inputs["fire_alarms"].append(
        entity_id_of(hass, BINARY_SENSOR_DOMAIN, f"{BACK_DOOR_UUID}_fire_alarm")
    )
    await use_blueprint(hass, "fire_alarm_evacuation", inputs)
    simulator.add_alarm(FRONT_DOOR_UUID, FIRE_ALARM)
    simulator.add_alarm(BACK_DOOR_UUID, FIRE_ALARM)
    await async_refresh(hass, init_integration)
    assert cmd_status(simulator, FRONT_DOOR_UUID) == 15

    simulator.clear_alarm(FRONT_DOOR_UUID, FIRE_ALARM)
    await async_refresh(hass, init_integration)
    assert cmd_status(simulator, FRONT_DOOR_UUID) == 15
    assert cmd_status(simulator, BACK_DOOR_UUID) == 15

    simulator.clear_alarm(BACK_DOOR_UUID, FIRE_ALARM)
    await async_refresh(hass, init_integration)
    assert cmd_status(simulator, FRONT_DOOR_UUID) == 17
    assert cmd_status(simulator, BACK_DOOR_UUID) == 17
    assert notify_calls == []


@pytest.mark.usefixtures("blueprint_folder")
async def test_fire_alarm_notifies_when_a_door_fails(
    hass: HomeAssistant,
    simulator: Simulator,
    init_integration: MockConfigEntry,
    notify_calls: list[ServiceCall],
) -> None:
    """A door command the appliance refuses does not stop the other door or the notification."""
    await use_blueprint(
        hass, "fire_alarm_evacuation", evacuation_inputs(hass, notify_on_clear=False)
    )
    simulator.set_error_code("/v1/api/door/alwaysOpenDoor", 100001, "系统异常")
    simulator.add_alarm(FRONT_DOOR_UUID, FIRE_ALARM)
    await async_refresh(hass, init_integration)
    assert len(notify_calls) == 1

    simulator.clear_error_code("/v1/api/door/alwaysOpenDoor")
    simulator.device(FRONT_DOOR_UUID).cmd_status = 15
    simulator.device(BACK_DOOR_UUID).cmd_status = 15
    simulator.clear_alarm(FRONT_DOOR_UUID, FIRE_ALARM)
    await async_refresh(hass, init_integration)
    assert cmd_status(simulator, FRONT_DOOR_UUID) == 17
    assert len(notify_calls) == 1


@pytest.mark.usefixtures("blueprint_folder")
async def test_fire_alarm_at_restart(
    hass: HomeAssistant,
    simulator: Simulator,
    init_integration: MockConfigEntry,
    notify_calls: list[ServiceCall],
) -> None:
    """An alarm still on when Home Assistant starts holds the doors open again."""
    simulator.add_alarm(FRONT_DOOR_UUID, FIRE_ALARM)
    await async_refresh(hass, init_integration)
    hass.set_state(CoreState.not_running)
    await use_blueprint(hass, "fire_alarm_evacuation", evacuation_inputs(hass))
    hass.set_state(CoreState.running)
    hass.bus.async_fire(EVENT_HOMEASSISTANT_STARTED)
    await hass.async_block_till_done()
    assert cmd_status(simulator, FRONT_DOOR_UUID) == 15
    assert cmd_status(simulator, BACK_DOOR_UUID) == 15
    assert [call.data["message"] for call in notify_calls] == [
        "Front door Fire alarm is on. Doors held open: Front door, Back door."
    ]


@pytest.mark.usefixtures("blueprint_folder")
async def test_fire_alarm_quiet_restart(
    hass: HomeAssistant,
    simulator: Simulator,
    init_integration: MockConfigEntry,
    notify_calls: list[ServiceCall],
) -> None:
    """Without an alarm, a start changes nothing (a door held open by hand stays so)."""
    simulator.device(BACK_DOOR_UUID).cmd_status = 15
    await async_refresh(hass, init_integration)
    hass.set_state(CoreState.not_running)
    await use_blueprint(hass, "fire_alarm_evacuation", evacuation_inputs(hass))
    hass.set_state(CoreState.running)
    hass.bus.async_fire(EVENT_HOMEASSISTANT_STARTED)
    await hass.async_block_till_done()
    assert cmd_status(simulator, FRONT_DOOR_UUID) == 17
    assert cmd_status(simulator, BACK_DOOR_UUID) == 15
    assert notify_calls == []


# --- welcome ------------------------------------------------------------------------------


@pytest.fixture
def welcome_calls(hass: HomeAssistant) -> list[ServiceCall]:
    """Calls of the mock ``test.welcome`` that stands for the user's lights or scene."""
    calls: list[ServiceCall] = async_mock_service(hass, "test", "welcome")
    return calls


WELCOME_ACTIONS = [
    {
        "action": "test.welcome",
        "data": {"who": "{{ person_name }}", "door": "{{ door }}"},
    }
]


@pytest.mark.usefixtures("blueprint_folder")
async def test_welcome_known_person(
    hass: HomeAssistant, init_integration: MockConfigEntry, welcome_calls: list[ServiceCall]
) -> None:
    """Only a granted pass of the chosen person at the chosen door runs the actions."""
    await use_blueprint(
        hass,
        "welcome_known_person",
        {
            "person_name": " zhang san ",
            "doors": [device_id(hass, FRONT_DOOR_UUID)],
            "welcome_actions": WELCOME_ACTIONS,
        },
    )
    zhang = {"person_name": "Zhang San", "person_uuid": "p-zhang", "person_type": "employee"}
    await fire(hass, init_integration, "pass", FRONT_DOOR_UUID, passed=False, **zhang)
    await fire(hass, init_integration, "pass", BACK_DOOR_UUID, passed=True, **zhang)
    await fire(hass, init_integration, "recognition", FRONT_DOOR_UUID, **zhang)
    other = {**zhang, "person_name": "Wang Wu", "person_uuid": "p-wang"}
    await fire(hass, init_integration, "pass", FRONT_DOOR_UUID, passed=True, **other)
    assert welcome_calls == []

    await fire(hass, init_integration, "pass", FRONT_DOOR_UUID, passed=True, **zhang)
    assert [call.data for call in welcome_calls] == [{"who": "Zhang San", "door": "Front door"}]


@pytest.mark.usefixtures("blueprint_folder")
async def test_welcome_by_uuid_at_any_door(
    hass: HomeAssistant, init_integration: MockConfigEntry, welcome_calls: list[ServiceCall]
) -> None:
    """A person UUID alone picks the person; no door chosen means any door."""
    await use_blueprint(
        hass,
        "welcome_known_person",
        {"person_uuid": "p-zhang", "welcome_actions": WELCOME_ACTIONS},
    )
    namesake = {"person_name": "Zhang San", "person_uuid": "p-other"}
    await fire(hass, init_integration, "pass", BACK_DOOR_UUID, passed=True, **namesake)
    assert welcome_calls == []
    zhang = {"person_name": "Zhang San", "person_uuid": "p-zhang"}
    await fire(hass, init_integration, "pass", BACK_DOOR_UUID, passed=True, **zhang)
    assert [call.data for call in welcome_calls] == [{"who": "Zhang San", "door": "Back door"}]


# --- through the real push path -----------------------------------------------------------


@pytest.mark.usefixtures("blueprint_folder")
async def test_pushed_records(
    hass: HomeAssistant,
    simulator: Simulator,
    pushing: Pushing,
    notify_calls: list[ServiceCall],
    welcome_calls: list[ServiceCall],
) -> None:
    """The appliance's own pushes, over HTTP to the webhook, carry what the blueprints read:
    a key person's pass alerts with the capture image; a granted pass welcomes, a denied one
    does not."""
    front = device_id(hass, FRONT_DOOR_UUID)
    await use_blueprints(
        hass,
        {
            "key_person_alert": {"devices": [front], "notify_action": "notify.test"},
            "welcome_known_person": {
                "person_name": "Zhang San",
                "doors": [front],
                "welcome_actions": WELCOME_ACTIONS,
            },
        },
    )
    key_person = await simulator.push_pass(FRONT_DOOR_UUID, "Li Si", person_type=3)
    await async_settle(hass, pushing.entry)
    assert len(notify_calls) == 1
    assert notify_calls[0].data["title"] == "HongTu: Key person"
    assert notify_calls[0].data["message"].startswith("Li Si at Front door, ")
    assert notify_calls[0].data["data"] == {"image": key_person["snapshotUrl"]}
    assert welcome_calls == []

    await simulator.push_pass(FRONT_DOOR_UUID, "Zhang San", granted=False)
    await async_settle(hass, pushing.entry)
    assert welcome_calls == []
    await simulator.push_pass(FRONT_DOOR_UUID, "Zhang San")
    await async_settle(hass, pushing.entry)
    assert [call.data for call in welcome_calls] == [{"who": "Zhang San", "door": "Front door"}]
    assert len(notify_calls) == 1
    assert [delivery.status for delivery in simulator.deliveries] == [200, 200, 200]
