"""Fault matrix, connection faults: the appliance down at startup, down mid-run, and too slow."""

from __future__ import annotations

import asyncio
from datetime import timedelta
import itertools
import logging
from unittest.mock import patch

from homeassistant.components.lock.const import DOMAIN as LOCK_DOMAIN, LockState
from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import ATTR_ENTITY_ID, SERVICE_OPEN, STATE_UNAVAILABLE
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.setup import async_setup_component
import homeassistant.util.dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_fire_time_changed

from simulator import FRONT_DOOR_UUID, LOBBY_CAMERA_UUID, ORG_UUID, Simulator
from tests.ha_fixtures import door_commands, entity_id_of, state_of

from .conftest import (
    PACKAGE_LOGGER,
    assert_no_unhandled_exception,
    async_next_poll,
    async_wait_for_polls,
    entry_states,
    records_at_least,
)

FRONT_LOCK = f"{FRONT_DOOR_UUID}_lock"
POLLED_LISTS = ("/v1/api/device/list", "/v1/api/door/list", "/v1/api/device_alarm/list")
#: A request timeout short enough for a test, and an appliance slower than it.
SHORT_TIMEOUT = 0.3
SLOW_ANSWER = 1.0


async def async_setup_attempt_done(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    """Wait for a retried setup (a background task of Home Assistant) to finish."""
    retries = [
        task
        for task in hass._background_tasks
        if task.get_name() == f"config entry retry {entry.domain} {entry.title}"
    ]
    await asyncio.gather(*retries)
    await hass.async_block_till_done()
    assert entry.state is not ConfigEntryState.SETUP_IN_PROGRESS


def all_unavailable(hass: HomeAssistant, entry: MockConfigEntry) -> bool:
    return all(state == STATE_UNAVAILABLE for state, _ in entry_states(hass, entry).values())


async def test_appliance_down_at_startup(
    hass: HomeAssistant,
    simulator: Simulator,
    mock_config_entry: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Down at startup: the entry waits in SETUP_RETRY (retried while still down), and is
    loaded with every entity at the first retry after the appliance comes up."""
    await simulator.set_down(True)
    mock_config_entry.add_to_hass(hass)
    assert not await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    assert mock_config_entry.state is ConfigEntryState.SETUP_RETRY
    assert hass.states.async_entity_ids(LOCK_DOMAIN) == []

    # A retry while the appliance is still down: still waiting, no push subscription made.
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(minutes=1))
    await async_setup_attempt_done(hass, mock_config_entry)
    assert mock_config_entry.state is ConfigEntryState.SETUP_RETRY
    assert simulator.state.subscriptions == {}

    await simulator.set_down(False)
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(minutes=5))
    await async_setup_attempt_done(hass, mock_config_entry)
    assert mock_config_entry.state is ConfigEntryState.LOADED
    assert state_of(hass, "lock", FRONT_LOCK).state == LockState.LOCKED
    assert state_of(hass, "sensor", f"{ORG_UUID}_devices_online").state == "6"
    assert not all_unavailable(hass, mock_config_entry)
    assert_no_unhandled_exception(caplog)


async def test_appliance_down_mid_run(
    hass: HomeAssistant,
    simulator: Simulator,
    init_integration: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Down mid-run: every entity unavailable and one error line for the whole outage (three
    failed polls); back: every entity as before and one info line."""
    caplog.set_level(logging.INFO)
    before = entry_states(hass, init_integration)
    caplog.clear()

    await simulator.set_down(True)
    for _ in range(3):
        await async_next_poll(hass, init_integration)
        assert all_unavailable(hass, init_integration)
    outage = records_at_least(caplog, logging.WARNING)
    assert [(r.name, r.levelno, r.getMessage().split(":")[0]) for r in outage] == [
        (PACKAGE_LOGGER, logging.ERROR, "Error fetching hongtu data")
    ]
    assert init_integration.state is ConfigEntryState.LOADED

    caplog.clear()
    await simulator.set_down(False)
    await async_next_poll(hass, init_integration)
    await async_next_poll(hass, init_integration)
    assert entry_states(hass, init_integration) == before
    recovery = records_at_least(caplog, logging.INFO, PACKAGE_LOGGER)
    assert [(r.levelno, r.getMessage()) for r in recovery] == [
        (logging.INFO, "Fetching hongtu data recovered")
    ]
    assert records_at_least(caplog, logging.WARNING) == []
    assert_no_unhandled_exception(caplog)


@pytest.fixture
async def slow_entry(
    hass: HomeAssistant, simulator: Simulator, mock_config_entry: MockConfigEntry
) -> MockConfigEntry:
    """The entry set up with a short request timeout, then the appliance made slower than it."""
    assert await async_setup_component(hass, "homeassistant", {})
    mock_config_entry.add_to_hass(hass)
    with patch("custom_components.hongtu.REQUEST_TIMEOUT", SHORT_TIMEOUT):
        assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
        await hass.async_block_till_done()
    simulator.set_slow(SLOW_ANSWER)
    simulator.clear_requests()
    return mock_config_entry


async def test_appliance_slow_refreshes_time_out(
    hass: HomeAssistant,
    simulator: Simulator,
    slow_entry: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Slower than the timeout: a poll gives up after the timeout (entities unavailable), and
    refreshes asked for while one is in flight (the poll timer, update_entity, direct
    requests) never put two requests of a list on the appliance at once."""
    coordinator = slow_entry.runtime_data.coordinator
    loop = asyncio.get_running_loop()

    started = loop.time()
    await async_next_poll(hass, slow_entry)
    assert loop.time() - started < SLOW_ANSWER
    assert not coordinator.last_update_success
    assert state_of(hass, "lock", FRONT_LOCK).state == STATE_UNAVAILABLE

    # The timer's poll in flight, and more asked for meanwhile.
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=31))
    await asyncio.sleep(0.05)
    entity_ids = [
        entity_id_of(hass, "lock", FRONT_LOCK),
        entity_id_of(hass, "binary_sensor", f"{LOBBY_CAMERA_UUID}_connectivity"),
    ]
    await asyncio.gather(
        hass.services.async_call(
            "homeassistant", "update_entity", {ATTR_ENTITY_ID: entity_ids}, blocking=True
        ),
        *(coordinator.async_request_refresh() for _ in range(5)),
        coordinator.async_refresh(),
    )
    await async_wait_for_polls(hass, slow_entry)
    # The debouncer's trailing refresh, after its cooldown.
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=11))
    await async_wait_for_polls(hass, slow_entry)

    # Each poll stops at its first list (timed out); the next one started only after the
    # previous one had given up: never two at once, however many were asked for.
    polled = [request for request in simulator.requests if request.path in POLLED_LISTS]
    assert {request.path for request in polled} == {"/v1/api/device/list"}
    assert 2 <= len(polled) <= 5
    arrivals = [request.time for request in polled]
    assert all(b - a >= SHORT_TIMEOUT * 0.9 for a, b in itertools.pairwise(arrivals)), arrivals
    assert_no_unhandled_exception(caplog)


async def test_appliance_slow_within_timeout_polls_one_at_a_time(
    hass: HomeAssistant,
    simulator: Simulator,
    slow_entry: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Slow but within the timeout: polls asked for at the same moment (the timer, a refresh
    request, the refresh after a command) all succeed, one after the other."""
    coordinator = slow_entry.runtime_data.coordinator
    simulator.set_slow(SHORT_TIMEOUT / 3)
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=31))
    await asyncio.gather(coordinator.async_request_refresh(), coordinator.async_refresh())
    await async_wait_for_polls(hass, slow_entry)
    assert coordinator.last_update_success
    assert {path: simulator.peak_concurrency[path] for path in POLLED_LISTS} == dict.fromkeys(
        POLLED_LISTS, 1
    )
    polled = [request.path for request in simulator.requests if request.path in POLLED_LISTS]
    assert len(polled) == 3 * len(POLLED_LISTS)
    assert state_of(hass, "lock", FRONT_LOCK).state == LockState.LOCKED
    assert_no_unhandled_exception(caplog)


async def test_appliance_slow_commands_fail_translated(
    hass: HomeAssistant, simulator: Simulator, slow_entry: MockConfigEntry
) -> None:
    """A command to an appliance slower than the timeout is a translated error, and the lock
    does not show the open pulse."""
    with pytest.raises(HomeAssistantError) as err:
        await hass.services.async_call(
            LOCK_DOMAIN,
            SERVICE_OPEN,
            {ATTR_ENTITY_ID: entity_id_of(hass, "lock", FRONT_LOCK)},
            blocking=True,
        )
    assert err.value.translation_domain == "hongtu"
    assert err.value.translation_key == "command_failed"
    assert str(err.value) == (
        "The command to Front door failed: Timed out calling /v1/api/door/openDoor"
    )
    assert state_of(hass, "lock", FRONT_LOCK).state == LockState.LOCKED
    assert door_commands(simulator) == []
