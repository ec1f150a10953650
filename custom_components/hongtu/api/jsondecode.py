"""One JSON decoder for everything the appliance sends: pushes, callbacks and API answers.

orjson (which Home Assistant ships) reads a record several times faster than the standard
library, and pushes arrive by the thousand. What orjson refuses but the standard library reads
(NaN and Infinity, a byte-order mark, UTF-16 or UTF-32 bytes, lone surrogates) is read by the
standard library, so the accepted input is the standard library's. One difference remains:
orjson reads an integer wider than 64 bits as a float; the appliance sends none (its ids are
strings or 32-bit numbers).
"""

from __future__ import annotations

from collections.abc import Callable
import json
from typing import Any

__all__ = ["loads"]

_fast_loads: Callable[[bytes | str], Any] | None
try:
    import orjson
except ImportError:  # pragma: no cover - Home Assistant always has orjson
    _fast_loads = None
else:
    _fast_loads = orjson.loads


def loads(text: bytes | str) -> Any:
    """The value of a JSON text; raises ValueError (or RecursionError) as ``json.loads`` does."""
    if _fast_loads is not None:
        try:
            return _fast_loads(text)
        except ValueError:
            pass
    return json.loads(text)
