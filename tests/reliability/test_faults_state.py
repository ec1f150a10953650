"""Fault matrix, the appliance changing under us: its secret, a reboot, a device going offline,
and clocks (the appliance's or ours) off by hours."""

from __future__ import annotations

from datetime import datetime, timedelta
import logging
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.components.lock.const import DOMAIN as LOCK_DOMAIN, LockState
from homeassistant.components.select import DOMAIN as SELECT_DOMAIN
from homeassistant.config_entries import SOURCE_REAUTH, ConfigEntryState
from homeassistant.const import (
    ATTR_ENTITY_ID,
    ATTR_OPTION,
    SERVICE_OPEN,
    SERVICE_SELECT_OPTION,
    STATE_UNAVAILABLE,
)
from homeassistant.core import Event, HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.exceptions import HomeAssistantError
import homeassistant.util.dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_capture_events

from custom_components.hongtu.const import CONF_APP_KEY, CONF_SECRET_KEY, EVENT_HONGTU
from simulator import (
    BACK_DOOR_UUID,
    FRONT_DOOR_UUID,
    LOBBY_CAMERA_UUID,
    PARKING_CAMERA_UUID,
    PERIMETER_CAMERA_UUID,
    Simulator,
)
from tests.ha_fixtures import APP_KEY, SECRET_KEY, door_commands, entity_id_of, state_of
from tests.record_helpers import Pushing, async_settle

from .conftest import (
    PACKAGE_LOGGER,
    assert_no_unhandled_exception,
    async_next_poll,
    entry_states,
    records_at_least,
)

NEW_SECRET = "n3w&s3cret#after-reset"
HOURS = 3600


def webhook_url(hass: HomeAssistant, entry: MockConfigEntry) -> str:
    return f"{hass.config.internal_url}/api/webhook/{entry.data['webhook_id']}"


async def async_push_a_pass(
    hass: HomeAssistant, simulator: Simulator, pushing: Pushing, person: str = "Alice"
) -> list[Event[dict[str, Any]]]:
    """A pass pushed by the simulator over HTTP; the hongtu_events it caused."""
    events = async_capture_events(hass, EVENT_HONGTU)
    record = await simulator.push_pass(FRONT_DOOR_UUID, person)
    await async_settle(hass, pushing.entry)
    return [event for event in events if event.data["record_id"] == record["id"]]


# --- the secret changed on the appliance -------------------------------------------------------


