"""Translations: strings.json and en.json are the same, and every language has the same keys."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
import json
from pathlib import Path
import re
from typing import Any

import pytest

COMPONENT = Path(__file__).parent.parent / "custom_components" / "hongtu"
STRINGS = COMPONENT / "strings.json"
TRANSLATIONS = sorted((COMPONENT / "translations").glob("*.json"))


def load(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def leaves(data: Mapping[str, Any], prefix: str = "") -> Iterator[tuple[str, Any]]:
    """(dotted key, value) of every string in a translation file."""
    for key, value in data.items():
        path = f"{prefix}.{key}" if prefix else key
        if isinstance(value, Mapping):
            yield from leaves(value, path)
        else:
            yield path, value


def test_languages_present() -> None:
    """English (what Home Assistant reads at run time) and Simplified Chinese ship."""
    assert {path.name for path in TRANSLATIONS} >= {"en.json", "zh-Hans.json"}


def test_strings_equals_en() -> None:
    """A custom integration reads translations/en.json; it must say what strings.json says."""
    assert load(STRINGS) == load(COMPONENT / "translations" / "en.json")


@pytest.mark.parametrize("path", TRANSLATIONS, ids=lambda path: path.name)
def test_same_keys_as_strings(path: Path) -> None:
    """No key exists in one language and not in the other."""
    expected = {key for key, _value in leaves(load(STRINGS))}
    actual = {key for key, _value in leaves(load(path))}
    assert sorted(expected - actual) == [], f"missing in {path.name}"
    assert sorted(actual - expected) == [], f"only in {path.name}"


@pytest.mark.parametrize("path", [STRINGS, *TRANSLATIONS], ids=lambda path: path.name)
def test_plain_text(path: Path) -> None:
    """Plain strings: no [%key:...%] references (custom integrations do not resolve them) and
    no placeholder inside single quotes (hassfest rejects those)."""
    for key, value in leaves(load(path)):
        assert isinstance(value, str), key
        assert value.strip(), key
        assert "[%key:" not in value, key
        assert not re.search(r"'\{[^}]*\}'", value), key


@pytest.mark.parametrize("path", TRANSLATIONS, ids=lambda path: path.name)
def test_same_placeholders(path: Path) -> None:
    """A translated message uses the placeholders the code fills in, no more and no fewer."""
    english = dict(leaves(load(STRINGS)))
    for key, value in leaves(load(path)):
        assert set(re.findall(r"\{(\w+)\}", value)) == set(
            re.findall(r"\{(\w+)\}", english[key])
        ), key


def test_icons() -> None:
    """icons.json uses mdi icons only, for translation keys the platforms really use; every
    entity name in the translations belongs to an entity too."""
    from custom_components.hongtu import (
        binary_sensor,
        event,
        image,
        lock,
        select,
        sensor,
        switch,
    )

    used = {
        "binary_sensor": {d.translation_key for d in binary_sensor.BINARY_SENSORS},
        "lock": {d.translation_key for d in lock.LOCKS},
        "select": {d.translation_key for d in select.SELECTS},
        "event": {d.translation_key for d in event.EVENTS},
        "image": {d.translation_key for d in image.IMAGES},
        "sensor": {d.translation_key for d in (*sensor.HUB_SENSORS, *sensor.RECORD_SENSORS)},
        "switch": {d.translation_key for d in switch.SWITCHES},
    }
    icons = load(COMPONENT / "icons.json")["entity"]
    for platform, keys in icons.items():
        assert set(keys) <= used[platform], platform
    for key, value in leaves(icons):
        assert value.startswith("mdi:"), key
    for platform, keys in load(STRINGS)["entity"].items():
        assert set(keys) <= used[platform], platform
