"""The Megvii HongTu 3000 integration: setup and unload of a config entry (wiring only)."""

from __future__ import annotations

from homeassistant.const import CONF_HOST, CONF_PORT, CONF_SSL, CONF_VERIFY_SSL
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers.aiohttp_client import async_get_clientsession

from .alarms import AlarmTracker
from .api.client import HongTuClient
from .api.errors import HongTuAuthError
from .catchup import CatchUp, async_remove_marks
from .const import (
    CONF_APP_KEY,
    CONF_SECRET_KEY,
    DEFAULT_PORT,
    DOMAIN,
    MANUFACTURER,
    PLATFORMS,
    REQUEST_TIMEOUT,
)
from .coordinator import HongTuCoordinator, update_error
from .data import HongTuConfigEntry, HongTuData
from .entity import hub_identifier
from .push import HongTuPushReceiver, async_ensure_webhook_id
from .subscription import SubscriptionManager, async_cleanup_removed_entry


async def async_setup_entry(hass: HomeAssistant, entry: HongTuConfigEntry) -> bool:
    """Connect to the appliance, poll it once, register the hub and set up the platforms."""
    async_ensure_webhook_id(hass, entry)
    client = _create_client(hass, entry)
    coordinator = HongTuCoordinator(hass, entry, client)
    await coordinator.async_config_entry_first_refresh()
    entry.runtime_data = HongTuData(client=client, coordinator=coordinator)

    # Pushes are received before the appliance is told where to send them; entities connect
    # to the record signal when the platforms add them.
    push = HongTuPushReceiver(hass, entry)
    # The catch-up marks are read before pushes can move them (a restart is a gap to fill).
    catch_up = CatchUp(hass, entry, client, coordinator, push)
    await catch_up.async_load()
    entry.runtime_data.catch_up = catch_up
    entry.async_on_unload(catch_up.async_stop)
    await push.async_start()
    entry.runtime_data.push = push
    entry.async_on_unload(push.async_stop)

    subscription = SubscriptionManager(hass, entry, client)
    try:
        await subscription.async_start()
    except HongTuAuthError as err:
        raise update_error(err) from err
    entry.runtime_data.subscription = subscription
    coordinator.after_refresh.append(subscription.async_upkeep)
    coordinator.after_refresh.append(catch_up.async_after_refresh)

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
    catch_up.async_start()
    return True


async def async_unload_entry(hass: HomeAssistant, entry: HongTuConfigEntry) -> bool:
    """Unload the platforms, then release our push subscription and stop receiving pushes;
    the coordinator stops with the entry."""
    unloaded = await hass.config_entries.async_unload_platforms(entry, PLATFORMS)
    if unloaded and (catch_up := entry.runtime_data.catch_up) is not None:
        await catch_up.async_stop()
    if unloaded and (subscription := entry.runtime_data.subscription) is not None:
        await subscription.async_stop()
    if unloaded and (push := entry.runtime_data.push) is not None:
        await push.async_stop()
    return unloaded


async def async_remove_entry(hass: HomeAssistant, entry: HongTuConfigEntry) -> None:
    """Forget the alarm history and catch-up marks of a deleted entry; give back the
    pass-record callback."""
    await AlarmTracker(hass, entry.entry_id).async_remove()
    await async_remove_marks(hass, entry)
    await async_cleanup_removed_entry(hass, entry, _create_client(hass, entry))


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


def _create_client(hass: HomeAssistant, entry: HongTuConfigEntry) -> HongTuClient:
    """A client for the entry's appliance on Home Assistant's shared session."""
    verify_ssl = bool(entry.data.get(CONF_VERIFY_SSL, False))
    return HongTuClient(
        async_get_clientsession(hass, verify_ssl=verify_ssl),
        entry.data[CONF_HOST],
        int(entry.data.get(CONF_PORT, DEFAULT_PORT)),
        ssl=bool(entry.data.get(CONF_SSL, False)),
        verify_ssl=verify_ssl,
        app_key=entry.data[CONF_APP_KEY],
        secret_key=entry.data[CONF_SECRET_KEY],
        timeout=REQUEST_TIMEOUT,
    )


async def _async_options_updated(hass: HomeAssistant, entry: HongTuConfigEntry) -> None:
    """Options change the poll interval and the push set-up: reload to apply them."""
    await hass.config_entries.async_reload(entry.entry_id)
