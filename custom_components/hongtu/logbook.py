"""Logbook lines for ``hongtu_event``: one readable sentence per record, in the user's language.

The sentences are templates from the translation files (``exceptions.logbook_*``, the one
category of plain messages a custom integration can ship), loaded when the logbook learns to
describe our events and again when the language changes. The logbook may describe events in a
worker thread, so describing only reads the loaded tables.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, Final

from homeassistant.components.logbook.const import LOGBOOK_ENTRY_MESSAGE, LOGBOOK_ENTRY_NAME
from homeassistant.const import EVENT_CORE_CONFIG_UPDATE
from homeassistant.core import Event, HomeAssistant, callback
from homeassistant.helpers.translation import async_get_translations

from .const import DOMAIN, EVENT_HONGTU

if TYPE_CHECKING:
    from homeassistant.components.logbook.models import LazyEventPartialState

TRANSLATION_CATEGORY: Final = "exceptions"
KEY_PREFIX: Final = "logbook_"
FALLBACK_LANGUAGE: Final = "en"
_PREFIX: Final = f"component.{DOMAIN}.{TRANSLATION_CATEGORY}.{KEY_PREFIX}"
_SUFFIX: Final = ".message"

type DescribeEventCallback = Callable[
    [str, str, Callable[[LazyEventPartialState], dict[str, Any]]], None
]


class LogbookTemplates:
    """The ``logbook_*`` messages per language, with English behind every other language."""

    def __init__(self, hass: HomeAssistant) -> None:
        self._hass = hass
        self._tables: dict[str, dict[str, str]] = {}

    async def async_load(self, language: str) -> None:
        """Load ``language`` and English (the fallback) unless already loaded."""
        for lang in dict.fromkeys((language, FALLBACK_LANGUAGE)):
            if lang in self._tables:
                continue
            translations = await async_get_translations(
                self._hass, lang, TRANSLATION_CATEGORY, [DOMAIN]
            )
            self._tables[lang] = {
                key.removeprefix(_PREFIX).removesuffix(_SUFFIX): text
                for key, text in translations.items()
                if key.startswith(_PREFIX) and key.endswith(_SUFFIX)
            }

    def text(self, key: str, **placeholders: str) -> str:
        """The message ``logbook_<key>`` in Home Assistant's language, else in English."""
        for lang in (self._hass.config.language, FALLBACK_LANGUAGE):
            template = self._tables.get(lang, {}).get(key)
            if template is None:
                continue
            try:
                return template.format(**placeholders)
            except (KeyError, IndexError, ValueError):
                continue
        # Not loaded (or broken): still say something useful.
        return " ".join([key, *placeholders.values()])

    def word(self, group: str, slug: Any) -> str:
        """A vocabulary word (``<group>_<slug>``), ``<group>_unknown`` for a slug not listed."""
        for key in (f"{group}_{slug}", f"{group}_unknown"):
            for lang in (self._hass.config.language, FALLBACK_LANGUAGE):
                if (found := self._tables.get(lang, {}).get(key)) is not None:
                    return found
        return str(slug)


def describe_message(templates: LogbookTemplates, data: Mapping[str, Any]) -> str:
    """The sentence for one ``hongtu_event``."""
    t = templates
    kind = data.get("type")
    device = _text(data.get("device_name")) or t.text("unknown_device")
    person = _text(data.get("person_name"))
    if kind == "pass":
        passed = data.get("passed")
        key = "pass" if passed is None else "pass_granted" if passed else "pass_denied"
        return t.text(key, person=person or t.text("someone"), device=device)
    if kind == "recognition":
        person_type = t.word("person_type", data.get("person_type"))
        if person is None:
            return t.text("recognition_unnamed", person_type=person_type, device=device)
        return t.text("recognition", person=person, person_type=person_type, device=device)
    if kind == "alert":
        return t.text(
            "alert", alarm=t.word("alert_type", data.get("alarm_type_name")), device=device
        )
    if kind in ("vehicle", "structured") and (plate := _text(data.get("plate_number"))):
        return t.text("vehicle", plate=plate, device=device)
    if kind == "vehicle":
        return t.text("vehicle_no_plate", device=device)
    if kind == "structured":
        category = t.word("structured_category", data.get("category"))
        return t.text("structured", category=category, device=device)
    if kind == "device_alarm":
        key = "device_alarm_cleared" if data.get("active") is False else "device_alarm"
        return t.text(key, alarm=t.word("device_alarm", data.get("alarm_type_name")), device=device)
    if kind == "event_record":
        event = _text(data.get("event_type_name")) or t.text("unknown")
        return t.text("event_record", event=event, device=device)
    if kind == "attendance":
        status = t.word("attendance_status", data.get("status"))
        return t.text("attendance", person=person or t.text("someone"), status=status)
    return t.text("other", type=_text(kind) or t.text("unknown"), device=device)


def _text(value: Any) -> str | None:
    """A non-empty string, or None."""
    if value is None:
        return None
    text = str(value).strip()
    return text or None


@callback
def async_describe_events(hass: HomeAssistant, async_describe_event: DescribeEventCallback) -> None:
    """Teach the logbook to describe ``hongtu_event``."""
    templates = LogbookTemplates(hass)
    hass.async_create_task(
        templates.async_load(hass.config.language), f"{DOMAIN} logbook translations"
    )

    @callback
    def _async_language_changed(_event: Event) -> None:
        hass.async_create_task(
            templates.async_load(hass.config.language), f"{DOMAIN} logbook translations"
        )

    hass.bus.async_listen(EVENT_CORE_CONFIG_UPDATE, _async_language_changed)

    @callback
    def async_describe_hongtu_event(event: LazyEventPartialState) -> dict[str, Any]:
        data: Mapping[str, Any] = event.data
        name = _text(data.get("device_name"))
        if name is None and (entry_id := data.get("entry_id")):
            entry = hass.config_entries.async_get_entry(str(entry_id))
            name = entry.title if entry is not None else None
        return {
            LOGBOOK_ENTRY_NAME: name or "HongTu",
            LOGBOOK_ENTRY_MESSAGE: describe_message(templates, data),
        }

    async_describe_event(DOMAIN, EVENT_HONGTU, async_describe_hongtu_event)
