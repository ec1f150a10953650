"""Keeps the appliance's business-data push subscription pointing at this entry's webhook.

The appliance holds one subscription per appKey and forgets it when it reboots, so it is checked
at setup and after every poll and restored when lost. A subscription that points at somebody
else is left alone until the user consents to take it over (a repair flow), since another system
may be using it. The opt-in pass-record callback is a global setting of the appliance: the URL it
had before is remembered across restarts and put back when the option is turned off or the entry
is removed.
"""

from __future__ import annotations

from dataclasses import dataclass
import logging
from typing import Any, Final, TypedDict

from homeassistant.components.webhook import async_generate_path
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.network import NoURLAvailableError, get_url
from homeassistant.helpers.storage import Store
from yarl import URL

from .api.client import FACE_CONFIG_PASS_CALLBACK, HongTuClient
from .api.errors import HongTuAuthError, HongTuError
from .api.models import Subscription
from .api.parsing import as_str
from .const import (
    CONF_PASS_RECORD_CALLBACK,
    CONF_PUSH_URL_BASE,
    CONF_SUBSCRIBE_BUSI_TYPES,
    CONF_WEBHOOK_ID,
    DEFAULT_PASS_RECORD_CALLBACK,
    DEFAULT_SUBSCRIBE_BUSI_TYPES,
    DOMAIN,
)
from .data import HongTuConfigEntry

_LOGGER = logging.getLogger(__package__)

ISSUE_NO_PUSH_URL: Final = "no_push_url"
ISSUE_HTTPS_PUSH_URL: Final = "https_push_url"
ISSUE_FOREIGN_SUBSCRIPTION: Final = "foreign_subscription"
ISSUE_KEYS: Final = (ISSUE_NO_PUSH_URL, ISSUE_HTTPS_PUSH_URL, ISSUE_FOREIGN_SUBSCRIPTION)

STORAGE_VERSION: Final = 1
REDACTED: Final = "**REDACTED**"


def issue_id(key: str, entry_id: str) -> str:
    """Issues are per entry: two appliances can each have their own."""
    return f"{key}_{entry_id}"


@dataclass(frozen=True, slots=True)
class PushTarget:
    """The URL the appliance should call, or why there is none usable.

    ``full_url`` is the webhook URL on whatever base was found (also an unusable https one, which
    the options form still shows); ``url`` is set only when it may be handed to the appliance.
    """

    url: str | None
    full_url: str | None
    base: str | None
    problem: str | None


@callback
def async_push_target(hass: HomeAssistant, entry: HongTuConfigEntry) -> PushTarget:
    """The ``push_url_base`` option (used verbatim, https too), else Home Assistant's LAN URL.

    A LAN URL that is https only is not used: whether the appliance can push to https (usually a
    self-signed certificate) is unknown.
    """
    path = async_generate_path(entry.data[CONF_WEBHOOK_ID])
    if option := str(entry.options.get(CONF_PUSH_URL_BASE) or "").strip():
        base = option.rstrip("/")
        return PushTarget(f"{base}{path}", f"{base}{path}", base, None)
    try:
        base = get_url(hass, allow_external=False, allow_ip=True, require_ssl=False).rstrip("/")
    except NoURLAvailableError:
        return PushTarget(None, None, None, ISSUE_NO_PUSH_URL)
    if URL(base).scheme == "https":
        return PushTarget(None, f"{base}{path}", base, ISSUE_HTTPS_PUSH_URL)
    return PushTarget(f"{base}{path}", f"{base}{path}", base, None)


def redact_push_url(url: str | None, entry: HongTuConfigEntry) -> str | None:
    """The URL with the webhook id (the secret that authenticates pushes) masked."""
    if url is None:
        return None
    return url.replace(entry.data[CONF_WEBHOOK_ID], REDACTED)


class _StoredCallback(TypedDict):
    previous: str


class PassRecordCallbackMemory:
    """The pass-record callback URL the appliance had before we set ours (per entry)."""

    def __init__(self, hass: HomeAssistant, entry_id: str) -> None:
        self._store: Store[_StoredCallback] = Store(
            hass, STORAGE_VERSION, f"{DOMAIN}.{entry_id}.pass_record_callback"
        )

    async def async_load(self) -> str | None:
        """The remembered URL (``""`` when the callback was off), or None when nothing is."""
        stored: Any = await self._store.async_load()
        if isinstance(stored, dict) and isinstance(stored.get("previous"), str):
            return str(stored["previous"])
        return None

    async def async_save(self, previous: str) -> None:
        """Remember the URL to put back later."""
        await self._store.async_save({"previous": previous})

    async def async_remove(self) -> None:
        """Forget it (put back, or no longer ours to put back)."""
        await self._store.async_remove()


def _points_at(url: str | None, path: str) -> bool:
    """Whether a URL leads to this entry's webhook (the path holds the secret webhook id)."""
    if not url:
        return False
    try:
        return URL(url.strip()).path.rstrip("/") == path
    except ValueError:
        return False


