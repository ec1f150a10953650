"""Hub sensors: how many of the appliance's devices are online and offline."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from homeassistant.components.sensor import (
    SensorEntity,
    SensorEntityDescription,
    SensorStateClass,
)
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .coordinator import HongTuCoordinator
from .data import HongTuConfigEntry, HongTuSnapshot
from .entity import HongTuHubEntity

PARALLEL_UPDATES = 0


@dataclass(frozen=True, kw_only=True)
class HongTuHubSensorEntityDescription(SensorEntityDescription):
    """A sensor of the appliance, computed from a whole snapshot."""

    value_fn: Callable[[HongTuSnapshot], int]


def _count_online(snapshot: HongTuSnapshot) -> int:
    return sum(1 for uuid in snapshot.managed_uuids() if snapshot.online(uuid))


def _count_offline(snapshot: HongTuSnapshot) -> int:
    return sum(1 for uuid in snapshot.managed_uuids() if not snapshot.online(uuid))


HUB_SENSORS: tuple[HongTuHubSensorEntityDescription, ...] = (
    HongTuHubSensorEntityDescription(
        key="devices_online",
        translation_key="devices_online",
        state_class=SensorStateClass.MEASUREMENT,
        value_fn=_count_online,
    ),
    HongTuHubSensorEntityDescription(
        key="devices_offline",
        translation_key="devices_offline",
        state_class=SensorStateClass.MEASUREMENT,
        value_fn=_count_offline,
    ),
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: HongTuConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the hub sensors."""
    coordinator = entry.runtime_data.coordinator
    async_add_entities(HongTuHubSensor(coordinator, description) for description in HUB_SENSORS)


class HongTuHubSensor(HongTuHubEntity, SensorEntity):
    """A sensor on the hub device."""

    entity_description: HongTuHubSensorEntityDescription

    def __init__(
        self, coordinator: HongTuCoordinator, description: HongTuHubSensorEntityDescription
    ) -> None:
        super().__init__(coordinator, description.key)
        self.entity_description = description

    @property
    def native_value(self) -> int:
        """From the snapshot."""
        return self.entity_description.value_fn(self.coordinator.data)
