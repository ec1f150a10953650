"""Security and privacy: who may push, and what never reaches the logs or the diagnostics."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
import json
import logging
from typing import Any

from aiohttp.test_utils import TestClient
from homeassistant.config_entries import SOURCE_REAUTH, SOURCE_USER
from homeassistant.const import CONF_HOST, CONF_PORT, CONF_SSL, CONF_VERIFY_SSL
from homeassistant.core import HomeAssistant
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_capture_events
from pytest_homeassistant_custom_component.components.diagnostics import (
    get_diagnostics_for_config_entry,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.hongtu.const import (
    CONF_APP_KEY,
    CONF_PUSH_SOURCE_CHECK,
    CONF_SECRET_KEY,
    CONF_WEBHOOK_ID,
    DOMAIN,
    EVENT_HONGTU,
)
from simulator import FRONT_DOOR_UUID, Inventory, Simulator
from tests.ha_fixtures import APP_KEY, SECRET_KEY
from tests.push_helpers import load_fixture, post, settle
from tests.record_helpers import Pushing, async_settle, fixture_record, free_port

from .conftest import assert_no_unhandled_exception, async_next_poll

type ClientFactory = Callable[[], Awaitable[TestClient[Any, Any]]]

FOREIGN = "192.168.77.7"  # another LAN host (the webhook is local only), not the appliance
NEW_SECRET = "Zz9&new-secret#after-reset"
PERSON = {
    "personName": "王芳",
    "personPhone": "13900001111",
    "personEmail": "wang.fang@example.cn",
    "personIdentifyNum": "110101199003071234",
    "birthdayString": "1990-03-07",
}


def messages(caplog: pytest.LogCaptureFixture, minimum: int = logging.NOTSET) -> list[str]:
    """Every captured record at ``minimum`` or above, as it would be written (with any
    traceback), plus its logger name."""
    formatter = logging.Formatter("%(name)s %(levelname)s %(message)s")
    return [formatter.format(record) for record in caplog.records if record.levelno >= minimum]


# --- who may push --------------------------------------------------------------------------------


@pytest.fixture
async def proxied_http(hass: HomeAssistant) -> None:
    """Home Assistant's HTTP behind a trusted proxy on 127.0.0.1, so that a test can post as
    another LAN host with X-Forwarded-For."""
    assert await async_setup_component(
        hass,
        "http",
        {"http": {"use_x_forwarded_for": True, "trusted_proxies": ["127.0.0.1"]}},
    )


@pytest.mark.parametrize("check", [True, False], ids=["check_on", "check_off"])
async def test_push_from_another_address(
    hass: HomeAssistant,
    proxied_http: None,
    mock_config_entry: MockConfigEntry,
    hass_client_no_auth: ClientFactory,
    caplog: pytest.LogCaptureFixture,
    check: bool,
) -> None:
    """While the source check is on (the default), a push from any host but the appliance is
    refused with 403 and dispatches nothing; with it off, it is taken like the appliance's."""
    if not check:
        mock_config_entry = MockConfigEntry(
            domain=DOMAIN,
            title=mock_config_entry.title,
            unique_id=mock_config_entry.unique_id,
            data=dict(mock_config_entry.data),
            options={CONF_PUSH_SOURCE_CHECK: False},
        )
    mock_config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    client = await hass_client_no_auth()
    events = async_capture_events(hass, EVENT_HONGTU)

    body = load_fixture("callback_pass_record.json")
    status, text = await post(client, mock_config_entry, body, headers={"X-Forwarded-For": FOREIGN})
    await settle(hass, mock_config_entry)
    if check:
        assert (status, text) == (403, f"push from {FOREIGN}, not from the appliance")
        assert events == []
        body["id"] = "from-the-appliance"
        assert (await post(client, mock_config_entry, body))[0] == 200  # 127.0.0.1
        await settle(hass, mock_config_entry)
    else:
        assert status == 200
    assert len(events) == 1
    assert_no_unhandled_exception(caplog)


# --- the webhook id ------------------------------------------------------------------------------


