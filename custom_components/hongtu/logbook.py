"""Logbook lines for ``hongtu_event``: one readable sentence per record, in the user's language.

The logbook shows an entry's name and then its message, so the name is the sentence's subject
(the person for passes, named recognitions and attendance; else the device) and the message is
the rest: "Alice" + "was granted access at Front door". Each entry also gets an icon per type.

The sentences are templates from the translation files (``exceptions.logbook_*``, the one
category of plain messages a custom integration can ship), loaded when the logbook learns to
describe our events and again when the language changes. The logbook may describe events in a
worker thread, so describing only reads the loaded tables.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, Final, NamedTuple

from homeassistant.components.logbook.const import (
    LOGBOOK_ENTRY_ICON,
    LOGBOOK_ENTRY_MESSAGE,
    LOGBOOK_ENTRY_NAME,
)
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


class LogbookLine(NamedTuple):
    """One described record: the logbook shows ``name`` then ``message`` as one sentence.

    ``subject`` is the person the sentence is about, or None when the device is the subject
    (the caller names it: it may need the config entry when the record has no device name).
    """

    subject: str | None
    message: str
    icon: str


def describe_line(templates: LogbookTemplates, data: Mapping[str, Any]) -> LogbookLine:
    """The sentence for one ``hongtu_event``, split into its subject and the rest."""
    t = templates
    kind = data.get("type")
    device = _text(data.get("device_name")) or t.text("unknown_device")
    person = _text(data.get("person_name"))
    if kind == "pass":
        subject = person or t.text("someone")
        passed = data.get("passed")
        if passed is None:
            return LogbookLine(subject, t.text("pass", device=device), "mdi:door")
        if passed:
            return LogbookLine(subject, t.text("pass_granted", device=device), "mdi:door-open")
        return LogbookLine(subject, t.text("pass_denied", device=device), "mdi:door-closed-lock")
    if kind == "recognition":
        person_type = t.word("person_type", data.get("person_type"))
        if person is None:
            message = t.text("recognition_unnamed", person_type=person_type)
            return LogbookLine(None, message, "mdi:face-recognition")
        message = t.text("recognition", person_type=person_type, device=device)
        return LogbookLine(person, message, "mdi:face-recognition")
    if kind == "attendance":
        status = t.word("attendance_status", data.get("status"))
        message = t.text("attendance", status=status)
        return LogbookLine(person or t.text("someone"), message, "mdi:clock-check")
    return LogbookLine(None, *_device_message(t, kind, data))


def _device_message(t: LogbookTemplates, kind: Any, data: Mapping[str, Any]) -> tuple[str, str]:
    """(message, icon) of a record whose subject is the device."""
    if kind == "alert":
        alarm = t.word("alert_type", data.get("alarm_type_name"))
        return t.text("alert", alarm=alarm), "mdi:alarm-light"
    if kind in ("vehicle", "structured") and (plate := _text(data.get("plate_number"))):
        return t.text("vehicle", plate=plate), "mdi:car"
    if kind == "vehicle":
        return t.text("vehicle_no_plate"), "mdi:car"
    if kind == "structured":
        category = t.word("structured_category", data.get("category"))
        return t.text("structured", category=category), "mdi:cctv"
    if kind == "device_alarm":
        alarm = t.word("device_alarm", data.get("alarm_type_name"))
        if data.get("active") is False:
            return t.text("device_alarm_cleared", alarm=alarm), "mdi:alert-outline"
        return t.text("device_alarm", alarm=alarm), "mdi:alert"
    if kind == "event_record":
        event = _text(data.get("event_type_name")) or t.text("unknown")
        return t.text("event_record", event=event), "mdi:calendar-alert"
    return t.text("other", type=_text(kind) or t.text("unknown")), "mdi:information-outline"


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
        line = describe_line(templates, data)
        name = line.subject or _text(data.get("device_name"))
        if name is None and (entry_id := data.get("entry_id")):
            entry = hass.config_entries.async_get_entry(str(entry_id))
            name = entry.title if entry is not None else None
        return {
            LOGBOOK_ENTRY_NAME: name or "HongTu",
            LOGBOOK_ENTRY_MESSAGE: line.message,
            LOGBOOK_ENTRY_ICON: line.icon,
        }

    async_describe_event(DOMAIN, EVENT_HONGTU, async_describe_hongtu_event)
