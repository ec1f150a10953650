"""Tolerant reading of request bodies, the way the document's loose types require.

Numbers may arrive as JSON numbers or numeric strings, times as milliseconds or as
"YYYY-MM-DD HH:MM:SS" text (api-core.md §4.20). Anything unusable is a 100003 (参数不合法).
"""

from __future__ import annotations

from datetime import datetime, tzinfo
from typing import Any

from .errors import PARAM_INVALID, ApiError

TIME_FORMAT = "%Y-%m-%d %H:%M:%S"


def _invalid(key: str) -> ApiError:
    return ApiError(PARAM_INVALID, f"参数不合法: {key}")


def opt_int(body: dict[str, Any], key: str) -> int | None:
    """An optional integer: JSON number (whole) or numeric string; absent, null or "" is None."""
    value = body.get(key)
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise _invalid(key)
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        try:
            return int(value.strip())
        except ValueError:
            raise _invalid(key) from None
    raise _invalid(key)


def req_int(body: dict[str, Any], key: str) -> int:
    """A required integer (see :func:`opt_int`)."""
    value = opt_int(body, key)
    if value is None:
        raise _invalid(key)
    return value


def opt_str(body: dict[str, Any], key: str) -> str | None:
    """An optional string; absent or null is None."""
    value = body.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise _invalid(key)
    return value


def req_str(body: dict[str, Any], key: str) -> str:
    """A required, non-empty string."""
    value = opt_str(body, key)
    if not value:
        raise _invalid(key)
    return value


def req_bool(body: dict[str, Any], key: str) -> bool:
    """A required boolean: true/false, "true"/"false" or 1/0."""
    value = body.get(key)
    if isinstance(value, bool):
        return value
    if value in (0, 1) and isinstance(value, int):
        return bool(value)
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    raise _invalid(key)


def opt_str_list(body: dict[str, Any], key: str) -> list[str] | None:
    """An optional list of strings; absent, null or empty is None (no filter)."""
    value = body.get(key)
    if value is None or value == []:
        return None
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise _invalid(key)
    return value


def opt_time_ms(body: dict[str, Any], key: str, tz: tzinfo) -> int | None:
    """A time filter: ms as number or numeric string, or "YYYY-MM-DD HH:MM:SS" in ``tz``."""
    value = body.get(key)
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise _invalid(key)
    if isinstance(value, int | float):
        return int(value)
    if isinstance(value, str):
        text = value.strip()
        if text.isdigit():
            return int(text)
        try:
            moment = datetime.strptime(text, TIME_FORMAT).replace(tzinfo=tz)
        except ValueError:
            raise _invalid(key) from None
        return int(moment.timestamp() * 1000)
    raise _invalid(key)


def contains(haystack: str, needle: str | None) -> bool:
    """Fuzzy (substring, case-insensitive) match; no needle matches everything."""
    return not needle or needle.lower() in haystack.lower()
