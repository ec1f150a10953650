"""The webhook receiver: what the appliance pushes becomes one ``hongtu_event`` and one signal.

Three channels reach one webhook: the business-data push (``{busiType, data}``), the
pass-record callback and the event-record callback (and the attendance callback). The handler
reads at most 1 MiB, recognises the shape, parses the record once and answers at once; a queue
and one long-lived worker then dispatch the records in arrival order, outside the request.

Pushes are not signed by the appliance. The webhook id is a 32-byte random secret and, while
the ``push_source_check`` option is on, only the appliance's own address may post. Bad input
gets a clear HTTP answer and changes nothing; the warning about it is logged at most once a
minute and never shows the body.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
import contextlib
from dataclasses import replace
from http import HTTPStatus
import ipaddress
import logging
import secrets
import socket
import time
from typing import Final

from aiohttp import web
from homeassistant.components import webhook
from homeassistant.const import CONF_HOST
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.dispatcher import async_dispatcher_send

from .api.errors import HongTuParseError
from .api.jsondecode import loads
from .api.record_models import HongTuRecord
from .api.records import detect_and_parse, detect_shape
from .const import CONF_PUSH_SOURCE_CHECK, CONF_WEBHOOK_ID, DEFAULT_PUSH_SOURCE_CHECK, DOMAIN
from .data import HongTuConfigEntry, HongTuSnapshot
from .dedupe import RecentRecords
from .events import async_fire_hongtu_event, record_event_keys, signal_record

__all__ = ["HongTuPushReceiver", "async_ensure_webhook_id", "signal_record"]

_LOGGER = logging.getLogger(__package__)

MAX_BODY: Final = 1024 * 1024
WARNING_INTERVAL: Final = 60.0
#: Peer addresses whose verdict is remembered (more are forgotten all at once).
MAX_VERDICTS: Final = 64

type IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


@callback
def async_ensure_webhook_id(hass: HomeAssistant, entry: HongTuConfigEntry) -> str:
    """The entry's webhook id; an entry made before webhooks existed gets a new random one."""
    if webhook_id := entry.data.get(CONF_WEBHOOK_ID):
        return str(webhook_id)
    webhook_id = secrets.token_hex(32)
    hass.config_entries.async_update_entry(entry, data={**entry.data, CONF_WEBHOOK_ID: webhook_id})
    return webhook_id


def parse_address(value: str | None) -> IPAddress | None:
    """An IP address from text (IPv6 zone and IPv4-mapped forms reduced), or None."""
    if not value:
        return None
    try:
        address = ipaddress.ip_address(value.split("%", 1)[0])
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def same_host(address: IPAddress, allowed: frozenset[IPAddress]) -> bool:
    """Whether an address is one of the allowed ones; all loopback forms are one host."""
    return address in allowed or (address.is_loopback and any(a.is_loopback for a in allowed))


async def async_resolve_host(hass: HomeAssistant, host: str) -> frozenset[IPAddress]:
    """The addresses of the appliance's host: itself when it is an address, else looked up."""
    if (address := parse_address(host)) is not None:
        return frozenset({address})
    try:
        infos = await hass.loop.getaddrinfo(host, None, type=socket.SOCK_STREAM)
    except OSError as err:
        _LOGGER.debug("Cannot resolve %s to check where pushes come from: %s", host, err)
        return frozenset()
    found = (parse_address(str(info[4][0])) for info in infos)
    return frozenset(address for address in found if address is not None)


def unique_names(snapshot: HongTuSnapshot) -> dict[str, str]:
    """Each name that exactly one known device or door point has, with that device's uuid."""
    owners: dict[str, set[str]] = {}
    named = [(uuid, device.name) for uuid, device in snapshot.devices.items()]
    named += [(uuid, door.name) for uuid, door in snapshot.door_points.items()]
    for uuid, name in named:
        if name:
            owners.setdefault(name, set()).add(uuid)
    return {name: uuids.pop() for name, uuids in owners.items() if len(uuids) == 1}


class _WarningLimiter:
    """Lets a warning through at most once per interval and counts the ones it held back."""

    def __init__(self, interval: float, clock: Callable[[], float] = time.monotonic) -> None:
        self._interval = interval
        self._clock = clock
        self._last: float | None = None
        self.suppressed = 0

    def allow(self) -> bool:
        now = self._clock()
        if self._last is not None and now - self._last < self._interval:
            self.suppressed += 1
            return False
        self._last = now
        return True


