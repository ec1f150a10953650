"""Fires the one bus event, ``hongtu_event``, with the data every type shares."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime, tzinfo
from functools import lru_cache
from typing import Any

from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import device_registry as dr
from homeassistant.util import dt as dt_util

from .api.record_models import (
    CONTACT_KEYS,
    AlertRecord,
    AttendanceRecord,
    EventRecord,
    HongTuRecord,
    PassRecord,
    PersonRecord,
    StructuredRecord,
    VehicleRecord,
    strip_contact_details,
)
from .const import DOMAIN, EVENT_HONGTU


def signal_record(entry_id: str) -> str:
    """The dispatcher signal that carries each new parsed record of an entry to its entities.

    Sent as ``async_dispatcher_send(hass, signal_record(entry_id), record, caught_up)``.
    """
    return f"{DOMAIN}_{entry_id}_record"


# Contact details are dropped before a record reaches the bus, since the recorder stores events.
PRIVATE_KEYS = CONTACT_KEYS

#: Image URL fields of a person record, under the same names in the event.
RECORD_IMAGE_KEYS = ("capture_image_url", "library_image_url", "panorama_image_url")
#: busiType 12 categories that are vehicles (motor and non-motor): these carry a plate number.
STRUCTURED_VEHICLE_CATEGORIES = frozenset({3, 4})


def iso_time(time_ms: int | None) -> str | None:
    """ISO 8601 with the time zone, to the millisecond, from a record's own Unix milliseconds."""
    if time_ms is None:
        return None
    return _iso_time(time_ms, dt_util.get_default_time_zone())


@lru_cache(maxsize=64)
def _iso_time(time_ms: int, zone: tzinfo) -> str:
    """Remembered: a record's time is shown by its event and by two or three of its entities."""
    moment = datetime.fromtimestamp(time_ms / 1000, tz=zone)
    return moment.isoformat(timespec="milliseconds")


def without_contact_details(data: Any) -> Any:
    """A copy of a decoded record without contact details, at any depth.

    Iterative (``strip_contact_details``): a pushed body may nest deeper than the stack allows.
    """
    if isinstance(data, Mapping) and not isinstance(data, dict):
        data = dict(data)
    return strip_contact_details(data)


@callback
def async_device_id(hass: HomeAssistant, device_uuid: str | None) -> str | None:
    """The Home Assistant device id of an appliance device uuid, or None when unknown."""
    if not device_uuid:
        return None
    device = dr.async_get(hass).async_get_device(identifiers={(DOMAIN, device_uuid)})
    return device.id if device else None


@callback
def async_fire_hongtu_event(
    hass: HomeAssistant,
    *,
    entry_id: str,
    event_type: str,
    device_uuid: str | None,
    device_name: str | None,
    record_id: str,
    time_ms: int | None,
    data: Mapping[str, Any],
    extra: Mapping[str, Any] | None = None,
) -> None:
    """Fire ``hongtu_event``; ``extra`` adds the flat keys of the event's type."""
    payload: dict[str, Any] = {
        "type": event_type,
        "entry_id": entry_id,
        "device_uuid": device_uuid,
        "device_id": async_device_id(hass, device_uuid),
        "device_name": device_name,
        "record_id": record_id,
        "time": iso_time(time_ms),
        "data": without_contact_details(data),
    }
    if extra:
        payload.update(extra)
    hass.bus.async_fire(EVENT_HONGTU, payload)


def record_event_keys(record: HongTuRecord, image_url: Callable[[str], str]) -> dict[str, Any]:
    """The flat keys a record's type adds to ``hongtu_event`` (what automations filter on).

    ``image_url`` makes the appliance's image URLs absolute (they may be ``/pub/...`` paths).
    """
    keys: dict[str, Any] = {}
    if isinstance(record, PersonRecord):
        keys["person_name"] = record.person_name
        keys["person_uuid"] = record.person_uuid
        keys["person_type"] = record.person_type_name
        keys["person_type_code"] = record.person_type
        keys["score"] = record.score
        for name in RECORD_IMAGE_KEYS:
            url: str | None = getattr(record, name)
            keys[name] = image_url(url) if url else None
    if isinstance(record, PassRecord):
        keys["passed"] = record.passed
        keys["recognition_type"] = record.recognition_type
    elif isinstance(record, AlertRecord):
        keys["alarm_type"] = record.alarm_type
        keys["alarm_type_name"] = record.alarm_type_name
    elif isinstance(record, VehicleRecord):
        keys["plate_number"] = record.plate_number
    elif isinstance(record, StructuredRecord):
        keys["category"] = record.category_name
        if record.category in STRUCTURED_VEHICLE_CATEGORIES:
            keys["plate_number"] = record.plate_number
    elif isinstance(record, AttendanceRecord):
        keys["person_name"] = record.person_name
        keys["person_uuid"] = record.person_uuid
        keys["status"] = record.status_name
        keys["status_code"] = record.status
    elif isinstance(record, EventRecord):
        keys["event_type_id"] = record.event_type_id
        keys["event_type_name"] = record.event_type_name
        keys["event_level"] = record.event_level
    return keys
