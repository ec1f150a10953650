"""The push subscription and the pass-record callback, against the simulator over real HTTP."""

from __future__ import annotations

from collections.abc import AsyncIterator
import logging

from homeassistant.config_entries import SOURCE_REAUTH, ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.helpers import issue_registry as ir
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.hongtu.const import (
    CONF_PASS_RECORD_CALLBACK,
    CONF_PUSH_URL_BASE,
    CONF_SUBSCRIBE_BUSI_TYPES,
    DOMAIN,
)
from custom_components.hongtu.subscription import (
    ISSUE_FOREIGN_SUBSCRIPTION,
    ISSUE_HTTPS_PUSH_URL,
    ISSUE_NO_PUSH_URL,
    issue_id,
    redact_push_url,
)
from simulator import Simulator
from simulator.state import Subscription
from tests.ha_fixtures import APP_KEY, WEBHOOK_ID, async_refresh

LAN_URL = "http://192.168.1.10:8123"
WEBHOOK_PATH = f"/api/webhook/{WEBHOOK_ID}"
PUSH_URL = f"{LAN_URL}{WEBHOOK_PATH}"
FOREIGN_URL = "http://10.0.0.9:9999/event/record/push"
OTHER_CALLBACK = "http://10.0.0.9:9999/pass/callback"
ALL_TYPES = [1, 2, 3, 5, 12]
QUERY = "/v1/api/pubsub/busi/record/query"
ADD = "/v1/api/pubsub/busi/record/add"
UNBIND = "/v1/api/pubsub/busi/record/unbind"
LOGGER = "custom_components.hongtu"


@pytest.fixture(autouse=True)
def lan_url(hass: HomeAssistant) -> None:
    """Home Assistant knows its LAN address (tests clear it where they need no URL)."""
    hass.config.internal_url = LAN_URL


async def forget_url(hass: HomeAssistant) -> None:
    """Home Assistant knows no LAN URL: none configured, and no detected address either (the
    http component, which sets that, is loaded first so that it stays forgotten)."""
    assert await async_setup_component(hass, "webhook", {})
    hass.config.internal_url = None
    hass.config.api = None


def subscription(simulator: Simulator) -> tuple[str, list[int]] | None:
    """(pushUrl, busiTypes) of our app key on the appliance, or None."""
    sub = simulator.state.subscriptions.get(APP_KEY)
    return (sub.push_url, sub.busi_types) if sub else None


def set_foreign(simulator: Simulator, url: str = FOREIGN_URL) -> None:
    """Another system subscribed with our app key."""
    simulator.state.subscriptions[APP_KEY] = Subscription(APP_KEY, url, [5])


def issue(hass: HomeAssistant, key: str, entry: MockConfigEntry) -> ir.IssueEntry | None:
    return ir.async_get(hass).async_get_issue(DOMAIN, issue_id(key, entry.entry_id))


async def setup(hass: HomeAssistant, entry: MockConfigEntry, **options: object) -> None:
    """Add the entry with these options and set it up."""
    entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(entry, options=options)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.LOADED


async def set_options(hass: HomeAssistant, entry: MockConfigEntry, **options: object) -> None:
    """Change options the way the options flow does (the entry reloads)."""
    hass.config_entries.async_update_entry(entry, options={**entry.options, **options})
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.LOADED


