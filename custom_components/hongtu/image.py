"""``last_capture``: the capture image of the newest pass or recognition on a door or camera.

The image is fetched from the appliance only when someone looks at it, once per record, and
served from memory until the next record. The record's image URL survives a restart, so the
last capture is still there afterwards (as long as the appliance keeps the file).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
import logging
from typing import Any, Self

from homeassistant.components.image import ImageEntity, ImageEntityDescription
from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.restore_state import ExtraStoredData, RestoreEntity
from homeassistant.util import dt as dt_util

from .api.errors import HongTuError
from .api.record_models import HongTuRecord, PersonRecord
from .coordinator import HongTuCoordinator
from .data import HongTuConfigEntry, HongTuSnapshot
from .record_entity import (
    HongTuRecordEntity,
    async_add_record_entities,
    is_door_or_camera,
    is_person_record,
)

_LOGGER = logging.getLogger(__package__)

PARALLEL_UPDATES = 0

#: A later record of the same millisecond still moves the image's time on by this much, so
#: its state changes and viewers reload it.
TICK = timedelta(milliseconds=1)


@dataclass(frozen=True, kw_only=True)
class HongTuImageEntityDescription(ImageEntityDescription):
    """An image of a device: which devices have it and which records feed it."""

    exists_fn: Callable[[HongTuSnapshot, str], bool]
    record_fn: Callable[[HongTuRecord], bool]


IMAGES: tuple[HongTuImageEntityDescription, ...] = (
    HongTuImageEntityDescription(
        key="last_capture",
        translation_key="last_capture",
        exists_fn=is_door_or_camera,
        record_fn=is_person_record,
    ),
)


@dataclass(frozen=True, slots=True)
class CaptureSource(ExtraStoredData):
    """Where the current image is, which record it belongs to, and its times (kept on restart)."""

    record_id: str
    url: str
    time_ms: int
    updated: datetime

    def as_dict(self) -> dict[str, Any]:
        """JSON for the restore-state store."""
        return {
            "record_id": self.record_id,
            "url": self.url,
            "time_ms": self.time_ms,
            "updated": self.updated.isoformat(),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Self | None:
        """What ``as_dict`` wrote, or None for anything else."""
        record_id, url, time_ms = data.get("record_id"), data.get("url"), data.get("time_ms")
        updated = dt_util.parse_datetime(str(data.get("updated")))
        if not (isinstance(record_id, str) and isinstance(url, str) and url):
            return None
        if not isinstance(time_ms, int) or isinstance(time_ms, bool) or updated is None:
            return None
        return cls(record_id=record_id, url=url, time_ms=time_ms, updated=updated)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: HongTuConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add ``last_capture`` to every door point and camera, and to devices that send people."""
    async_add_record_entities(
        hass, entry, async_add_entities, Platform.IMAGE, IMAGES, HongTuLastCaptureImage
    )


class HongTuLastCaptureImage(HongTuRecordEntity, ImageEntity, RestoreEntity):
    """The capture (else the panorama) of the newest person record of the device."""

    entity_description: HongTuImageEntityDescription
    _attr_content_type = "image/jpeg"

    def __init__(
        self,
        coordinator: HongTuCoordinator,
        device_uuid: str,
        description: HongTuImageEntityDescription,
    ) -> None:
        HongTuRecordEntity.__init__(self, coordinator, device_uuid, description.key)
        # CoordinatorEntity does not chain __init__, so the image side must be set up here.
        ImageEntity.__init__(self, coordinator.hass)
        self.entity_description = description
        self._source: CaptureSource | None = None
        self._cached: tuple[str, bytes] | None = None
        self._failed_record: str | None = None
        self._fetch_lock = asyncio.Lock()

    async def async_added_to_hass(self) -> None:
        """Take back the last capture from before a restart, then start taking records."""
        if (stored := await self.async_get_last_extra_data()) is not None and (
            source := CaptureSource.from_dict(stored.as_dict())
        ) is not None:
            self._source = source
            self._attr_image_last_updated = source.updated
        await super().async_added_to_hass()

    @property
    def extra_restore_state_data(self) -> CaptureSource | None:
        """The current image's source, for the next start."""
        return self._source

    def handle_record(self, record: HongTuRecord, caught_up: bool) -> bool:
        """A person record with an image replaces the image, except one caught up late that is
        older than the one shown (a live push is the newest, whatever the appliance's clock
        says: it may have been set back since)."""
        if not isinstance(record, PersonRecord):
            return False
        url = record.capture_image_url or record.panorama_image_url
        if not url:
            return False
        current = self._source
        updated = record.time
        if current is not None:
            if record.record_id == current.record_id or (
                caught_up and record.time_ms < current.time_ms
            ):
                return False
            updated = max(updated, current.updated + TICK)
        self._source = CaptureSource(
            record_id=record.record_id, url=url, time_ms=record.time_ms, updated=updated
        )
        self._cached = None
        self._attr_image_last_updated = updated
        return True

    async def async_image(self) -> bytes | None:
        """The image of the current record: fetched once, then served from memory.

        A failed fetch gives no image and is logged once per record (a viewer retrying does
        not flood the log); the next request tries again.
        """
        async with self._fetch_lock:
            source = self._source
            if source is None:
                return None
            if self._cached is not None and self._cached[0] == source.record_id:
                return self._cached[1]
            try:
                content = await self.client.fetch_image(source.url)
            except HongTuError as err:
                if self._failed_record != source.record_id:
                    self._failed_record = source.record_id
                    _LOGGER.warning(
                        "Cannot fetch the last capture of %s: %s", self.device_label, err
                    )
                else:
                    _LOGGER.debug(
                        "Still cannot fetch the last capture of %s: %s", self.device_label, err
                    )
                return None
            if self._source is source:
                self._cached = (source.record_id, content)
            return content
