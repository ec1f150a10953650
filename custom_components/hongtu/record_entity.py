"""Entities fed by pushed records (event, last person, last capture), and how a platform adds them.

The push receiver sends every parsed record once on ``signal_record(entry_id)``. Each platform
listens to it once and routes a record straight to the entities of its device (a dictionary
lookup, not one callback per entity, so a busy appliance with many devices stays cheap). The
same listener adds an entity a device does not have yet when a record shows it needs one (a
recognition from a camera in a mode the device list did not announce), and hands it that record.
"""

from __future__ import annotations

from abc import abstractmethod
from collections import deque
from collections.abc import Callable, Sequence
from typing import Any, Final, Protocol

from homeassistant.const import Platform
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.dispatcher import async_dispatcher_connect
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .api.client import HongTuClient
from .api.models import CAMERA_DEVICE_TYPES
from .api.record_models import HongTuRecord, PersonRecord
from .const import DOMAIN
from .coordinator import HongTuCoordinator
from .data import HongTuConfigEntry, HongTuSnapshot
from .entity import HongTuEntity, is_door_point
from .events import iso_time, record_event_keys, signal_record

#: Records an entity may receive between its creation and its addition to Home Assistant.
BACKLOG_SIZE: Final = 8

#: Names of the attributes that entities derive from a record.
ATTR_RECORD_ID: Final = "record_id"
ATTR_TIME: Final = "time"
ATTR_PERSON_UUID: Final = "person_uuid"
ATTR_PERSON_TYPE: Final = "person_type"
ATTR_SCORE: Final = "score"
#: Image URL fields of a record, shown under the same names.
IMAGE_ATTRIBUTES: Final = ("capture_image_url", "library_image_url", "panorama_image_url")
#: Set on the event of a record that was fetched after an outage rather than pushed live.
ATTR_CAUGHT_UP: Final = "caught_up"


def is_camera(snapshot: HongTuSnapshot, uuid: str) -> bool:
    """Smart and network cameras (deviceType 1 and 4), whether or not bound as a door point."""
    device = snapshot.devices.get(uuid)
    if device is not None and device.device_type is not None:
        return device.device_type in CAMERA_DEVICE_TYPES
    door = snapshot.door_points.get(uuid)
    return door is not None and door.device_type in CAMERA_DEVICE_TYPES


def is_door_or_camera(snapshot: HongTuSnapshot, uuid: str) -> bool:
    """Where people are seen: every door point and every camera."""
    return is_door_point(snapshot, uuid) or is_camera(snapshot, uuid)


def is_person_record(record: HongTuRecord) -> bool:
    """Pass records and busiType 1 recognitions: the records that show a person."""
    return isinstance(record, PersonRecord)


def record_attributes(
    record: HongTuRecord, client: HongTuClient, caught_up: bool
) -> dict[str, Any]:
    """What an event entity shows of a record: the flat keys of its ``hongtu_event`` (person,
    type, score, image URLs, alarm type...), its id and time; keys the record lacks are left out.
    """
    attributes: dict[str, Any] = {
        ATTR_RECORD_ID: record.record_id,
        ATTR_TIME: iso_time(record.time_ms),
        **record_event_keys(record, client.image_url),
    }
    for name in IMAGE_ATTRIBUTES:  # also for records that are not about a person (alerts)
        if name not in attributes and (url := getattr(record, name)):
            attributes[name] = client.image_url(url)
    if caught_up:
        attributes[ATTR_CAUGHT_UP] = True
    return {key: value for key, value in attributes.items() if value is not None}


class RecordEntityDescription(Protocol):
    """What ``async_add_record_entities`` needs of an entity description."""

    @property
    def key(self) -> str:
        """The entity key (the unique id's suffix)."""

    @property
    def exists_fn(self) -> Callable[[HongTuSnapshot, str], bool]:
        """Whether a device (by uuid) has this entity from the start, by what the lists say."""

    @property
    def record_fn(self) -> Callable[[HongTuRecord], bool]:
        """Whether a record feeds this entity (a device that sends one gets the entity)."""


