"""Lock per door point: state from the door mode, open pulse, lock only ends a held-open door."""

from __future__ import annotations

from datetime import timedelta
import json
import logging
from unittest.mock import patch

from homeassistant.components.lock import ATTR_CODE_FORMAT
from homeassistant.components.lock.const import DOMAIN as LOCK_DOMAIN, LockState
from homeassistant.const import (
    ATTR_CODE,
    ATTR_ENTITY_ID,
    SERVICE_LOCK,
    SERVICE_OPEN,
    SERVICE_UNLOCK,
    STATE_UNAVAILABLE,
    STATE_UNKNOWN,
    Platform,
)
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import entity_registry as er
import homeassistant.util.dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
    snapshot_platform,
)
from pytest_homeassistant_custom_component.components.diagnostics import (
    get_diagnostics_for_config_entry,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator
from syrupy.assertion import SnapshotAssertion

from custom_components.hongtu.const import CONF_LOCK_CODE, DOMAIN
from simulator import BACK_DOOR_UUID, FRONT_DOOR_UUID, GARAGE_DOOR_UUID, Simulator
from tests.ha_fixtures import async_refresh, door_commands, entity_id_of, state_of

FRONT = f"{FRONT_DOOR_UUID}_lock"
BACK = f"{BACK_DOOR_UUID}_lock"
GARAGE = f"{GARAGE_DOOR_UUID}_lock"


def lock_state(hass: HomeAssistant, unique_id: str) -> str:
    return state_of(hass, LOCK_DOMAIN, unique_id).state


async def call(hass: HomeAssistant, service: str, unique_id: str) -> None:
    await hass.services.async_call(
        LOCK_DOMAIN,
        service,
        {ATTR_ENTITY_ID: entity_id_of(hass, LOCK_DOMAIN, unique_id)},
        blocking=True,
    )


async def test_entities(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    entity_registry: er.EntityRegistry,
    ha_snapshot: SnapshotAssertion,
) -> None:
    """One lock per door point (two panels, one switch-driven camera door), named after it."""
    mock_config_entry.add_to_hass(hass)
    with patch("custom_components.hongtu.PLATFORMS", [Platform.LOCK]):
        assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
        await hass.async_block_till_done()
    await snapshot_platform(hass, entity_registry, ha_snapshot, mock_config_entry.entry_id)


@pytest.mark.usefixtures("init_integration")
async def test_state_follows_door_mode(
    hass: HomeAssistant, simulator: Simulator, init_integration: MockConfigEntry
) -> None:
    """Always open is unlocked; always closed and normal are locked; a camera door is locked."""
    assert lock_state(hass, FRONT) == LockState.LOCKED
    assert lock_state(hass, GARAGE) == LockState.LOCKED

    simulator.device(FRONT_DOOR_UUID).cmd_status = 15
    simulator.device(BACK_DOOR_UUID).cmd_status = 16
    await async_refresh(hass, init_integration)
    assert lock_state(hass, FRONT) == LockState.UNLOCKED
    assert lock_state(hass, BACK) == LockState.LOCKED
    assert lock_state(hass, GARAGE) == LockState.LOCKED


async def test_panel_without_door_mode_is_unknown(
    hass: HomeAssistant, simulator: Simulator, init_integration: MockConfigEntry
) -> None:
    """A panel whose mode the appliance does not report shows unknown, not a guess."""
    simulator.set_door_list_cmd_status(False)
    simulator.set_error_code("/v1/api/device/query", 100001, "系统异常")
    await async_refresh(hass, init_integration)
    assert lock_state(hass, FRONT) == STATE_UNKNOWN
    assert lock_state(hass, GARAGE) == LockState.LOCKED


@pytest.mark.parametrize("service", [SERVICE_OPEN, SERVICE_UNLOCK])
@pytest.mark.usefixtures("init_integration")
async def test_open_and_unlock_release_once(
    hass: HomeAssistant, simulator: Simulator, service: str
) -> None:
    """open and unlock send openDoor; the lock shows open for 5 seconds, then the polled state."""
    await call(hass, service, FRONT)
    assert door_commands(simulator) == [("openDoor", FRONT_DOOR_UUID)]
    assert lock_state(hass, FRONT) == LockState.OPEN
    assert simulator.device(FRONT_DOOR_UUID).cmd_status == 17

    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=4))
    await hass.async_block_till_done()
    assert lock_state(hass, FRONT) == LockState.OPEN

    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=6))
    await hass.async_block_till_done()
    assert lock_state(hass, FRONT) == LockState.LOCKED


