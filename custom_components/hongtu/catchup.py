"""Catch-up: what the appliance recorded while its pushes could not reach us is read back from
its pass and alert lists and dispatched once, as ``hongtu_event`` with ``caught_up: true``.

Pushes are lost while Home Assistant restarts, while the appliance cannot reach the webhook (a
wrong URL) and while we cannot reach the appliance; the appliance keeps its records all the
same. Per list, the newest record time seen (pushes advance it too) is kept in a Store, saved
with a delay and at unload, together with the content keys of the records of its last minute:
a read starts a minute early, and those keys keep it from replaying what an earlier run of
Home Assistant dispatched. Within a run, the receiver's de-duplication window drops what was
pushed. Times are the records' own: our clock never decides whether a record is new.

A read runs at setup (a restart), after the coordinator recovers from a failed refresh, and on
a poll when no push has arrived for a while (at most every five minutes: one page when nothing
was missed). The very first setup of an entry replays no history: the newest record on the
appliance is where it starts.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
import contextlib
from dataclasses import dataclass, field
import json
from json.encoder import encode_basestring
import logging
import time
from typing import Any, Final

from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers.dispatcher import async_dispatcher_connect
from homeassistant.helpers.storage import Store

from .api.backlog import ALERT_LIST, PASS_LIST, BacklogReader, RecordList
from .api.client import HongTuClient
from .api.errors import HongTuError, HongTuParseError
from .api.record_models import HongTuRecord, RecordKind
from .const import (
    CONF_PASS_RECORD_CALLBACK,
    CONF_SUBSCRIBE_BUSI_TYPES,
    DEFAULT_PASS_RECORD_CALLBACK,
    DEFAULT_SUBSCRIBE_BUSI_TYPES,
    DOMAIN,
)
from .coordinator import HongTuCoordinator
from .data import HongTuConfigEntry
from .events import signal_record
from .push import HongTuPushReceiver

_LOGGER = logging.getLogger(__package__)

STORAGE_VERSION: Final = 1
#: Seconds a changed mark may wait before it is written (it is also written at unload).
SAVE_DELAY: Final = 10.0
#: A read starts this long before the newest record seen (records of one instant may straddle).
OVERLAP_MS: Final = 60_000
#: At most this many records per catch-up, the oldest; the rest follows on the next poll.
MAX_RECORDS: Final = 5000
PAGE_SIZE: Final = 100
#: Seconds without a push after which a poll checks the lists, and between two such checks.
CHECK_INTERVAL: Final = 300.0
#: The end of every query window, beyond any appliance clock however far off ours.
FAR_AHEAD_MS: Final = 366 * 24 * 3600 * 1000
#: Content keys kept per list (those of the last OVERLAP_MS before the newest record).
RECENT_LIMIT: Final = 1000
#: Records dispatched between two yields to the event loop.
DISPATCH_BATCH: Final = 100

BUSI_TYPE_ALERT: Final = 3
BUSI_TYPE_PASS: Final = 5


def wanted_lists(options: Mapping[str, Any]) -> tuple[RecordList, ...]:
    """The lists to catch up on: those of the record types the options have pushed to us."""
    busi_types = {
        int(busi_type)
        for busi_type in options.get(CONF_SUBSCRIBE_BUSI_TYPES, DEFAULT_SUBSCRIBE_BUSI_TYPES)
    }
    lists: list[RecordList] = []
    if BUSI_TYPE_PASS in busi_types or options.get(
        CONF_PASS_RECORD_CALLBACK, DEFAULT_PASS_RECORD_CALLBACK
    ):
        lists.append(PASS_LIST)
    if BUSI_TYPE_ALERT in busi_types:
        lists.append(ALERT_LIST)
    return tuple(lists)


def key_text(record: HongTuRecord) -> str:
    """A record's content key as text (pushes and list items of one record share it).

    The compact JSON of the key, as stored by earlier versions, written out by hand: this runs
    for every push, and ``json.dumps`` with options builds a new encoder each time.
    """
    return "[" + ",".join(map(_json_item, record.content_key)) + "]"


def _json_item(value: str | int | None) -> str:
    if value is None:
        return "null"
    if isinstance(value, str):
        return encode_basestring(value)
    return str(value) if type(value) is int else json.dumps(value)


def _ms_or_none(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None


@dataclass(slots=True)
class ListMark:
    """Where one list stands.

    ``newest_ms``: the newest record time dispatched (or the starting point); None until known.
    ``resume_ms``: set while records may be missing: the next read starts there.
    ``recent``: content key → time of the records dispatched in the minute before the newest.
    """

    newest_ms: int | None = None
    resume_ms: int | None = None
    recent: dict[str, int] = field(default_factory=dict)

    def note(self, record: HongTuRecord) -> None:
        """A record of this list was dispatched."""
        if self.newest_ms is None or record.time_ms > self.newest_ms:
            self.newest_ms = record.time_ms
        if record.time_ms >= self.newest_ms - OVERLAP_MS:
            self.recent[key_text(record)] = record.time_ms
            if len(self.recent) > 2 * RECENT_LIMIT:
                self.prune()

    def prune(self) -> None:
        """Forget the keys that fell out of the overlap (and beyond the limit, the oldest)."""
        if self.newest_ms is None:
            self.recent.clear()
            return
        floor = self.newest_ms - OVERLAP_MS
        kept = sorted(
            ((moment, key) for key, moment in self.recent.items() if moment >= floor),
            reverse=True,
        )[:RECENT_LIMIT]
        self.recent = {key: moment for moment, key in kept}

    def suspect_gap(self) -> None:
        """Records may go missing from now on: the next read starts before the newest seen."""
        if self.resume_ms is None and self.newest_ms is not None:
            self.resume_ms = max(0, self.newest_ms - OVERLAP_MS)

    def start_ms(self) -> int:
        """Where the next read starts (only asked once ``newest_ms`` is known)."""
        if self.resume_ms is not None:
            return self.resume_ms
        return max(0, (self.newest_ms or 0) - OVERLAP_MS)

    def as_dict(self) -> dict[str, Any]:
        self.prune()
        return {
            "newest_ms": self.newest_ms,
            "resume_ms": self.resume_ms,
            "recent": sorted([key, moment] for key, moment in self.recent.items()),
        }

    @classmethod
    def from_dict(cls, stored: Any) -> ListMark:
        """A mark from the Store; anything malformed is dropped (the list then starts anew)."""
        if not isinstance(stored, Mapping):
            return cls()
        mark = cls(_ms_or_none(stored.get("newest_ms")), _ms_or_none(stored.get("resume_ms")))
        recent = stored.get("recent")
        for pair in recent if isinstance(recent, list) else ():
            if (
                isinstance(pair, list)
                and len(pair) == 2
                and isinstance(pair[0], str)
                and (moment := _ms_or_none(pair[1])) is not None
            ):
                mark.recent[pair[0]] = moment
        return mark


class CatchUp:
    """Reads back what one entry missed, and keeps the marks that say from where."""

    def __init__(
        self,
        hass: HomeAssistant,
        entry: HongTuConfigEntry,
        client: HongTuClient,
        coordinator: HongTuCoordinator,
        receiver: HongTuPushReceiver,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.hass = hass
        self._entry = entry
        self._client = client
        self._coordinator = coordinator
        self._receiver = receiver
        self.clock = clock
        self.max_records = MAX_RECORDS
        self.page_size = PAGE_SIZE
        self._store: Store[dict[str, Any]] = Store(hass, STORAGE_VERSION, storage_key(entry))
        self._lists = wanted_lists(entry.options)
        self.marks: dict[RecordKind, ListMark] = {}
        self._task: asyncio.Task[None] | None = None
        self._unsubscribe: list[CALLBACK_TYPE] = []
        self._last_check = clock()
        self._last_push = clock()
        self._retry_at: float | None = None
        self._more = False
        self._failed_polls = 0
        self._failing: set[RecordKind] = set()
        self._stopped = False
        self._save_pending = False

    async def async_load(self) -> None:
        """Read the marks and start following dispatched records and failed polls.

        Called before the receiver starts: a push that arrives before the first read must not
        hide what was missed while Home Assistant was not listening.
        """
        stored: Any = await self._store.async_load()
        lists = stored.get("lists") if isinstance(stored, Mapping) else None
        for source in self._lists:
            mark = ListMark.from_dict(
                lists.get(source.kind.value) if isinstance(lists, Mapping) else None
            )
            mark.suspect_gap()
            self.marks[source.kind] = mark
        self._unsubscribe.append(
            async_dispatcher_connect(
                self.hass, signal_record(self._entry.entry_id), self._async_on_record
            )
        )
        self._unsubscribe.append(self._coordinator.async_add_listener(self._async_on_poll))

    @callback
    def async_start(self) -> None:
        """At setup, once the entities exist: read what was missed while we were away."""
        self._async_schedule()

    async def async_after_refresh(self) -> None:
        """After a successful poll: read when records may be missing, or pushes are quiet."""
        now = self.clock()
        if self._retry_at is not None and now < self._retry_at:
            return
        gap = self._more or any(
            mark.resume_ms is not None or mark.newest_ms is None for mark in self.marks.values()
        )
        quiet = now - self._last_check >= CHECK_INTERVAL and now - self._last_push >= CHECK_INTERVAL
        if gap or quiet:
            self._async_schedule()

    async def async_wait(self) -> None:
        """Wait for a read in progress (tests and unload)."""
        if (task := self._task) is not None:
            await asyncio.shield(task)

    async def async_stop(self) -> None:
        """At unload: stop following, end a read in progress, write the marks now."""
        if self._stopped:
            return
        self._stopped = True
        while self._unsubscribe:
            self._unsubscribe.pop()()
        task, self._task = self._task, None
        if task is not None and not task.done():
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await self._store.async_save(self._as_dict())

    # Internals -----------------------------------------------------------------------------

    @callback
    def _async_on_record(self, record: HongTuRecord, caught_up: bool) -> None:
        if not caught_up:
            self._last_push = self.clock()
        if (mark := self.marks.get(record.kind)) is not None:
            mark.note(record)
            self._async_schedule_save()

    @callback
    def _async_on_poll(self) -> None:
        """A poll failed: pushes may be failing too, until the next read."""
        if self._coordinator.last_update_success:
            return
        self._failed_polls += 1
        for mark in self.marks.values():
            mark.suspect_gap()
        self._retry_at = None
        self._async_schedule_save()

    @callback
    def _async_schedule_save(self) -> None:
        """Save within SAVE_DELAY of the first unsaved change (re-arming the Store's delay on
        every push would cost a little per push and put the save off while pushes flow)."""
        if not self._stopped and not self._save_pending:
            self._save_pending = True
            self._store.async_delay_save(self._as_dict, SAVE_DELAY)

    def _as_dict(self) -> dict[str, Any]:
        self._save_pending = False
        return {"lists": {kind.value: mark.as_dict() for kind, mark in self.marks.items()}}

    @callback
    def _async_schedule(self) -> None:
        """Start a read unless one runs."""
        if self._stopped or not self._lists or (self._task is not None and not self._task.done()):
            return
        self._task = self._entry.async_create_task(
            self.hass, self._async_run(), f"{DOMAIN} catch-up {self._entry.title}"
        )

    async def _async_run(self) -> None:
        self._last_check = self.clock()
        self._more = False
        failed_polls = self._failed_polls
        failed = False
        end_ms = self._far_end_ms()
        found: list[HongTuRecord] = []
        for source in self._lists:
            mark = self.marks[source.kind]
            reader = BacklogReader(
                self._client, source, max_records=self.max_records, page_size=self.page_size
            )
            try:
                if mark.newest_ms is None:
                    await self._async_find_start(reader, mark, end_ms)
                else:
                    found.extend(await self._async_read(reader, mark, end_ms))
            except HongTuError as err:
                failed = True
                self._log_failure(source, err)
                continue
            except Exception:
                failed = True
                _LOGGER.exception("%s: catching up on %s records failed", self._title, source.kind)
                continue
            self._failing.discard(source.kind)
        self._retry_at = self.clock() + CHECK_INTERVAL if failed else None
        if self._failed_polls != failed_polls:
            # A poll failed while this read ran: what it found may already be incomplete.
            for mark in self.marks.values():
                mark.suspect_gap()
        await self._async_dispatch(found)
        self._async_schedule_save()

    async def _async_find_start(self, reader: BacklogReader, mark: ListMark, end_ms: int) -> None:
        """First read of a list: no history is replayed, its newest record is the start."""
        first = await reader.async_first_page(0, end_ms)
        last = await reader.async_last_page(0, end_ms, first)
        for page in (first, last):
            for item in page.items if page is not None else ():
                with contextlib.suppress(HongTuParseError):
                    # Also remembers the newest records: the next read's overlap skips them.
                    mark.note(reader.source.parse(item))
        if mark.newest_ms is None:
            mark.newest_ms = 0
        mark.resume_ms = None
        _LOGGER.debug(
            "%s: %s records up to %s are history, not replayed",
            self._title,
            reader.source.kind,
            mark.newest_ms,
        )

    async def _async_read(
        self, reader: BacklogReader, mark: ListMark, end_ms: int
    ) -> list[HongTuRecord]:
        """The records of a list from its mark on that no earlier run dispatched."""
        start = mark.start_ms()
        backlog = await reader.async_read(start, end_ms)
        if backlog.unparsable:
            _LOGGER.debug(
                "%s: skipped %d unparsable %s list items",
                self._title,
                backlog.unparsable,
                reader.source.kind,
            )
        if backlog.truncated:
            mark.resume_ms = backlog.end_ms
            self._more = True
        else:
            mark.resume_ms = None
        return [record for record in backlog.records if key_text(record) not in mark.recent]

    async def _async_dispatch(self, records: list[HongTuRecord]) -> None:
        """Through the receiver, oldest first: it drops what pushes already delivered."""
        records.sort(key=lambda record: record.time_ms)
        dispatched = 0
        for index, record in enumerate(records, 1):
            if self._receiver.async_dispatch(record, caught_up=True):
                dispatched += 1
            if index % DISPATCH_BATCH == 0:
                await asyncio.sleep(0)
        if dispatched:
            _LOGGER.info(
                "%s: caught up %d records the appliance could not push", self._title, dispatched
            )

    def _log_failure(self, source: RecordList, err: HongTuError) -> None:
        if source.kind in self._failing:
            _LOGGER.debug("%s: still cannot read %s records: %s", self._title, source.kind, err)
            return
        self._failing.add(source.kind)
        _LOGGER.warning(
            "%s: cannot read the %s records to catch up on missed ones: %s",
            self._title,
            source.kind,
            err,
        )

    def _far_end_ms(self) -> int:
        newest = max((mark.newest_ms or 0 for mark in self.marks.values()), default=0)
        return max(time.time_ns() // 1_000_000, newest) + FAR_AHEAD_MS

    @property
    def _title(self) -> str:
        return self._entry.title


def storage_key(entry: HongTuConfigEntry) -> str:
    """The Store key of an entry's marks."""
    return f"{DOMAIN}.{entry.entry_id}.catch_up"


async def async_remove_marks(hass: HomeAssistant, entry: HongTuConfigEntry) -> None:
    """Forget the marks of a deleted entry."""
    await Store[dict[str, Any]](hass, STORAGE_VERSION, storage_key(entry)).async_remove()
