"""Fault matrix, bad answers: HTTP 500, non-JSON bodies, unexpected error codes, a page that
repeats, list items without optional fields or with strings for numbers.

Each either fails the poll cleanly (UpdateFailed: every entity unavailable until the appliance
answers properly again) or is read correctly (every entity as on a healthy appliance); none
ends in an unhandled exception.
"""

from __future__ import annotations

from collections.abc import Callable
import logging
from typing import Any

from homeassistant.const import STATE_UNAVAILABLE
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers.update_coordinator import UpdateFailed
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from simulator import FRONT_DOOR_UUID, Simulator

from .conftest import (
    PACKAGE_LOGGER,
    assert_no_unhandled_exception,
    async_next_poll,
    entry_states,
    records_at_least,
)

DEVICE_LIST = "/v1/api/device/list"
DOOR_LIST = "/v1/api/door/list"
ALARM_LIST = "/v1/api/device_alarm/list"
DEVICE_QUERY = "/v1/api/device/query"
SUBSCRIPTION_QUERY = "/v1/api/pubsub/busi/record/query"
TAMPER = 500100

type States = dict[str, tuple[str, dict[str, Any]]]


@pytest.fixture
async def healthy(
    hass: HomeAssistant, simulator: Simulator, mock_config_entry: MockConfigEntry
) -> tuple[MockConfigEntry, States]:
    """The entry set up against a healthy appliance with one active alarm, and its states."""
    simulator.add_alarm(FRONT_DOOR_UUID, TAMPER, alarm_time=1_700_000_000_000)
    mock_config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    states = entry_states(hass, mock_config_entry)
    assert states["binary_sensor.front_door_tamper"][0] == "on"
    return mock_config_entry, states


def managed_devices(hass: HomeAssistant, entry: MockConfigEntry) -> int:
    return len(dr.async_entries_for_config_entry(dr.async_get(hass), entry.entry_id))


FAILING: dict[str, tuple[Callable[[Simulator], None], str]] = {
    "http_500_device_list": (lambda sim: sim.set_http_500(DEVICE_LIST), "cannot_connect"),
    "http_500_door_list": (lambda sim: sim.set_http_500(DOOR_LIST), "cannot_connect"),
    "http_500_alarm_list": (lambda sim: sim.set_http_500(ALARM_LIST), "cannot_connect"),
    "http_500_everywhere": (lambda sim: sim.set_http_500(), "cannot_connect"),
    "non_json_device_list": (lambda sim: sim.set_garbage(DEVICE_LIST), "cannot_connect"),
    "non_json_door_list": (lambda sim: sim.set_garbage(DOOR_LIST), "cannot_connect"),
    "non_json_alarm_list": (lambda sim: sim.set_garbage(ALARM_LIST), "cannot_connect"),
    "unexpected_code_device_list": (
        lambda sim: sim.set_error_code(DEVICE_LIST, 987654, "未知错误"),
        "api_error",
    ),
    "unexpected_code_door_list": (
        lambda sim: sim.set_error_code(DOOR_LIST, 100001, "系统异常"),
        "api_error",
    ),
    "unexpected_code_alarm_list": (
        lambda sim: sim.set_error_code(ALARM_LIST, -1, ""),
        "api_error",
    ),
}


@pytest.mark.parametrize("fault", list(FAILING))
async def test_bad_answer_fails_the_poll_cleanly(
    hass: HomeAssistant,
    simulator: Simulator,
    healthy: tuple[MockConfigEntry, States],
    caplog: pytest.LogCaptureFixture,
    fault: str,
) -> None:
    """The poll fails with a translated UpdateFailed: every entity unavailable, one error
    line, the devices kept; once the appliance answers properly, everything is as before."""
    entry, before = healthy
    devices = managed_devices(hass, entry)
    apply, translation_key = FAILING[fault]
    apply(simulator)
    await async_next_poll(hass, entry)
    await async_next_poll(hass, entry)

    coordinator = entry.runtime_data.coordinator
    assert isinstance(coordinator.last_exception, UpdateFailed)
    assert coordinator.last_exception.translation_key == translation_key
    assert all(state == STATE_UNAVAILABLE for state, _ in entry_states(hass, entry).values())
    assert len(records_at_least(caplog, logging.ERROR, PACKAGE_LOGGER)) == 1
    assert managed_devices(hass, entry) == devices

    simulator.clear_faults()
    await async_next_poll(hass, entry)
    assert entry_states(hass, entry) == before
    assert_no_unhandled_exception(caplog)


