"""Event entities: door access per door point, face recognitions and area alerts per camera.

They fire from the same parsed records as the ``hongtu_event`` bus event. A device gets its
event entity from the lists (door points; cameras in a face or alert mode) or, failing that,
with the first record that needs it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from homeassistant.components.event import EventEntity, EventEntityDescription
from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .api.record_models import (
    ALERT_TYPE_SLUGS,
    PERSON_TYPE_SLUGS,
    UNKNOWN,
    AlertRecord,
    HongTuRecord,
    PassRecord,
    RecognitionRecord,
)
from .coordinator import HongTuCoordinator
from .data import HongTuConfigEntry, HongTuSnapshot
from .entity import is_door_point
from .record_entity import (
    HongTuRecordEntity,
    async_add_record_entities,
    is_camera,
    record_attributes,
)

PARALLEL_UPDATES = 0

ACCESS_GRANTED = "access_granted"
ACCESS_DENIED = "access_denied"

#: Device modes (deviceMode) that recognise faces: face recognition, face capture, mixed, full.
RECOGNITION_MODES = frozenset({1, 4, 5, 12})
#: Device modes that raise area alerts: area alert, full.
ALERT_MODES = frozenset({3, 12})

RECOGNITION_EVENT_TYPES = [*PERSON_TYPE_SLUGS.values(), UNKNOWN]
ALERT_EVENT_TYPES = [*ALERT_TYPE_SLUGS.values(), UNKNOWN]


@dataclass(frozen=True, kw_only=True)
class HongTuEventEntityDescription(EventEntityDescription):
    """An event entity of a device: which devices have it, which records feed it, and the
    event type of each record (one of ``event_types``)."""

    exists_fn: Callable[[HongTuSnapshot, str], bool]
    record_fn: Callable[[HongTuRecord], bool]
    event_type_fn: Callable[[HongTuRecord], str]


def _device_mode_in(
    modes: frozenset[int], *, cameras_only: bool
) -> Callable[[HongTuSnapshot, str], bool]:
    def exists(snapshot: HongTuSnapshot, uuid: str) -> bool:
        device = snapshot.devices.get(uuid)
        if device is None or device.device_mode not in modes:
            return False
        return not cameras_only or is_camera(snapshot, uuid)

    return exists


def _access_type(record: HongTuRecord) -> str:
    """passType 1 is a pass; anything else (refused, unknown) is a denial."""
    return ACCESS_GRANTED if isinstance(record, PassRecord) and record.passed else ACCESS_DENIED


def _recognition_type(record: HongTuRecord) -> str:
    slug = record.person_type_name if isinstance(record, RecognitionRecord) else UNKNOWN
    return slug if slug in RECOGNITION_EVENT_TYPES else UNKNOWN


def _alert_type(record: HongTuRecord) -> str:
    slug = record.alarm_type_name if isinstance(record, AlertRecord) else UNKNOWN
    return slug if slug in ALERT_EVENT_TYPES else UNKNOWN


EVENTS: tuple[HongTuEventEntityDescription, ...] = (
    HongTuEventEntityDescription(
        key="access",
        translation_key="access",
        event_types=[ACCESS_GRANTED, ACCESS_DENIED],
        exists_fn=is_door_point,
        record_fn=lambda record: isinstance(record, PassRecord),
        event_type_fn=_access_type,
    ),
    HongTuEventEntityDescription(
        key="recognition",
        translation_key="recognition",
        event_types=RECOGNITION_EVENT_TYPES,
        exists_fn=_device_mode_in(RECOGNITION_MODES, cameras_only=True),
        record_fn=lambda record: isinstance(record, RecognitionRecord),
        event_type_fn=_recognition_type,
    ),
    HongTuEventEntityDescription(
        key="alert",
        translation_key="alert",
        event_types=ALERT_EVENT_TYPES,
        exists_fn=_device_mode_in(ALERT_MODES, cameras_only=False),
        record_fn=lambda record: isinstance(record, AlertRecord),
        event_type_fn=_alert_type,
    ),
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: HongTuConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the event entities of every device, now and as devices and records appear."""
    async_add_record_entities(
        hass, entry, async_add_entities, Platform.EVENT, EVENTS, HongTuEventEntity
    )


class HongTuEventEntity(HongTuRecordEntity, EventEntity):
    """Fires once per record of its device; attributes describe that record."""

    entity_description: HongTuEventEntityDescription

    def __init__(
        self,
        coordinator: HongTuCoordinator,
        device_uuid: str,
        description: HongTuEventEntityDescription,
    ) -> None:
        super().__init__(coordinator, device_uuid, description.key)
        self.entity_description = description

    def handle_record(self, record: HongTuRecord, caught_up: bool) -> bool:
        """Every record is an event, also one caught up after an outage (its ``time`` says
        when it happened, ``caught_up`` that it came late)."""
        self._trigger_event(
            self.entity_description.event_type_fn(record),
            record_attributes(record, self.client, caught_up),
        )
        return True