async def async_restore_pass_record_callback(
    client: HongTuClient, memory: PassRecordCallbackMemory, entry: HongTuConfigEntry
) -> None:
    """Put back the remembered pass-record callback, if the appliance still calls us.

    A URL somebody changed since is theirs: it stays, and the memory is dropped either way.
    The client's errors pass (the memory is then kept for the next try).
    """
    previous = await memory.async_load()
    if previous is None:
        return
    config = await client.get_face_config()
    current = as_str(config.get(FACE_CONFIG_PASS_CALLBACK))
    if _points_at(current, async_generate_path(entry.data[CONF_WEBHOOK_ID])):
        await client.set_pass_record_callback(previous or None)
        _LOGGER.info("%s: pass-record callback set back to what it was", entry.title)
    await memory.async_remove()


async def async_cleanup_removed_entry(
    hass: HomeAssistant, entry: HongTuConfigEntry, client: HongTuClient
) -> None:
    """A deleted entry: put the pass-record callback back if the appliance answers; drop issues."""
    for key in ISSUE_KEYS:
        ir.async_delete_issue(hass, DOMAIN, issue_id(key, entry.entry_id))
    memory = PassRecordCallbackMemory(hass, entry.entry_id)
    try:
        await async_restore_pass_record_callback(client, memory, entry)
    except HongTuError as err:
        _LOGGER.warning(
            "%s: could not restore the appliance's pass-record callback: %s", entry.title, err
        )
    await memory.async_remove()


