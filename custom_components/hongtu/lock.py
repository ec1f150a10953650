"""Lock per door point: open/unlock release the door once, lock ends a held-open door.

With a PIN set in the options (``lock_code``), every command asks for it first: Home Assistant
checks the format (``code_format``), the lock compares the code itself before any request.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
import hmac
from typing import Any

from homeassistant.components.lock import LockEntity, LockEntityDescription, LockEntityFeature
from homeassistant.const import ATTR_CODE
from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.event import async_call_later

from .const import (
    CMD_STATUS_ALWAYS_CLOSED,
    CMD_STATUS_ALWAYS_OPEN,
    CMD_STATUS_NORMAL,
    CONF_LOCK_CODE,
    DOMAIN,
    LOCK_CODE_FORMAT,
    OPEN_PULSE,
)
from .coordinator import HongTuCoordinator
from .data import HongTuConfigEntry, HongTuSnapshot
from .entity import (
    HongTuDescribedEntity,
    HongTuEntityDescription,
    async_add_device_entities,
    handle_command_errors,
    is_door_point,
    is_panel_door,
)

PARALLEL_UPDATES = 1


def door_locked(snapshot: HongTuSnapshot, uuid: str) -> bool | None:
    """Locked unless held open; a door without modes (not a panel) is locked; unknown else."""
    mode = snapshot.door_modes.get(uuid)
    if mode == CMD_STATUS_ALWAYS_OPEN:
        return False
    if mode in (CMD_STATUS_ALWAYS_CLOSED, CMD_STATUS_NORMAL):
        return True
    if mode is None and is_door_point(snapshot, uuid) and not is_panel_door(snapshot, uuid):
        return True
    return None


@dataclass(frozen=True, kw_only=True)
class HongTuLockEntityDescription(LockEntityDescription, HongTuEntityDescription):
    """A lock of a door point."""

    value_fn: Callable[[HongTuSnapshot, str], bool | None]


LOCKS: tuple[HongTuLockEntityDescription, ...] = (
    HongTuLockEntityDescription(
        key="lock",
        translation_key="door",
        exists_fn=is_door_point,
        value_fn=door_locked,
    ),
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: HongTuConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add a lock for every door point, now and when one appears."""
    async_add_device_entities(entry, async_add_entities, LOCKS, HongTuLock)


class HongTuLock(HongTuDescribedEntity, LockEntity):
    """A door point's lock; named after the device itself."""

    entity_description: HongTuLockEntityDescription
    _attr_name = None
    _attr_supported_features = LockEntityFeature.OPEN

    def __init__(
        self,
        coordinator: HongTuCoordinator,
        device_uuid: str,
        description: HongTuLockEntityDescription,
    ) -> None:
        super().__init__(coordinator, device_uuid, description)
        self._cancel_pulse: CALLBACK_TYPE | None = None
        code = coordinator.config_entry.options.get(CONF_LOCK_CODE)
        self._code: str | None = str(code) if code else None
        if self._code is not None:
            self._attr_code_format = LOCK_CODE_FORMAT

    @property
    def is_open(self) -> bool:
        """Open for a few seconds after a release this entity sent."""
        return self._cancel_pulse is not None

    @property
    def is_locked(self) -> bool | None:
        """From the door mode (the open pulse takes precedence in the state)."""
        return self.entity_description.value_fn(self.coordinator.data, self.device_uuid)

    async def async_open(self, **kwargs: Any) -> None:
        """Release the door once."""
        self._check_code(kwargs)
        await self._async_release()

    async def async_unlock(self, **kwargs: Any) -> None:
        """Unlocking a door that relocks by itself is a release."""
        self._check_code(kwargs)
        await self._async_release()

    async def async_lock(self, **kwargs: Any) -> None:
        """End a held-open door; a door in another mode is already locked."""
        self._check_code(kwargs)
        if self.coordinator.data.door_modes.get(self.device_uuid) == CMD_STATUS_ALWAYS_OPEN:
            await self._async_end_hold()

    def _check_code(self, kwargs: dict[str, Any]) -> None:
        """Refuse a missing or wrong PIN (compared in constant time; never logged)."""
        if self._code is None:
            return
        given = kwargs.get(ATTR_CODE)
        if not isinstance(given, str) or not hmac.compare_digest(
            given.encode(), self._code.encode()
        ):
            raise ServiceValidationError(
                translation_domain=DOMAIN,
                translation_key="invalid_code",
                translation_placeholders={"device": self.device_label},
            )

    @handle_command_errors
    async def _async_release(self) -> None:
        await self.coordinator.client.open_door(self.device_uuid)
        self._start_pulse()

    @handle_command_errors
    async def _async_end_hold(self) -> None:
        await self.coordinator.client.normal_door(self.device_uuid)

    async def async_will_remove_from_hass(self) -> None:
        """Cancel the pulse timer so nothing fires after removal."""
        self._stop_pulse()
        await super().async_will_remove_from_hass()

    @callback
    def _start_pulse(self) -> None:
        self._stop_pulse()
        self._cancel_pulse = async_call_later(self.hass, OPEN_PULSE, self._end_pulse)
        self.async_write_ha_state()

    @callback
    def _end_pulse(self, _now: datetime) -> None:
        self._cancel_pulse = None
        self.async_write_ha_state()

    @callback
    def _stop_pulse(self) -> None:
        if self._cancel_pulse is not None:
            self._cancel_pulse()
            self._cancel_pulse = None