async def test_repeated_page(
    hass: HomeAssistant,
    simulator: Simulator,
    healthy: tuple[MockConfigEntry, States],
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A server that caps pages at two items and then serves page 1 for every page: the
    lists cannot be read whole, so the poll fails; no device is taken for removed."""
    entry, before = healthy
    devices = managed_devices(hass, entry)
    simulator.set_page_size_cap(2)
    simulator.set_repeat_pages(True)
    await async_next_poll(hass, entry)

    coordinator = entry.runtime_data.coordinator
    assert isinstance(coordinator.last_exception, UpdateFailed)
    assert managed_devices(hass, entry) == devices
    assert all(state == STATE_UNAVAILABLE for state, _ in entry_states(hass, entry).values())

    simulator.set_repeat_pages(False)
    await async_next_poll(hass, entry)
    assert entry_states(hass, entry) == before
    assert_no_unhandled_exception(caplog)


async def test_page_size_capped(
    hass: HomeAssistant, simulator: Simulator, healthy: tuple[MockConfigEntry, States]
) -> None:
    """A server that caps pages at one item (and says so) is paged through: all as before."""
    entry, before = healthy
    simulator.set_page_size_cap(1)
    await async_next_poll(hass, entry)
    assert entry.runtime_data.coordinator.last_update_success
    assert entry_states(hass, entry) == before


@pytest.mark.parametrize(
    ("sparse", "string_numbers"),
    [(True, False), (False, True), (True, True)],
    ids=["optional_fields_missing", "strings_for_numbers", "both"],
)
async def test_list_items_degrade_cleanly(
    hass: HomeAssistant,
    simulator: Simulator,
    healthy: tuple[MockConfigEntry, States],
    caplog: pytest.LogCaptureFixture,
    sparse: bool,
    string_numbers: bool,
) -> None:
    """Items without the optional fields (cmdStatus too: the panels are asked directly) or
    with every number as a string (page fields too) are read as the healthy lists are."""
    entry, before = healthy
    simulator.set_list_item_faults(sparse=sparse, string_numbers=string_numbers)
    simulator.clear_requests()
    await async_next_poll(hass, entry)
    assert entry.runtime_data.coordinator.last_update_success
    assert entry_states(hass, entry) == before
    queried = [r.path for r in simulator.requests if r.path == DEVICE_QUERY]
    assert len(queried) == (2 if sparse else 0)  # the two panels, for their door mode
    assert records_at_least(caplog, logging.WARNING, PACKAGE_LOGGER) == []
    assert_no_unhandled_exception(caplog)


async def test_door_mode_query_fails(
    hass: HomeAssistant,
    simulator: Simulator,
    healthy: tuple[MockConfigEntry, States],
    caplog: pytest.LogCaptureFixture,
) -> None:
    """door/list without cmdStatus and device/query answering an error: the panels' door
    modes are unknown, everything else as before; back to normal when the query works."""
    entry, before = healthy
    simulator.set_door_list_cmd_status(False)
    simulator.set_error_code(DEVICE_QUERY, 100001, "系统异常")
    await async_next_poll(hass, entry)
    after = entry_states(hass, entry)
    changed = {entity_id for entity_id in before if after[entity_id] != before[entity_id]}
    assert changed == {
        "lock.front_door",
        "lock.back_door",
        "select.front_door_door_mode",
        "select.back_door_door_mode",
        "switch.front_door_always_open",
        "switch.back_door_always_open",
    }
    assert {after[entity_id][0] for entity_id in changed} == {"unknown"}

    simulator.clear_error_code(DEVICE_QUERY)
    await async_next_poll(hass, entry)
    assert entry_states(hass, entry) == before
    assert_no_unhandled_exception(caplog)


async def test_subscription_upkeep_fails(
    hass: HomeAssistant,
    simulator: Simulator,
    healthy: tuple[MockConfigEntry, States],
    caplog: pytest.LogCaptureFixture,
) -> None:
    """An error on the subscription check after a poll does not fail the poll: the entities
    stay as they are, one warning while it lasts, one info line when it is over."""
    entry, before = healthy
    caplog.set_level(logging.INFO, logger=PACKAGE_LOGGER)
    caplog.clear()
    simulator.set_http_500(SUBSCRIPTION_QUERY)
    await async_next_poll(hass, entry)
    await async_next_poll(hass, entry)
    assert entry.runtime_data.coordinator.last_update_success
    assert entry_states(hass, entry) == before
    warnings = records_at_least(caplog, logging.WARNING, PACKAGE_LOGGER)
    assert [record.getMessage().split(":")[1].strip() for record in warnings] == [
        "cannot keep the push subscription up to date"
    ]

    caplog.clear()
    simulator.clear_faults()
    await async_next_poll(hass, entry)
    assert [r.getMessage() for r in records_at_least(caplog, logging.INFO, PACKAGE_LOGGER)] == [
        "HongTu 3000: the push subscription is kept up to date again"
    ]
    assert_no_unhandled_exception(caplog)
