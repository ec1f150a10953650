"""The Megvii HongTu 3000 integration: setup and unload of a config entry (wiring only)."""

from __future__ import annotations

from homeassistant.const import CONF_HOST, CONF_PORT, CONF_SSL, CONF_VERIFY_SSL
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers.aiohttp_client import async_get_clientsession

from .alarms import AlarmTracker
from .api.client import HongTuClient
from .const import (
    CONF_APP_KEY,
    CONF_SECRET_KEY,
    DEFAULT_PORT,
    DOMAIN,
    MANUFACTURER,
    PLATFORMS,
    REQUEST_TIMEOUT,
)
from .coordinator import HongTuCoordinator
from .data import HongTuConfigEntry, HongTuData
from .entity import hub_identifier


async def async_setup_entry(hass: HomeAssistant, entry: HongTuConfigEntry) -> bool:
    """Connect to the appliance, poll it once, register the hub and set up the platforms."""
    verify_ssl = bool(entry.data.get(CONF_VERIFY_SSL, False))
    client = HongTuClient(
        async_get_clientsession(hass, verify_ssl=verify_ssl),
        entry.data[CONF_HOST],
        int(entry.data.get(CONF_PORT, DEFAULT_PORT)),
        ssl=bool(entry.data.get(CONF_SSL, False)),
        verify_ssl=verify_ssl,
        app_key=entry.data[CONF_APP_KEY],
        secret_key=entry.data[CONF_SECRET_KEY],
        timeout=REQUEST_TIMEOUT,
    )
    coordinator = HongTuCoordinator(hass, entry, client)
    await coordinator.async_config_entry_first_refresh()
    entry.runtime_data = HongTuData(client=client, coordinator=coordinator)

    appliance = coordinator.appliance
    dr.async_get(hass).async_get_or_create(
        config_entry_id=entry.entry_id,
        identifiers={hub_identifier(entry)},
        manufacturer=MANUFACTURER,
        name=appliance.name if appliance else entry.title,
        model=appliance.model if appliance else None,
        sw_version=appliance.version if appliance else None,
        configuration_url=client.base_url,
    )

    await hass.config_entries.async_forward_entry_setups(entry, PLATFORMS)
    entry.async_on_unload(entry.add_update_listener(_async_options_updated))
    return True


async def async_unload_entry(hass: HomeAssistant, entry: HongTuConfigEntry) -> bool:
    """Unload the platforms; the coordinator stops with the entry."""
    return await hass.config_entries.async_unload_platforms(entry, PLATFORMS)


async def async_remove_entry(hass: HomeAssistant, entry: HongTuConfigEntry) -> None:
    """Forget the alarm history of a deleted entry."""
    await AlarmTracker(hass, entry.entry_id).async_remove()


async def async_remove_config_entry_device(
    hass: HomeAssistant, entry: HongTuConfigEntry, device_entry: dr.DeviceEntry
) -> bool:
    """Let the user delete a device only once the appliance no longer lists it."""
    if hub_identifier(entry) in device_entry.identifiers:
        return False
    snapshot = entry.runtime_data.coordinator.data
    return not any(
        domain == DOMAIN and snapshot.known(uuid) for domain, uuid in device_entry.identifiers
    )


async def _async_options_updated(hass: HomeAssistant, entry: HongTuConfigEntry) -> None:
    """Options change the poll interval and the push set-up: reload to apply them."""
    await hass.config_entries.async_reload(entry.entry_id)
