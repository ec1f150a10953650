"""Config, reauth, reconfigure and options flows against the simulator over real HTTP."""

from __future__ import annotations

import asyncio
from collections.abc import Generator
from typing import Any
from unittest.mock import AsyncMock, patch

from homeassistant.config_entries import SOURCE_USER, ConfigFlowResult
from homeassistant.const import CONF_HOST, CONF_PORT, CONF_SSL, CONF_VERIFY_SSL
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
import voluptuous as vol

from custom_components.hongtu.api.client import HongTuClient
from custom_components.hongtu.const import (
    CONF_APP_KEY,
    CONF_LOCK_CODE,
    CONF_PASS_RECORD_CALLBACK,
    CONF_PUSH_SOURCE_CHECK,
    CONF_PUSH_URL_BASE,
    CONF_SCAN_INTERVAL,
    CONF_SECRET_KEY,
    CONF_SUBSCRIBE_BUSI_TYPES,
    CONF_WEBHOOK_ID,
    DOMAIN,
)
from simulator import Simulator
from simulator.inventory import APPLIANCE_NAME, ORG_UUID

pytestmark = pytest.mark.usefixtures("socket_enabled", "enable_custom_integrations")

HOST = "127.0.0.1"
APP_KEY = "appkey2"
SECRET = "zxcv&jlkfd234adf#xi9"
WRONG_SECRET = "not-the-secret"
# TEST-NET-1 (RFC 5737): an address that is never reached, for entries the flow moves away from.
OLD_HOST = "192.0.2.1"
OLD_PORT = 9


@pytest.fixture
def mock_setup_entry() -> Generator[AsyncMock]:
    """Keep the flows independent of the rest of the integration."""
    with patch("custom_components.hongtu.async_setup_entry", return_value=True) as mock:
        yield mock


def user_input(port: int, **changes: Any) -> dict[str, Any]:
    """What a user types in the first form."""
    return {
        CONF_HOST: HOST,
        CONF_PORT: port,
        CONF_SSL: False,
        CONF_VERIFY_SSL: False,
        CONF_APP_KEY: APP_KEY,
        CONF_SECRET_KEY: SECRET,
    } | changes


def make_entry(hass: HomeAssistant, *, unique_id: str = ORG_UUID, **data: Any) -> MockConfigEntry:
    """A stored entry pointing at an old address with the right keys, added to hass."""
    entry = MockConfigEntry(
        domain=DOMAIN,
        title=APPLIANCE_NAME,
        unique_id=unique_id,
        data={
            CONF_HOST: OLD_HOST,
            CONF_PORT: OLD_PORT,
            CONF_SSL: False,
            CONF_VERIFY_SSL: False,
            CONF_APP_KEY: APP_KEY,
            CONF_SECRET_KEY: SECRET,
            CONF_WEBHOOK_ID: "0" * 64,
        }
        | data,
    )
    entry.add_to_hass(hass)
    return entry


def suggested(result: ConfigFlowResult) -> dict[str, Any]:
    """The values a form shows pre-filled."""
    schema = result["data_schema"]
    assert schema is not None
    return {
        key.schema: key.description["suggested_value"]
        for key in schema.schema
        if isinstance(key, vol.Marker) and key.description and "suggested_value" in key.description
    }


async def start_user_flow(hass: HomeAssistant) -> ConfigFlowResult:
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "user"
    assert result["errors"] == {}
    return result


# User step ---------------------------------------------------------------------------------------


async def test_user_creates_entry(
    hass: HomeAssistant, simulator: Simulator, mock_setup_entry: AsyncMock
) -> None:
    """Valid settings create an entry titled after the appliance and identified by its orgUuid."""
    result = await start_user_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], user_input(simulator.port, **{CONF_HOST: f"  {HOST} "})
    )
    await hass.async_block_till_done()

    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == APPLIANCE_NAME
    data = dict(result["data"])
    webhook_id = data.pop(CONF_WEBHOOK_ID)
    assert data == user_input(simulator.port)
    assert len(webhook_id) == 64
    int(webhook_id, 16)
    assert result["result"].unique_id == ORG_UUID
    assert len(mock_setup_entry.mock_calls) == 1