def subscribe_logs(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [
        record
        for record in caplog.records
        if record.name == LOGGER
        and record.levelno == logging.INFO
        and "subscribed to pushes" in record.getMessage()
    ]


# Subscription ------------------------------------------------------------------------------------


async def test_setup_subscribes(
    hass: HomeAssistant, simulator: Simulator, init_integration: MockConfigEntry
) -> None:
    """Setup points our app key's subscription at the webhook, for every default record type."""
    assert subscription(simulator) == (PUSH_URL, ALL_TYPES)
    for key in (ISSUE_NO_PUSH_URL, ISSUE_HTTPS_PUSH_URL, ISSUE_FOREIGN_SUBSCRIPTION):
        assert issue(hass, key, init_integration) is None
    manager = init_integration.runtime_data.subscription
    assert manager is not None
    assert manager.status == "subscribed"
    assert manager.busi_types == (1, 2, 3, 5, 12)


async def test_lost_subscription_restored_once(
    hass: HomeAssistant,
    simulator: Simulator,
    init_integration: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """After a reboot the next poll subscribes again, and says so once."""
    simulator.lose_subscription()
    caplog.clear()
    await async_refresh(hass, init_integration)
    assert subscription(simulator) == (PUSH_URL, ALL_TYPES)
    assert len(subscribe_logs(caplog)) == 1

    await async_refresh(hass, init_integration)
    assert len(subscribe_logs(caplog)) == 1
    assert simulator.state.subscriptions.keys() == {APP_KEY}


async def test_appliance_that_keeps_losing_it_logs_once(
    hass: HomeAssistant,
    simulator: Simulator,
    init_integration: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """An appliance whose query never shows the subscription does not flood the log."""
    caplog.clear()
    for _ in range(3):
        simulator.lose_subscription()
        await async_refresh(hass, init_integration)
    assert len(subscribe_logs(caplog)) == 1
    assert subscription(simulator) == (PUSH_URL, ALL_TYPES)


async def test_busi_types_follow_options(
    hass: HomeAssistant, simulator: Simulator, init_integration: MockConfigEntry
) -> None:
    """Turning a record type off in the options resubscribes without it after the reload."""
    await set_options(hass, init_integration, **{CONF_SUBSCRIBE_BUSI_TYPES: [3, 5]})
    assert subscription(simulator) == (PUSH_URL, [3, 5])


async def test_busi_types_changed_on_appliance(
    hass: HomeAssistant, simulator: Simulator, init_integration: MockConfigEntry
) -> None:
    """Our URL with other record types (reset, or another tool) is put right at the next poll;
    an appliance that reports no record types at all is taken at its word."""
    simulator.state.subscriptions[APP_KEY] = Subscription(APP_KEY, PUSH_URL, [1, 2, 3, 5, 7, 12])
    await async_refresh(hass, init_integration)
    assert subscription(simulator) == (PUSH_URL, ALL_TYPES)

    simulator.state.subscriptions[APP_KEY] = Subscription(APP_KEY, PUSH_URL, [])
    simulator.clear_requests()
    await async_refresh(hass, init_integration)
    assert not [r for r in simulator.requests if r.path == ADD]


async def test_old_address_of_ours_is_updated(
    hass: HomeAssistant, simulator: Simulator, init_integration: MockConfigEntry
) -> None:
    """A subscription to our webhook on an address Home Assistant no longer has is ours: it is
    moved to the current address, with no repair issue."""
    simulator.state.subscriptions[APP_KEY] = Subscription(
        APP_KEY, f"http://192.168.1.99:8123{WEBHOOK_PATH}", ALL_TYPES
    )
    await async_refresh(hass, init_integration)
    assert subscription(simulator) == (PUSH_URL, ALL_TYPES)
    assert issue(hass, ISSUE_FOREIGN_SUBSCRIPTION, init_integration) is None


async def test_push_url_base_used_verbatim(
    hass: HomeAssistant, simulator: Simulator, mock_config_entry: MockConfigEntry
) -> None:
    """The option wins over the LAN URL, https included."""
    hass.config.internal_url = "https://192.168.1.10:8123"
    await setup(hass, mock_config_entry, **{CONF_PUSH_URL_BASE: "https://ha.example:8443"})
    assert subscription(simulator) == (f"https://ha.example:8443{WEBHOOK_PATH}", ALL_TYPES)
    assert issue(hass, ISSUE_HTTPS_PUSH_URL, mock_config_entry) is None


# Push URL issues ---------------------------------------------------------------------------------


async def test_no_url_raises_issue_until_one_exists(
    hass: HomeAssistant, simulator: Simulator, mock_config_entry: MockConfigEntry
) -> None:
    """Without a LAN URL nothing is subscribed and an issue says what to set; once Home
    Assistant has a URL, a reload subscribes and the issue goes."""
    await forget_url(hass)
    await setup(hass, mock_config_entry)
    found = issue(hass, ISSUE_NO_PUSH_URL, mock_config_entry)
    assert found is not None
    assert not found.is_fixable
    assert found.translation_placeholders == {"name": mock_config_entry.title}
    assert subscription(simulator) is None
    manager = mock_config_entry.runtime_data.subscription
    assert manager is not None
    assert manager.status == "no_url"

    hass.config.internal_url = LAN_URL
    assert await hass.config_entries.async_reload(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    assert issue(hass, ISSUE_NO_PUSH_URL, mock_config_entry) is None
    assert subscription(simulator) == (PUSH_URL, ALL_TYPES)


async def test_url_appearing_is_picked_up_by_a_poll(
    hass: HomeAssistant, simulator: Simulator, mock_config_entry: MockConfigEntry
) -> None:
    """A URL set while the entry runs is used at the next poll, without a reload."""
    await forget_url(hass)
    await setup(hass, mock_config_entry)
    hass.config.internal_url = LAN_URL
    await async_refresh(hass, mock_config_entry)
    assert issue(hass, ISSUE_NO_PUSH_URL, mock_config_entry) is None
    assert subscription(simulator) == (PUSH_URL, ALL_TYPES)


async def test_https_lan_url_is_not_used(
    hass: HomeAssistant, simulator: Simulator, mock_config_entry: MockConfigEntry
) -> None:
    """An https-only LAN URL is an issue (with the URL), not a subscription."""
    hass.config.internal_url = "https://homeassistant.local:8123"
    await setup(hass, mock_config_entry)
    found = issue(hass, ISSUE_HTTPS_PUSH_URL, mock_config_entry)
    assert found is not None
    assert found.translation_placeholders == {
        "name": mock_config_entry.title,
        "url": "https://homeassistant.local:8123",
    }
    assert issue(hass, ISSUE_NO_PUSH_URL, mock_config_entry) is None
    assert subscription(simulator) is None


# Somebody else's subscription --------------------------------------------------------------------


async def test_foreign_subscription_is_left_alone(
    hass: HomeAssistant, simulator: Simulator, mock_config_entry: MockConfigEntry
) -> None:
    """A subscription of our app key to another URL raises a fixable issue and survives polls
    and our unload."""
    set_foreign(simulator)
    await setup(hass, mock_config_entry)
    found = issue(hass, ISSUE_FOREIGN_SUBSCRIPTION, mock_config_entry)
    assert found is not None
    assert found.is_fixable
    assert found.translation_key == ISSUE_FOREIGN_SUBSCRIPTION
    assert found.translation_placeholders == {
        "name": mock_config_entry.title,
        "app_key": APP_KEY,
        "push_url": FOREIGN_URL,
    }
    assert found.data == {"entry_id": mock_config_entry.entry_id}

    await async_refresh(hass, mock_config_entry)
    assert subscription(simulator) == (FOREIGN_URL, [5])

    assert await hass.config_entries.async_unload(mock_config_entry.entry_id)
    assert subscription(simulator) == (FOREIGN_URL, [5])
    assert issue(hass, ISSUE_FOREIGN_SUBSCRIPTION, mock_config_entry) is None


async def test_foreign_subscription_gone(
    hass: HomeAssistant, simulator: Simulator, mock_config_entry: MockConfigEntry
) -> None:
    """When the other subscription disappears, we subscribe and the issue goes."""
    set_foreign(simulator)
    await setup(hass, mock_config_entry)
    assert issue(hass, ISSUE_FOREIGN_SUBSCRIPTION, mock_config_entry) is not None

    simulator.lose_subscription()
    await async_refresh(hass, mock_config_entry)
    assert subscription(simulator) == (PUSH_URL, ALL_TYPES)
    assert issue(hass, ISSUE_FOREIGN_SUBSCRIPTION, mock_config_entry) is None


# Unload ------------------------------------------------------------------------------------------


async def test_unload_unbinds_our_subscription(
    hass: HomeAssistant, simulator: Simulator, init_integration: MockConfigEntry
) -> None:
    """Unload removes a subscription that points at us."""
    assert await hass.config_entries.async_unload(init_integration.entry_id)
    assert subscription(simulator) is None


async def test_unload_survives_unbind_failure(
    hass: HomeAssistant,
    simulator: Simulator,
    init_integration: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """An appliance that refuses the unbind is logged; the unload still succeeds."""
    simulator.set_error_code(UNBIND, 500, "busy")
    assert await hass.config_entries.async_unload(init_integration.entry_id)
    assert init_integration.state is ConfigEntryState.NOT_LOADED
    assert "could not remove the push subscription" in caplog.text


# Errors ------------------------------------------------------------------------------------------


async def test_pubsub_error_does_not_fail_poll(
    hass: HomeAssistant,
    simulator: Simulator,
    init_integration: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """An error code from the pubsub endpoint is a warning, once, and the poll succeeds."""
    coordinator = init_integration.runtime_data.coordinator
    simulator.set_error_code(QUERY, 500, "busy")
    caplog.clear()
    await async_refresh(hass, init_integration)
    await async_refresh(hass, init_integration)
    assert coordinator.last_update_success
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING and r.name == LOGGER]
    assert len(warnings) == 1
    assert "cannot keep the push subscription up to date" in warnings[0].getMessage()
    manager = init_integration.runtime_data.subscription
    assert manager is not None
    assert manager.status == "error"

    simulator.clear_error_code(QUERY)
    simulator.lose_subscription()
    await async_refresh(hass, init_integration)
    assert "push subscription is kept up to date again" in caplog.text
    assert subscription(simulator) == (PUSH_URL, ALL_TYPES)


async def test_pubsub_error_at_setup(
    hass: HomeAssistant, simulator: Simulator, mock_config_entry: MockConfigEntry
) -> None:
    """A failing subscribe does not fail the setup; the next poll tries again."""
    simulator.set_error_code(ADD, 500, "busy")
    await setup(hass, mock_config_entry)
    assert subscription(simulator) is None
    simulator.clear_error_code(ADD)
    await async_refresh(hass, mock_config_entry)
    assert subscription(simulator) == (PUSH_URL, ALL_TYPES)


async def test_auth_error_at_setup_starts_reauth(
    hass: HomeAssistant, simulator: Simulator, mock_config_entry: MockConfigEntry
) -> None:
    """A signature rejected by the pubsub endpoint is an auth failure like any other."""
    simulator.set_error_code(QUERY, 100008, "signature error")
    mock_config_entry.add_to_hass(hass)
    await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    assert mock_config_entry.state is ConfigEntryState.SETUP_ERROR
    assert len(list(mock_config_entry.async_get_active_flows(hass, {SOURCE_REAUTH}))) == 1


async def test_auth_error_during_upkeep_starts_reauth(
    hass: HomeAssistant, simulator: Simulator, init_integration: MockConfigEntry
) -> None:
    """The coordinator turns an auth error of the upkeep into reauth."""
    simulator.set_error_code(QUERY, 100008, "signature error")
    await async_refresh(hass, init_integration)
    assert not init_integration.runtime_data.coordinator.last_update_success
    assert len(list(init_integration.async_get_active_flows(hass, {SOURCE_REAUTH}))) == 1


async def test_broken_hook_does_not_fail_poll(
    hass: HomeAssistant, init_integration: MockConfigEntry, caplog: pytest.LogCaptureFixture
) -> None:
    """An unexpected error in an after-refresh hook is logged, and the poll stands."""
    coordinator = init_integration.runtime_data.coordinator

    async def broken() -> None:
        raise RuntimeError("boom")

    coordinator.after_refresh.append(broken)
    await async_refresh(hass, init_integration)
    assert coordinator.last_update_success
    assert "Upkeep after a poll" in caplog.text


# Pass-record callback ----------------------------------------------------------------------------


@pytest.fixture
async def callback_entry(
    hass: HomeAssistant, simulator: Simulator, mock_config_entry: MockConfigEntry
) -> AsyncIterator[MockConfigEntry]:
    """An entry with the pass-record callback on, where another system had set it before."""
    simulator.state.face_config["identifyRecordCallbackUrl"] = OTHER_CALLBACK
    simulator.state.face_config["temperatureSwitch"] = 1
    await setup(hass, mock_config_entry, **{CONF_PASS_RECORD_CALLBACK: True})
    yield mock_config_entry


async def test_callback_on_points_at_us(
    simulator: Simulator, callback_entry: MockConfigEntry
) -> None:
    """The callback calls our webhook; the other settings are kept."""
    assert simulator.state.identify_record_callback_url == PUSH_URL
    assert simulator.state.face_config["temperatureSwitch"] == 1


async def test_callback_off_restores_previous(
    hass: HomeAssistant, simulator: Simulator, callback_entry: MockConfigEntry
) -> None:
    """Turning the option off (a reload, so across a restart too) puts the old URL back."""
    assert await hass.config_entries.async_reload(callback_entry.entry_id)
    await hass.async_block_till_done()
    assert simulator.state.identify_record_callback_url == PUSH_URL

    await set_options(hass, callback_entry, **{CONF_PASS_RECORD_CALLBACK: False})
    assert simulator.state.identify_record_callback_url == OTHER_CALLBACK
    assert simulator.state.face_config["temperatureSwitch"] == 1

    # Nothing is remembered any more: a second reload with the option off leaves it alone.
    simulator.state.face_config["identifyRecordCallbackUrl"] = PUSH_URL
    assert await hass.config_entries.async_reload(callback_entry.entry_id)
    await hass.async_block_till_done()
    assert simulator.state.identify_record_callback_url == PUSH_URL


async def test_callback_changed_by_someone_else_is_kept(
    hass: HomeAssistant, simulator: Simulator, callback_entry: MockConfigEntry
) -> None:
    """A callback another system set after us is theirs: turning the option off keeps it."""
    simulator.state.face_config["identifyRecordCallbackUrl"] = "http://10.0.0.7/cb"
    await set_options(hass, callback_entry, **{CONF_PASS_RECORD_CALLBACK: False})
    assert simulator.state.identify_record_callback_url == "http://10.0.0.7/cb"


async def test_entry_removal_restores_callback(
    hass: HomeAssistant, simulator: Simulator, callback_entry: MockConfigEntry
) -> None:
    """Deleting the entry gives the callback back and unbinds the subscription."""
    assert await hass.config_entries.async_remove(callback_entry.entry_id)
    await hass.async_block_till_done()
    assert simulator.state.identify_record_callback_url == OTHER_CALLBACK
    assert subscription(simulator) is None


async def test_entry_removal_with_appliance_down(
    hass: HomeAssistant,
    simulator: Simulator,
    callback_entry: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """An unreachable appliance cannot get its callback back; removal still completes."""
    await simulator.set_down(True)
    assert await hass.config_entries.async_remove(callback_entry.entry_id)
    await hass.async_block_till_done()
    assert "could not restore the appliance's pass-record callback" in caplog.text
    assert hass.config_entries.async_get_entry(callback_entry.entry_id) is None


async def test_callback_waits_for_a_url(
    hass: HomeAssistant, simulator: Simulator, mock_config_entry: MockConfigEntry
) -> None:
    """With the option on but no URL, the callback is set once a URL exists."""
    await forget_url(hass)
    simulator.state.face_config["identifyRecordCallbackUrl"] = OTHER_CALLBACK
    await setup(hass, mock_config_entry, **{CONF_PASS_RECORD_CALLBACK: True})
    assert simulator.state.identify_record_callback_url == OTHER_CALLBACK

    hass.config.internal_url = LAN_URL
    await async_refresh(hass, mock_config_entry)
    assert simulator.state.identify_record_callback_url == PUSH_URL

    await set_options(hass, mock_config_entry, **{CONF_PASS_RECORD_CALLBACK: False})
    assert simulator.state.identify_record_callback_url == OTHER_CALLBACK


async def test_callback_already_ours_remembers_nothing_foreign(
    hass: HomeAssistant, simulator: Simulator, mock_config_entry: MockConfigEntry
) -> None:
    """A callback already at our webhook on an old address was ours: off means empty."""
    simulator.state.face_config["identifyRecordCallbackUrl"] = f"http://10.9.9.9:8123{WEBHOOK_PATH}"
    await setup(hass, mock_config_entry, **{CONF_PASS_RECORD_CALLBACK: True})
    assert simulator.state.identify_record_callback_url == PUSH_URL
    await set_options(hass, mock_config_entry, **{CONF_PASS_RECORD_CALLBACK: False})
    assert simulator.state.identify_record_callback_url == ""


# Options form and diagnostics --------------------------------------------------------------------


async def test_options_form_shows_push_url(
    hass: HomeAssistant, mock_config_entry: MockConfigEntry
) -> None:
    """The options form shows the URL to paste into the appliance, or a dash when none."""
    mock_config_entry.add_to_hass(hass)
    result = await hass.config_entries.options.async_init(mock_config_entry.entry_id)
    assert result["description_placeholders"] == {"push_url": PUSH_URL}

    await forget_url(hass)
    result = await hass.config_entries.options.async_init(mock_config_entry.entry_id)
    assert result["description_placeholders"] == {"push_url": "—"}


async def test_diagnostics_state(hass: HomeAssistant, init_integration: MockConfigEntry) -> None:
    """The subscription state, with the webhook id masked in the URL."""
    manager = init_integration.runtime_data.subscription
    assert manager is not None
    diagnostics = manager.diagnostics()
    assert diagnostics["push_url"] == f"{LAN_URL}/api/webhook/**REDACTED**"
    assert diagnostics["status"] == "subscribed"
    assert diagnostics["subscribed_busi_types"] == ALL_TYPES
    assert WEBHOOK_ID not in str(diagnostics)
    assert redact_push_url(None, init_integration) is None


async def test_callback_that_was_off_is_turned_off_again(
    hass: HomeAssistant, simulator: Simulator, mock_config_entry: MockConfigEntry
) -> None:
    """A callback that was empty before us is emptied again when the option goes off."""
    await setup(hass, mock_config_entry, **{CONF_PASS_RECORD_CALLBACK: True})
    assert simulator.state.identify_record_callback_url == PUSH_URL
    await set_options(hass, mock_config_entry, **{CONF_PASS_RECORD_CALLBACK: False})
    assert simulator.state.identify_record_callback_url == ""


async def test_unparseable_foreign_url(
    hass: HomeAssistant, simulator: Simulator, mock_config_entry: MockConfigEntry
) -> None:
    """A subscription URL that is not even a URL is somebody else's, not an error."""
    set_foreign(simulator, "http://[bad")
    await setup(hass, mock_config_entry)
    found = issue(hass, ISSUE_FOREIGN_SUBSCRIPTION, mock_config_entry)
    assert found is not None
    assert found.translation_placeholders is not None
    assert found.translation_placeholders["push_url"] == "http://[bad"