@pytest.mark.usefixtures("init_integration")
async def test_open_camera_door(hass: HomeAssistant, simulator: Simulator) -> None:
    """A door point that is not a panel opens the same way and relocks after the pulse."""
    await call(hass, SERVICE_OPEN, GARAGE)
    assert door_commands(simulator) == [("openDoor", GARAGE_DOOR_UUID)]
    assert lock_state(hass, GARAGE) == LockState.OPEN
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=6))
    await hass.async_block_till_done()
    assert lock_state(hass, GARAGE) == LockState.LOCKED


@pytest.mark.usefixtures("init_integration")
async def test_second_open_restarts_pulse(hass: HomeAssistant, simulator: Simulator) -> None:
    """Opening again during the pulse keeps the door shown open for 5 seconds from then."""
    await call(hass, SERVICE_OPEN, FRONT)
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=3))
    await hass.async_block_till_done()
    await call(hass, SERVICE_OPEN, FRONT)
    assert len(door_commands(simulator)) == 2
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=3))
    await hass.async_block_till_done()
    assert lock_state(hass, FRONT) == LockState.OPEN


async def test_lock_ends_held_open(
    hass: HomeAssistant, simulator: Simulator, init_integration: MockConfigEntry
) -> None:
    """Locking a held-open door sends normal, and the refreshed state is locked."""
    simulator.device(FRONT_DOOR_UUID).cmd_status = 15
    await async_refresh(hass, init_integration)
    assert lock_state(hass, FRONT) == LockState.UNLOCKED

    await call(hass, SERVICE_LOCK, FRONT)
    assert door_commands(simulator) == [("normal", FRONT_DOOR_UUID)]
    assert simulator.device(FRONT_DOOR_UUID).cmd_status == 17
    assert lock_state(hass, FRONT) == LockState.LOCKED


@pytest.mark.parametrize("unique_id", [FRONT, GARAGE])
@pytest.mark.usefixtures("init_integration")
async def test_lock_does_nothing_when_not_held_open(
    hass: HomeAssistant, simulator: Simulator, unique_id: str
) -> None:
    """A door in normal mode, or one without modes, is already locked: no command is sent."""
    simulator.clear_requests()
    await call(hass, SERVICE_LOCK, unique_id)
    assert door_commands(simulator) == []
    assert not [r for r in simulator.requests if r.path.startswith("/v1/api/door/")]
    assert lock_state(hass, unique_id) == LockState.LOCKED


async def test_offline_door(
    hass: HomeAssistant, simulator: Simulator, init_integration: MockConfigEntry
) -> None:
    """An offline door point's lock is unavailable, and available again once it is back."""
    simulator.set_device_online(FRONT_DOOR_UUID, False)
    await async_refresh(hass, init_integration)
    assert lock_state(hass, FRONT) == STATE_UNAVAILABLE
    assert lock_state(hass, BACK) == LockState.LOCKED

    simulator.set_device_online(FRONT_DOOR_UUID, True)
    await async_refresh(hass, init_integration)
    assert lock_state(hass, FRONT) == LockState.LOCKED


