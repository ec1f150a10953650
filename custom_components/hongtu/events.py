"""Fires the one bus event, ``hongtu_event``, with the data every type shares."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import device_registry as dr
from homeassistant.util import dt as dt_util

from .const import DOMAIN, EVENT_HONGTU

# Contact details are dropped before a record reaches the bus, since the recorder stores events.
PRIVATE_KEYS = frozenset({"personPhone", "personIdentifyNum", "personEmail", "birthdayString"})


def iso_time(time_ms: int | None) -> str | None:
    """ISO 8601 with the time zone, to the millisecond, from a record's own Unix milliseconds."""
    if time_ms is None:
        return None
    moment = datetime.fromtimestamp(time_ms / 1000, tz=dt_util.get_default_time_zone())
    return moment.isoformat(timespec="milliseconds")


def without_contact_details(data: Any) -> Any:
    """A copy of a decoded record without contact details, at any depth."""
    if isinstance(data, Mapping):
        return {
            key: without_contact_details(value)
            for key, value in data.items()
            if key not in PRIVATE_KEYS
        }
    if isinstance(data, list):
        return [without_contact_details(item) for item in data]
    return data


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
