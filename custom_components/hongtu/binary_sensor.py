"""Binary sensors: connectivity of every managed device and the device alarms of door points."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from homeassistant.components.binary_sensor import (
    BinarySensorDeviceClass,
    BinarySensorEntity,
    BinarySensorEntityDescription,
)
from homeassistant.const import EntityCategory
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .const import (
    ALARM_DOOR_HELD_OPEN,
    ALARM_FIRE,
    ALARM_INPUT,
    ALARM_PASSWORD_CRACKING,
    ALARM_STORAGE_FULL,
    ALARM_TAMPER,
    ALARM_TEMPERATURE_MODULE,
)
from .data import HongTuConfigEntry, HongTuSnapshot
from .entity import (
    HongTuDescribedEntity,
    HongTuEntityDescription,
    async_add_device_entities,
    is_door_point,
)

PARALLEL_UPDATES = 0


@dataclass(frozen=True, kw_only=True)
class HongTuBinarySensorEntityDescription(BinarySensorEntityDescription, HongTuEntityDescription):
    """A binary sensor of a managed device.

    ``needs_online`` is False for the sensor that reports whether the device is online: it must
    stay available, and read off, while the device is offline.
    """

    value_fn: Callable[[HongTuSnapshot, str], bool]
    needs_online: bool = True


def _alarm_sensor(
    key: str,
    alarm_type: int,
    device_class: BinarySensorDeviceClass,
    *,
    entity_category: EntityCategory | None = None,
    exists_fn: Callable[[HongTuSnapshot, str], bool] = is_door_point,
) -> HongTuBinarySensorEntityDescription:
    """On while the newest record of this alarm type on the device is alarming now."""
    return HongTuBinarySensorEntityDescription(
        key=key,
        translation_key=key,
        device_class=device_class,
        entity_category=entity_category,
        exists_fn=exists_fn,
        value_fn=lambda snapshot, uuid: snapshot.alarm_active(uuid, alarm_type),
    )


def _reports_storage_full(snapshot: HongTuSnapshot, uuid: str) -> bool:
    """Storage alarms come from whichever device reports one; it gets the sensor then."""
    return (uuid, ALARM_STORAGE_FULL) in snapshot.alarms


BINARY_SENSORS: tuple[HongTuBinarySensorEntityDescription, ...] = (
    HongTuBinarySensorEntityDescription(
        key="connectivity",
        translation_key="connectivity",
        device_class=BinarySensorDeviceClass.CONNECTIVITY,
        entity_category=EntityCategory.DIAGNOSTIC,
        exists_fn=lambda snapshot, uuid: True,
        value_fn=lambda snapshot, uuid: snapshot.online(uuid),
        needs_online=False,
    ),
    _alarm_sensor("tamper", ALARM_TAMPER, BinarySensorDeviceClass.TAMPER),
    _alarm_sensor("door_held_open", ALARM_DOOR_HELD_OPEN, BinarySensorDeviceClass.PROBLEM),
    _alarm_sensor("fire_alarm", ALARM_FIRE, BinarySensorDeviceClass.SMOKE),
    _alarm_sensor("alarm_input", ALARM_INPUT, BinarySensorDeviceClass.SAFETY),
    _alarm_sensor("password_cracking", ALARM_PASSWORD_CRACKING, BinarySensorDeviceClass.PROBLEM),
    _alarm_sensor(
        "temperature_module",
        ALARM_TEMPERATURE_MODULE,
        BinarySensorDeviceClass.PROBLEM,
        entity_category=EntityCategory.DIAGNOSTIC,
    ),
    _alarm_sensor(
        "storage_full",
        ALARM_STORAGE_FULL,
        BinarySensorDeviceClass.PROBLEM,
        exists_fn=_reports_storage_full,
    ),
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: HongTuConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the binary sensors of every device, now and when devices or storage alarms appear."""
    async_add_device_entities(entry, async_add_entities, BINARY_SENSORS, HongTuBinarySensor)


class HongTuBinarySensor(HongTuDescribedEntity, BinarySensorEntity):
    """A binary sensor read from the snapshot."""

    entity_description: HongTuBinarySensorEntityDescription

    @property
    def available(self) -> bool:
        """Polls succeed and the device has this sensor; most also need the device online."""
        snapshot = self.coordinator.data
        if not self.entity_description.exists_fn(snapshot, self.device_uuid):
            return False
        if self.entity_description.needs_online:
            return super().available
        return self.coordinator.last_update_success and snapshot.known(self.device_uuid)

    @property
    def is_on(self) -> bool:
        """From the snapshot."""
        return self.entity_description.value_fn(self.coordinator.data, self.device_uuid)