async def test_user_webhook_ids_differ(
    hass: HomeAssistant, simulator: Simulator, mock_setup_entry: AsyncMock
) -> None:
    """Each entry gets its own random webhook id."""
    ids = set()
    for unique in ("first", "second"):
        simulator.state.org_uuid = unique
        result = await start_user_flow(hass)
        result = await hass.config_entries.flow.async_configure(
            result["flow_id"], user_input(simulator.port)
        )
        assert result["type"] is FlowResultType.CREATE_ENTRY
        ids.add(result["data"][CONF_WEBHOOK_ID])
    assert len(ids) == 2


async def test_user_cannot_connect_then_recovers(
    hass: HomeAssistant, simulator: Simulator, mock_setup_entry: AsyncMock
) -> None:
    """An unreachable appliance shows cannot_connect, keeps the input, and the flow recovers."""
    result = await start_user_flow(hass)
    await simulator.set_down(True)
    typed = user_input(simulator.port, **{CONF_APP_KEY: "appkey1", CONF_SECRET_KEY: "typed"})
    result = await hass.config_entries.flow.async_configure(result["flow_id"], typed)

    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": "cannot_connect"}
    assert suggested(result) == typed

    await simulator.set_down(False)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], user_input(simulator.port)
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["result"].unique_id == ORG_UUID


async def test_user_https_to_http_server_cannot_connect(
    hass: HomeAssistant, simulator: Simulator, mock_setup_entry: AsyncMock
) -> None:
    """HTTPS against the plain-HTTP appliance fails as a connection error, not as unknown."""
    result = await start_user_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], user_input(simulator.port, **{CONF_SSL: True})
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": "cannot_connect"}


async def test_user_invalid_auth_then_recovers(
    hass: HomeAssistant, simulator: Simulator, mock_setup_entry: AsyncMock
) -> None:
    """A wrong secret (code 100008) shows invalid_auth; the right one then creates the entry."""
    result = await start_user_flow(hass)
    typed = user_input(simulator.port, **{CONF_SECRET_KEY: WRONG_SECRET})
    result = await hass.config_entries.flow.async_configure(result["flow_id"], typed)

    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": "invalid_auth"}
    assert suggested(result) == typed

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], user_input(simulator.port)
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY


async def test_user_timeout_cannot_connect(
    hass: HomeAssistant, simulator: Simulator, mock_setup_entry: AsyncMock
) -> None:
    """An appliance that does not answer in time shows cannot_connect."""
    simulator.set_slow(0.4)
    result = await start_user_flow(hass)
    with patch("custom_components.hongtu.config_flow.REQUEST_TIMEOUT", 0.1):
        result = await hass.config_entries.flow.async_configure(
            result["flow_id"], user_input(simulator.port)
        )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": "cannot_connect"}
    # Let the simulator finish the abandoned request, or its handler task outlives the test.
    await asyncio.sleep(0.5)


async def test_user_unexpected_answer_is_logged(
    hass: HomeAssistant,
    simulator: Simulator,
    mock_setup_entry: AsyncMock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """An error code the flow does not expect shows unknown and logs the traceback."""
    simulator.set_error_code("/v1/api/device/info", 500001, "系统异常")
    result = await start_user_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], user_input(simulator.port)
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": "unknown"}
    assert "Unexpected error while checking the HongTu appliance" in caplog.text
    assert "Traceback" in caplog.text
    assert "HongTuApiError" in caplog.text

    simulator.clear_error_code("/v1/api/device/info")
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], user_input(simulator.port)
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY


