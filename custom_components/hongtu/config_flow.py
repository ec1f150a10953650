"""Config flow: set up an appliance, re-enter its keys, move it to a new address, tune options.

Every path that stores connection data first proves it works: it reads the appliance's info and
its top organisation, whose ``orgUuid`` identifies the appliance across address changes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
import logging
import re
import secrets
from typing import Any

from homeassistant.config_entries import (
    ConfigEntry,
    ConfigFlow,
    ConfigFlowResult,
    OptionsFlow,
)
from homeassistant.const import CONF_HOST, CONF_PORT, CONF_SSL, CONF_VERIFY_SSL
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import config_validation as cv
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.helpers.selector import (
    BooleanSelector,
    NumberSelector,
    NumberSelectorConfig,
    NumberSelectorMode,
    SelectSelector,
    SelectSelectorConfig,
    SelectSelectorMode,
    TextSelector,
    TextSelectorConfig,
    TextSelectorType,
)
import voluptuous as vol
from yarl import URL

from .api.client import HongTuClient
from .api.errors import HongTuAuthError, HongTuConnectionError
from .const import (
    ALL_BUSI_TYPES,
    CONF_APP_KEY,
    CONF_LOCK_CODE,
    CONF_PASS_RECORD_CALLBACK,
    CONF_PUSH_SOURCE_CHECK,
    CONF_PUSH_URL_BASE,
    CONF_SCAN_INTERVAL,
    CONF_SECRET_KEY,
    CONF_SUBSCRIBE_BUSI_TYPES,
    CONF_WEBHOOK_ID,
    DEFAULT_APP_KEY,
    DEFAULT_PASS_RECORD_CALLBACK,
    DEFAULT_PORT,
    DEFAULT_PUSH_SOURCE_CHECK,
    DEFAULT_SCAN_INTERVAL,
    DEFAULT_SSL,
    DEFAULT_SUBSCRIBE_BUSI_TYPES,
    DEFAULT_VERIFY_SSL,
    DOMAIN,
    LOCK_CODE_FORMAT,
    MAX_SCAN_INTERVAL,
    MIN_SCAN_INTERVAL,
    REQUEST_TIMEOUT,
)
from .subscription import async_push_target

_LOGGER = logging.getLogger(__name__)

_PASSWORD = TextSelector(TextSelectorConfig(type=TextSelectorType.PASSWORD))

_CONNECTION_SCHEMA: dict[vol.Marker, Any] = {
    vol.Required(CONF_HOST): str,
    vol.Required(CONF_PORT, default=DEFAULT_PORT): cv.port,
    vol.Required(CONF_SSL, default=DEFAULT_SSL): bool,
    vol.Required(CONF_VERIFY_SSL, default=DEFAULT_VERIFY_SSL): bool,
}
_KEYS_SCHEMA: dict[vol.Marker, Any] = {
    vol.Required(CONF_APP_KEY, default=DEFAULT_APP_KEY): str,
    vol.Required(CONF_SECRET_KEY): _PASSWORD,
}
USER_SCHEMA = vol.Schema({**_CONNECTION_SCHEMA, **_KEYS_SCHEMA})
RECONFIGURE_SCHEMA = vol.Schema(_CONNECTION_SCHEMA)
REAUTH_SCHEMA = vol.Schema(
    {vol.Required(CONF_APP_KEY): str, vol.Required(CONF_SECRET_KEY): _PASSWORD}
)

OPTIONS_SCHEMA = vol.Schema(
    {
        vol.Required(CONF_SCAN_INTERVAL): NumberSelector(
            NumberSelectorConfig(
                min=MIN_SCAN_INTERVAL,
                max=MAX_SCAN_INTERVAL,
                step=1,
                unit_of_measurement="s",
                mode=NumberSelectorMode.BOX,
            )
        ),
        vol.Optional(CONF_PUSH_URL_BASE): TextSelector(
            TextSelectorConfig(type=TextSelectorType.URL)
        ),
        vol.Required(CONF_PUSH_SOURCE_CHECK): BooleanSelector(),
        vol.Required(CONF_SUBSCRIBE_BUSI_TYPES): SelectSelector(
            SelectSelectorConfig(
                options=[str(busi_type) for busi_type in ALL_BUSI_TYPES],
                multiple=True,
                mode=SelectSelectorMode.LIST,
                translation_key="busi_type",
            )
        ),
        vol.Required(CONF_PASS_RECORD_CALLBACK): BooleanSelector(),
        vol.Optional(CONF_LOCK_CODE): _PASSWORD,
    }
)


@dataclass(frozen=True, slots=True)
class ApplianceIdentity:
    """What a successful check learns: the entry title and the unique id."""

    title: str
    unique_id: str


def _connection(data: Mapping[str, Any]) -> dict[str, Any]:
    """The connection fields as the entry stores them (host without surrounding blanks)."""
    return {
        CONF_HOST: str(data[CONF_HOST]).strip(),
        CONF_PORT: int(data[CONF_PORT]),
        CONF_SSL: bool(data[CONF_SSL]),
        CONF_VERIFY_SSL: bool(data[CONF_VERIFY_SSL]),
    }


def _keys(data: Mapping[str, Any]) -> dict[str, Any]:
    """The app key and secret as the entry stores them."""
    return {CONF_APP_KEY: str(data[CONF_APP_KEY]).strip(), CONF_SECRET_KEY: data[CONF_SECRET_KEY]}


async def _async_identify(hass: HomeAssistant, data: Mapping[str, Any]) -> ApplianceIdentity:
    """Read device info and the top organisation with these settings; the client's errors pass."""
    client = HongTuClient(
        async_get_clientsession(hass, verify_ssl=data[CONF_VERIFY_SSL]),
        data[CONF_HOST],
        data[CONF_PORT],
        ssl=data[CONF_SSL],
        verify_ssl=data[CONF_VERIFY_SSL],
        app_key=data[CONF_APP_KEY],
        secret_key=data[CONF_SECRET_KEY],
        timeout=REQUEST_TIMEOUT,
    )
    info = await client.get_appliance_info()
    organization = await client.get_top_organization()
    address = f"{data[CONF_HOST]}:{data[CONF_PORT]}"
    return ApplianceIdentity(
        title=info.name or info.model or address,
        unique_id=organization.org_uuid or address,
    )