async def test_signature_rejected_mid_run(
    hass: HomeAssistant,
    simulator: Simulator,
    pushing: Pushing,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The secret changed on the appliance: one reauth flow (however many polls fail), the
    entities unavailable; the old secret is refused in the flow, the new one restores the
    entities, the subscription and the pushes."""
    entry = pushing.entry
    before = entry_states(hass, entry)
    simulator.set_secret(APP_KEY, NEW_SECRET)
    await async_next_poll(hass, entry)
    await async_next_poll(hass, entry)

    flows = list(entry.async_get_active_flows(hass, {SOURCE_REAUTH}))
    assert len(flows) == 1
    assert flows[0]["step_id"] == "reauth_confirm"
    assert entry.state is ConfigEntryState.LOADED
    assert all(state == STATE_UNAVAILABLE for state, _ in entry_states(hass, entry).values())

    flow_id = flows[0]["flow_id"]
    result = await hass.config_entries.flow.async_configure(
        flow_id, {CONF_APP_KEY: APP_KEY, CONF_SECRET_KEY: SECRET_KEY}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": "invalid_auth"}
    result = await hass.config_entries.flow.async_configure(
        flow_id, {CONF_APP_KEY: APP_KEY, CONF_SECRET_KEY: NEW_SECRET}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reauth_successful"
    await hass.async_block_till_done()

    assert entry.state is ConfigEntryState.LOADED
    assert entry.data[CONF_SECRET_KEY] == NEW_SECRET
    assert entry_states(hass, entry) == before
    assert [sub.push_url for sub in simulator.state.subscriptions.values()] == [
        webhook_url(hass, entry)
    ]
    assert len(await async_push_a_pass(hass, simulator, pushing)) == 1
    assert_no_unhandled_exception(caplog)


# --- a reboot ----------------------------------------------------------------------------------


async def test_appliance_reboot(
    hass: HomeAssistant,
    simulator: Simulator,
    pushing: Pushing,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A reboot loses the subscription and resets the door modes: after one poll the
    subscription is back (one info line says why) and the door shows normal again."""
    entry = pushing.entry
    caplog.set_level(logging.INFO, logger=PACKAGE_LOGGER)
    await hass.services.async_call(
        SELECT_DOMAIN,
        SERVICE_SELECT_OPTION,
        {
            ATTR_ENTITY_ID: entity_id_of(hass, SELECT_DOMAIN, f"{FRONT_DOOR_UUID}_door_mode"),
            ATTR_OPTION: "always_open",
        },
        blocking=True,
    )
    assert state_of(hass, LOCK_DOMAIN, f"{FRONT_DOOR_UUID}_lock").state == LockState.UNLOCKED
    assert state_of(hass, "switch", f"{FRONT_DOOR_UUID}_always_open").state == "on"

    simulator.lose_subscription()
    caplog.clear()
    assert await async_push_a_pass(hass, simulator, pushing) == []  # nobody to push to

    await async_next_poll(hass, entry)
    assert [sub.push_url for sub in simulator.state.subscriptions.values()] == [
        webhook_url(hass, entry)
    ]
    assert state_of(hass, LOCK_DOMAIN, f"{FRONT_DOOR_UUID}_lock").state == LockState.LOCKED
    assert state_of(hass, SELECT_DOMAIN, f"{FRONT_DOOR_UUID}_door_mode").state == "normal"
    assert state_of(hass, "switch", f"{FRONT_DOOR_UUID}_always_open").state == "off"
    assert [r.getMessage() for r in records_at_least(caplog, logging.INFO, PACKAGE_LOGGER)] == [
        "HongTu 3000: subscribed to pushes of record types [1, 2, 3, 5, 12]: "
        "the appliance had none (first setup, reboot or reset)"
    ]
    assert len(await async_push_a_pass(hass, simulator, pushing, "Bob")) == 1
    assert_no_unhandled_exception(caplog)


# --- a device goes offline ---------------------------------------------------------------------


async def test_device_goes_offline(
    hass: HomeAssistant,
    simulator: Simulator,
    init_integration: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """An offline device: its entities unavailable (its connectivity sensor reads off), the
    others untouched. A door command to it is refused with a translated error before anything
    is sent; one to a door gone offline since the last poll is refused by the appliance with
    the same error. Neither changes a state."""
    entry = init_integration
    before = entry_states(hass, entry)
    simulator.set_device_online(FRONT_DOOR_UUID, False)
    await async_next_poll(hass, entry)

    after = entry_states(hass, entry)
    front = {eid for eid in before if eid.split(".")[1].startswith("front_door")}
    assert after["binary_sensor.front_door_connectivity"][0] == "off"
    for entity_id in front - {"binary_sensor.front_door_connectivity"}:
        assert after[entity_id][0] == STATE_UNAVAILABLE, entity_id
    for entity_id in set(before) - front:
        if not entity_id.startswith("sensor.hongtu_3000_devices_o"):
            assert after[entity_id] == before[entity_id], entity_id
    assert after["sensor.hongtu_3000_devices_offline"][0] == "1"

    # Known offline: nothing is sent. The service skips the unavailable entity; the entity
    # itself (as a script reaching it directly would) raises the translated error.
    simulator.clear_requests()
    front_lock = entity_id_of(hass, LOCK_DOMAIN, f"{FRONT_DOOR_UUID}_lock")
    await hass.services.async_call(
        LOCK_DOMAIN, SERVICE_OPEN, {ATTR_ENTITY_ID: front_lock}, blocking=True
    )
    entity = hass.data[LOCK_DOMAIN].get_entity(front_lock)
    with pytest.raises(HomeAssistantError) as err:
        await entity.async_open()
    assert (err.value.translation_key, str(err.value)) == (
        "device_offline",
        "Front door is offline",
    )
    assert simulator.requests == []
    assert hass.states.get(front_lock).state == STATE_UNAVAILABLE

    # Gone offline since the last poll: the appliance refuses, the state stays.
    simulator.set_device_online(BACK_DOOR_UUID, False)
    for domain, service, key, data in (
        (LOCK_DOMAIN, SERVICE_OPEN, "lock", {}),
        (SELECT_DOMAIN, SERVICE_SELECT_OPTION, "door_mode", {ATTR_OPTION: "always_open"}),
    ):
        entity_id = entity_id_of(hass, domain, f"{BACK_DOOR_UUID}_{key}")
        state = hass.states.get(entity_id).state
        with pytest.raises(HomeAssistantError) as err:
            await hass.services.async_call(
                domain, service, {ATTR_ENTITY_ID: entity_id, **data}, blocking=True
            )
        assert err.value.translation_key == "device_offline"
        assert str(err.value) == "Back door is offline"
        assert hass.states.get(entity_id).state == state
    assert door_commands(simulator) == []
    assert simulator.device(BACK_DOOR_UUID).cmd_status == 17
    assert_no_unhandled_exception(caplog)


# --- clocks ------------------------------------------------------------------------------------


def expected_time(ms: int) -> str:
    """The record's own time, as the event must carry it (Home Assistant's time zone)."""
    moment = datetime.fromtimestamp(ms / 1000, tz=dt_util.get_default_time_zone())
    return moment.isoformat(timespec="milliseconds")


async def async_push_each_kind(
    hass: HomeAssistant, simulator: Simulator, entry: MockConfigEntry, person: str
) -> dict[str, int]:
    """One record of each pushed kind, over HTTP; event type → the record's own time."""
    passed = await simulator.push_pass(FRONT_DOOR_UUID, person)
    alert = await simulator.push_alert(PERIMETER_CAMERA_UUID, 2)
    recognition = await simulator.push_recognition(LOBBY_CAMERA_UUID, person)
    vehicle = await simulator.push_vehicle(PARKING_CAMERA_UUID, f"京A{len(person):05d}")
    await async_settle(hass, entry)
    return {
        "pass": passed["passTimestamp"],
        "alert": alert["alarmTime"],
        "recognition": recognition["captureTime"],
        "vehicle": vehicle["recognitionTime"],
    }


def check_dated_by_record(events: list[Event[dict[str, Any]]], sent: dict[str, int]) -> None:
    """Every record fired exactly one event, dated by the record's own time."""
    assert sorted(event.data["type"] for event in events) == sorted(sent)
    for event in events:
        ms = sent[event.data["type"]]
        assert event.data["time"] == expected_time(ms), event.data["type"]
        assert round(dt_util.parse_datetime(event.data["time"]).timestamp() * 1000) == ms


async def test_appliance_clock_off_by_hours(
    hass: HomeAssistant,
    simulator: Simulator,
    pushing: Pushing,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The appliance's clock 7 hours ahead, then 5 behind: every pushed record fires once,
    dated by its own time; a device alarm from the future too. The last person follows the
    newest push even when the appliance's clock went back (corrected) meanwhile."""
    entry = pushing.entry
    now_ms = round(dt_util.utcnow().timestamp() * 1000)

    simulator.set_clock_offset(7 * HOURS)
    events = async_capture_events(hass, EVENT_HONGTU)
    sent = await async_push_each_kind(hass, simulator, entry, "Alice")
    check_dated_by_record(events, sent)
    assert all(ms - now_ms > 6.9 * HOURS * 1000 for ms in sent.values())
    assert state_of(hass, "sensor", f"{FRONT_DOOR_UUID}_last_person").state == "Alice"

    alarm = simulator.add_alarm(FRONT_DOOR_UUID, 500100)
    events.clear()
    await async_next_poll(hass, entry)
    assert [(e.data["type"], e.data["time"]) for e in events] == [
        ("device_alarm", expected_time(alarm["alarmTime"]))
    ]
    assert state_of(hass, "binary_sensor", f"{FRONT_DOOR_UUID}_tamper").state == "on"

    # The appliance's clock corrected, to 5 hours behind ours: older records, still live.
    simulator.set_clock_offset(-5 * HOURS)
    image = state_of(hass, "image", f"{FRONT_DOOR_UUID}_last_capture").state
    events.clear()
    sent = await async_push_each_kind(hass, simulator, entry, "Bob")
    check_dated_by_record(events, sent)
    assert all(now_ms - ms > 4.9 * HOURS * 1000 for ms in sent.values())
    last_person = state_of(hass, "sensor", f"{FRONT_DOOR_UUID}_last_person")
    assert last_person.state == "Bob"
    assert last_person.attributes["time"] == expected_time(sent["pass"])
    assert state_of(hass, "image", f"{FRONT_DOOR_UUID}_last_capture").state > image
    assert_no_unhandled_exception(caplog)


async def test_our_clock_off_by_hours(
    hass: HomeAssistant,
    simulator: Simulator,
    pushing: Pushing,
    freezer: FrozenDateTimeFactory,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Home Assistant's clock 9 hours behind, then 9 ahead, of the appliance's: every record
    fires once, dated by its own time, never by ours."""
    entry = pushing.entry
    for ours in (-9, 9):
        real = dt_util.utcnow()
        freezer.move_to(real + timedelta(hours=ours))
        assert dt_util.utcnow() - real == timedelta(hours=ours)
        # The simulator runs in this process: its clock keeps to the real time.
        simulator.set_clock_offset(-ours * HOURS)
        events = async_capture_events(hass, EVENT_HONGTU)
        sent = await async_push_each_kind(hass, simulator, entry, f"Person {ours}")
        check_dated_by_record(events, sent)
        real_ms = real.timestamp() * 1000
        assert all(abs(ms - real_ms) < 60_000 for ms in sent.values())
        # Frozen, time would stand still: move on, or the next round repeats these records.
        freezer.move_to(real + timedelta(seconds=1))
    assert_no_unhandled_exception(caplog)


async def test_our_clock_off_through_a_restart(
    hass: HomeAssistant,
    simulator: Simulator,
    pushing: Pushing,
    freezer: FrozenDateTimeFactory,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Passes made while Home Assistant was down, which comes back with its clock 9 hours
    behind the appliance's: the catch-up at setup dispatches each once, dated by the record
    (the appliance's clock at 7 hours ahead of the real time: 16 hours apart in all)."""
    entry = pushing.entry
    simulator.set_clock_offset(7 * HOURS)
    assert len(await async_push_a_pass(hass, simulator, pushing, "Before")) == 1
    assert await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()
    missed = [await simulator.push_pass(FRONT_DOOR_UUID, f"Missed {n}") for n in range(3)]

    real = dt_util.utcnow()
    freezer.move_to(real - timedelta(hours=9))
    simulator.set_clock_offset(16 * HOURS)  # the simulator's clock follows ours: keep it
    events = async_capture_events(hass, EVENT_HONGTU)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    catch_up = entry.runtime_data.catch_up
    assert catch_up is not None
    await catch_up.async_wait()
    await async_settle(hass, entry)

    # The list numbers records its own way: they are told apart by person and time.
    assert [(e.data["person_name"], e.data["time"], e.data.get("caught_up")) for e in events] == [
        (record["personName"], expected_time(record["passTimestamp"]), True) for record in missed
    ]
    assert_no_unhandled_exception(caplog)