async def test_user_unexpected_exception_is_logged(
    hass: HomeAssistant,
    simulator: Simulator,
    mock_setup_entry: AsyncMock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Even a programming error inside the client ends as unknown, not as a crashed flow."""
    result = await start_user_flow(hass)
    with patch.object(HongTuClient, "get_appliance_info", side_effect=RuntimeError("boom")):
        result = await hass.config_entries.flow.async_configure(
            result["flow_id"], user_input(simulator.port)
        )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": "unknown"}
    assert "RuntimeError: boom" in caplog.text


async def test_user_already_configured_updates_address(
    hass: HomeAssistant, simulator: Simulator, mock_setup_entry: AsyncMock
) -> None:
    """The same appliance at a new address aborts and moves the existing entry there."""
    entry = make_entry(hass)
    result = await start_user_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], user_input(simulator.port)
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"
    assert entry.data[CONF_HOST] == HOST
    assert entry.data[CONF_PORT] == simulator.port
    assert entry.data[CONF_WEBHOOK_ID] == "0" * 64
    assert len(hass.config_entries.async_entries(DOMAIN)) == 1


async def test_user_without_org_uuid_uses_address(
    hass: HomeAssistant, simulator: Simulator, mock_setup_entry: AsyncMock
) -> None:
    """An appliance that gives no orgUuid is identified by host:port."""
    simulator.state.org_uuid = ""
    result = await start_user_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], user_input(simulator.port)
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["result"].unique_id == f"{HOST}:{simulator.port}"

    # A second flow for the same address is the same appliance.
    result = await start_user_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], user_input(simulator.port)
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"


# Reauthentication --------------------------------------------------------------------------------


async def test_reauth_success(
    hass: HomeAssistant, simulator: Simulator, mock_setup_entry: AsyncMock
) -> None:
    """New keys for the same appliance are stored and the entry is reloaded."""
    changes: dict[str, Any] = {
        CONF_HOST: HOST,
        CONF_PORT: simulator.port,
        CONF_SECRET_KEY: WRONG_SECRET,
    }
    entry = make_entry(hass, **changes)
    result = await entry.start_reauth_flow(hass)
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "reauth_confirm"
    assert suggested(result) == {CONF_APP_KEY: APP_KEY}
    assert result["description_placeholders"] == {"name": APPLIANCE_NAME}

    typed = {CONF_APP_KEY: APP_KEY, CONF_SECRET_KEY: "still-wrong"}
    result = await hass.config_entries.flow.async_configure(result["flow_id"], typed)
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": "invalid_auth"}
    assert suggested(result) == typed

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_APP_KEY: APP_KEY, CONF_SECRET_KEY: SECRET}
    )
    await hass.async_block_till_done()
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reauth_successful"
    assert entry.data[CONF_SECRET_KEY] == SECRET
    assert entry.data[CONF_HOST] == HOST
    assert entry.unique_id == ORG_UUID
    assert len(mock_setup_entry.mock_calls) == 1


async def test_reauth_other_appliance_aborts(
    hass: HomeAssistant, simulator: Simulator, mock_setup_entry: AsyncMock
) -> None:
    """Keys that reach a different appliance (other orgUuid) are refused."""
    entry = make_entry(
        hass,
        unique_id="0123456789abcdef0123456789abcdef",
        **{CONF_HOST: HOST, CONF_PORT: simulator.port, CONF_SECRET_KEY: WRONG_SECRET},
    )
    result = await entry.start_reauth_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_APP_KEY: APP_KEY, CONF_SECRET_KEY: SECRET}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "wrong_appliance"
    assert entry.data[CONF_SECRET_KEY] == WRONG_SECRET
    assert mock_setup_entry.mock_calls == []


async def test_reauth_entry_identified_by_address(
    hass: HomeAssistant, simulator: Simulator, mock_setup_entry: AsyncMock
) -> None:
    """An entry identified by host:port keeps that id through reauthentication."""
    simulator.state.org_uuid = ""
    address = f"{HOST}:{simulator.port}"
    entry = make_entry(
        hass,
        unique_id=address,
        **{CONF_HOST: HOST, CONF_PORT: simulator.port, CONF_SECRET_KEY: WRONG_SECRET},
    )
    result = await entry.start_reauth_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_APP_KEY: APP_KEY, CONF_SECRET_KEY: SECRET}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reauth_successful"
    assert entry.unique_id == address


# Reconfiguration ---------------------------------------------------------------------------------


async def test_reconfigure_success(
    hass: HomeAssistant, simulator: Simulator, mock_setup_entry: AsyncMock
) -> None:
    """The same appliance at a new address: the address changes, the keys stay."""
    entry = make_entry(hass)
    result = await entry.start_reconfigure_flow(hass)
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "reconfigure"
    assert suggested(result) == {
        CONF_HOST: OLD_HOST,
        CONF_PORT: OLD_PORT,
        CONF_SSL: False,
        CONF_VERIFY_SSL: False,
    }

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        {CONF_HOST: HOST, CONF_PORT: simulator.port, CONF_SSL: False, CONF_VERIFY_SSL: False},
    )
    await hass.async_block_till_done()
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    assert entry.data[CONF_HOST] == HOST
    assert entry.data[CONF_PORT] == simulator.port
    assert entry.data[CONF_SECRET_KEY] == SECRET
    assert entry.data[CONF_WEBHOOK_ID] == "0" * 64
    assert len(mock_setup_entry.mock_calls) == 1


async def test_reconfigure_wrong_appliance(
    hass: HomeAssistant, simulator: Simulator, mock_setup_entry: AsyncMock
) -> None:
    """An address that leads to another appliance is refused and nothing changes."""
    entry = make_entry(hass, unique_id="0123456789abcdef0123456789abcdef")
    result = await entry.start_reconfigure_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        {CONF_HOST: HOST, CONF_PORT: simulator.port, CONF_SSL: False, CONF_VERIFY_SSL: False},
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "wrong_appliance"
    assert entry.data[CONF_HOST] == OLD_HOST
    assert mock_setup_entry.mock_calls == []


async def test_reconfigure_cannot_connect_then_recovers(
    hass: HomeAssistant, simulator: Simulator, mock_setup_entry: AsyncMock
) -> None:
    """An unreachable address shows cannot_connect with the typed values kept."""
    entry = make_entry(hass)
    result = await entry.start_reconfigure_flow(hass)
    await simulator.set_down(True)
    typed = {CONF_HOST: HOST, CONF_PORT: simulator.port, CONF_SSL: False, CONF_VERIFY_SSL: True}
    result = await hass.config_entries.flow.async_configure(result["flow_id"], typed)
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": "cannot_connect"}
    assert suggested(result) == typed

    await simulator.set_down(False)
    result = await hass.config_entries.flow.async_configure(result["flow_id"], typed)
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    assert entry.data[CONF_VERIFY_SSL] is True


async def test_reconfigure_entry_identified_by_address(
    hass: HomeAssistant, simulator: Simulator, mock_setup_entry: AsyncMock
) -> None:
    """Without an orgUuid the appliance cannot be told apart; the move is accepted, the id kept."""
    simulator.state.org_uuid = ""
    address = f"{OLD_HOST}:{OLD_PORT}"
    entry = make_entry(hass, unique_id=address)
    result = await entry.start_reconfigure_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        {CONF_HOST: HOST, CONF_PORT: simulator.port, CONF_SSL: False, CONF_VERIFY_SSL: False},
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    assert entry.data[CONF_HOST] == HOST
    assert entry.unique_id == address


# Options -----------------------------------------------------------------------------------------


def options_input(**changes: Any) -> dict[str, Any]:
    """What a user submits in the options form."""
    return {
        CONF_SCAN_INTERVAL: 45.0,
        CONF_PUSH_URL_BASE: "http://192.168.1.5:8123/",
        CONF_PUSH_SOURCE_CHECK: False,
        CONF_SUBSCRIBE_BUSI_TYPES: ["5", "1"],
        CONF_PASS_RECORD_CALLBACK: True,
    } | changes


async def test_options_defaults_and_save(hass: HomeAssistant) -> None:
    """The form starts from the defaults and stores typed values (busi types as integers)."""
    entry = make_entry(hass)
    result = await hass.config_entries.options.async_init(entry.entry_id)
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "init"
    assert suggested(result) == {
        CONF_SCAN_INTERVAL: 30,
        CONF_PUSH_URL_BASE: "",
        CONF_PUSH_SOURCE_CHECK: True,
        CONF_SUBSCRIBE_BUSI_TYPES: ["1", "2", "3", "5", "12"],
        CONF_PASS_RECORD_CALLBACK: False,
    }

    result = await hass.config_entries.options.async_configure(result["flow_id"], options_input())
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert entry.options == {
        CONF_SCAN_INTERVAL: 45,
        CONF_PUSH_URL_BASE: "http://192.168.1.5:8123",
        CONF_PUSH_SOURCE_CHECK: False,
        CONF_SUBSCRIBE_BUSI_TYPES: [1, 5],
        CONF_PASS_RECORD_CALLBACK: True,
    }
    assert isinstance(entry.options[CONF_SCAN_INTERVAL], int)


async def test_options_start_from_current_and_clear_url(hass: HomeAssistant) -> None:
    """Stored options are pre-filled; an emptied URL base is removed."""
    entry = make_entry(hass)
    hass.config_entries.async_update_entry(
        entry,
        options={
            CONF_SCAN_INTERVAL: 120,
            CONF_PUSH_URL_BASE: "https://ha.example:8123",
            CONF_PUSH_SOURCE_CHECK: False,
            CONF_SUBSCRIBE_BUSI_TYPES: [3, 12],
            CONF_PASS_RECORD_CALLBACK: True,
        },
    )
    result = await hass.config_entries.options.async_init(entry.entry_id)
    assert suggested(result) == {
        CONF_SCAN_INTERVAL: 120,
        CONF_PUSH_URL_BASE: "https://ha.example:8123",
        CONF_PUSH_SOURCE_CHECK: False,
        CONF_SUBSCRIBE_BUSI_TYPES: ["3", "12"],
        CONF_PASS_RECORD_CALLBACK: True,
    }

    submitted = options_input(**{CONF_SUBSCRIBE_BUSI_TYPES: ["12", "3"]})
    del submitted[CONF_PUSH_URL_BASE]
    result = await hass.config_entries.options.async_configure(result["flow_id"], submitted)
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert CONF_PUSH_URL_BASE not in entry.options
    assert entry.options[CONF_SUBSCRIBE_BUSI_TYPES] == [3, 12]


@pytest.mark.parametrize(
    "url",
    ["ftp://192.168.1.5", "192.168.1.5:8123", "http://", "http://[bad", "http://ha local:8123"],
)
async def test_options_invalid_url(hass: HomeAssistant, url: str) -> None:
    """A push URL base that is not an absolute http(s) URL is refused and kept for editing."""
    entry = make_entry(hass)
    result = await hass.config_entries.options.async_init(entry.entry_id)
    typed = options_input(**{CONF_PUSH_URL_BASE: url})
    result = await hass.config_entries.options.async_configure(result["flow_id"], typed)
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {CONF_PUSH_URL_BASE: "invalid_url"}
    assert suggested(result) == typed

    result = await hass.config_entries.options.async_configure(
        result["flow_id"], options_input(**{CONF_PUSH_URL_BASE: "https://ha.example"})
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert entry.options[CONF_PUSH_URL_BASE] == "https://ha.example"


async def test_options_need_a_busi_type(hass: HomeAssistant) -> None:
    """Subscribing to nothing is refused."""
    entry = make_entry(hass)
    result = await hass.config_entries.options.async_init(entry.entry_id)
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], options_input(**{CONF_SUBSCRIBE_BUSI_TYPES: []})
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {CONF_SUBSCRIBE_BUSI_TYPES: "no_busi_types"}
    assert entry.options == {}


@pytest.mark.parametrize("value", [5, 601])
async def test_options_scan_interval_range(hass: HomeAssistant, value: int) -> None:
    """The polling interval stays within 10–600 seconds."""
    entry = make_entry(hass)
    result = await hass.config_entries.options.async_init(entry.entry_id)
    with pytest.raises(vol.Invalid):
        await hass.config_entries.options.async_configure(
            result["flow_id"], options_input(**{CONF_SCAN_INTERVAL: value})
        )


async def test_options_lock_code_set_kept_and_cleared(hass: HomeAssistant) -> None:
    """A door PIN of 4–10 digits is stored (blanks trimmed), shown masked when the form opens
    again (so saving without retyping keeps it), and an emptied field removes it."""
    entry = make_entry(hass)
    result = await hass.config_entries.options.async_init(entry.entry_id)
    assert CONF_LOCK_CODE not in suggested(result)
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], options_input(**{CONF_LOCK_CODE: " 0123456789 "})
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert entry.options[CONF_LOCK_CODE] == "0123456789"

    result = await hass.config_entries.options.async_init(entry.entry_id)
    assert suggested(result)[CONF_LOCK_CODE] == "0123456789"
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], options_input(**{CONF_LOCK_CODE: "0123456789"})
    )
    assert entry.options[CONF_LOCK_CODE] == "0123456789"

    result = await hass.config_entries.options.async_init(entry.entry_id)
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], options_input(**{CONF_LOCK_CODE: ""})
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert CONF_LOCK_CODE not in entry.options


@pytest.mark.parametrize("code", ["123", "12345678901", "12a4", "12 34", "١٢٣٤"])
async def test_options_lock_code_must_be_digits(hass: HomeAssistant, code: str) -> None:
    """Anything but 4–10 ASCII digits is refused on the field; nothing is stored."""
    entry = make_entry(hass)
    result = await hass.config_entries.options.async_init(entry.entry_id)
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], options_input(**{CONF_LOCK_CODE: code})
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {CONF_LOCK_CODE: "invalid_lock_code"}
    assert entry.options == {}
