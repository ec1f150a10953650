"""HongTuEntity: device info, availability and unique ids shared by every platform, and the one
place that turns client errors of a command into translated Home Assistant errors."""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Sequence
from dataclasses import dataclass
from typing import Any, Concatenate, Protocol

from homeassistant.core import callback
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers.device_registry import DeviceInfo
from homeassistant.helpers.entity import Entity, EntityDescription
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.update_coordinator import CoordinatorEntity

from .api.errors import (
    HongTuApiError,
    HongTuAuthError,
    HongTuError,
    HongTuUnsupportedError,
)
from .api.models import DEVICE_MODEL_NAMES, DEVICE_TYPE_NAMES
from .const import DOMAIN, MANUFACTURER
from .coordinator import HongTuCoordinator
from .data import HongTuConfigEntry, HongTuSnapshot

# "设备离线状态": the appliance refuses commands to an offline device with this code.
CODE_DEVICE_OFFLINE = 102091


def hub_identifier(entry: HongTuConfigEntry) -> tuple[str, str]:
    """The hub device's identifier: the entry's unique id (the top organisation's orgUuid)."""
    return (DOMAIN, entry.unique_id or entry.entry_id)


class HongTuEntity(CoordinatorEntity[HongTuCoordinator]):
    """An entity of one managed device, under the hub."""

    _attr_has_entity_name = True

    def __init__(self, coordinator: HongTuCoordinator, device_uuid: str, key: str) -> None:
        super().__init__(coordinator)
        self.device_uuid = device_uuid
        self._attr_unique_id = f"{device_uuid}_{key}"
        self._attr_device_info = shared_device_info(coordinator, device_uuid)
        # Whether polls were succeeding when this entity last wrote its state from a poll.
        self._written_success: bool | None = None

    async def async_added_to_hass(self) -> None:
        """Note what the state Home Assistant writes next reflects."""
        await super().async_added_to_hass()
        self._written_success = self.coordinator.last_update_success

    @callback
    def _handle_coordinator_update(self) -> None:
        """Write the state only when this device's part of the snapshot changed, or polls
        started or stopped succeeding (availability). One changed device would otherwise make
        every entity of the entry recompute and write its state."""
        success = self.coordinator.last_update_success
        if success == self._written_success and not self.coordinator.device_changed(
            self.device_uuid
        ):
            return
        self._written_success = success
        super()._handle_coordinator_update()

    @property
    def available(self) -> bool:
        """Available while polls succeed, the appliance lists the device and it is online."""
        data = self.coordinator.data
        return super().available and data is not None and data.online(self.device_uuid)

    @property
    def device_label(self) -> str:
        """The device's name for error messages."""
        data = self.coordinator.data
        return data.name(self.device_uuid) if data is not None else self.device_uuid


@dataclass(frozen=True, kw_only=True)
class HongTuEntityDescription(EntityDescription):
    """What every device entity description has: which devices get the entity."""

    exists_fn: Callable[[HongTuSnapshot, str], bool]


class HongTuDescribedEntity(HongTuEntity):
    """A device entity made from a description; unavailable once the device no longer has it
    (a door point unbound, a panel replaced), before the registry catches up."""

    entity_description: HongTuEntityDescription

    def __init__(
        self,
        coordinator: HongTuCoordinator,
        device_uuid: str,
        description: HongTuEntityDescription,
    ) -> None:
        super().__init__(coordinator, device_uuid, description.key)
        self.entity_description = description

    @property
    def available(self) -> bool:
        """Available as any device entity, and while the device still has this entity."""
        return super().available and self.entity_description.exists_fn(
            self.coordinator.data, self.device_uuid
        )


class HongTuHubEntity(CoordinatorEntity[HongTuCoordinator]):
    """An entity of the appliance itself (the hub device), available while polls succeed."""

    _attr_has_entity_name = True

    def __init__(self, coordinator: HongTuCoordinator, key: str) -> None:
        super().__init__(coordinator)
        identifier = hub_identifier(coordinator.config_entry)
        self._attr_unique_id = f"{identifier[1]}_{key}"
        self._attr_device_info = DeviceInfo(identifiers={identifier})


class DeviceEntityDescription(Protocol):
    """What ``async_add_device_entities`` needs of an entity description."""

    @property
    def key(self) -> str:
        """The entity key (the unique id's suffix)."""

    @property
    def exists_fn(self) -> Callable[[HongTuSnapshot, str], bool]:
        """Whether a device (by uuid) has this entity in a snapshot."""


