"""Diagnostics of a loaded entry: the shape is snapshotted, and no secret or address leaks."""

from __future__ import annotations

import json
from typing import Any

from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import CONF_HOST, CONF_PORT, CONF_SSL, CONF_VERIFY_SSL
from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.components.diagnostics import (
    get_diagnostics_for_config_entry,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator
from syrupy.assertion import SnapshotAssertion

from custom_components.hongtu.const import (
    CONF_APP_KEY,
    CONF_SECRET_KEY,
    CONF_WEBHOOK_ID,
    DOMAIN,
)
from custom_components.hongtu.diagnostics import _jsonable
from simulator import Simulator
from simulator.inventory import APPLIANCE_NAME, FRONT_DOOR_UUID, ORG_UUID, Inventory

pytestmark = pytest.mark.usefixtures("socket_enabled")

APP_KEY = "appkey2"
SECRET = "zxcv&jlkfd234adf#xi9"
WEBHOOK_ID = "5e" * 32
PERSON = "Zhang Wei"
DEVICE_ALARM_TAMPER = 500100


@pytest.fixture
async def pass_record(simulator: Simulator) -> dict[str, Any]:
    """A pass by a named person already on the appliance, with its image URIs."""
    return await simulator.push_pass(FRONT_DOOR_UUID, PERSON)


@pytest.fixture
async def loaded_entry(
    hass: HomeAssistant, simulator: Simulator, pass_record: dict[str, Any]
) -> MockConfigEntry:
    """The integration set up for real against the simulator, with an active tamper alarm."""
    hass.config.internal_url = "http://127.0.0.1:8123"
    simulator.add_alarm(FRONT_DOOR_UUID, DEVICE_ALARM_TAMPER, alarm_time=1_700_000_000_000)
    entry = MockConfigEntry(
        domain=DOMAIN,
        title=APPLIANCE_NAME,
        unique_id=ORG_UUID,
        data={
            CONF_HOST: "127.0.0.1",
            CONF_PORT: simulator.port,
            CONF_SSL: False,
            CONF_VERIFY_SSL: False,
            CONF_APP_KEY: APP_KEY,
            CONF_SECRET_KEY: SECRET,
            CONF_WEBHOOK_ID: WEBHOOK_ID,
        },
        options={"scan_interval": 60},
    )
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.LOADED
    return entry


def private_strings(pass_record: dict[str, Any]) -> set[str]:
    """Every value diagnostics must not show: keys, device addresses, MACs, people and images."""
    values = {SECRET, WEBHOOK_ID, APP_KEY, PERSON}
    values.update(
        value
        for key, value in pass_record.items()
        if isinstance(value, str) and value and key.lower().endswith(("uri", "url"))
    )
    for device in Inventory.default().devices:
        values.add(device.ip_address)
        if device.mac:
            values.add(device.mac)
        if device.switch_ip:
            values.add(device.switch_ip)
    return values


async def test_diagnostics(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    loaded_entry: MockConfigEntry,
    simulator: Simulator,
    pass_record: dict[str, Any],
    snapshot: SnapshotAssertion,
) -> None:
    """The downloaded diagnostics match the snapshot and hold none of the private values."""
    result = await get_diagnostics_for_config_entry(hass, hass_client, loaded_entry)

    dumped = json.dumps(result, ensure_ascii=False)
    private = private_strings(pass_record)
    assert len(private) > 15
    for value in private:
        assert value not in dumped, value
    assert (
        result["snapshot"]["alarms"][f"{FRONT_DOOR_UUID}:{DEVICE_ALARM_TAMPER}"]["alarm_status_now"]
        == 1
    )

    # The simulator listens on a random port; pin it so the snapshot is stable.
    assert result["entry"]["data"][CONF_PORT] == simulator.port
    result["entry"]["data"][CONF_PORT] = 18082
    assert result == snapshot


def test_jsonable_nested_values() -> None:
    """Tuples inside records become lists and tuple keys become ``a:b`` strings."""
    assert _jsonable({("uuid", 7): (1, [2, {"k": (3,)}]), "plain": "x"}) == {
        "uuid:7": [1, [2, {"k": [3]}]],
        "plain": "x",
    }
