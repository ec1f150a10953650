"""HongTuCoordinator: one poll of the appliance into one immutable snapshot.

A refresh reads the device list, the door-point list and the device alarms (list pages only).
Only a face panel whose door-list item lacks ``cmdStatus`` costs one extra /v1/api/device/query.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import timedelta
import logging

from homeassistant.core import HomeAssistant, callback
from homeassistant.exceptions import ConfigEntryAuthFailed
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator, UpdateFailed

from .alarms import AlarmTracker, alarm_record_id
from .api.client import HongTuClient
from .api.errors import HongTuApiError, HongTuAuthError, HongTuError
from .api.models import ApplianceInfo, DeviceAlarm, DoorPoint
from .const import CONF_SCAN_INTERVAL, DEFAULT_SCAN_INTERVAL, DEVICE_ALARM_SLUGS, DOMAIN
from .data import HongTuConfigEntry, HongTuSnapshot
from .events import async_fire_hongtu_event

_LOGGER = logging.getLogger(__package__)


def update_error(err: HongTuError) -> ConfigEntryAuthFailed | UpdateFailed:
    """The translated error a failed poll raises; a rejected signature starts reauth."""
    if isinstance(err, HongTuAuthError):
        return ConfigEntryAuthFailed(translation_domain=DOMAIN, translation_key="invalid_auth")
    if isinstance(err, HongTuApiError):
        return UpdateFailed(
            translation_domain=DOMAIN,
            translation_key="api_error",
            translation_placeholders={"code": str(err.code), "message": err.msg},
        )
    return UpdateFailed(
        translation_domain=DOMAIN,
        translation_key="cannot_connect",
        translation_placeholders={"error": str(err)},
    )


class HongTuCoordinator(DataUpdateCoordinator[HongTuSnapshot]):
    """Polls device status, door modes and device alarms."""

    config_entry: HongTuConfigEntry

    def __init__(self, hass: HomeAssistant, entry: HongTuConfigEntry, client: HongTuClient) -> None:
        interval = int(entry.options.get(CONF_SCAN_INTERVAL, DEFAULT_SCAN_INTERVAL))
        super().__init__(
            hass,
            _LOGGER,
            config_entry=entry,
            name=DOMAIN,
            update_interval=timedelta(seconds=interval),
            always_update=False,
        )
        self.client = client
        self.appliance: ApplianceInfo | None = None
        self.alarm_tracker = AlarmTracker(hass, entry.entry_id)
        # Upkeep run after each successful poll (the push subscription); its failures other
        # than authentication are logged and never fail the poll.
        self.after_refresh: list[Callable[[], Awaitable[None]]] = []
        self._poll_lock = asyncio.Lock()
        # The snapshot of the last poll and the devices it changed (None: unknown, all of them).
        self._changes: tuple[HongTuSnapshot | None, frozenset[str] | None] = (None, None)
        # The device registry entry of each device, made once per snapshot and shared by the
        # device's entities (see entity.shared_device_info).
        self.device_infos: tuple[HongTuSnapshot | None, dict[str, dr.DeviceInfo]] = (None, {})

    async def _async_setup(self) -> None:
        """Once per setup: identify the appliance (for the hub device) and load alarm history."""
        try:
            self.appliance = await self.client.get_appliance_info()
        except HongTuError as err:
            raise update_error(err) from err
        await self.alarm_tracker.async_load()

    async def _async_update_data(self) -> HongTuSnapshot:
        """One poll at a time: the timer, refresh requests and the refresh after a command can
        overlap, and a slow appliance would otherwise get several copies of each list at once.
        A caller that waits polls after the running poll, so it still sees fresh state."""
        async with self._poll_lock:
            return await self._async_poll()

    async def _async_poll(self) -> HongTuSnapshot:
        try:
            devices = await self.client.get_devices()
            doors = await self.client.get_door_points()
            alarms = await self.client.get_device_alarms()
            door_modes = await self._door_modes(doors)
        except HongTuError as err:
            raise update_error(err) from err

        snapshot = HongTuSnapshot(
            devices={device.uuid: device for device in devices},
            door_points={door.uuid: door for door in doors},
            door_modes=door_modes,
            alarms=_newest_alarms(alarms),
        )
        previous = self.data
        self._changes = (snapshot, None if previous is None else snapshot.changed_uuids(previous))
        self._remove_stale_devices(snapshot)
        for alarm in await self.alarm_tracker.async_new_alarms(alarms):
            self._fire_alarm_event(snapshot, alarm)
        await self._async_run_after_refresh()
        return snapshot

    def device_changed(self, uuid: str) -> bool:
        """Whether the poll that made the current snapshot changed this device's part of it
        (True when that is not known), so its entities must write their state."""
        snapshot, changed = self._changes
        return changed is None or snapshot is not self.data or uuid in changed

    async def _async_run_after_refresh(self) -> None:
        for hook in self.after_refresh:
            try:
                await hook()
            except HongTuAuthError as err:
                raise update_error(err) from err
            except Exception:
                _LOGGER.exception("Upkeep after a poll of %s failed", self.config_entry.title)

    async def _door_modes(self, doors: list[DoorPoint]) -> dict[str, int | None]:
        """cmdStatus per door point; a panel without it on the list is asked once directly."""
        modes: dict[str, int | None] = {}
        for door in doors:
            mode = door.cmd_status
            if mode is None and door.is_panel and door.online:
                try:
                    mode = (await self.client.query_device(door.uuid)).cmd_status
                except HongTuAuthError:
                    raise
                except HongTuApiError as err:
                    _LOGGER.debug("No door mode for %s: %s", door.uuid, err)
            modes[door.uuid] = mode
        return modes

    @callback
    def _remove_stale_devices(self, snapshot: HongTuSnapshot) -> None:
        """Detach devices the appliance no longer lists (the hub itself stays)."""
        registry = dr.async_get(self.hass)
        current = snapshot.managed_uuids()
        hub_id = self.config_entry.unique_id
        for device in dr.async_entries_for_config_entry(registry, self.config_entry.entry_id):
            uuids = {ident for domain, ident in device.identifiers if domain == DOMAIN}
            if not uuids or hub_id in uuids or uuids & current:
                continue
            _LOGGER.info("Removing %s: the appliance no longer lists it", device.name)
            registry.async_update_device(
                device.id, remove_config_entry_id=self.config_entry.entry_id
            )

    @callback
    def _fire_alarm_event(self, snapshot: HongTuSnapshot, alarm: DeviceAlarm) -> None:
        uuid = alarm.device_uuid
        async_fire_hongtu_event(
            self.hass,
            entry_id=self.config_entry.entry_id,
            event_type="device_alarm",
            device_uuid=uuid,
            device_name=alarm.device_name or (snapshot.name(uuid) if uuid else None),
            record_id=alarm_record_id(alarm),
            time_ms=alarm.alarm_time_ms,
            data=_alarm_data(alarm),
            extra={
                "alarm_type": alarm.alarm_type,
                "alarm_type_name": DEVICE_ALARM_SLUGS.get(alarm.alarm_type, "unknown"),
                "active": alarm.active,
            },
        )


def _newest_alarms(alarms: list[DeviceAlarm]) -> dict[tuple[str, int], DeviceAlarm]:
    """The newest record per (device, type); ties go to the later-modified record."""
    newest: dict[tuple[str, int], DeviceAlarm] = {}
    for alarm in alarms:
        if not alarm.device_uuid:
            continue
        key = (alarm.device_uuid, alarm.alarm_type)
        best = newest.get(key)
        if best is None or _alarm_order(alarm) >= _alarm_order(best):
            newest[key] = alarm
    return newest


def _alarm_order(alarm: DeviceAlarm) -> tuple[int, int]:
    return (alarm.alarm_time_ms or 0, alarm.gmt_modified_ms or 0)


def _alarm_data(alarm: DeviceAlarm) -> dict[str, object]:
    """The alarm record in the appliance's own field names."""
    return {
        "deviceUuid": alarm.device_uuid,
        "deviceName": alarm.device_name,
        "deviceLocation": alarm.device_location,
        "deviceType": alarm.device_type,
        "deviceModel": alarm.device_model,
        "deviceStatus": alarm.device_status,
        "alarmType": alarm.alarm_type,
        "alarmStatus": alarm.alarm_status,
        "alarmStatusNow": alarm.alarm_status_now,
        "alarmTime": alarm.alarm_time_ms,
        "gmtCreate": alarm.gmt_create_ms,
        "gmtModified": alarm.gmt_modified_ms,
    }