def _is_address_id(entry: ConfigEntry) -> bool:
    """Whether the entry is identified by its address because the appliance gave no orgUuid."""
    return entry.unique_id == f"{entry.data[CONF_HOST]}:{entry.data[CONF_PORT]}"


class HongTuConfigFlow(ConfigFlow, domain=DOMAIN):
    """Add a HongTu appliance."""

    VERSION = 1

    async def _validate_input(
        self, data: Mapping[str, Any]
    ) -> tuple[ApplianceIdentity | None, dict[str, str]]:
        """Check the settings against the appliance; return its identity or the form errors."""
        try:
            identity = await _async_identify(self.hass, data)
        except HongTuConnectionError as err:
            _LOGGER.debug("Cannot connect to %s:%s: %s", data[CONF_HOST], data[CONF_PORT], err)
            return None, {"base": "cannot_connect"}
        except HongTuAuthError:
            return None, {"base": "invalid_auth"}
        except Exception:
            _LOGGER.exception("Unexpected error while checking the HongTu appliance")
            return None, {"base": "unknown"}
        return identity, {}

    async def _async_set_same_appliance(
        self, entry: ConfigEntry, identity: ApplianceIdentity
    ) -> None:
        """Abort with ``wrong_appliance`` unless the settings reach the entry's appliance.

        An entry identified by its address (no orgUuid) cannot be checked; it keeps its unique id.
        """
        if _is_address_id(entry):
            await self.async_set_unique_id(entry.unique_id)
            return
        await self.async_set_unique_id(identity.unique_id)
        self._abort_if_unique_id_mismatch(reason="wrong_appliance")

    async def async_step_user(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Ask for the address and the keys, check them, and create the entry."""
        errors: dict[str, str] = {}
        if user_input is not None:
            data = _connection(user_input) | _keys(user_input)
            identity, errors = await self._validate_input(data)
            if identity is not None:
                await self.async_set_unique_id(identity.unique_id)
                self._abort_if_unique_id_configured(
                    updates={CONF_HOST: data[CONF_HOST], CONF_PORT: data[CONF_PORT]}
                )
                data[CONF_WEBHOOK_ID] = secrets.token_hex(32)
                return self.async_create_entry(title=identity.title, data=data)
        return self.async_show_form(
            step_id="user",
            data_schema=self.add_suggested_values_to_schema(USER_SCHEMA, user_input),
            errors=errors,
        )

    async def async_step_reauth(self, entry_data: Mapping[str, Any]) -> ConfigFlowResult:
        """The appliance rejected the stored keys."""
        return await self.async_step_reauth_confirm()

    async def async_step_reauth_confirm(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Ask for a new app key and secret for the same appliance."""
        entry = self._get_reauth_entry()
        errors: dict[str, str] = {}
        if user_input is not None:
            keys = _keys(user_input)
            identity, errors = await self._validate_input({**entry.data, **keys})
            if identity is not None:
                await self._async_set_same_appliance(entry, identity)
                return self.async_update_reload_and_abort(entry, data_updates=keys)
        suggested = (
            user_input if user_input is not None else {CONF_APP_KEY: entry.data[CONF_APP_KEY]}
        )
        return self.async_show_form(
            step_id="reauth_confirm",
            data_schema=self.add_suggested_values_to_schema(REAUTH_SCHEMA, suggested),
            errors=errors,
        )

    async def async_step_reconfigure(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Change the address of the appliance; the keys stay."""
        entry = self._get_reconfigure_entry()
        errors: dict[str, str] = {}
        if user_input is not None:
            connection = _connection(user_input)
            identity, errors = await self._validate_input({**entry.data, **connection})
            if identity is not None:
                await self._async_set_same_appliance(entry, identity)
                return self.async_update_reload_and_abort(entry, data_updates=connection)
        suggested = user_input if user_input is not None else entry.data
        return self.async_show_form(
            step_id="reconfigure",
            data_schema=self.add_suggested_values_to_schema(RECONFIGURE_SCHEMA, suggested),
            errors=errors,
        )

    @staticmethod
    @callback
    def async_get_options_flow(config_entry: ConfigEntry) -> HongTuOptionsFlow:
        """The options of an entry."""
        return HongTuOptionsFlow()


def _valid_url_base(value: str) -> bool:
    """An absolute http or https URL with a host and no blanks."""
    if any(char.isspace() for char in value):
        return False
    try:
        url = URL(value)
    except ValueError:
        return False
    return url.scheme in ("http", "https") and bool(url.host)


class HongTuOptionsFlow(OptionsFlow):
    """Polling interval and how pushes are received."""

    async def async_step_init(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Show the options; store the subscribed business types as integers."""
        errors: dict[str, str] = {}
        if user_input is not None:
            options: dict[str, Any] = {
                CONF_SCAN_INTERVAL: int(user_input[CONF_SCAN_INTERVAL]),
                CONF_PUSH_SOURCE_CHECK: bool(user_input[CONF_PUSH_SOURCE_CHECK]),
                CONF_SUBSCRIBE_BUSI_TYPES: sorted(
                    {int(busi_type) for busi_type in user_input[CONF_SUBSCRIBE_BUSI_TYPES]}
                ),
                CONF_PASS_RECORD_CALLBACK: bool(user_input[CONF_PASS_RECORD_CALLBACK]),
            }
            if url_base := str(user_input.get(CONF_PUSH_URL_BASE) or "").strip():
                if _valid_url_base(url_base):
                    options[CONF_PUSH_URL_BASE] = url_base.rstrip("/")
                else:
                    errors[CONF_PUSH_URL_BASE] = "invalid_url"
            if not options[CONF_SUBSCRIBE_BUSI_TYPES]:
                errors[CONF_SUBSCRIBE_BUSI_TYPES] = "no_busi_types"
            if lock_code := str(user_input.get(CONF_LOCK_CODE) or "").strip():
                if re.fullmatch(LOCK_CODE_FORMAT, lock_code, re.ASCII):
                    options[CONF_LOCK_CODE] = lock_code
                else:
                    errors[CONF_LOCK_CODE] = "invalid_lock_code"
            if not errors:
                return self.async_create_entry(data=options)
        current = self.config_entry.options
        suggested = user_input or {
            CONF_SCAN_INTERVAL: current.get(CONF_SCAN_INTERVAL, DEFAULT_SCAN_INTERVAL),
            CONF_PUSH_URL_BASE: current.get(CONF_PUSH_URL_BASE, ""),
            CONF_PUSH_SOURCE_CHECK: current.get(CONF_PUSH_SOURCE_CHECK, DEFAULT_PUSH_SOURCE_CHECK),
            CONF_SUBSCRIBE_BUSI_TYPES: [
                str(busi_type)
                for busi_type in current.get(
                    CONF_SUBSCRIBE_BUSI_TYPES, DEFAULT_SUBSCRIBE_BUSI_TYPES
                )
            ],
            CONF_PASS_RECORD_CALLBACK: current.get(
                CONF_PASS_RECORD_CALLBACK, DEFAULT_PASS_RECORD_CALLBACK
            ),
        } | ({CONF_LOCK_CODE: current[CONF_LOCK_CODE]} if current.get(CONF_LOCK_CODE) else {})
        push_url = async_push_target(self.hass, self.config_entry).full_url
        return self.async_show_form(
            step_id="init",
            data_schema=self.add_suggested_values_to_schema(OPTIONS_SCHEMA, suggested),
            errors=errors,
            description_placeholders={"push_url": push_url or "—"},
        )
