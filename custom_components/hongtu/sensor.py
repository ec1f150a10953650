"""Sensors: how many of the appliance's devices are online and offline (on the hub), and who was
last seen at each door point and camera (``last_person``, fed by pass and recognition records)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Final

from homeassistant.components.sensor import (
    SensorEntity,
    SensorEntityDescription,
    SensorStateClass,
)
from homeassistant.const import STATE_UNAVAILABLE, STATE_UNKNOWN, Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.restore_state import RestoreEntity
from homeassistant.util import dt as dt_util

from .api.record_models import HongTuRecord, PersonRecord
from .coordinator import HongTuCoordinator
from .data import HongTuConfigEntry, HongTuSnapshot
from .entity import HongTuHubEntity
from .events import iso_time
from .record_entity import (
    ATTR_PERSON_TYPE,
    ATTR_PERSON_UUID,
    ATTR_RECORD_ID,
    ATTR_SCORE,
    ATTR_TIME,
    HongTuRecordEntity,
    async_add_record_entities,
    is_door_or_camera,
    is_person_record,
)

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


ATTR_DOOR: Final = "door"
#: The attributes of ``last_person``, also what a restart brings back.
LAST_PERSON_ATTRIBUTES: Final = (
    ATTR_PERSON_UUID,
    ATTR_PERSON_TYPE,
    ATTR_SCORE,
    ATTR_TIME,
    ATTR_DOOR,
    ATTR_RECORD_ID,
)
#: Home Assistant refuses longer states.
MAX_STATE_LENGTH: Final = 255


@dataclass(frozen=True, kw_only=True)
class HongTuRecordSensorEntityDescription(SensorEntityDescription):
    """A sensor of a managed device fed by its records: which devices have it, which records
    feed it."""

    exists_fn: Callable[[HongTuSnapshot, str], bool]
    record_fn: Callable[[HongTuRecord], bool]


RECORD_SENSORS: tuple[HongTuRecordSensorEntityDescription, ...] = (
    HongTuRecordSensorEntityDescription(
        key="last_person",
        translation_key="last_person",
        exists_fn=is_door_or_camera,
        record_fn=is_person_record,
    ),
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: HongTuConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the hub sensors, and ``last_person`` to every door point and camera."""
    coordinator = entry.runtime_data.coordinator
    async_add_entities(HongTuHubSensor(coordinator, description) for description in HUB_SENSORS)
    async_add_record_entities(
        hass, entry, async_add_entities, Platform.SENSOR, RECORD_SENSORS, HongTuLastPersonSensor
    )


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


def _time_ms(value: Any) -> int | None:
    """Unix milliseconds of an ISO time attribute, None when it is not one."""
    moment = dt_util.parse_datetime(value) if isinstance(value, str) else None
    return None if moment is None else round(moment.timestamp() * 1000)


class HongTuLastPersonSensor(HongTuRecordEntity, SensorEntity, RestoreEntity):
    """The person of the newest pass or recognition: the name, else the person type's slug
    (``stranger`` for someone the appliance does not know). Kept across restarts."""

    entity_description: HongTuRecordSensorEntityDescription

    def __init__(
        self,
        coordinator: HongTuCoordinator,
        device_uuid: str,
        description: HongTuRecordSensorEntityDescription,
    ) -> None:
        super().__init__(coordinator, device_uuid, description.key)
        self.entity_description = description
        self._attr_extra_state_attributes = {}
        self._time_ms: int | None = None

    async def async_added_to_hass(self) -> None:
        """Take back the last person from before a restart, then start taking records."""
        last = await self.async_get_last_state()
        if last is not None and last.state not in (STATE_UNKNOWN, STATE_UNAVAILABLE):
            self._restore(last.state, last.attributes)
        await super().async_added_to_hass()

    def _restore(self, state: str, attributes: Mapping[str, Any]) -> None:
        self._attr_native_value = state
        self._attr_extra_state_attributes = {
            key: attributes[key] for key in LAST_PERSON_ATTRIBUTES if key in attributes
        }
        self._time_ms = _time_ms(attributes.get(ATTR_TIME))

    def handle_record(self, record: HongTuRecord, caught_up: bool) -> bool:
        """A person record replaces the person, except one caught up late that is older than
        the one shown. A live push always does: it is the newest, even when the appliance's
        clock was set back since the record shown (its times then look older)."""
        if not isinstance(record, PersonRecord):
            return False
        if caught_up and self._time_ms is not None and record.time_ms < self._time_ms:
            return False
        if record.record_id == self._attr_extra_state_attributes.get(ATTR_RECORD_ID):
            return False
        self._time_ms = record.time_ms
        name = record.person_name or record.person_type_name
        self._attr_native_value = name[:MAX_STATE_LENGTH]
        attributes: dict[str, Any] = {
            ATTR_PERSON_UUID: record.person_uuid,
            ATTR_PERSON_TYPE: record.person_type_name,
            ATTR_SCORE: record.score,
            ATTR_TIME: iso_time(record.time_ms),
            ATTR_DOOR: self.device_label,
            ATTR_RECORD_ID: record.record_id,
        }
        self._attr_extra_state_attributes = {
            key: value for key, value in attributes.items() if value is not None
        }
        return True
