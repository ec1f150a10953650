"""Setup, unload, retry and reauth of an entry; the device registry; dynamic and stale devices."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from homeassistant.config_entries import SOURCE_REAUTH, ConfigEntryState
from homeassistant.const import STATE_UNAVAILABLE
from homeassistant.core import HomeAssistant
from homeassistant.helpers import (
    area_registry as ar,
    device_registry as dr,
    entity_registry as er,
)
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.hongtu import async_remove_config_entry_device
from custom_components.hongtu.const import DOMAIN
from simulator import (
    APPLIANCE_NAME,
    APPLIANCE_TYPE,
    APPLIANCE_VERSION,
    BACK_DOOR_UUID,
    FRONT_DOOR_UUID,
    GARAGE_DOOR_UUID,
    LOBBY_CAMERA_UUID,
    ORG_UUID,
    PARKING_CAMERA_UUID,
    PERIMETER_CAMERA_UUID,
    Simulator,
)
from tests.ha_fixtures import async_refresh, entity_id_of, state_of

ALL_DEVICES = {
    FRONT_DOOR_UUID,
    BACK_DOOR_UUID,
    GARAGE_DOOR_UUID,
    LOBBY_CAMERA_UUID,
    PARKING_CAMERA_UUID,
    PERIMETER_CAMERA_UUID,
}


def uuids_with_entities(entity_registry: er.EntityRegistry, entry: MockConfigEntry) -> set[str]:
    """Device uuids that own at least one entity of the entry (hub sensors excluded)."""
    return {
        e.unique_id.split("_", 1)[0]
        for e in er.async_entries_for_config_entry(entity_registry, entry.entry_id)
        if not e.unique_id.startswith(ORG_UUID)
    }


def device_of(device_registry: dr.DeviceRegistry, uuid: str) -> dr.DeviceEntry | None:
    return device_registry.async_get_device(identifiers={(DOMAIN, uuid)})


async def test_setup_and_unload(
    hass: HomeAssistant, init_integration: MockConfigEntry, entity_registry: er.EntityRegistry
) -> None:
    """A loaded entry has entities for every device; unloading leaves nothing running."""
    coordinator = init_integration.runtime_data.coordinator
    assert uuids_with_entities(entity_registry, init_integration) == ALL_DEVICES
    assert state_of(hass, "lock", f"{FRONT_DOOR_UUID}_lock").state == "locked"

    assert await hass.config_entries.async_unload(init_integration.entry_id)
    await hass.async_block_till_done()
    assert init_integration.state is ConfigEntryState.NOT_LOADED
    assert not coordinator._listeners
    assert all(
        state.state == STATE_UNAVAILABLE
        for state in hass.states.async_all()
        if state.entity_id.split(".")[0] in {"lock", "select", "switch", "binary_sensor", "sensor"}
    )


async def test_setup_retry_when_appliance_down(
    hass: HomeAssistant, simulator: Simulator, mock_config_entry: MockConfigEntry
) -> None:
    """An unreachable appliance is retried later, not an error."""
    await simulator.set_down(True)
    mock_config_entry.add_to_hass(hass)
    await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    assert mock_config_entry.state is ConfigEntryState.SETUP_RETRY
    await simulator.set_down(False)


async def test_setup_retry_when_first_poll_fails(
    hass: HomeAssistant, simulator: Simulator, mock_config_entry: MockConfigEntry
) -> None:
    """An error envelope on a list endpoint at setup is retried too."""
    simulator.set_error_code("/v1/api/door/list", 100001, "系统异常")
    mock_config_entry.add_to_hass(hass)
    await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    assert mock_config_entry.state is ConfigEntryState.SETUP_RETRY


async def test_setup_auth_failure_starts_reauth(
    hass: HomeAssistant, simulator: Simulator, mock_config_entry: MockConfigEntry
) -> None:
    """Rejected keys at setup are a setup error with a reauth flow waiting for the user."""
    simulator.set_reject_signatures(True)
    mock_config_entry.add_to_hass(hass)
    await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    assert mock_config_entry.state is ConfigEntryState.SETUP_ERROR
    flows = list(mock_config_entry.async_get_active_flows(hass, {SOURCE_REAUTH}))
    assert len(flows) == 1
    assert flows[0]["context"]["entry_id"] == mock_config_entry.entry_id


async def test_auth_failure_while_running_starts_reauth(
    hass: HomeAssistant, simulator: Simulator, init_integration: MockConfigEntry
) -> None:
    """Keys rejected at a later poll also ask the user for new ones."""
    simulator.set_reject_signatures(True)
    await async_refresh(hass, init_integration)
    assert len(list(init_integration.async_get_active_flows(hass, {SOURCE_REAUTH}))) == 1


async def test_device_registry(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    device_registry: dr.DeviceRegistry,
    area_registry: ar.AreaRegistry,
) -> None:
    """One hub device, and one device per managed device under it, with model and area."""
    hub = device_of(device_registry, ORG_UUID)
    assert hub is not None
    assert hub.name == APPLIANCE_NAME
    assert hub.model == APPLIANCE_TYPE
    assert hub.sw_version == APPLIANCE_VERSION
    assert hub.manufacturer == "Megvii"
    assert hub.via_device_id is None

    devices = dr.async_entries_for_config_entry(device_registry, init_integration.entry_id)
    assert len(devices) == 1 + len(ALL_DEVICES)
    expected = {
        FRONT_DOOR_UUID: ("Front door", "MegEye-W5K-I8", "Main entrance"),
        BACK_DOOR_UUID: ("Back door", "MegEye-W5K-EA", "Courtyard"),
        GARAGE_DOOR_UUID: ("Garage door", "MegEye-C3S-123", "Garage"),
        LOBBY_CAMERA_UUID: ("Lobby camera", "Smart camera", "Lobby"),
        PARKING_CAMERA_UUID: ("Parking camera", "Network camera", "Car park"),
        PERIMETER_CAMERA_UUID: ("Perimeter camera", "Smart camera", "Fence"),
    }
    for uuid, (name, model, area_name) in expected.items():
        device = device_of(device_registry, uuid)
        assert device is not None, uuid
        assert device.name == name
        assert device.model == model
        assert device.manufacturer == "Megvii"
        assert device.via_device_id == hub.id
        assert device.area_id is not None
        area = area_registry.async_get_area(device.area_id)
        assert area is not None
        assert area.name == area_name
    lobby = device_of(device_registry, LOBBY_CAMERA_UUID)
    assert lobby is not None
    assert (dr.CONNECTION_NETWORK_MAC, "88:88:88:00:00:04") in lobby.connections


async def test_dynamic_device_added_without_reload(
    hass: HomeAssistant,
    simulator: Simulator,
    init_integration: MockConfigEntry,
    entity_registry: er.EntityRegistry,
    device_registry: dr.DeviceRegistry,
) -> None:
    """A panel and a camera that appear get their device and entities at the next poll."""
    panel = simulator.add_device("Side gate", device_type=2, location="Side entrance")
    camera = simulator.add_device("Loading bay camera", device_type=4, device_mode=2)
    await async_refresh(hass, init_integration)

    assert init_integration.state is ConfigEntryState.LOADED
    assert uuids_with_entities(entity_registry, init_integration) == ALL_DEVICES | {
        panel.uuid,
        camera.uuid,
    }
    for domain, key in (
        ("lock", "lock"),
        ("select", "door_mode"),
        ("switch", "always_open"),
        ("binary_sensor", "connectivity"),
        ("binary_sensor", "tamper"),
    ):
        assert state_of(hass, domain, f"{panel.uuid}_{key}").state not in (
            STATE_UNAVAILABLE,
            "unknown",
        )
    assert state_of(hass, "binary_sensor", f"{camera.uuid}_connectivity").state == "on"
    assert entity_registry.async_get_entity_id("lock", DOMAIN, f"{camera.uuid}_lock") is None
    device = device_of(device_registry, panel.uuid)
    assert device is not None
    assert device.name == "Side gate"
    assert state_of(hass, "sensor", f"{ORG_UUID}_devices_online").state == "8"


async def test_entities_of_a_device_share_one_device_info(
    hass: HomeAssistant, simulator: Simulator, init_integration: MockConfigEntry
) -> None:
    """A device's entities hold one device registry entry between them (memory, bench.poll);
    a device that appears after a poll gets its own, from that poll."""

    def info_of(domain: str, unique_id: str) -> Any:
        entity = hass.data[domain].get_entity(entity_id_of(hass, domain, unique_id))
        assert entity is not None
        return entity.device_info

    front = [
        info_of(domain, f"{FRONT_DOOR_UUID}_{key}")
        for domain, key in (
            ("lock", "lock"),
            ("select", "door_mode"),
            ("binary_sensor", "connectivity"),
            ("sensor", "last_person"),
            ("event", "access"),
        )
    ]
    assert all(info is front[0] for info in front)
    assert front[0]["name"] == simulator.device(FRONT_DOOR_UUID).name
    assert info_of("lock", f"{BACK_DOOR_UUID}_lock") is not front[0]

    panel = simulator.add_device("Side gate", device_type=2)
    await async_refresh(hass, init_integration)
    side = info_of("lock", f"{panel.uuid}_lock")
    assert side["name"] == "Side gate"
    assert info_of("binary_sensor", f"{panel.uuid}_connectivity") is side


async def test_stale_device_removed_and_returns(
    hass: HomeAssistant,
    simulator: Simulator,
    init_integration: MockConfigEntry,
    entity_registry: er.EntityRegistry,
    device_registry: dr.DeviceRegistry,
) -> None:
    """A device the appliance no longer lists is removed with its entities at the next poll;
    when it comes back it gets them again, still without a reload."""
    garage = simulator.remove_device(GARAGE_DOOR_UUID)
    await async_refresh(hass, init_integration)
    assert device_of(device_registry, GARAGE_DOOR_UUID) is None
    assert GARAGE_DOOR_UUID not in uuids_with_entities(entity_registry, init_integration)
    assert hass.states.get("lock.garage_door") is None
    assert device_of(device_registry, ORG_UUID) is not None

    simulator.state.devices[garage.uuid] = garage
    await async_refresh(hass, init_integration)
    assert device_of(device_registry, GARAGE_DOOR_UUID) is not None
    assert state_of(hass, "lock", f"{GARAGE_DOOR_UUID}_lock").state == "locked"
    assert state_of(hass, "binary_sensor", f"{GARAGE_DOOR_UUID}_tamper").state == "off"


async def test_remove_config_entry_device(
    hass: HomeAssistant,
    simulator: Simulator,
    init_integration: MockConfigEntry,
    device_registry: dr.DeviceRegistry,
) -> None:
    """The user may delete a device only once the appliance no longer lists it; never the hub."""
    hub = device_of(device_registry, ORG_UUID)
    front = device_of(device_registry, FRONT_DOOR_UUID)
    assert hub is not None
    assert front is not None
    assert not await async_remove_config_entry_device(hass, init_integration, hub)
    assert not await async_remove_config_entry_device(hass, init_integration, front)

    gone = device_registry.async_get_or_create(
        config_entry_id=init_integration.entry_id,
        identifiers={(DOMAIN, "0123456789abcdef0123456789abcdef")},
        name="Old camera",
    )
    assert await async_remove_config_entry_device(hass, init_integration, gone)


async def test_unavailable_while_appliance_down(
    hass: HomeAssistant, simulator: Simulator, init_integration: MockConfigEntry
) -> None:
    """Every entity is unavailable while the appliance is unreachable, and back after."""
    await simulator.set_down(True)
    await async_refresh(hass, init_integration)
    assert init_integration.state is ConfigEntryState.LOADED
    for unique_id, domain in (
        (f"{FRONT_DOOR_UUID}_lock", "lock"),
        (f"{FRONT_DOOR_UUID}_door_mode", "select"),
        (f"{FRONT_DOOR_UUID}_always_open", "switch"),
        (f"{FRONT_DOOR_UUID}_tamper", "binary_sensor"),
        (f"{LOBBY_CAMERA_UUID}_connectivity", "binary_sensor"),
        (f"{ORG_UUID}_devices_online", "sensor"),
    ):
        assert state_of(hass, domain, unique_id).state == STATE_UNAVAILABLE, unique_id

    await simulator.set_down(False)
    await async_refresh(hass, init_integration)
    assert state_of(hass, "lock", f"{FRONT_DOOR_UUID}_lock").state == "locked"
    assert state_of(hass, "select", f"{FRONT_DOOR_UUID}_door_mode").state == "normal"
    assert state_of(hass, "sensor", f"{ORG_UUID}_devices_online").state == "6"


async def test_options_change_reloads(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """A new poll interval takes effect through a reload of the entry."""
    before = init_integration.runtime_data.coordinator
    hass.config_entries.async_update_entry(init_integration, options={"scan_interval": 90})
    await hass.async_block_till_done()
    assert init_integration.state is ConfigEntryState.LOADED
    after = init_integration.runtime_data.coordinator
    assert after is not before
    assert after.update_interval == timedelta(seconds=90)


async def test_remove_entry_forgets_alarm_history(
    hass: HomeAssistant, init_integration: MockConfigEntry, hass_storage: dict[str, Any]
) -> None:
    """Deleting the entry deletes what it remembered about alarms."""
    key = f"{DOMAIN}.{init_integration.entry_id}.alarms"
    assert key in hass_storage
    await hass.config_entries.async_remove(init_integration.entry_id)
    await hass.async_block_till_done()
    assert key not in hass_storage
