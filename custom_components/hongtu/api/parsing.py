"""Tolerant readers for the appliance's JSON: numbers that arrive as strings, and field aliases.

The vendor document types many numbers as ``string`` while its examples send JSON numbers, and it
spells the device uuid ``uuid``, ``deviceUuid`` or ``deviceUuId`` depending on the channel.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

DEVICE_UUID_KEYS = ("deviceUuid", "deviceUuId", "deviceUUID", "uuid")


def as_int(value: Any) -> int | None:
    """An int from an int, an integral float or a numeric string; None for anything else."""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() else None
    if isinstance(value, str):
        text = value.strip()
        if not text:
            return None
        try:
            return int(text)
        except ValueError:
            try:
                number = float(text)
            except ValueError:
                return None
            return int(number) if number.is_integer() else None
    return None


def as_float(value: Any) -> float | None:
    """A float from a number or a numeric string; None for anything else."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value.strip())
        except ValueError:
            return None
    return None


def as_str(value: Any) -> str | None:
    """A non-empty string (numbers are turned into text); None for missing or empty values."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, str):
        return value or None
    if isinstance(value, int | float):
        return str(value)
    return None


def as_bool(value: Any) -> bool | None:
    """A bool from a bool, 0/1 or "true"/"false"; None otherwise."""
    if isinstance(value, bool):
        return value
    number = as_int(value)
    if number is not None:
        return number != 0
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    return None


def device_uuid_of(item: Mapping[str, Any], keys: tuple[str, ...] = DEVICE_UUID_KEYS) -> str | None:
    """The device uuid under whichever spelling the payload uses."""
    for key in keys:
        found = as_str(item.get(key))
        if found:
            return found
    return None
