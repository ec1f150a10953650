"""Camera per managed camera: snapshots through the appliance, its RTSP stream where the appliance
gives one, and the ``hongtu.ptz`` entity service."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
import logging
import re
from time import monotonic
from typing import Final
from urllib.parse import urlsplit, urlunsplit

from homeassistant.components.camera import (
    Camera,
    CameraEntityDescription,
    CameraEntityFeature,
)
from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import entity_platform
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.event import async_call_later
from homeassistant.helpers.typing import VolDictType
import voluptuous as vol

from .api.errors import HongTuApiError, HongTuConnectionError, HongTuError
from .api.models import CAMERA_DEVICE_TYPES
from .const import CAPTURE_INTERVAL, DOMAIN
from .coordinator import HongTuCoordinator
from .data import HongTuConfigEntry, HongTuSnapshot
from .entity import CODE_DEVICE_OFFLINE, HongTuEntity, async_add_device_entities

_LOGGER = logging.getLogger(__package__)

# Snapshots and PTZ calls go one at a time per camera (the lock does that); across cameras the
# appliance may take them in parallel.
PARALLEL_UPDATES = 0

# "云台控制调用失败": what the appliance answers a PTZ command to a camera that has no PTZ.
CODE_PTZ_FAILED: Final = 102141

# How long to wait before asking again for a camera's detail the appliance did not answer.
DETAIL_RETRY: Final = timedelta(minutes=1)

SERVICE_PTZ: Final = "ptz"
ATTR_COMMAND: Final = "command"
ATTR_SPEED: Final = "speed"
ATTR_DURATION: Final = "duration"

#: Service command → ``ptzCmd`` of /v1/api/video/realtime/ptzControl (api-events.md §7.1).
PTZ_COMMANDS: Final[dict[str, int]] = {
    "up": 1,
    "down": 2,
    "left": 3,
    "right": 4,
    "up_left": 5,
    "up_right": 6,
    "down_left": 7,
    "down_right": 8,
    "zoom_in": 9,
    "zoom_out": 10,
    "focus_near": 11,
    "focus_far": 12,
    "iris_open": 13,
    "iris_close": 14,
}
DEFAULT_PTZ_SPEED: Final = 4
DEFAULT_PTZ_DURATION: Final = 0.5

PTZ_SCHEMA: Final[VolDictType] = {
    vol.Required(ATTR_COMMAND): vol.In(list(PTZ_COMMANDS)),
    vol.Optional(ATTR_SPEED, default=DEFAULT_PTZ_SPEED): vol.All(
        vol.Coerce(int), vol.Range(min=1, max=8)
    ),
    vol.Optional(ATTR_DURATION, default=DEFAULT_PTZ_DURATION): vol.All(
        vol.Coerce(float), vol.Range(min=0.1, max=10)
    ),
}

# ``user=``/``password=`` pairs in a stream address's path or query (the vendor's example puts
# the credentials there rather than in the userinfo).
_CREDENTIAL_PARAM = re.compile(
    r"(?i)(^|[/?&;])((?:user|username|usr|password|passwd|pwd|pass)=)[^&;/]*"
)
REDACTED: Final = "**REDACTED**"


def redact_url(url: str) -> str:
    """The URL without its userinfo and with credential parameters masked, for logs."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    try:
        port = parts.port
    except ValueError:
        port = None
    netloc = host if port is None else f"{host}:{port}"
    if parts.username is not None or parts.password is not None:
        netloc = f"{REDACTED}@{netloc}"
    path = _CREDENTIAL_PARAM.sub(rf"\1\2{REDACTED}", parts.path)
    query = _CREDENTIAL_PARAM.sub(rf"\1\2{REDACTED}", parts.query)
    return urlunsplit((parts.scheme, netloc, path, query, parts.fragment))


