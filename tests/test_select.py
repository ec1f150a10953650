"""Door mode select per face panel: options map to door commands; the mode is read back."""

from __future__ import annotations

from unittest.mock import patch

from homeassistant.components.select import (
    ATTR_OPTION,
    DOMAIN as SELECT_DOMAIN,
    SERVICE_SELECT_OPTION,
)
from homeassistant.const import ATTR_ENTITY_ID, STATE_UNAVAILABLE, STATE_UNKNOWN, Platform
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, snapshot_platform
from syrupy.assertion import SnapshotAssertion

from simulator import BACK_DOOR_UUID, FRONT_DOOR_UUID, GARAGE_DOOR_UUID, Simulator
from tests.ha_fixtures import async_refresh, door_commands, entity_id_of, state_of

FRONT = f"{FRONT_DOOR_UUID}_door_mode"
BACK = f"{BACK_DOOR_UUID}_door_mode"


async def select(hass: HomeAssistant, unique_id: str, option: str) -> None:
    await hass.services.async_call(
        SELECT_DOMAIN,
        SERVICE_SELECT_OPTION,
        {ATTR_ENTITY_ID: entity_id_of(hass, SELECT_DOMAIN, unique_id), ATTR_OPTION: option},
        blocking=True,
    )


def option(hass: HomeAssistant, unique_id: str) -> str:
    return state_of(hass, SELECT_DOMAIN, unique_id).state


async def test_entities(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    entity_registry: er.EntityRegistry,
    ha_snapshot: SnapshotAssertion,
) -> None:
    """Only the two face panels have a door mode select; the camera door has none."""
    mock_config_entry.add_to_hass(hass)
    with patch("custom_components.hongtu.PLATFORMS", [Platform.SELECT]):
        assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
        await hass.async_block_till_done()
    await snapshot_platform(hass, entity_registry, ha_snapshot, mock_config_entry.entry_id)
    assert (
        entity_registry.async_get_entity_id(
            SELECT_DOMAIN, "hongtu", f"{GARAGE_DOOR_UUID}_door_mode"
        )
        is None
    )


@pytest.mark.parametrize(
    ("choice", "command", "cmd_status"),
    [
        ("always_open", "alwaysOpenDoor", 15),
        ("always_closed", "alwaysCloseDoor", 16),
        ("normal", "normal", 17),
    ],
)
async def test_select_option(
    hass: HomeAssistant,
    simulator: Simulator,
    init_integration: MockConfigEntry,
    choice: str,
    command: str,
    cmd_status: int,
) -> None:
    """Each option sends its command; the state is what the appliance then reports."""
    simulator.device(FRONT_DOOR_UUID).cmd_status = 16 if cmd_status != 16 else 15
    await async_refresh(hass, init_integration)
    assert option(hass, FRONT) != choice
    await select(hass, FRONT, choice)
    assert door_commands(simulator) == [(command, FRONT_DOOR_UUID)]
    assert simulator.device(FRONT_DOOR_UUID).cmd_status == cmd_status
    assert option(hass, FRONT) == choice
    assert option(hass, BACK) == "normal"


async def test_state_follows_appliance(
    hass: HomeAssistant, simulator: Simulator, init_integration: MockConfigEntry
) -> None:
    """A mode changed elsewhere (the appliance's own UI) shows at the next poll."""
    assert option(hass, FRONT) == "normal"
    simulator.device(FRONT_DOOR_UUID).cmd_status = 15
    simulator.device(BACK_DOOR_UUID).cmd_status = 16
    await async_refresh(hass, init_integration)
    assert option(hass, FRONT) == "always_open"
    assert option(hass, BACK) == "always_closed"


async def test_mode_from_device_query(
    hass: HomeAssistant, simulator: Simulator, init_integration: MockConfigEntry
) -> None:
    """Without cmdStatus on the door list the mode comes from device/query; without both,
    the option is unknown."""
    simulator.set_door_list_cmd_status(False)
    simulator.device(FRONT_DOOR_UUID).cmd_status = 16
    await async_refresh(hass, init_integration)
    assert option(hass, FRONT) == "always_closed"

    simulator.set_error_code("/v1/api/device/query", 100001, "系统异常")
    await async_refresh(hass, init_integration)
    assert option(hass, FRONT) == STATE_UNKNOWN


@pytest.mark.usefixtures("init_integration")
async def test_unsupported_command(hass: HomeAssistant, simulator: Simulator) -> None:
    """200314 (door modes are for panels only) is a translated error; the state stays."""
    simulator.set_error_code("/v1/api/door/alwaysOpenDoor", 200314, "目前仅面板机支持")
    with pytest.raises(HomeAssistantError) as err:
        await select(hass, FRONT, "always_open")
    assert err.value.translation_key == "unsupported_command"
    assert str(err.value) == "Front door does not support this door command; only face panels do"
    assert option(hass, FRONT) == "normal"
    assert simulator.device(FRONT_DOOR_UUID).cmd_status == 17


async def test_offline_panel(
    hass: HomeAssistant, simulator: Simulator, init_integration: MockConfigEntry
) -> None:
    """An offline panel's select is unavailable; a command racing the poll is refused."""
    simulator.set_device_online(BACK_DOOR_UUID, False)
    with pytest.raises(HomeAssistantError) as err:
        await select(hass, BACK, "always_open")
    assert err.value.translation_key == "device_offline"
    assert simulator.device(BACK_DOOR_UUID).cmd_status == 17

    await async_refresh(hass, init_integration)
    assert option(hass, BACK) == STATE_UNAVAILABLE
    assert option(hass, FRONT) == "normal"


@pytest.mark.usefixtures("init_integration")
async def test_appliance_down(hass: HomeAssistant, simulator: Simulator) -> None:
    """A connection failure is a translated error and leaves the option as it was."""
    await simulator.set_down(True)
    with pytest.raises(HomeAssistantError) as err:
        await select(hass, FRONT, "always_closed")
    assert err.value.translation_key == "command_failed"
    assert option(hass, FRONT) == "normal"
    await simulator.set_down(False)