class SubscriptionManager:
    """Owns this entry's push subscription and, when opted in, the pass-record callback."""

    def __init__(self, hass: HomeAssistant, entry: HongTuConfigEntry, client: HongTuClient) -> None:
        self.hass = hass
        self._entry = entry
        self._client = client
        self._path = async_generate_path(entry.data[CONF_WEBHOOK_ID])
        self._busi_types = tuple(
            sorted(
                {
                    int(busi_type)
                    for busi_type in entry.options.get(
                        CONF_SUBSCRIBE_BUSI_TYPES, DEFAULT_SUBSCRIBE_BUSI_TYPES
                    )
                }
            )
        )
        self._pass_callback = bool(
            entry.options.get(CONF_PASS_RECORD_CALLBACK, DEFAULT_PASS_RECORD_CALLBACK)
        )
        self._memory = PassRecordCallbackMemory(hass, entry.entry_id)
        self._callback_pending = True
        self._take_over = False
        self._failing = False
        self._subscribed_once = False
        self._resubscribed = False
        self.target = async_push_target(hass, entry)
        self.remote: Subscription | None = None
        self.status = "unknown"

    @property
    def busi_types(self) -> tuple[int, ...]:
        """The business types the options ask for."""
        return self._busi_types

    async def async_start(self) -> None:
        """At setup: the subscription and the pass-record callback option."""
        await self.async_upkeep()

    async def async_upkeep(self) -> None:
        """After each poll: restore what was lost. Only an auth error escapes (the coordinator
        turns it into reauth); others are logged once until the appliance answers again."""
        self._update_target()
        try:
            if self.target.url is not None:
                await self._async_ensure_subscription(self.target.url)
            else:
                self.status = "no_url"
            if self._callback_pending:
                await self._async_apply_callback_option(self.target.url)
        except HongTuAuthError:
            raise
        except HongTuError as err:
            self.status = "error"
            if not self._failing:
                _LOGGER.warning(
                    "%s: cannot keep the push subscription up to date: %s", self._title, err
                )
                self._failing = True
            return
        if self._failing:
            _LOGGER.info("%s: the push subscription is kept up to date again", self._title)
            self._failing = False

    async def async_take_over(self) -> bool:
        """The user consented: point the subscription at us, and keep doing so until unload.

        False when there is no usable URL to point it at; the client's errors pass.
        """
        self._update_target()
        if self.target.url is None:
            return False
        self._take_over = True
        await self._client.subscribe(self.target.url, self._busi_types)
        self.remote = Subscription(self._app_key, self.target.url, self._busi_types)
        _LOGGER.info(
            "%s: took over the push subscription of app key %s", self._title, self._app_key
        )
        self.status = "subscribed"
        self._delete_issue(ISSUE_FOREIGN_SUBSCRIPTION)
        return True

    async def async_stop(self) -> None:
        """At unload: unbind, but only a subscription that still points at us. Never raises."""
        self._take_over = False
        self._delete_issue(ISSUE_FOREIGN_SUBSCRIPTION)
        try:
            current = await self._client.get_subscription()
            if current is not None and self._is_ours(current.push_url):
                await self._client.unsubscribe()
                _LOGGER.debug("%s: push subscription removed", self._title)
        except HongTuError as err:
            _LOGGER.warning("%s: could not remove the push subscription: %s", self._title, err)

    def diagnostics(self) -> dict[str, Any]:
        """The push URL (webhook id masked) and what the last check found."""
        remote = self.remote
        return {
            "push_url": redact_push_url(self.target.full_url, self._entry),
            "push_url_usable": self.target.url is not None,
            "problem": self.target.problem,
            "status": self.status,
            "wanted_busi_types": list(self._busi_types),
            "subscribed_busi_types": (
                list(remote.busi_types)
                if remote is not None and self._is_ours(remote.push_url)
                else None
            ),
            "take_over_consented": self._take_over,
            "pass_record_callback": self._pass_callback,
            "pass_record_callback_pending": self._callback_pending,
            "failing": self._failing,
        }

    # Internals -----------------------------------------------------------------------------------

    @property
    def _title(self) -> str:
        return self._entry.title

    @property
    def _app_key(self) -> str:
        return self._client.app_key

    def _is_ours(self, url: str | None) -> bool:
        return _points_at(url, self._path)

    def _update_target(self) -> None:
        """Recompute the URL (Home Assistant's network settings may change) and its issues."""
        self.target = async_push_target(self.hass, self._entry)
        for key in (ISSUE_NO_PUSH_URL, ISSUE_HTTPS_PUSH_URL):
            if self.target.problem != key:
                self._delete_issue(key)
                continue
            ir.async_create_issue(
                self.hass,
                DOMAIN,
                issue_id(key, self._entry.entry_id),
                is_fixable=False,
                severity=ir.IssueSeverity.WARNING,
                translation_key=key,
                translation_placeholders={"name": self._title}
                | ({"url": self.target.base} if self.target.base else {}),
            )

    async def _async_ensure_subscription(self, url: str) -> None:
        current = await self._client.get_subscription()
        self.remote = current
        if current is not None and not self._is_ours(current.push_url) and not self._take_over:
            self.status = "foreign"
            self._raise_foreign_issue(current.push_url or "")
            return
        self._delete_issue(ISSUE_FOREIGN_SUBSCRIPTION)
        # An appliance that reports no busiTypes cannot be compared: its list is taken as ours.
        if (
            current is not None
            and current.push_url == url
            and (not current.busi_types or set(current.busi_types) == set(self._busi_types))
        ):
            self.status = "subscribed"
            self._resubscribed = False
            return
        await self._client.subscribe(url, self._busi_types)
        self.remote = Subscription(self._app_key, url, self._busi_types)
        self._log_subscribed(current, url)
        # A restore that the next check does not confirm is repeated quietly.
        self._resubscribed = self._subscribed_once
        self._subscribed_once = True
        self.status = "subscribed"

    @callback
    def _log_subscribed(self, previous: Subscription | None, url: str) -> None:
        """One info line per change; debug while the appliance keeps not showing it."""
        if previous is None:
            reason = "the appliance had none (first setup, reboot or reset)"
        elif previous.push_url != url and self._is_ours(previous.push_url):
            reason = "Home Assistant's address changed"
        elif previous.push_url != url:
            reason = "taking over, as the user agreed"
        else:
            reason = f"record types {list(previous.busi_types)} → {list(self._busi_types)}"
        level = logging.DEBUG if self._resubscribed else logging.INFO
        _LOGGER.log(
            level,
            "%s: subscribed to pushes of record types %s: %s",
            self._title,
            list(self._busi_types),
            reason,
        )

    async def _async_apply_callback_option(self, url: str | None) -> None:
        """Option on: callback at us, remembering the old URL first. Off: put the old one back."""
        if not self._pass_callback:
            await async_restore_pass_record_callback(self._client, self._memory, self._entry)
            self._callback_pending = False
            return
        if url is None:
            return
        config = await self._client.get_face_config()
        current = as_str(config.get(FACE_CONFIG_PASS_CALLBACK)) or ""
        if current != url:
            if await self._memory.async_load() is None:
                await self._memory.async_save("" if self._is_ours(current) else current)
            await self._client.set_pass_record_callback(url)
            _LOGGER.info("%s: the appliance's pass-record callback now calls us", self._title)
        self._callback_pending = False

    @callback
    def _raise_foreign_issue(self, other_url: str) -> None:
        ir.async_create_issue(
            self.hass,
            DOMAIN,
            issue_id(ISSUE_FOREIGN_SUBSCRIPTION, self._entry.entry_id),
            is_fixable=True,
            severity=ir.IssueSeverity.WARNING,
            translation_key=ISSUE_FOREIGN_SUBSCRIPTION,
            translation_placeholders={
                "name": self._title,
                "app_key": self._app_key,
                "push_url": other_url,
            },
            data={"entry_id": self._entry.entry_id},
        )

    @callback
    def _delete_issue(self, key: str) -> None:
        ir.async_delete_issue(self.hass, DOMAIN, issue_id(key, self._entry.entry_id))