class _PushRejectedError(Exception):
    """A push answered with an HTTP error; the message is safe to log (no body contents)."""

    def __init__(self, status: HTTPStatus, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


class HongTuPushReceiver:
    """One entry's webhook: receives pushes, drops duplicates and fans records out."""

    def __init__(self, hass: HomeAssistant, entry: HongTuConfigEntry) -> None:
        self.hass = hass
        self._entry = entry
        self.webhook_id: str = entry.data[CONF_WEBHOOK_ID]
        self._source_check = bool(
            entry.options.get(CONF_PUSH_SOURCE_CHECK, DEFAULT_PUSH_SOURCE_CHECK)
        )
        self._allowed: frozenset[IPAddress] = frozenset()
        # Whether a peer address (as aiohttp gives it) may post, by its text: the appliance
        # posts from one address, which is then parsed once rather than once per push.
        self._verdicts: dict[str, bool] = {}
        self._queue: asyncio.Queue[HongTuRecord] = asyncio.Queue()
        self._worker: asyncio.Task[None] | None = None
        self._registered = False
        self._recent = RecentRecords()
        # The names only one device has, by snapshot: rebuilt after a poll, not per push.
        self._names: tuple[HongTuSnapshot | None, dict[str, str]] = (None, {})
        self._limiter = _WarningLimiter(WARNING_INTERVAL)

    async def async_start(self) -> None:
        """Register the webhook and start the worker that dispatches in arrival order."""
        if self._source_check:
            self._allowed = await async_resolve_host(self.hass, self._entry.data[CONF_HOST])
        webhook.async_register(
            self.hass,
            DOMAIN,
            f"HongTu {self._entry.title}",
            self.webhook_id,
            self._async_handle_webhook,
            local_only=True,
            allowed_methods=["POST"],
        )
        self._registered = True
        self._worker = self._entry.async_create_background_task(
            self.hass, self._async_work(), f"{DOMAIN} push worker {self._entry.title}"
        )

    async def async_stop(self) -> None:
        """Unregister the webhook, dispatch what is still queued and end the worker."""
        if self._registered:
            webhook.async_unregister(self.hass, self.webhook_id)
            self._registered = False
        worker, self._worker = self._worker, None
        if worker is None:
            return
        worker.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await worker
        while not self._queue.empty():
            self._dispatch_queued(self._queue.get_nowait())

    async def async_idle(self) -> None:
        """Wait until every queued record has been dispatched."""
        await self._queue.join()

    @callback
    def async_dispatch(self, record: HongTuRecord, *, caught_up: bool = False) -> bool:
        """Send a record to the bus and to the entities: the one path for every record.

        False when the record is a duplicate of a recent one (then nothing is sent). A record
        without a device uuid whose device name matches exactly one known device is passed on
        with that device's uuid.
        """
        if not self._recent.add(record):
            _LOGGER.debug("Dropped duplicate %s record %s", record.kind, record.record_id)
            return False
        runtime = self._entry.runtime_data
        snapshot = runtime.coordinator.data
        uuid = record.device_uuid
        if uuid is None and (uuid := self._device_by_name(record.device_name)) is not None:
            record = replace(record, device_uuid=uuid)
        extra = record_event_keys(record, runtime.client.image_url)
        if caught_up:
            extra["caught_up"] = True
        async_fire_hongtu_event(
            self.hass,
            entry_id=self._entry.entry_id,
            event_type=record.kind.value,
            device_uuid=uuid,
            device_name=record.device_name
            or (snapshot.name(uuid) if uuid and snapshot.known(uuid) else None),
            record_id=record.record_id,
            time_ms=record.time_ms,
            # The same text as record.public_data(): the event strips contact details itself.
            data=record.raw,
            extra=extra,
        )
        async_dispatcher_send(self.hass, signal_record(self._entry.entry_id), record, caught_up)
        return True

    # Internals -----------------------------------------------------------------------------

    def _device_by_name(self, name: str | None) -> str | None:
        """The uuid of the one known device or door point with exactly this name."""
        if not name:
            return None
        snapshot = self._entry.runtime_data.coordinator.data
        if self._names[0] is not snapshot:
            self._names = (snapshot, unique_names(snapshot))
        return self._names[1].get(name)

    async def _async_handle_webhook(
        self, hass: HomeAssistant, webhook_id: str, request: web.Request
    ) -> web.Response:
        """Answer at once: 200 when queued (or an unhandled busiType), 4xx for what is refused.

        Home Assistant answers 200 when a handler raises, so every refusal returns here.
        """
        try:
            record = await self._async_read_record(request)
        except _PushRejectedError as rejected:
            self._warn(rejected.reason)
            return web.Response(status=rejected.status, text=rejected.reason)
        if record is not None:
            self._queue.put_nowait(record)
        return web.Response(status=HTTPStatus.OK)

    async def _async_read_record(self, request: web.Request) -> HongTuRecord | None:
        """The record a push carries; None for a business push of a busiType we do not handle."""
        if self._source_check:
            if not self._allowed:
                await self._async_resolve_allowed()
            # A relayed request (Home Assistant Cloud) has no peer address: refused too.
            self._check_source(getattr(request, "remote", None))
        body = await self._async_read_body(request)
        try:
            payload = loads(body)
        except (ValueError, RecursionError) as err:
            raise _PushRejectedError(HTTPStatus.BAD_REQUEST, "body is not JSON") from err
        if not isinstance(payload, dict):
            raise _PushRejectedError(HTTPStatus.BAD_REQUEST, "body is not a JSON object")
        try:
            source = detect_shape(payload)
        except HongTuParseError as err:
            # Not a JSON object of a known shape: refused (DESIGN "Pushes"). A known envelope
            # with a busiType we do not handle is still accepted below, as the appliance may
            # add types that this version does not know.
            _LOGGER.debug("Refused a push of unknown shape (keys %s)", sorted(payload)[:20])
            raise _PushRejectedError(HTTPStatus.BAD_REQUEST, "unknown push shape") from err
        try:
            record = detect_and_parse(payload)
        except HongTuParseError as err:
            _LOGGER.debug("Unparseable %s push: %s", source, err)
            raise _PushRejectedError(HTTPStatus.BAD_REQUEST, f"unparseable {source} push") from err
        if record is None:
            _LOGGER.debug("Ignored a business push of busiType %r", payload.get("busiType"))
        return record

    async def _async_resolve_allowed(self) -> None:
        """Look the appliance's host up again (while the lookup keeps failing, per push)."""
        self._allowed = await async_resolve_host(self.hass, self._entry.data[CONF_HOST])
        self._verdicts.clear()
        if not self._allowed:
            raise _PushRejectedError(
                HTTPStatus.FORBIDDEN,
                f"cannot resolve the appliance's host {self._entry.data[CONF_HOST]}",
            )

    def _check_source(self, remote_text: str | None) -> None:
        """Refuse a push from anywhere but the appliance."""
        key = remote_text or ""
        if (allowed := self._verdicts.get(key)) is None:
            remote = parse_address(remote_text)
            allowed = remote is not None and same_host(remote, self._allowed)
            if len(self._verdicts) >= MAX_VERDICTS:
                self._verdicts.clear()
            self._verdicts[key] = allowed
        if not allowed:
            raise _PushRejectedError(
                HTTPStatus.FORBIDDEN, f"push from {remote_text}, not from the appliance"
            )

    async def _async_read_body(self, request: web.Request) -> bytes:
        """At most 1 MiB: Content-Length is checked first, then the bytes actually read."""
        too_large = _PushRejectedError(
            HTTPStatus.REQUEST_ENTITY_TOO_LARGE, "body larger than 1 MiB"
        )
        length = getattr(request, "content_length", None)
        if length is not None and length > MAX_BODY:
            raise too_large
        stream = request.content
        chunks: list[bytes] = []
        size = 0
        try:
            while chunk := await stream.read(MAX_BODY + 1 - size):
                chunks.append(chunk)
                size += len(chunk)
                if size > MAX_BODY:
                    raise too_large
        except web.RequestPayloadError as err:
            # A Content-Encoding the bytes do not follow (aiohttp decodes while reading):
            # left to Home Assistant, it would be an error with a traceback, and a 200.
            raise _PushRejectedError(HTTPStatus.BAD_REQUEST, "body cannot be decoded") from err
        return b"".join(chunks)

    def _warn(self, reason: str) -> None:
        if not self._limiter.allow():
            _LOGGER.debug("Rejected a push to %s: %s", self._entry.title, reason)
            return
        held_back, self._limiter.suppressed = self._limiter.suppressed, 0
        _LOGGER.warning(
            "Rejected a push to %s: %s (%d more rejected since the last warning)",
            self._entry.title,
            reason,
            held_back,
        )

    async def _async_work(self) -> None:
        """Dispatch queued records one at a time, in the order they arrived."""
        while True:
            record = await self._queue.get()
            self._dispatch_queued(record)

    def _dispatch_queued(self, record: HongTuRecord) -> None:
        try:
            self.async_dispatch(record)
        except Exception:
            _LOGGER.exception("Dispatching a %s record failed", record.kind)
        finally:
            self._queue.task_done()