async def test_webhook_id_not_logged_above_debug(
    hass: HomeAssistant,
    simulator: Simulator,
    mock_config_entry: MockConfigEntry,
    aiohttp_client: ClientSessionGenerator,
    hass_client_no_auth: ClientFactory,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Setup, the subscription made and restored after a reboot, pushes good and bad, an
    options change (a reload) and the unload, logged at debug: the webhook id (the one secret
    that authenticates a push) appears in no record at info or above."""
    caplog.set_level(logging.DEBUG)
    pushing = await pushing_entry(hass, simulator, mock_config_entry, aiohttp_client)
    entry = pushing.entry
    webhook_id = entry.data[CONF_WEBHOOK_ID]

    await simulator.push_pass(FRONT_DOOR_UUID, "Alice")
    await async_settle(hass, entry)
    client = await hass_client_no_auth()
    assert (await post(client, entry, b"not json"))[0] == 400
    assert (await post(client, entry, {"busiType": 5, "data": "{"}))[0] == 400
    simulator.lose_subscription()
    await async_next_poll(hass, entry)
    assert simulator.state.subscriptions
    hass.config_entries.async_update_entry(entry, options={"scan_interval": 60})
    await hass.async_block_till_done()
    await simulator.push_pass(FRONT_DOOR_UUID, "Bob")
    await async_settle(hass, entry)
    assert await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()
    assert simulator.state.subscriptions == {}

    debug = [text for text in messages(caplog) if webhook_id in text]
    assert debug, "the test should see the id at debug level at least once"
    # aiohttp.access: the test's HTTP server logs each request line (the path holds the id) at
    # info; Home Assistant itself raises that logger to warning at startup.
    logged = [
        text
        for text in messages(caplog, logging.INFO)
        if webhook_id in text and not text.startswith("aiohttp.access ")
    ]
    assert logged == []
    assert_no_unhandled_exception(caplog)


async def pushing_entry(
    hass: HomeAssistant,
    simulator: Simulator,
    entry: MockConfigEntry,
    aiohttp_client: ClientSessionGenerator,
) -> Pushing:
    """The ``pushing`` fixture's set-up, run inside a test (after its log level is set)."""
    port = free_port()
    hass.config.internal_url = f"http://127.0.0.1:{port}"
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    client = await aiohttp_client(hass.http.app, server_kwargs={"port": port})
    assert [sub.push_url for sub in simulator.state.subscriptions.values()] == [
        f"{hass.config.internal_url}/api/webhook/{entry.data[CONF_WEBHOOK_ID]}"
    ]
    return Pushing(entry, client)


# --- the secret key ------------------------------------------------------------------------------


async def test_secret_key_never_logged(
    hass: HomeAssistant,
    simulator: Simulator,
    mock_config_entry: MockConfigEntry,
    hass_client: ClientSessionGenerator,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Setup, a user flow with a wrong secret, the secret changed on the appliance (failing
    polls and commands), the reauth flow (a wrong secret, then the new one), the reload and
    the diagnostics, logged at debug: neither secret appears in any record, at any level."""
    caplog.set_level(logging.DEBUG)
    mock_config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()

    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        {
            CONF_HOST: "127.0.0.1",
            CONF_PORT: simulator.port,
            CONF_SSL: False,
            CONF_VERIFY_SSL: False,
            CONF_APP_KEY: APP_KEY,
            CONF_SECRET_KEY: NEW_SECRET,
        },
    )
    assert result["errors"] == {"base": "invalid_auth"}

    simulator.set_secret(APP_KEY, NEW_SECRET)
    await async_next_poll(hass, mock_config_entry)
    (flow,) = mock_config_entry.async_get_active_flows(hass, {SOURCE_REAUTH})
    result = await hass.config_entries.flow.async_configure(
        flow["flow_id"], {CONF_APP_KEY: APP_KEY, CONF_SECRET_KEY: SECRET_KEY}
    )
    assert result["errors"] == {"base": "invalid_auth"}
    result = await hass.config_entries.flow.async_configure(
        flow["flow_id"], {CONF_APP_KEY: APP_KEY, CONF_SECRET_KEY: NEW_SECRET}
    )
    assert result["reason"] == "reauth_successful"
    await hass.async_block_till_done()
    diagnostics = await get_diagnostics_for_config_entry(hass, hass_client, mock_config_entry)

    logged = "\n".join(messages(caplog))
    assert "signature refused" in logged or "100008" in logged  # the failures were logged
    for secret in (SECRET_KEY, NEW_SECRET):
        assert secret not in logged
        assert secret not in json.dumps(diagnostics, ensure_ascii=False)
    assert_no_unhandled_exception(caplog)


# --- diagnostics and personal data ---------------------------------------------------------------


async def test_diagnostics_and_logs_hold_no_private_data(
    hass: HomeAssistant,
    simulator: Simulator,
    mock_config_entry: MockConfigEntry,
    aiohttp_client: ClientSessionGenerator,
    hass_client: ClientSessionGenerator,
    hass_client_no_auth: ClientFactory,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A pass with a name, phone, email, ID number and images pushed through the webhook, and
    an alarm polled: the diagnostics show no secret, app key, webhook id, person, contact
    detail, device address, MAC or image URL; the logs (info and above) no person or contact
    detail; the bus event and the states no contact detail."""
    caplog.set_level(logging.DEBUG)
    # The diagnostics views are registered before the HTTP server starts.
    assert await async_setup_component(hass, "diagnostics", {})
    entry = (await pushing_entry(hass, simulator, mock_config_entry, aiohttp_client)).entry
    simulator.add_alarm(FRONT_DOOR_UUID, 500100)
    await async_next_poll(hass, entry)
    events = async_capture_events(hass, EVENT_HONGTU)
    record = fixture_record(
        "callback_pass_record.json", FRONT_DOOR_UUID, simulator, serial=7, **PERSON
    )
    client = await hass_client_no_auth()
    assert (await post(client, entry, record))[0] == 200
    await async_settle(hass, entry)
    assert len(events) == 1
    assert hass.states.get("sensor.front_door_last_person").state == PERSON["personName"]

    diagnostics = json.dumps(
        await get_diagnostics_for_config_entry(hass, hass_client, entry), ensure_ascii=False
    )
    private = {
        SECRET_KEY,
        APP_KEY,
        entry.data[CONF_WEBHOOK_ID],
        *PERSON.values(),
        *(
            value
            for key, value in record.items()
            if isinstance(value, str) and key.lower().endswith(("url", "uri"))
        ),
    }
    for device in Inventory.default().devices:
        private.add(device.ip_address)
        private.update(value for value in (device.mac, device.switch_ip) if value)
    assert len(private) > 20
    assert [value for value in private if value in diagnostics] == []

    contact = [PERSON[key] for key in PERSON if key != "personName"]
    logged = "\n".join(messages(caplog, logging.INFO))
    assert [value for value in [PERSON["personName"], *contact] if value in logged] == []
    event_text = json.dumps(events[0].data, ensure_ascii=False)
    assert [value for value in contact if value in event_text] == []
    states_text = json.dumps(
        [(s.state, dict(s.attributes)) for s in hass.states.async_all()],
        ensure_ascii=False,
        default=str,
    )
    assert [value for value in contact if value in states_text] == []
    assert_no_unhandled_exception(caplog)
