"""Always-open switch per face panel: on holds the door open, off returns it to normal."""

from __future__ import annotations

from unittest.mock import patch

from homeassistant.components.switch.const import DOMAIN as SWITCH_DOMAIN
from homeassistant.const import (
    ATTR_ENTITY_ID,
    SERVICE_TURN_OFF,
    SERVICE_TURN_ON,
    STATE_OFF,
    STATE_ON,
    STATE_UNAVAILABLE,
    STATE_UNKNOWN,
    Platform,
)
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, snapshot_platform
from syrupy.assertion import SnapshotAssertion

from simulator import BACK_DOOR_UUID, FRONT_DOOR_UUID, GARAGE_DOOR_UUID, Simulator
from tests.ha_fixtures import async_refresh, door_commands, entity_id_of, state_of

FRONT = f"{FRONT_DOOR_UUID}_always_open"
BACK = f"{BACK_DOOR_UUID}_always_open"


async def switch(hass: HomeAssistant, service: str, unique_id: str) -> None:
    await hass.services.async_call(
        SWITCH_DOMAIN,
        service,
        {ATTR_ENTITY_ID: entity_id_of(hass, SWITCH_DOMAIN, unique_id)},
        blocking=True,
    )


def switch_state(hass: HomeAssistant, unique_id: str) -> str:
    return state_of(hass, SWITCH_DOMAIN, unique_id).state


async def test_entities(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    entity_registry: er.EntityRegistry,
    ha_snapshot: SnapshotAssertion,
) -> None:
    """Only the two face panels have an always-open switch."""
    mock_config_entry.add_to_hass(hass)
    with patch("custom_components.hongtu.PLATFORMS", [Platform.SWITCH]):
        assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
        await hass.async_block_till_done()
    await snapshot_platform(hass, entity_registry, ha_snapshot, mock_config_entry.entry_id)
    assert (
        entity_registry.async_get_entity_id(
            SWITCH_DOMAIN, "hongtu", f"{GARAGE_DOOR_UUID}_always_open"
        )
        is None
    )


@pytest.mark.usefixtures("init_integration")
async def test_turn_on_and_off(hass: HomeAssistant, simulator: Simulator) -> None:
    """On sends alwaysOpenDoor, off sends normal; the state is read back from the appliance."""
    assert switch_state(hass, FRONT) == STATE_OFF
    await switch(hass, SERVICE_TURN_ON, FRONT)
    assert simulator.device(FRONT_DOOR_UUID).cmd_status == 15
    assert switch_state(hass, FRONT) == STATE_ON

    await switch(hass, SERVICE_TURN_OFF, FRONT)
    assert simulator.device(FRONT_DOOR_UUID).cmd_status == 17
    assert switch_state(hass, FRONT) == STATE_OFF
    assert door_commands(simulator) == [
        ("alwaysOpenDoor", FRONT_DOOR_UUID),
        ("normal", FRONT_DOOR_UUID),
    ]
    assert switch_state(hass, BACK) == STATE_OFF


async def test_state_follows_appliance(
    hass: HomeAssistant, simulator: Simulator, init_integration: MockConfigEntry
) -> None:
    """Held open is on; always closed and normal are off; no reported mode is unknown."""
    simulator.device(FRONT_DOOR_UUID).cmd_status = 15
    simulator.device(BACK_DOOR_UUID).cmd_status = 16
    await async_refresh(hass, init_integration)
    assert switch_state(hass, FRONT) == STATE_ON
    assert switch_state(hass, BACK) == STATE_OFF

    simulator.set_door_list_cmd_status(False)
    simulator.set_error_code("/v1/api/device/query", 100001, "系统异常")
    await async_refresh(hass, init_integration)
    assert switch_state(hass, FRONT) == STATE_UNKNOWN


@pytest.mark.usefixtures("init_integration")
async def test_unsupported_command(hass: HomeAssistant, simulator: Simulator) -> None:
    """200314 is a translated error; the switch stays off."""
    simulator.set_error_code("/v1/api/door/alwaysOpenDoor", 200314, "目前仅面板机支持")
    with pytest.raises(HomeAssistantError) as err:
        await switch(hass, SERVICE_TURN_ON, FRONT)
    assert err.value.translation_key == "unsupported_command"
    assert switch_state(hass, FRONT) == STATE_OFF


async def test_offline_panel(
    hass: HomeAssistant, simulator: Simulator, init_integration: MockConfigEntry
) -> None:
    """An offline panel's switch is unavailable, and back once the panel is."""
    simulator.set_device_online(FRONT_DOOR_UUID, False)
    with pytest.raises(HomeAssistantError) as err:
        await switch(hass, SERVICE_TURN_ON, FRONT)
    assert err.value.translation_key == "device_offline"
    await async_refresh(hass, init_integration)
    assert switch_state(hass, FRONT) == STATE_UNAVAILABLE

    simulator.set_device_online(FRONT_DOOR_UUID, True)
    await async_refresh(hass, init_integration)
    assert switch_state(hass, FRONT) == STATE_OFF


async def test_auth_failure_starts_reauth(
    hass: HomeAssistant, simulator: Simulator, init_integration: MockConfigEntry
) -> None:
    """A rejected signature during a command raises and starts a reauth flow."""
    simulator.set_reject_signatures(True)
    with pytest.raises(HomeAssistantError) as err:
        await switch(hass, SERVICE_TURN_OFF, FRONT)
    assert err.value.translation_key == "invalid_auth"
    await hass.async_block_till_done()
    assert len(list(init_integration.async_get_active_flows(hass, {"reauth"}))) == 1


@pytest.mark.usefixtures("init_integration")
async def test_appliance_down(hass: HomeAssistant, simulator: Simulator) -> None:
    """A connection failure is a translated error and leaves the switch as it was."""
    await simulator.set_down(True)
    with pytest.raises(HomeAssistantError) as err:
        await switch(hass, SERVICE_TURN_ON, FRONT)
    assert err.value.translation_key == "command_failed"
    assert switch_state(hass, FRONT) == STATE_OFF
    await simulator.set_down(False)
