"""Helpers of the reliability suite: moving time on, reading the entry's states and the logs."""

from __future__ import annotations

import asyncio
from datetime import timedelta
import logging
from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
import homeassistant.util.dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_fire_time_changed

#: Loggers whose tracebacks have nothing to do with the integration: Home Assistant's camera
#: component logs one when the test machine lacks libturbojpeg.
UNRELATED_LOGGERS = frozenset({"homeassistant.components.camera.img_util"})

#: Attributes that change whenever an entity object is made again (a reload).
VOLATILE = frozenset({"access_token", "entity_picture"})

#: The logger every module of the integration logs to (``__package__``) or under.
PACKAGE_LOGGER = "custom_components.hongtu"


async def async_next_poll(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    """Let the scan interval (30 s) pass: the coordinator's own timer polls, as in production,
    in a background task of the entry, which this waits for."""
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=31))
    await async_wait_for_polls(hass, entry)


async def async_wait_for_polls(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    """Wait until the polls the timer started (background tasks) are done."""
    polls = [task for task in entry._background_tasks if task.get_name().endswith(" - refresh")]
    await asyncio.gather(*polls)
    await hass.async_block_till_done()


def entry_states(
    hass: HomeAssistant, entry: MockConfigEntry
) -> dict[str, tuple[str, dict[str, Any]]]:
    """State and attributes of every entity of the entry, by entity id (less the access
    tokens of cameras and images, which are new for every entity object)."""
    states: dict[str, tuple[str, dict[str, Any]]] = {}
    for item in er.async_entries_for_config_entry(er.async_get(hass), entry.entry_id):
        state = hass.states.get(item.entity_id)
        assert state is not None, item.entity_id
        attributes = {key: value for key, value in state.attributes.items() if key not in VOLATILE}
        states[item.entity_id] = (state.state, attributes)
    return states


def records_at_least(
    caplog: pytest.LogCaptureFixture, level: int, logger: str | None = None
) -> list[logging.LogRecord]:
    """Captured records at ``level`` or above, optionally only those of one logger tree."""
    return [
        record
        for record in caplog.records
        if record.levelno >= level
        and (logger is None or record.name == logger or record.name.startswith(f"{logger}."))
    ]


def assert_no_unhandled_exception(caplog: pytest.LogCaptureFixture) -> None:
    """Nothing was logged with a traceback (at warning or above, or by the integration at any
    level), and nothing as an unexpected error: Home Assistant logs what escapes a coordinator,
    a webhook handler or a task that way. (asyncio notes reset connections at debug.)"""
    relevant = [
        record
        for record in caplog.records
        if record.name not in UNRELATED_LOGGERS
        and (record.levelno >= logging.WARNING or record.name.startswith(PACKAGE_LOGGER))
    ]
    assert not [record for record in relevant if record.exc_info], caplog.text
    texts = [record.getMessage() for record in relevant]
    assert not [text for text in texts if "Traceback" in text or "Unexpected error" in text]
    assert not [text for text in texts if "Error doing job" in text or "never retrieved" in text]
