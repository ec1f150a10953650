"""The one JSON decoder: orjson's speed, the standard library's acceptance."""

from __future__ import annotations

import json
import math
from typing import Any

import pytest

from custom_components.hongtu.api import jsondecode
from custom_components.hongtu.api.jsondecode import loads


@pytest.mark.parametrize(
    "text",
    [
        b'{"a": 1, "b": [true, null, 1.5, "\\u4e2d"], "c": {"d": "e"}}',
        '{"deviceName": "前门", "passTimestamp": 1628849487177}',
        b'{"a": 1, "a": 2}',
        b"[]",
        b'"text"',
        b"  7 ",
    ],
)
def test_same_value_as_the_standard_library(text: bytes | str) -> None:
    assert loads(text) == json.loads(text)


@pytest.mark.parametrize(
    ("text", "check"),
    [
        (b'{"score": NaN}', lambda value: math.isnan(value["score"])),
        (b'{"t": Infinity}', lambda value: value["t"] == math.inf),
        ('\ufeff{"a": 1}'.encode(), lambda value: value == {"a": 1}),
        ('{"a": 1}'.encode("utf-16"), lambda value: value == {"a": 1}),
        ('{"a": "\ud800"}', lambda value: value == {"a": "\ud800"}),
    ],
    ids=["nan", "infinity", "byte-order-mark", "utf-16", "lone-surrogate"],
)
def test_what_orjson_refuses_is_read_by_the_standard_library(text: bytes | str, check: Any) -> None:
    """Pushes that the standard library reads are never refused because orjson would not."""
    assert check(loads(text))


@pytest.mark.parametrize("text", [b"{not json", b"", b'{"a": 1} trailing', b"\xff\xfe\xfd"])
def test_invalid_json_raises_value_error(text: bytes) -> None:
    with pytest.raises(ValueError):
        loads(text)


def test_deep_nesting_raises_and_does_not_crash() -> None:
    with pytest.raises((ValueError, RecursionError)):
        loads(b"[" * 100_000 + b"]" * 100_000)


def test_without_orjson(monkeypatch: pytest.MonkeyPatch) -> None:
    """The library stands alone: without orjson it is the standard library."""
    monkeypatch.setattr(jsondecode, "_fast_loads", None)
    assert loads(b'{"a": [1, 2]}') == {"a": [1, 2]}
    with pytest.raises(ValueError):
        loads(b"{")
