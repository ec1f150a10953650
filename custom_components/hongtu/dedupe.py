"""A bounded memory of recent records, so a record that arrives twice is dispatched once.

The same pass can reach us through the business push (busiType 5), the pass-record callback
and, after an outage, the pass-record list, which numbers records differently. A record is
therefore a duplicate when its id was seen, or when its content key (kind, device, time,
discriminator) was seen. Both live in one window of the most recent records; each check and
insertion is O(1).
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Final

from .api.record_models import ContentKey, HongTuRecord

DEFAULT_WINDOW: Final = 4096


class RecentRecords:
    """The ids and content keys of the last ``size`` records."""

    def __init__(self, size: int = DEFAULT_WINDOW) -> None:
        if size < 1:
            msg = "the window must hold at least one record"
            raise ValueError(msg)
        self._size = size
        self._ids: OrderedDict[str, None] = OrderedDict()
        self._keys: OrderedDict[ContentKey, None] = OrderedDict()

    def __len__(self) -> int:
        """How many record ids the window holds."""
        return len(self._ids)

    def seen(self, record: HongTuRecord) -> bool:
        """Whether the record's id or its content key is in the window."""
        return record.record_id in self._ids or record.content_key in self._keys

    def add(self, record: HongTuRecord) -> bool:
        """Remember the record; True when it is new, False when it is a duplicate.

        A duplicate's id and key are remembered too: a copy that arrives later under the
        other channel's id is then recognised by either.
        """
        new = not self.seen(record)
        self._remember(self._ids, record.record_id)
        self._remember(self._keys, record.content_key)
        return new

    def _remember[_K](self, window: OrderedDict[_K, None], key: _K) -> None:
        window[key] = None
        window.move_to_end(key)
        if len(window) > self._size:
            window.popitem(last=False)