async def test_command_to_known_offline_door(
    hass: HomeAssistant, simulator: Simulator, init_integration: MockConfigEntry
) -> None:
    """Services skip unavailable entities; called directly (as a script could through the
    entity), a command to a door known to be offline is refused before reaching the appliance."""
    simulator.set_device_online(FRONT_DOOR_UUID, False)
    await async_refresh(hass, init_integration)
    simulator.clear_requests()
    entity = hass.data["lock"].get_entity(entity_id_of(hass, LOCK_DOMAIN, FRONT))
    assert entity is not None
    with pytest.raises(HomeAssistantError) as err:
        await entity.async_open()
    assert err.value.translation_key == "device_offline"
    assert simulator.requests == []


@pytest.mark.usefixtures("init_integration")
async def test_door_gone_offline_since_last_poll(hass: HomeAssistant, simulator: Simulator) -> None:
    """The appliance refuses a command to an offline device: a translated error, no pulse."""
    simulator.set_device_online(FRONT_DOOR_UUID, False)
    with pytest.raises(HomeAssistantError) as err:
        await call(hass, SERVICE_OPEN, FRONT)
    assert err.value.translation_key == "device_offline"
    assert str(err.value) == "Front door is offline"
    assert door_commands(simulator) == []
    assert lock_state(hass, FRONT) == LockState.LOCKED


@pytest.mark.usefixtures("init_integration")
async def test_appliance_down_during_command(hass: HomeAssistant, simulator: Simulator) -> None:
    """A connection failure is a translated error and leaves the state as it was."""
    await simulator.set_down(True)
    with pytest.raises(HomeAssistantError) as err:
        await call(hass, SERVICE_OPEN, FRONT)
    assert err.value.translation_key == "command_failed"
    assert str(err.value).startswith("The command to Front door failed:")
    assert lock_state(hass, FRONT) == LockState.LOCKED
    await simulator.set_down(False)


@pytest.mark.usefixtures("init_integration")
async def test_api_error_during_command(hass: HomeAssistant, simulator: Simulator) -> None:
    """An error envelope is a translated error with the appliance's code and message."""
    simulator.set_error_code("/v1/api/door/openDoor", 100001, "系统异常")
    with pytest.raises(HomeAssistantError) as err:
        await call(hass, SERVICE_OPEN, FRONT)
    assert err.value.translation_key == "api_error"
    assert err.value.translation_placeholders == {"code": "100001", "message": "系统异常"}
    assert lock_state(hass, FRONT) == LockState.LOCKED


async def test_auth_failure_during_command_starts_reauth(
    hass: HomeAssistant, simulator: Simulator, init_integration: MockConfigEntry
) -> None:
    """A rejected signature during a command raises and asks the user for new keys."""
    simulator.set_reject_signatures(True)
    with pytest.raises(HomeAssistantError) as err:
        await call(hass, SERVICE_OPEN, FRONT)
    assert err.value.translation_key == "invalid_auth"
    await hass.async_block_till_done()
    flows = init_integration.async_get_active_flows(hass, {"reauth"})
    assert len(list(flows)) == 1


async def test_unload_during_pulse_cancels_timer(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """Removing the lock while it shows open leaves no timer behind."""
    await call(hass, SERVICE_OPEN, FRONT)
    assert lock_state(hass, FRONT) == LockState.OPEN
    assert await hass.config_entries.async_unload(init_integration.entry_id)
    await hass.async_block_till_done()
    assert lock_state(hass, FRONT) == STATE_UNAVAILABLE
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=6))
    await hass.async_block_till_done()
    assert lock_state(hass, FRONT) == STATE_UNAVAILABLE


# PIN ---------------------------------------------------------------------------------------------

PIN = "2468"


@pytest.fixture
async def pin_entry(hass: HomeAssistant, mock_config_entry: MockConfigEntry) -> MockConfigEntry:
    """The entry with a door PIN set in the options."""
    mock_config_entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(mock_config_entry, options={CONF_LOCK_CODE: PIN})
    assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    return mock_config_entry


async def call_with_code(
    hass: HomeAssistant, service: str, unique_id: str, code: str | None
) -> None:
    data = {ATTR_ENTITY_ID: entity_id_of(hass, LOCK_DOMAIN, unique_id)}
    if code is not None:
        data[ATTR_CODE] = code
    await hass.services.async_call(LOCK_DOMAIN, service, data, blocking=True)


