"""The take-over repair flow, driven through Home Assistant's repairs HTTP API."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.helpers import issue_registry as ir
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.hongtu.const import DOMAIN
from custom_components.hongtu.repairs import TakeOverSubscriptionFlow, async_create_fix_flow
from custom_components.hongtu.subscription import ISSUE_FOREIGN_SUBSCRIPTION, issue_id
from simulator import Simulator
from simulator.state import Subscription
from tests.ha_fixtures import APP_KEY, WEBHOOK_ID, async_refresh

LAN_URL = "http://192.168.1.10:8123"
PUSH_URL = f"{LAN_URL}/api/webhook/{WEBHOOK_ID}"
FOREIGN_URL = "http://10.0.0.9:9999/event/record/push"
ADD = "/v1/api/pubsub/busi/record/add"


def set_foreign(simulator: Simulator) -> None:
    simulator.state.subscriptions[APP_KEY] = Subscription(APP_KEY, FOREIGN_URL, [5])


def pushed_to(simulator: Simulator) -> str | None:
    sub = simulator.state.subscriptions.get(APP_KEY)
    return sub.push_url if sub else None


@pytest.fixture
async def foreign_entry(
    hass: HomeAssistant, simulator: Simulator, mock_config_entry: MockConfigEntry
) -> MockConfigEntry:
    """An entry set up while our app key's subscription points at another system."""
    hass.config.internal_url = LAN_URL
    assert await async_setup_component(hass, "repairs", {})
    set_foreign(simulator)
    mock_config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    assert mock_config_entry.state is ConfigEntryState.LOADED
    return mock_config_entry


def foreign_issue_id(entry: MockConfigEntry) -> str:
    return issue_id(ISSUE_FOREIGN_SUBSCRIPTION, entry.entry_id)


async def start_fix(hass_client: ClientSessionGenerator, entry: MockConfigEntry) -> dict[str, Any]:
    client = await hass_client()
    resp = await client.post(
        "/api/repairs/issues/fix",
        json={"handler": DOMAIN, "issue_id": foreign_issue_id(entry)},
    )
    assert resp.status == HTTPStatus.OK
    data: dict[str, Any] = await resp.json()
    return data


async def submit_fix(hass_client: ClientSessionGenerator, flow_id: str) -> dict[str, Any]:
    client = await hass_client()
    resp = await client.post(f"/api/repairs/issues/fix/{flow_id}", json={})
    assert resp.status == HTTPStatus.OK
    data: dict[str, Any] = await resp.json()
    return data


async def test_take_over(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    simulator: Simulator,
    foreign_entry: MockConfigEntry,
) -> None:
    """Confirming points the subscription at us and clears the issue; the consent holds until
    the entry unloads."""
    flow = await start_fix(hass_client, foreign_entry)
    assert flow["type"] == "form"
    assert flow["step_id"] == "confirm"
    assert flow["description_placeholders"] == {
        "name": foreign_entry.title,
        "app_key": APP_KEY,
        "push_url": FOREIGN_URL,
    }

    result = await submit_fix(hass_client, flow["flow_id"])
    assert result["type"] == "create_entry"
    assert pushed_to(simulator) == PUSH_URL
    registry = ir.async_get(hass)
    assert registry.async_get_issue(DOMAIN, foreign_issue_id(foreign_entry)) is None

    # The other system subscribes again: with consent given, the next poll takes it back.
    set_foreign(simulator)
    await async_refresh(hass, foreign_entry)
    assert pushed_to(simulator) == PUSH_URL
    assert registry.async_get_issue(DOMAIN, foreign_issue_id(foreign_entry)) is None

    # A reload forgets the consent: a foreign subscription is left alone again.
    assert await hass.config_entries.async_reload(foreign_entry.entry_id)
    await hass.async_block_till_done()
    set_foreign(simulator)
    await async_refresh(hass, foreign_entry)
    assert pushed_to(simulator) == FOREIGN_URL
    assert registry.async_get_issue(DOMAIN, foreign_issue_id(foreign_entry)) is not None


async def test_take_over_fails_then_retries(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    simulator: Simulator,
    foreign_entry: MockConfigEntry,
) -> None:
    """An appliance that refuses the subscribe keeps the form open with an error."""
    flow = await start_fix(hass_client, foreign_entry)
    simulator.set_error_code(ADD, 500, "busy")
    result = await submit_fix(hass_client, flow["flow_id"])
    assert result["type"] == "form"
    assert result["errors"] == {"base": "cannot_connect"}
    assert pushed_to(simulator) == FOREIGN_URL

    simulator.clear_error_code(ADD)
    result = await submit_fix(hass_client, flow["flow_id"])
    assert result["type"] == "create_entry"
    assert pushed_to(simulator) == PUSH_URL


async def test_take_over_without_url(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    simulator: Simulator,
    foreign_entry: MockConfigEntry,
) -> None:
    """If Home Assistant lost its URL meanwhile there is nothing to take over with."""
    flow = await start_fix(hass_client, foreign_entry)
    hass.config.internal_url = None
    hass.config.api = None
    result = await submit_fix(hass_client, flow["flow_id"])
    assert result["type"] == "abort"
    assert result["reason"] == "no_push_url"
    assert pushed_to(simulator) == FOREIGN_URL


async def test_take_over_entry_not_loaded(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    simulator: Simulator,
    foreign_entry: MockConfigEntry,
) -> None:
    """A flow for an entry that is no longer loaded aborts."""
    flow = await start_fix(hass_client, foreign_entry)
    foreign_entry.mock_state(hass, ConfigEntryState.NOT_LOADED)
    result = await submit_fix(hass_client, flow["flow_id"])
    assert result["type"] == "abort"
    assert result["reason"] == "entry_not_loaded"
    foreign_entry.mock_state(hass, ConfigEntryState.LOADED)


async def test_fix_flow_without_manager_or_entry(
    hass: HomeAssistant, foreign_entry: MockConfigEntry
) -> None:
    """Issue data without an entry, or an entry without a subscription manager, abort."""
    flow = await async_create_fix_flow(hass, "any", None)
    assert isinstance(flow, TakeOverSubscriptionFlow)
    flow.hass = hass
    result = await flow.async_step_init()
    assert result["type"] == "abort"
    assert result["reason"] == "entry_not_loaded"

    foreign_entry.runtime_data.subscription = None
    flow = await async_create_fix_flow(hass, "any", {"entry_id": foreign_entry.entry_id})
    assert isinstance(flow, TakeOverSubscriptionFlow)
    flow.hass = hass
    result = await flow.async_step_init()
    assert result["type"] == "abort"
    assert result["reason"] == "entry_not_loaded"
