"""HongTuClient: signed calls to the appliance's OpenAPI, envelope and error mapping, paging.

The client uses the aiohttp session its caller gives it and never closes it. Every answer whose
``code`` is not 0 is an error even when HTTP says 200; everything that is not the JSON envelope at
all (refused connection, time-out, HTTP error, garbage) is a connection error.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
import logging
import math
import time
from typing import Any, Final
from urllib.parse import urlsplit

import aiohttp

from .errors import (
    CODE_DOOR_COMMAND_UNSUPPORTED,
    CODE_SIGNATURE_ERROR,
    HongTuApiError,
    HongTuAuthError,
    HongTuConnectionError,
    HongTuParseError,
    HongTuUnsupportedError,
)
from .jsondecode import loads
from .models import (
    ApplianceInfo,
    CaptureResult,
    Device,
    DeviceAlarm,
    DeviceDetail,
    DoorPoint,
    Subscription,
    TopOrganization,
)
from .parsing import as_int, as_str
from .signing import EMPTY_OBJECT_MD5, body_md5, encode_body, sign_request

_LOGGER = logging.getLogger(__name__)

DEFAULT_PORT: Final = 18082
DEFAULT_TIMEOUT: Final = 10.0
DEFAULT_PAGE_SIZE: Final = 100
#: No list is paged further than this, whatever ``total`` claims.
MAX_PAGES: Final = 1000
#: Images larger than this are refused rather than held in memory.
MAX_IMAGE_BYTES: Final = 20 * 1024 * 1024
#: Window of ``get_area_alert_records`` when no start is given (its times are required).
DEFAULT_ALERT_WINDOW_MS: Final = 24 * 3600 * 1000

JSON_CONTENT_TYPE: Final = "application/json;charset=UTF-8"

URI_DEVICE_INFO: Final = "/v1/api/device/info"
URI_ORG_TOP: Final = "/v1/api/org/top/detail"
URI_DEVICE_LIST: Final = "/v1/api/device/list"
URI_DEVICE_QUERY: Final = "/v1/api/device/query"
URI_DOOR_LIST: Final = "/v1/api/door/list"
URI_DOOR_OPEN: Final = "/v1/api/door/openDoor"
URI_DOOR_ALWAYS_OPEN: Final = "/v1/api/door/alwaysOpenDoor"
URI_DOOR_ALWAYS_CLOSE: Final = "/v1/api/door/alwaysCloseDoor"
URI_DOOR_NORMAL: Final = "/v1/api/door/normal"
URI_DEVICE_ALARM_LIST: Final = "/v1/api/device_alarm/list"
URI_PUBSUB_ADD: Final = "/v1/api/pubsub/busi/record/add"
URI_PUBSUB_QUERY: Final = "/v1/api/pubsub/busi/record/query"
URI_PUBSUB_UNBIND: Final = "/v1/api/pubsub/busi/record/unbind"
URI_FACE_CONFIG_QUERY: Final = "/v1/api/sys/config/queryAFaceConfig"
URI_FACE_CONFIG_SAVE: Final = "/v1/api/sys/config/saveAFaceConfig"
URI_PASS_RECORD_LIST: Final = "/v1/api/pass_record/list"  # noqa: S105
URI_AREA_ALERT_LIST: Final = "/v1/api/areaAlert/record/list"
URI_VIDEO_CAPTURE: Final = "/v1/api/video/realtime/capture"
URI_VIDEO_PTZ: Final = "/v1/api/video/realtime/ptzControl"

#: saveAFaceConfig requires these three switches; they are sent back as read (0, "off", if absent).
FACE_CONFIG_SWITCHES: Final = ("temperatureSwitch", "maskAlertSwitch", "healthKitSwitch")
FACE_CONFIG_PASS_CALLBACK: Final = "identifyRecordCallbackUrl"  # noqa: S105

PTZ_COMMANDS: Final = range(1, 15)
PTZ_SPEEDS: Final = range(1, 9)


def build_base_url(host: str, port: int, *, ssl: bool) -> str:
    """``http(s)://host:port``, with an IPv6 literal in brackets."""
    host = host.strip()
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"
    scheme = "https" if ssl else "http"
    return f"{scheme}://{host}:{port}"