@pytest.mark.usefixtures("init_integration")
async def test_no_pin_no_code_format(hass: HomeAssistant) -> None:
    """Without a PIN in the options the lock asks for no code."""
    assert ATTR_CODE_FORMAT not in state_of(hass, LOCK_DOMAIN, FRONT).attributes


@pytest.mark.parametrize("service", [SERVICE_OPEN, SERVICE_UNLOCK, SERVICE_LOCK])
@pytest.mark.parametrize("code", [None, "12", "1357", "24680"])
@pytest.mark.usefixtures("pin_entry")
async def test_pin_refused(
    hass: HomeAssistant, simulator: Simulator, service: str, code: str | None
) -> None:
    """A missing, malformed or wrong PIN is refused before any door request; the state stays."""
    simulator.device(FRONT_DOOR_UUID).cmd_status = 15
    await async_refresh(hass, hass.config_entries.async_entries(DOMAIN)[0])
    assert state_of(hass, LOCK_DOMAIN, FRONT).attributes[ATTR_CODE_FORMAT] == r"^\d{4,10}$"
    simulator.clear_requests()
    with pytest.raises(ServiceValidationError) as caught:
        await call_with_code(hass, service, FRONT, code)
    if code in ("1357", "24680"):  # well-formed: our own check, translated
        assert caught.value.translation_domain == DOMAIN
        assert caught.value.translation_key == "invalid_code"
        assert caught.value.translation_placeholders == {"device": "Front door"}
        assert str(caught.value) == "Wrong or missing lock PIN for Front door"
    assert not [r for r in simulator.requests if r.path.startswith("/v1/api/door/")]
    assert lock_state(hass, FRONT) == LockState.UNLOCKED


@pytest.mark.usefixtures("pin_entry")
async def test_pin_accepted(
    hass: HomeAssistant, simulator: Simulator, caplog: pytest.LogCaptureFixture
) -> None:
    """The right PIN opens, unlocks and ends a held-open door as without one; it is logged
    at no level."""
    caplog.set_level(logging.DEBUG)
    await call_with_code(hass, SERVICE_OPEN, FRONT, PIN)
    await call_with_code(hass, SERVICE_UNLOCK, GARAGE, PIN)
    simulator.device(BACK_DOOR_UUID).cmd_status = 15
    await async_refresh(hass, hass.config_entries.async_entries(DOMAIN)[0])
    await call_with_code(hass, SERVICE_LOCK, BACK, PIN)
    assert door_commands(simulator) == [
        ("openDoor", FRONT_DOOR_UUID),
        ("openDoor", GARAGE_DOOR_UUID),
        ("normal", BACK_DOOR_UUID),
    ]
    assert PIN not in caplog.text


@pytest.mark.usefixtures("pin_entry")
async def test_pin_checked_without_the_service(hass: HomeAssistant, simulator: Simulator) -> None:
    """The entity itself refuses a call without a code or with one that is not text (not only
    the service's format check does)."""
    entity = hass.data[LOCK_DOMAIN].get_entity(entity_id_of(hass, LOCK_DOMAIN, FRONT))
    assert entity is not None
    with pytest.raises(ServiceValidationError):
        await entity.async_open()
    with pytest.raises(ServiceValidationError):
        await entity.async_open(code=2468)
    assert door_commands(simulator) == []


async def test_pin_redacted_in_diagnostics(
    hass: HomeAssistant, pin_entry: MockConfigEntry, hass_client: ClientSessionGenerator
) -> None:
    """The PIN is a secret: diagnostics show that one is set, not what it is."""
    diagnostics = await get_diagnostics_for_config_entry(hass, hass_client, pin_entry)
    assert diagnostics["entry"]["options"][CONF_LOCK_CODE] == "**REDACTED**"
    assert PIN not in json.dumps(diagnostics)