class HongTuRecordEntity(HongTuEntity):
    """An entity of one device that changes when a record of that device arrives.

    Records reach it through ``async_receive`` from its platform's listener. Until Home
    Assistant has added the entity they wait in a short backlog, so the record that caused a
    dynamic add is not lost.
    """

    def __init__(self, coordinator: HongTuCoordinator, device_uuid: str, key: str) -> None:
        super().__init__(coordinator, device_uuid, key)
        self._receiving = False
        # Made when the first record comes before the entity is added (rare: most never need it).
        self._backlog: deque[tuple[HongTuRecord, bool]] | None = None

    @property
    def client(self) -> HongTuClient:
        """The appliance's client (images, URLs)."""
        return self.coordinator.client

    async def async_added_to_hass(self) -> None:
        """Start taking records, beginning with those that arrived before the entity was added."""
        await super().async_added_to_hass()
        self._receiving = True
        self.async_on_remove(self._async_stop_receiving)
        changed = False
        backlog, self._backlog = self._backlog, None
        while backlog:
            changed = self.handle_record(*backlog.popleft()) or changed
        if changed:
            self.async_write_ha_state()

    @callback
    def _async_stop_receiving(self) -> None:
        self._receiving = False

    @callback
    def async_receive(self, record: HongTuRecord, caught_up: bool) -> None:
        """A record of this entity's device that this entity takes."""
        if not self._receiving:
            if self._backlog is None:
                self._backlog = deque(maxlen=BACKLOG_SIZE)
            self._backlog.append((record, caught_up))
        elif self.handle_record(record, caught_up):
            self.async_write_ha_state()

    @abstractmethod
    def handle_record(self, record: HongTuRecord, caught_up: bool) -> bool:
        """Apply a record; True when the entity's state changed and must be written."""


def registered_keys(
    hass: HomeAssistant,
    entry: HongTuConfigEntry,
    domain: Platform,
    descriptions: Sequence[RecordEntityDescription],
) -> set[tuple[str, str]]:
    """(uuid, key) of this platform's entities already in the registry.

    An entity that a record added once (say, the alert entity of a camera whose mode is not
    an alert mode) is created again at the next start, instead of being left orphaned.
    """
    keys = sorted({description.key for description in descriptions}, key=len, reverse=True)
    found: set[tuple[str, str]] = set()
    for entity in er.async_entries_for_config_entry(er.async_get(hass), entry.entry_id):
        if entity.domain != domain or entity.platform != DOMAIN:
            continue
        for key in keys:
            suffix = f"_{key}"
            if entity.unique_id.endswith(suffix) and len(entity.unique_id) > len(suffix):
                found.add((entity.unique_id.removesuffix(suffix), key))
                break
    return found


@callback
def async_add_record_entities[_D: RecordEntityDescription](
    hass: HomeAssistant,
    entry: HongTuConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
    domain: Platform,
    descriptions: Sequence[_D],
    factory: Callable[[HongTuCoordinator, str, _D], HongTuRecordEntity],
) -> None:
    """Add the record-fed entities of every device, now, on every poll and on records.

    A device gets an entity when the lists say it should (``exists_fn``), when the registry
    already knows it, or when a record for it arrives (``record_fn``), which is then handed to
    the new entity. Devices the appliance no longer lists are forgotten, so a device that comes
    back gets its entities again.
    """
    coordinator = entry.runtime_data.coordinator
    entities: dict[tuple[str, str], HongTuRecordEntity] = {}
    registered = registered_keys(hass, entry, domain, descriptions)

    @callback
    def _async_add_listed() -> None:
        snapshot = coordinator.data
        managed = snapshot.managed_uuids()
        for pair in [pair for pair in entities if pair[0] not in managed]:
            del entities[pair]
        new: list[HongTuRecordEntity] = []
        for uuid in sorted(managed):
            for description in descriptions:
                pair = (uuid, description.key)
                if pair in entities:
                    continue
                if pair in registered or description.exists_fn(snapshot, uuid):
                    entities[pair] = entity = factory(coordinator, uuid, description)
                    new.append(entity)
        if new:
            async_add_entities(new)

    @callback
    def _async_route(record: HongTuRecord, caught_up: bool = False) -> None:
        uuid = record.device_uuid
        if uuid is None or not coordinator.data.known(uuid):
            return
        new: list[HongTuRecordEntity] = []
        targets: list[HongTuRecordEntity] = []
        for description in descriptions:
            if not description.record_fn(record):
                continue
            pair = (uuid, description.key)
            if (entity := entities.get(pair)) is None:
                entities[pair] = entity = factory(coordinator, uuid, description)
                new.append(entity)
            targets.append(entity)
        if new:
            async_add_entities(new)
        for entity in targets:
            entity.async_receive(record, caught_up)

    _async_add_listed()
    entry.async_on_unload(coordinator.async_add_listener(_async_add_listed))
    entry.async_on_unload(
        async_dispatcher_connect(hass, signal_record(entry.entry_id), _async_route)
    )