@callback
def async_add_device_entities[_D: DeviceEntityDescription](
    entry: HongTuConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
    descriptions: Sequence[_D],
    factory: Callable[[HongTuCoordinator, str, _D], Entity],
) -> None:
    """Add the entities of every device now and of every device that appears later.

    What was added is remembered per (uuid, key); a uuid the appliance no longer lists is
    forgotten (its device and entities are removed as stale), so a device that comes back gets
    its entities again without a reload.
    """
    coordinator = entry.runtime_data.coordinator
    added: set[tuple[str, str]] = set()

    @callback
    def _async_add_new() -> None:
        snapshot = coordinator.data
        managed = snapshot.managed_uuids()
        added.difference_update({pair for pair in added if pair[0] not in managed})
        new: list[Entity] = []
        for uuid in sorted(managed):
            for description in descriptions:
                if (uuid, description.key) in added or not description.exists_fn(snapshot, uuid):
                    continue
                added.add((uuid, description.key))
                new.append(factory(coordinator, uuid, description))
        if new:
            async_add_entities(new)

    _async_add_new()
    entry.async_on_unload(coordinator.async_add_listener(_async_add_new))


def shared_device_info(coordinator: HongTuCoordinator, uuid: str) -> DeviceInfo:
    """The device registry entry of a managed device, one object for all its entities.

    A device has some twenty entities, and each kept its own copy (about 1 KiB). Home Assistant
    only reads it; it is made again for entities added after the snapshot changed.
    """
    snapshot, infos = coordinator.device_infos
    if snapshot is not coordinator.data:
        infos = {}
        coordinator.device_infos = (coordinator.data, infos)
    if (info := infos.get(uuid)) is None:
        info = infos[uuid] = device_info(coordinator, uuid)
    return info


def device_info(coordinator: HongTuCoordinator, uuid: str) -> DeviceInfo:
    """Device registry entry of a managed device, from what the lists report."""
    data = coordinator.data
    device = data.devices.get(uuid)
    door = data.door_points.get(uuid)
    name = data.name(uuid)
    model: str | None = None
    if door is not None and door.device_model is not None:
        model = DEVICE_MODEL_NAMES.get(door.device_model)
    device_type = device.device_type if device is not None else door.device_type if door else None
    if model is None and device_type is not None:
        model = DEVICE_TYPE_NAMES.get(device_type)
    location = (device.location if device else None) or (door.location if door else None)
    info = DeviceInfo(
        identifiers={(DOMAIN, uuid)},
        manufacturer=MANUFACTURER,
        name=name,
        model=model,
        suggested_area=location,
        via_device=hub_identifier(coordinator.config_entry),
    )
    if device is not None and device.mac:
        info["connections"] = {(dr.CONNECTION_NETWORK_MAC, device.mac.lower())}
    if device is not None and device.current_version:
        info["sw_version"] = device.current_version
    return info


def handle_command_errors[_E: HongTuEntity, **_P](
    func: Callable[Concatenate[_E, _P], Coroutine[Any, Any, None]],
) -> Callable[Concatenate[_E, _P], Coroutine[Any, Any, None]]:
    """Run a command, turn client errors into translated errors, then refresh at once.

    The refresh is awaited (not the debounced request): a second command within the
    debounce cooldown would otherwise show stale state.
    """

    async def wrapper(self: _E, /, *args: _P.args, **kwargs: _P.kwargs) -> None:
        placeholders = {"device": self.device_label}
        if self.coordinator.data is not None and not self.coordinator.data.online(self.device_uuid):
            raise HomeAssistantError(
                translation_domain=DOMAIN,
                translation_key="device_offline",
                translation_placeholders=placeholders,
            )
        try:
            await func(self, *args, **kwargs)
        except HongTuUnsupportedError as err:
            raise HomeAssistantError(
                translation_domain=DOMAIN,
                translation_key="unsupported_command",
                translation_placeholders=placeholders,
            ) from err
        except HongTuAuthError as err:
            self.coordinator.config_entry.async_start_reauth(self.hass)
            raise HomeAssistantError(
                translation_domain=DOMAIN, translation_key="invalid_auth"
            ) from err
        except HongTuApiError as err:
            if err.code == CODE_DEVICE_OFFLINE:
                raise HomeAssistantError(
                    translation_domain=DOMAIN,
                    translation_key="device_offline",
                    translation_placeholders=placeholders,
                ) from err
            raise HomeAssistantError(
                translation_domain=DOMAIN,
                translation_key="api_error",
                translation_placeholders={"code": str(err.code), "message": err.msg},
            ) from err
        except HongTuError as err:  # connection failures and anything else the client reports
            raise HomeAssistantError(
                translation_domain=DOMAIN,
                translation_key="command_failed",
                translation_placeholders={**placeholders, "error": str(err)},
            ) from err
        await self.coordinator.async_refresh()

    return wrapper


def is_door_point(snapshot: HongTuSnapshot, uuid: str) -> bool:
    """Whether the appliance lists this device as a bound door point."""
    return uuid in snapshot.door_points


def is_panel_door(snapshot: HongTuSnapshot, uuid: str) -> bool:
    """Whether this door point is a face panel, the only kind with door modes."""
    door = snapshot.door_points.get(uuid)
    return door is not None and door.is_panel
