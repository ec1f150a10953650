"""Decides which polled device-alarm records are new, once, across restarts.

Alarm records carry no id: a record is (device uuid, alarm type, alarm time). The newest alarm
time seen, and the records seen at that instant, are kept in a Store so that a restart does not
fire old alarms again. At the very first poll of an entry nothing fires: what is already there
is history, not news.
"""

from __future__ import annotations

from collections.abc import Iterable
import hashlib
from typing import Any, TypedDict

from homeassistant.core import HomeAssistant
from homeassistant.helpers.storage import Store

from .api.models import DeviceAlarm
from .const import DOMAIN

STORAGE_VERSION = 1


class _Stored(TypedDict):
    newest_ms: int
    seen: list[str]


def alarm_key(alarm: DeviceAlarm) -> str:
    """The identity of an alarm record."""
    return f"{alarm.device_uuid}:{alarm.alarm_type}:{alarm.alarm_time_ms}"


def alarm_record_id(alarm: DeviceAlarm) -> str:
    """A stable record id for an alarm (records have none of their own)."""
    return "h:" + hashlib.sha1(alarm_key(alarm).encode(), usedforsecurity=False).hexdigest()


class AlarmTracker:
    """Remembers the newest alarm seen, per config entry."""

    def __init__(self, hass: HomeAssistant, entry_id: str) -> None:
        self._store: Store[_Stored] = Store(hass, STORAGE_VERSION, f"{DOMAIN}.{entry_id}.alarms")
        self._newest_ms: int | None = None
        self._seen: set[str] = set()

    async def async_load(self) -> None:
        """Read what earlier runs have seen."""
        stored: Any = await self._store.async_load()
        if isinstance(stored, dict) and isinstance(stored.get("newest_ms"), int):
            self._newest_ms = stored["newest_ms"]
            self._seen = {key for key in stored.get("seen", []) if isinstance(key, str)}

    async def async_remove(self) -> None:
        """Forget everything (the entry is being removed)."""
        await self._store.async_remove()

    async def async_new_alarms(self, alarms: Iterable[DeviceAlarm]) -> list[DeviceAlarm]:
        """The records not seen before, oldest first; updates what is remembered."""
        timed = [alarm for alarm in alarms if alarm.alarm_time_ms is not None]
        if not timed:
            if self._newest_ms is None:
                self._newest_ms = 0
                await self._async_save()
            return []
        newest = max(alarm.alarm_time_ms or 0 for alarm in timed)
        first_poll = self._newest_ms is None
        previous = self._newest_ms or 0
        fresh = [
            alarm
            for alarm in timed
            if (alarm.alarm_time_ms or 0) > previous
            or ((alarm.alarm_time_ms or 0) == previous and alarm_key(alarm) not in self._seen)
        ]
        if not fresh and not first_poll:
            return []
        if newest > previous or first_poll:
            self._newest_ms = newest
            self._seen = {alarm_key(a) for a in timed if a.alarm_time_ms == newest}
        else:
            self._seen |= {alarm_key(a) for a in fresh if a.alarm_time_ms == previous}
        await self._async_save()
        if first_poll:
            return []
        fresh.sort(key=lambda alarm: alarm.alarm_time_ms or 0)
        return fresh

    async def _async_save(self) -> None:
        await self._store.async_save(
            {"newest_ms": self._newest_ms or 0, "seen": sorted(self._seen)}
        )