def _now_ms() -> int:
    return time.time_ns() // 1_000_000


class HongTuClient:
    """Asyncio client of one HongTu appliance."""

    def __init__(
        self,
        session: aiohttp.ClientSession,
        host: str,
        port: int = DEFAULT_PORT,
        *,
        ssl: bool = False,
        verify_ssl: bool = False,
        app_key: str,
        secret_key: str,
        timeout: float = DEFAULT_TIMEOUT,
    ) -> None:
        """Keep the caller's session; nothing is sent until a method is called."""
        self._session = session
        self._app_key = app_key
        self._secret_key = secret_key
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        self._ssl: bool = verify_ssl if ssl else False
        self.host = host.strip()
        self.port = port
        self.base_url = build_base_url(host, port, ssl=ssl)
        self.request_count = 0
        # The bodiless GET signs "" until the appliance shows it wants MD5("{}"); once a reading
        # has been accepted it is kept and a later 100008 is a real authentication error.
        self._get_body_md5 = ""
        self._get_body_md5_confirmed = False

    @property
    def app_key(self) -> str:
        """The app key requests are signed with (also the key of the push subscription)."""
        return self._app_key

    # Low level -----------------------------------------------------------------------------------

    async def request(self, method: str, uri: str, body: Any = None) -> Any:
        """Make one signed call and return the envelope's ``data`` (None when there is none).

        A POST without parameters sends and signs ``{}``. A bodiless GET signs ``""``; on code
        100008 it is retried once signing MD5("{}"), and the reading that worked is kept.
        """
        method = method.upper()
        if body is not None or method != "GET":
            raw = encode_body({} if body is None else body)
            return await self._call(method, uri, raw, body_md5(raw))
        if self._get_body_md5_confirmed:
            return await self._call(method, uri, None, self._get_body_md5)
        first = self._get_body_md5
        try:
            data = await self._call(method, uri, None, first)
        except HongTuAuthError:
            other = EMPTY_OBJECT_MD5 if first == "" else ""
            _LOGGER.debug("GET %s: signature refused, retrying with the other body MD5", uri)
            data = await self._call(method, uri, None, other)
            self._get_body_md5 = other
        self._get_body_md5_confirmed = True
        return data

    async def _call(self, method: str, uri: str, raw: bytes | None, md5: str) -> Any:
        headers = sign_request(
            uri=uri,
            method=method,
            body_md5=md5,
            app_key=self._app_key,
            secret_key=self._secret_key,
        ).as_dict()
        if raw is not None:
            headers["Content-Type"] = JSON_CONTENT_TYPE
        url = self.base_url + uri
        self.request_count += 1
        try:
            async with self._session.request(
                method, url, data=raw, headers=headers, timeout=self._timeout, ssl=self._ssl
            ) as resp:
                status = resp.status
                payload = await resp.read()
        except TimeoutError as err:
            raise HongTuConnectionError(f"Timed out calling {uri}") from err
        except aiohttp.ClientError as err:
            raise HongTuConnectionError(f"Cannot reach {self.base_url}{uri}: {err}") from err
        if not 200 <= status < 300:
            raise HongTuConnectionError(f"HTTP {status} from {uri}")
        return self._unwrap(uri, payload)

    @staticmethod
    def _unwrap(uri: str, payload: bytes) -> Any:
        """The envelope's ``data``, or the exception its ``code`` stands for."""
        try:
            envelope = loads(payload.decode("utf-8-sig"))
        except (UnicodeDecodeError, ValueError, RecursionError) as err:
            raise HongTuConnectionError(f"Answer of {uri} is not JSON") from err
        if not isinstance(envelope, dict) or "code" not in envelope:
            raise HongTuConnectionError(f"Answer of {uri} is not the appliance's envelope")
        code = as_int(envelope["code"])
        if code is None:
            raise HongTuConnectionError(f"Answer of {uri} has an unusable code")
        if code != 0:
            msg = as_str(envelope.get("msg")) or ""
            _LOGGER.debug("%s answered code %s: %s", uri, code, msg)
            if code == CODE_SIGNATURE_ERROR:
                raise HongTuAuthError(code, msg, uri)
            if code == CODE_DOOR_COMMAND_UNSUPPORTED:
                raise HongTuUnsupportedError(code, msg, uri)
            raise HongTuApiError(code, msg, uri)
        return envelope.get("data")

    async def _request_object(self, method: str, uri: str, body: Any = None) -> Mapping[str, Any]:
        """``request`` for endpoints whose ``data`` must be a JSON object."""
        data = await self.request(method, uri, body)
        if not isinstance(data, Mapping):
            raise HongTuParseError(f"{uri}: data is {type(data).__name__}, not an object")
        return data

    async def list_all(
        self,
        uri: str,
        body: Mapping[str, Any] | None = None,
        *,
        page_size: int = DEFAULT_PAGE_SIZE,
        page_key: str = "pageNum",
    ) -> list[dict[str, Any]]:
        """Every item of a paged list endpoint.

        Pages are fetched until ``pageNum * pageSize >= total``, with the pageSize the server
        reports back (it may cap what was asked). An empty page, a page repeating the previous
        one, or more pages than ``total`` can explain (bounded by MAX_PAGES) also end the loop;
        a repeated page before ``total`` items were read raises HongTuParseError instead, as
        the list would be incomplete.
        ``page_key`` names the page-number field (``currPage`` for area-alert records).
        """
        if page_size <= 0:
            raise ValueError("page_size must be positive")
        base = dict(body or {})
        items: list[dict[str, Any]] = []
        previous: list[Any] | None = None
        max_pages = MAX_PAGES
        page = 1
        while page <= max_pages:
            data = await self.request("POST", uri, {**base, page_key: page, "pageSize": page_size})
            if data is None:
                break
            if not isinstance(data, Mapping):
                raise HongTuParseError(f"{uri}: page data is {type(data).__name__}")
            page_items = data.get("list") or []
            if not isinstance(page_items, list):
                raise HongTuParseError(f"{uri}: list is {type(page_items).__name__}")
            if not page_items:
                break
            total = as_int(data.get("total"))
            if page_items == previous:
                # A list known to be longer than what was read is incomplete: a caller that
                # took it whole would think the rest gone (and remove those devices).
                if total is not None and len(items) < total:
                    raise HongTuParseError(
                        f"{uri} returned page {page - 1} again: read {len(items)} of {total}"
                    )
                _LOGGER.debug("%s returned page %s twice; stopping there", uri, page - 1)
                break
            previous = page_items
            items.extend(dict(item) for item in page_items if isinstance(item, Mapping))
            reported = as_int(data.get("pageSize"))
            served = reported if reported is not None and reported > 0 else len(page_items)
            if total is None:
                if len(page_items) < served:
                    break
            else:
                if page * served >= total:
                    break
                max_pages = min(max_pages, math.ceil(total / served) + 2)
            page += 1
        return items

    # Appliance -----------------------------------------------------------------------------------

    async def get_appliance_info(self) -> ApplianceInfo:
        """Name, model and version of the appliance (``GET /v1/api/device/info``)."""
        return ApplianceInfo.from_api(await self._request_object("GET", URI_DEVICE_INFO))

    async def get_top_organization(self) -> TopOrganization:
        """The top organisation, whose ``orgUuid`` identifies the appliance."""
        data = await self.request("POST", URI_ORG_TOP, {})
        return TopOrganization.from_api(data if isinstance(data, Mapping) else None)

    # Devices and door points ---------------------------------------------------------------------

    async def get_devices(self, *, page_size: int = DEFAULT_PAGE_SIZE) -> list[Device]:
        """All managed devices."""
        items = await self.list_all(URI_DEVICE_LIST, {}, page_size=page_size)
        return [Device.from_api(item) for item in items]

    async def get_door_points(self, *, page_size: int = DEFAULT_PAGE_SIZE) -> list[DoorPoint]:
        """All bound door points (``passModel`` false)."""
        items = await self.list_all(URI_DOOR_LIST, {"passModel": False}, page_size=page_size)
        return [DoorPoint.from_api(item) for item in items]

    async def query_device(self, uuid: str) -> DeviceDetail:
        """One device's details, including ``cmdStatus`` (door mode)."""
        return DeviceDetail.from_api(
            await self._request_object("POST", URI_DEVICE_QUERY, {"uuid": uuid})
        )

    async def get_device_alarms(
        self,
        *,
        start_ms: int | None = None,
        end_ms: int | None = None,
        device_uuids: Sequence[str] | None = None,
        page_size: int = DEFAULT_PAGE_SIZE,
    ) -> list[DeviceAlarm]:
        """Device alarm records, optionally limited to a time window (start inclusive, end not)
        and to some devices. An empty ``device_uuids`` means no device, so nothing is asked
        (the appliance would read an empty filter as every device)."""
        body: dict[str, Any] = {}
        if device_uuids is not None:
            if not device_uuids:
                return []
            body["deviceUuids"] = list(device_uuids)
        if start_ms is not None:
            body["startAlarmTime"] = start_ms
        if end_ms is not None:
            body["endAlarmTime"] = end_ms
        items = await self.list_all(URI_DEVICE_ALARM_LIST, body, page_size=page_size)
        return [DeviceAlarm.from_api(item) for item in items]

    async def open_door(self, uuid: str) -> None:
        """Release the door once (the device's own open duration applies)."""
        await self.request("POST", URI_DOOR_OPEN, {"uuid": uuid})

    async def always_open_door(self, uuid: str) -> None:
        """Hold the door open (face panels only; others raise HongTuUnsupportedError)."""
        await self.request("POST", URI_DOOR_ALWAYS_OPEN, {"uuid": uuid})

    async def always_close_door(self, uuid: str) -> None:
        """Keep the door closed (face panels only)."""
        await self.request("POST", URI_DOOR_ALWAYS_CLOSE, {"uuid": uuid})

    async def normal_door(self, uuid: str) -> None:
        """Return the door to normal operation (face panels only)."""
        await self.request("POST", URI_DOOR_NORMAL, {"uuid": uuid})

    # Push subscription and callbacks -------------------------------------------------------------

    async def subscribe(self, push_url: str, busi_types: Iterable[int]) -> None:
        """Point this app key's business-data subscription at ``push_url``."""
        types = list(dict.fromkeys(int(busi_type) for busi_type in busi_types))
        await self.request(
            "POST",
            URI_PUBSUB_ADD,
            {"appKey": self._app_key, "pushUrl": push_url, "busiTypes": types},
        )

    async def get_subscription(self) -> Subscription | None:
        """This app key's subscription, or None when there is none."""
        data = await self.request("POST", URI_PUBSUB_QUERY, {"appKey": self._app_key})
        if not isinstance(data, Mapping) or not data:
            return None
        subscription = Subscription.from_api(data)
        if subscription.push_url is None:
            return None
        return subscription

    async def unsubscribe(self) -> None:
        """Remove this app key's subscription."""
        await self.request("POST", URI_PUBSUB_UNBIND, {"appKey": self._app_key})

    async def get_face_config(self) -> dict[str, Any]:
        """The one-face-pass configuration as the appliance sends it (callback URLs, switches)."""
        data = await self.request("POST", URI_FACE_CONFIG_QUERY, {})
        if data is None:
            return {}
        if not isinstance(data, Mapping):
            raise HongTuParseError(f"{URI_FACE_CONFIG_QUERY}: data is {type(data).__name__}")
        return dict(data)

    async def save_face_config(self, config: Mapping[str, Any]) -> None:
        """Write the one-face-pass configuration (the three switches are required)."""
        await self.request("POST", URI_FACE_CONFIG_SAVE, dict(config))

    async def set_pass_record_callback(self, url: str | None) -> None:
        """Set (or with None clear) ``identifyRecordCallbackUrl``, keeping every other setting.

        saveAFaceConfig requires the three switches, so the current configuration is read and
        written back whole with only the callback URL changed.
        """
        config = await self.get_face_config()
        config[FACE_CONFIG_PASS_CALLBACK] = url or ""
        for switch in FACE_CONFIG_SWITCHES:
            if as_int(config.get(switch)) is None:
                config[switch] = 0
        await self.save_face_config(config)

    # Records -------------------------------------------------------------------------------------

    async def get_pass_records(
        self,
        *,
        start_ms: int | None = None,
        end_ms: int | None = None,
        page_size: int = DEFAULT_PAGE_SIZE,
    ) -> list[dict[str, Any]]:
        """Raw pass records (start inclusive, end exclusive), for a records parser to read."""
        body: dict[str, Any] = {}
        if start_ms is not None:
            body["startPassTime"] = start_ms
        if end_ms is not None:
            body["endPassTime"] = end_ms
        return await self.list_all(URI_PASS_RECORD_LIST, body, page_size=page_size)

    async def get_area_alert_records(
        self,
        *,
        start_ms: int | None = None,
        end_ms: int | None = None,
        page_size: int = DEFAULT_PAGE_SIZE,
    ) -> list[dict[str, Any]]:
        """Raw area-alert records. The endpoint requires both times: the end defaults to now and
        the start to 24 hours before the end. It pages with ``currPage``, not ``pageNum``."""
        end = end_ms if end_ms is not None else _now_ms()
        start = start_ms if start_ms is not None else end - DEFAULT_ALERT_WINDOW_MS
        return await self.list_all(
            URI_AREA_ALERT_LIST,
            {"startTime": start, "endTime": end},
            page_size=page_size,
            page_key="currPage",
        )

    # Video ---------------------------------------------------------------------------------------

    async def capture(self, device_uuid: str) -> CaptureResult:
        """Take a snapshot; the answer is the image URL (valid 24 hours), see ``fetch_image``."""
        return CaptureResult.from_api(
            await self._request_object("POST", URI_VIDEO_CAPTURE, {"deviceUuid": device_uuid})
        )

    async def ptz(
        self, device_uuid: str, command: int, *, speed: int = 4, stop: bool = False
    ) -> None:
        """Start (or with ``stop`` end) a PTZ movement: ``command`` 1-14, ``speed`` 1-8."""
        if command not in PTZ_COMMANDS:
            raise ValueError(f"PTZ command must be 1-14, not {command}")
        if speed not in PTZ_SPEEDS:
            raise ValueError(f"PTZ speed must be 1-8, not {speed}")
        await self.request(
            "POST",
            URI_VIDEO_PTZ,
            {
                "deviceUuid": device_uuid,
                "ptzCmd": command,
                "speed": speed,
                "stop": 1 if stop else 0,
            },
        )

    def image_url(self, url: str) -> str:
        """An absolute URL for an image URL of the appliance (``/pub/...`` paths are relative)."""
        url = url.strip()
        if url.startswith(("http://", "https://")) and ": //" not in url:
            return url  # the usual case, decided cheaply: this runs for every pushed image
        url = url.replace("http: //", "http://").replace("https: //", "https://")
        if urlsplit(url).scheme in ("http", "https"):
            return url
        return f"{self.base_url}/{url.lstrip('/')}"

    async def fetch_image(self, url: str) -> bytes:
        """Download an image the appliance serves (snapshot, capture or library photo)."""
        target = self.image_url(url)
        self.request_count += 1
        try:
            async with self._session.get(target, timeout=self._timeout, ssl=self._ssl) as resp:
                status = resp.status
                payload = await _read_limited(resp, MAX_IMAGE_BYTES) if status < 300 else b""
        except TimeoutError as err:
            raise HongTuConnectionError("Timed out fetching an image") from err
        except aiohttp.ClientError as err:
            raise HongTuConnectionError(f"Cannot fetch image: {err}") from err
        if not 200 <= status < 300:
            raise HongTuConnectionError(f"HTTP {status} fetching an image")
        if payload is None:
            raise HongTuConnectionError(f"Image larger than {MAX_IMAGE_BYTES} bytes")
        return payload


async def _read_limited(resp: aiohttp.ClientResponse, limit: int) -> bytes | None:
    """The body, or None when it is larger than ``limit`` bytes (read no further than that)."""
    if (resp.content_length or 0) > limit:
        return None
    chunks: list[bytes] = []
    size = 0
    async for chunk in resp.content.iter_chunked(65536):
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
    return b"".join(chunks)
