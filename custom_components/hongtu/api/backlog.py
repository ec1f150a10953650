"""Reads the records of a time window from a record list, bounded, whatever order it pages in.

Catch-up needs "what was recorded since time T", but at most a bounded number of the oldest of
those, so that a long outage is worked off in steps without losing the oldest. The vendor
document does not say in which order the lists page (newest first, presumably), so nothing here
relies on it: when a window holds more records than allowed, its end is moved back (by counting,
a one-item page per probe) until it holds no more than that, and then the whole window is read.

Every query carries an explicit end, taken from the caller: with no end, records that arrive
while pages are read would shift them. The area-alert list requires one anyway.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
import math
from typing import Any, Final

from .client import URI_AREA_ALERT_LIST, URI_PASS_RECORD_LIST, HongTuClient
from .errors import HongTuParseError
from .parsing import as_int
from .record_models import HongTuRecord, RecordKind
from .records import parse_alert_list_item, parse_pass_list_item

DEFAULT_PAGE_SIZE: Final = 100
#: A list that reports no total (the document says it always does) is read up to this many
#: times the bound, and the oldest records of that are kept.
NO_TOTAL_FACTOR: Final = 10
#: Probes allowed to narrow a window; halving a year of milliseconds takes 35.
MAX_PROBES: Final = 48


@dataclass(frozen=True, slots=True)
class RecordList:
    """How one list endpoint is asked for a time window and how its items are parsed."""

    kind: RecordKind
    uri: str
    start_key: str
    end_key: str
    page_key: str
    #: Whether the endpoint includes records at the end time (the pass list excludes them).
    end_inclusive: bool
    parse: Callable[[Any], HongTuRecord]


PASS_LIST: Final = RecordList(
    RecordKind.PASS,
    URI_PASS_RECORD_LIST,
    "startPassTime",
    "endPassTime",
    "pageNum",
    end_inclusive=False,
    parse=parse_pass_list_item,
)
ALERT_LIST: Final = RecordList(
    RecordKind.ALERT,
    URI_AREA_ALERT_LIST,
    "startTime",
    "endTime",
    "currPage",
    end_inclusive=True,
    parse=parse_alert_list_item,
)


@dataclass(frozen=True, slots=True)
class Page:
    """One page as served: its items, the total the server claims, the page size it used."""

    items: list[dict[str, Any]]
    total: int | None
    size: int


@dataclass(slots=True)
class Backlog:
    """What a window read found.

    ``records`` are parsed and sorted oldest first; ``end_ms`` is the (exclusive) end of the
    window actually read, earlier than asked when the window held too many records, in which
    case ``truncated`` is set and the rest is for the next read.
    """

    records: list[HongTuRecord] = field(default_factory=list)
    end_ms: int = 0
    truncated: bool = False
    unparsable: int = 0
    requests: int = 0


class BacklogReader:
    """Reads windows of one record list with a client."""

    def __init__(
        self,
        client: HongTuClient,
        source: RecordList,
        *,
        max_records: int,
        page_size: int = DEFAULT_PAGE_SIZE,
    ) -> None:
        if max_records < 1 or page_size < 1:
            msg = "max_records and page_size must be positive"
            raise ValueError(msg)
        self._client = client
        self.source = source
        self.max_records = max_records
        self.page_size = page_size
        self._requests = 0

    async def async_count(self, start_ms: int, end_ms: int) -> int | None:
        """How many records the window [start, end) holds, as the server counts them."""
        return (await self._async_page(start_ms, end_ms, 1, 1)).total

    async def async_first_page(self, start_ms: int, end_ms: int) -> Page:
        """The first page of a window (to look at what it holds)."""
        return await self._async_page(start_ms, end_ms, 1, self.page_size)

    async def async_last_page(self, start_ms: int, end_ms: int, first: Page) -> Page | None:
        """The last page of a window whose first page is known, None when that is the only one."""
        if first.total is None or first.total <= len(first.items) or not first.items:
            return None
        last = math.ceil(first.total / first.size)
        return await self._async_page(start_ms, end_ms, last, self.page_size)

    async def async_read(self, start_ms: int, end_ms: int) -> Backlog:
        """The records of [start, end): all of them, or the oldest ``max_records`` or so.

        Client errors pass. A window whose count cannot be narrowed (the server gives no
        total) is read up to ``NO_TOTAL_FACTOR`` times the bound, and the oldest are kept.
        More records at one instant than the bound are all kept: the next read must move on.
        """
        self._requests = 0
        first = await self.async_first_page(start_ms, end_ms)
        end = end_ms
        truncated = False
        if first.total is not None and first.total > self.max_records:
            end = await self._async_narrow(start_ms, end_ms)
            truncated = True
            first = await self.async_first_page(start_ms, end)
        items = await self._async_pages(start_ms, end, first)
        backlog = self._parse(items, start_ms, end)
        if len(backlog.records) > self.max_records:
            # Items beyond what a narrowed window should hold: keep the oldest, end the window
            # at the first one left out (records of that instant are all read next time).
            end = backlog.records[self.max_records].time_ms
            if end == backlog.records[0].time_ms:
                end += 1
            backlog.records = [record for record in backlog.records if record.time_ms < end]
            truncated = True
        backlog.end_ms = end
        backlog.truncated = truncated
        backlog.requests = self._requests
        return backlog

    # Internals ---------------------------------------------------------------------------------

    async def _async_page(self, start_ms: int, end_ms: int, page: int, size: int) -> Page:
        source = self.source
        body: dict[str, Any] = {
            source.start_key: start_ms,
            source.end_key: end_ms - 1 if source.end_inclusive else end_ms,
            source.page_key: page,
            "pageSize": size,
        }
        self._requests += 1
        data = await self._client.request("POST", source.uri, body)
        if data is None:
            return Page([], 0, size)
        if not isinstance(data, Mapping):
            raise HongTuParseError(f"{source.uri}: page data is {type(data).__name__}")
        items = data.get("list") or []
        if not isinstance(items, list):
            raise HongTuParseError(f"{source.uri}: list is {type(items).__name__}")
        reported = as_int(data.get("pageSize"))
        return Page(
            [dict(item) for item in items if isinstance(item, Mapping)],
            as_int(data.get("total")),
            reported if reported is not None and reported > 0 else size,
        )

    async def _async_narrow(self, start_ms: int, end_ms: int) -> int:
        """An end before which the window holds at most ``max_records`` (and, when the probes
        allow, at least half as many): bisection on the server's count."""
        low, high = start_ms, end_ms  # count(low) == 0 <= max < count(high)
        for _ in range(MAX_PROBES):
            if high - low <= 1:
                break
            middle = (low + high) // 2
            count = await self.async_count(start_ms, middle)
            if count is None:
                break
            if count > self.max_records:
                high = middle
                continue
            low = middle
            if count * 2 >= self.max_records:
                break
        # More than max_records at one instant: read that instant (bounded by the page loop).
        return low if low > start_ms else high

    async def _async_pages(self, start_ms: int, end_ms: int, first: Page) -> list[dict[str, Any]]:
        """Every item of a window, from its first page on.

        Ends at an empty page, a page repeating the previous one, when the pages cover the
        total (a short page when there is none), or after as many pages as the bound can fill.
        """
        items = list(first.items)
        page, current = 1, first
        bound = self.max_records if first.total is not None else NO_TOTAL_FACTOR * self.max_records
        max_pages = math.ceil(bound / max(1, min(first.size, self.page_size))) + 2
        while self._more(page, current) and page < max_pages:
            page += 1
            following = await self._async_page(start_ms, end_ms, page, self.page_size)
            if not following.items or following.items == current.items:
                break
            items.extend(following.items)
            current = following
        return items

    @staticmethod
    def _more(page: int, current: Page) -> bool:
        if current.total is None:
            return len(current.items) >= current.size
        return page * current.size < current.total

    def _parse(self, items: list[dict[str, Any]], start_ms: int, end_ms: int) -> Backlog:
        """Parsed records inside the window, oldest first, each once (pages may overlap)."""
        backlog = Backlog()
        seen: set[str] = set()
        for item in items:
            try:
                record = self.source.parse(item)
            except HongTuParseError:
                backlog.unparsable += 1
                continue
            if not start_ms <= record.time_ms < end_ms or record.record_id in seen:
                continue
            seen.add(record.record_id)
            backlog.records.append(record)
        records = backlog.records
        # Records of one instant keep the order they were stored in: a list that is not
        # clearly oldest first is taken as newest first (what the lists presumably do).
        if records and records[0].time_ms >= records[-1].time_ms:
            records.reverse()
        records.sort(key=lambda record: record.time_ms)
        return backlog