def is_camera(snapshot: HongTuSnapshot, uuid: str) -> bool:
    """Smart cameras (deviceType 1) and network cameras (4) deliver video."""
    device = snapshot.devices.get(uuid)
    if device is not None:
        return device.device_type in CAMERA_DEVICE_TYPES
    door = snapshot.door_points.get(uuid)
    return door is not None and door.device_type in CAMERA_DEVICE_TYPES


@dataclass(frozen=True, kw_only=True)
class HongTuCameraEntityDescription(CameraEntityDescription):
    """A camera of a managed device."""

    exists_fn: Callable[[HongTuSnapshot, str], bool]


CAMERAS: tuple[HongTuCameraEntityDescription, ...] = (
    HongTuCameraEntityDescription(key="camera", translation_key="camera", exists_fn=is_camera),
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: HongTuConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add a camera for every managed camera, now and when one appears; offer ``hongtu.ptz``."""
    async_add_device_entities(entry, async_add_entities, CAMERAS, HongTuCamera)
    platform = entity_platform.async_get_current_platform()
    platform.async_register_entity_service(SERVICE_PTZ, PTZ_SCHEMA, "async_ptz")


@dataclass(frozen=True, slots=True)
class _Failure:
    """Why the last capture failed, to answer requests inside the capture interval with."""

    translation_key: str
    placeholders: dict[str, str]

    def error(self) -> HomeAssistantError:
        return HomeAssistantError(
            translation_domain=DOMAIN,
            translation_key=self.translation_key,
            translation_placeholders=self.placeholders,
        )


class HongTuCamera(HongTuEntity, Camera):
    """A camera; named after the device itself."""

    entity_description: HongTuCameraEntityDescription
    _attr_name = None

    def __init__(
        self,
        coordinator: HongTuCoordinator,
        device_uuid: str,
        description: HongTuCameraEntityDescription,
    ) -> None:
        super().__init__(coordinator, device_uuid, description.key)
        # CoordinatorEntity does not chain to Camera.__init__, which sets up tokens and streams.
        Camera.__init__(self)
        self.entity_description = description
        self._capture_lock = asyncio.Lock()
        self._ptz_lock = asyncio.Lock()
        self._captured_at: float | None = None
        self._image: bytes | None = None
        self._failure: _Failure | None = None
        self._outage_logged = False
        self._detail_task: asyncio.Task[None] | None = None
        self._cancel_retry: CALLBACK_TYPE | None = None
        self._rtsp_url: str | None = None

    # Snapshots -----------------------------------------------------------------------------------

    async def async_camera_image(
        self, width: int | None = None, height: int | None = None
    ) -> bytes | None:
        """A snapshot: at most one capture per interval, shared by concurrent requests."""
        if not self.coordinator.data.online(self.device_uuid):
            raise HomeAssistantError(
                translation_domain=DOMAIN,
                translation_key="device_offline",
                translation_placeholders={"device": self.device_label},
            )
        if (recent := self._recent()) is not None:
            return recent
        async with self._capture_lock:
            # Whoever waited for the lock gets what the holder just fetched.
            if (recent := self._recent()) is not None:
                return recent
            return await self._async_capture()

    def _recent(self) -> bytes | None:
        """The last result if it is younger than the capture interval (a failure is raised)."""
        if self._captured_at is None:
            return None
        if monotonic() - self._captured_at >= CAPTURE_INTERVAL.total_seconds():
            return None
        if self._failure is not None:
            raise self._failure.error()
        return self._image

    async def _async_capture(self) -> bytes:
        started = monotonic()
        client = self.coordinator.client
        try:
            result = await client.capture(self.device_uuid)
            image = await client.fetch_image(client.image_url(result.image_url))
        except HongTuError as err:
            self._captured_at = started
            self._image = None
            self._failure = self._capture_failure(err)
            if not self._outage_logged:
                self._outage_logged = True
                _LOGGER.warning("Cannot take a snapshot from %s: %s", self.device_label, err)
            raise self._failure.error() from err
        self._captured_at = started
        self._image = image
        self._failure = None
        if self._outage_logged:
            self._outage_logged = False
            _LOGGER.info("Snapshots from %s work again", self.device_label)
        return image

    def _capture_failure(self, err: HongTuError) -> _Failure:
        if isinstance(err, HongTuApiError) and err.code == CODE_DEVICE_OFFLINE:
            return _Failure("device_offline", {"device": self.device_label})
        return _Failure("capture_failed", {"device": self.device_label, "error": str(err)})

    # Stream --------------------------------------------------------------------------------------

    async def stream_source(self) -> str | None:
        """The appliance's stream address for this camera, when it gives one."""
        return self._rtsp_url

    async def async_added_to_hass(self) -> None:
        """Ask once (in the background) whether the appliance gives a stream address."""
        await super().async_added_to_hass()
        self._async_load_detail()

    @callback
    def _async_load_detail(self, _now: datetime | None = None) -> None:
        self._cancel_retry = None
        self._detail_task = self.coordinator.config_entry.async_create_background_task(
            self.hass,
            self._async_query_detail(),
            f"{DOMAIN} camera detail {self.device_uuid}",
        )

    async def _async_query_detail(self) -> None:
        """One device/query per camera and setup: a stream address makes it a streaming camera.

        An error code is a definite answer (snapshot-only); an unreachable appliance is asked
        again a minute later.
        """
        try:
            detail = await self.coordinator.client.query_device(self.device_uuid)
        except HongTuConnectionError as err:
            _LOGGER.debug("No device detail for %s yet: %s", self.device_label, err)
            self._cancel_retry = async_call_later(self.hass, DETAIL_RETRY, self._async_load_detail)
            return
        except HongTuError as err:
            _LOGGER.debug("No stream address for %s: %s", self.device_label, err)
            return
        self._rtsp_url = detail.rtsp_url
        if self._rtsp_url is None:
            _LOGGER.debug("%s gives no stream address; snapshots only", self.device_label)
            return
        _LOGGER.debug("%s streams from %s", self.device_label, redact_url(self._rtsp_url))
        self._attr_supported_features = CameraEntityFeature.STREAM
        self.async_write_ha_state()

    async def async_will_remove_from_hass(self) -> None:
        """Stop a detail query still running or waiting to be retried."""
        if self._detail_task is not None:
            self._detail_task.cancel()
        if self._cancel_retry is not None:
            self._cancel_retry()
            self._cancel_retry = None
        await super().async_will_remove_from_hass()

    # PTZ -----------------------------------------------------------------------------------------

    async def async_ptz(self, command: str, speed: int, duration: float) -> None:
        """``hongtu.ptz``: start the movement, wait ``duration`` seconds, stop it."""
        ptz_cmd = PTZ_COMMANDS[command]
        async with self._ptz_lock:
            await self._async_ptz_call(ptz_cmd, speed, stop=False)
            try:
                await asyncio.sleep(duration)
            finally:
                await self._async_ptz_call(ptz_cmd, speed, stop=True)

    async def _async_ptz_call(self, ptz_cmd: int, speed: int, *, stop: bool) -> None:
        placeholders = {"device": self.device_label}
        try:
            await self.coordinator.client.ptz(self.device_uuid, ptz_cmd, speed=speed, stop=stop)
        except HongTuApiError as err:
            if err.code == CODE_PTZ_FAILED and not stop:
                raise ServiceValidationError(
                    translation_domain=DOMAIN,
                    translation_key="ptz_not_supported",
                    translation_placeholders=placeholders,
                ) from err
            if err.code == CODE_DEVICE_OFFLINE:
                raise HomeAssistantError(
                    translation_domain=DOMAIN,
                    translation_key="device_offline",
                    translation_placeholders=placeholders,
                ) from err
            raise self._ptz_failed(err) from err
        except HongTuError as err:
            raise self._ptz_failed(err) from err

    def _ptz_failed(self, err: HongTuError) -> HomeAssistantError:
        return HomeAssistantError(
            translation_domain=DOMAIN,
            translation_key="ptz_failed",
            translation_placeholders={"device": self.device_label, "error": str(err)},
        )
