"""Diagnostics: the entry and the last poll, without secrets, addresses or personal data."""

from __future__ import annotations

from collections.abc import Mapping
import dataclasses
from typing import Any

from homeassistant.components.diagnostics import async_redact_data
from homeassistant.core import HomeAssistant

from .const import CONF_APP_KEY, CONF_LOCK_CODE, CONF_SECRET_KEY, CONF_WEBHOOK_ID
from .data import HongTuConfigEntry

# The webhook id is the only thing that authenticates a push, so it is a secret too.
TO_REDACT_ENTRY = {CONF_APP_KEY, CONF_SECRET_KEY, CONF_WEBHOOK_ID}
# The door PIN opens doors: a secret as well.
TO_REDACT_OPTIONS = {CONF_LOCK_CODE}

# Network addresses of managed devices, and people's names and pictures (field names as the
# models spell them and, for raw records, as the appliance does).
TO_REDACT_SNAPSHOT = {
    "ip_address",
    "ipAddress",
    "mac",
    "switch_ip",
    "switchIp",
    "person_name",
    "personName",
    "image_url",
    "imageUrl",
    "capture_url",
    "captureUrl",
    "crop_url",
    "full_url",
    "cropUri",
    "fullUri",
    "faceUrl",
    "personImageUrl",
}


def _jsonable(value: Any) -> Any:
    """Dataclasses, mappings and sequences as plain JSON values; tuple keys become ``a:b``."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {
            field.name: _jsonable(getattr(value, field.name)) for field in dataclasses.fields(value)
        }
    if isinstance(value, Mapping):
        return {_key(key): _jsonable(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(item) for item in value]
    return value


def _key(key: Any) -> str:
    if isinstance(key, tuple):
        return ":".join(str(part) for part in key)
    return str(key)


async def async_get_config_entry_diagnostics(
    hass: HomeAssistant, entry: HongTuConfigEntry
) -> dict[str, Any]:
    """The entry's settings, the push subscription and the coordinator's last snapshot."""
    coordinator = entry.runtime_data.coordinator
    subscription = entry.runtime_data.subscription
    return {
        "entry": {
            "title": entry.title,
            "unique_id": entry.unique_id,
            "data": async_redact_data(entry.data, TO_REDACT_ENTRY),
            "options": async_redact_data(dict(entry.options), TO_REDACT_OPTIONS),
        },
        "last_update_success": coordinator.last_update_success,
        "push": subscription.diagnostics() if subscription is not None else None,
        "snapshot": async_redact_data(_jsonable(coordinator.data), TO_REDACT_SNAPSHOT),
    }
