"""Home Assistant side fixtures: a config entry for the running simulator, and that entry set up."""

from __future__ import annotations

from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import CONF_HOST, CONF_PORT, CONF_SSL, CONF_VERIFY_SSL
from homeassistant.core import HomeAssistant, State
from homeassistant.helpers import entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.syrupy import HomeAssistantSnapshotExtension
from syrupy.assertion import SnapshotAssertion

from custom_components.hongtu.const import (
    CONF_APP_KEY,
    CONF_SECRET_KEY,
    CONF_WEBHOOK_ID,
    DOMAIN,
)
from simulator import Simulator

APP_KEY = "appkey2"
SECRET_KEY = "zxcv&jlkfd234adf#xi9"
WEBHOOK_ID = "5b2d0e6a9c1f4e7d8a3b6c9d0e1f2a3b5b2d0e6a9c1f4e7d8a3b6c9d0e1f2a3b"


@pytest.fixture
def mock_config_entry(simulator: Simulator, socket_enabled: None) -> MockConfigEntry:
    """An entry for the simulator, as the config flow would have made it."""
    return MockConfigEntry(
        domain=DOMAIN,
        title=simulator.state.name,
        unique_id=simulator.state.org_uuid,
        data={
            CONF_HOST: "127.0.0.1",
            CONF_PORT: simulator.port,
            CONF_SSL: False,
            CONF_VERIFY_SSL: False,
            CONF_APP_KEY: APP_KEY,
            CONF_SECRET_KEY: SECRET_KEY,
            CONF_WEBHOOK_ID: WEBHOOK_ID,
        },
    )


@pytest.fixture
async def init_integration(
    hass: HomeAssistant, mock_config_entry: MockConfigEntry, socket_enabled: None
) -> MockConfigEntry:
    """The entry added and set up against the simulator."""
    mock_config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    assert mock_config_entry.state is ConfigEntryState.LOADED
    return mock_config_entry


async def async_refresh(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    """Poll the simulator now (what the coordinator does every scan interval)."""
    await entry.runtime_data.coordinator.async_refresh()
    await hass.async_block_till_done()


def entity_id_of(hass: HomeAssistant, domain: str, unique_id: str) -> str:
    """The entity id registered for a unique id (fails when there is none)."""
    entity_id = er.async_get(hass).async_get_entity_id(domain, DOMAIN, unique_id)
    assert entity_id is not None, f"no {domain} entity with unique id {unique_id}"
    return entity_id


def state_of(hass: HomeAssistant, domain: str, unique_id: str) -> State:
    """The current state of the entity with this unique id."""
    state = hass.states.get(entity_id_of(hass, domain, unique_id))
    assert state is not None
    return state


def door_commands(simulator: Simulator) -> list[tuple[str, str]]:
    """(command, device uuid) of every door command the simulator carried out, in order."""
    return [(item["command"], item["uuid"]) for item in simulator.state.door_commands]


def requested_paths(simulator: Simulator, prefix: str) -> list[str]:
    """Paths of the recorded API requests that start with ``prefix``."""
    return [request.path for request in simulator.requests if request.path.startswith(prefix)]


@pytest.fixture
def ha_snapshot(snapshot: SnapshotAssertion) -> SnapshotAssertion:
    """Syrupy with Home Assistant's serializer (random ids and times masked), kept in
    ``tests/snapshots/``.

    pytest-homeassistant-custom-component overrides ``snapshot`` the same way, but syrupy's
    own fixture shadows it here; a separate name leaves plain ``snapshot`` users untouched.
    """
    return snapshot.use_extension(HomeAssistantSnapshotExtension)
