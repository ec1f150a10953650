"""Hub sensors: devices online and offline."""

from __future__ import annotations

from unittest.mock import patch

from homeassistant.components.sensor import DOMAIN as SENSOR_DOMAIN
from homeassistant.const import STATE_UNAVAILABLE, Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr, entity_registry as er
from pytest_homeassistant_custom_component.common import MockConfigEntry, snapshot_platform
from syrupy.assertion import SnapshotAssertion

from custom_components.hongtu.const import DOMAIN
from simulator import FRONT_DOOR_UUID, LOBBY_CAMERA_UUID, ORG_UUID, Simulator
from tests.ha_fixtures import async_refresh, entity_id_of, state_of

ONLINE = f"{ORG_UUID}_devices_online"
OFFLINE = f"{ORG_UUID}_devices_offline"


async def test_entities(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    entity_registry: er.EntityRegistry,
    device_registry: dr.DeviceRegistry,
    ha_snapshot: SnapshotAssertion,
) -> None:
    """Two counters on the hub device, with a unit and the measurement state class."""
    mock_config_entry.add_to_hass(hass)
    with patch("custom_components.hongtu.PLATFORMS", [Platform.SENSOR]):
        assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
        await hass.async_block_till_done()
    await snapshot_platform(hass, entity_registry, ha_snapshot, mock_config_entry.entry_id)

    hub = device_registry.async_get_device(identifiers={(DOMAIN, ORG_UUID)})
    assert hub is not None
    for unique_id in (ONLINE, OFFLINE):
        entry = entity_registry.async_get(entity_id_of(hass, SENSOR_DOMAIN, unique_id))
        assert entry is not None
        assert entry.device_id == hub.id


async def test_counts(
    hass: HomeAssistant, simulator: Simulator, init_integration: MockConfigEntry
) -> None:
    """Counts of managed devices by status, following every poll."""
    assert state_of(hass, SENSOR_DOMAIN, ONLINE).state == "6"
    assert state_of(hass, SENSOR_DOMAIN, OFFLINE).state == "0"

    simulator.set_device_online(FRONT_DOOR_UUID, False)
    simulator.set_device_online(LOBBY_CAMERA_UUID, False)
    simulator.add_device("Side gate", device_type=2, location="Side")
    await async_refresh(hass, init_integration)
    assert state_of(hass, SENSOR_DOMAIN, ONLINE).state == "5"
    assert state_of(hass, SENSOR_DOMAIN, OFFLINE).state == "2"


async def test_unavailable_when_appliance_down(
    hass: HomeAssistant, simulator: Simulator, init_integration: MockConfigEntry
) -> None:
    """The counts are unavailable while polls fail, and back after."""
    await simulator.set_down(True)
    await async_refresh(hass, init_integration)
    assert state_of(hass, SENSOR_DOMAIN, ONLINE).state == STATE_UNAVAILABLE
    await simulator.set_down(False)
    await async_refresh(hass, init_integration)
    assert state_of(hass, SENSOR_DOMAIN, ONLINE).state == "6"
