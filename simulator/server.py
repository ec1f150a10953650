"""The fake HongTu 3000 appliance: an aiohttp server with switchable faults and real pushes.

One :class:`Simulator` serves the OpenAPI (signed, enveloped) and ``/pub/...`` images on the API
port, a control API under ``/_sim/...`` on the API port and, optionally, on a separate control
port that keeps working while the API port is "down". Pushes are real HTTP POSTs to whatever
the client subscribed.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
import json
import logging
import socket
import time
from typing import Any

import aiohttp
from aiohttp import web

from .control import add_control_routes
from .endpoints import ENDPOINTS, NO_DATA, Call
from .errors import MESSAGES, OK, PARAM_INVALID, SIGNATURE_ERROR, ApiError
from .faults import Faults, path_matches
from .inventory import (
    CMD_NORMAL,
    MODE_ALERT,
    MODE_FACE,
    MODE_STRUCTURED,
    NETWORK_CAMERA,
    OFFLINE,
    ONLINE,
    PANEL,
    SMART_CAMERA,
    Device,
    Inventory,
    stable_uuid,
)
from .jpeg import SNAPSHOT_JPEG
from .records import (
    ALERT_KIND,
    IMAGE_URI,
    PASS_KIND,
    PERSON_KIND,
    VEHICLE_KIND,
    RecordContext,
    alert_list_item,
    alert_push,
    event_record,
    now_ms,
    pass_callback,
    pass_list_item,
    pass_push,
    recognition_push,
    structured_push,
    vehicle_push,
)
from .signing import check_signature
from .state import ApplianceState

_LOGGER = logging.getLogger(__name__)

BUSI_RECOGNITION = 1
BUSI_VEHICLE = 2
BUSI_ALERT = 3
BUSI_PASS = 5
BUSI_STRUCTURED = 12

DEFAULT_PLATE = "京A12345"
_UNPARSED = object()
_FACE_MODES = (MODE_FACE, 4, 5, 12)
_ALERT_MODES = (MODE_ALERT, 12)


@dataclass(frozen=True, slots=True)
class RecordedRequest:
    """One request the API port received (control requests are not recorded)."""

    method: str
    path: str
    query: str
    headers: dict[str, str]
    body: bytes
    json: Any
    app_key: str | None
    signature_ok: bool
    time: float


@dataclass(slots=True)
class Delivery:
    """One push attempt: which channel, where, what, and how it went."""

    channel: str
    url: str
    payload: dict[str, Any]
    status: int | None = None
    error: str | None = None

    @property
    def ok(self) -> bool:
        """Delivered and answered with a 2xx/3xx status."""
        return self.error is None and self.status is not None and self.status < 400


@dataclass(slots=True)
class _PushFormat:
    data_as_object: bool = False
    busi_type_as_int: bool = False


@dataclass(slots=True)
class _Sites:
    api_runner: web.AppRunner | None = None
    api_site: web.SockSite | None = None
    control_runner: web.AppRunner | None = None
    tasks: set[asyncio.Task[None]] = field(default_factory=set)


def _envelope(payload: dict[str, Any], status: int = 200) -> web.Response:
    return web.Response(
        status=status,
        text=json.dumps(payload, ensure_ascii=False),
        content_type="application/json",
        charset="utf-8",
    )


def _error(code: int, msg: str | None = None) -> web.Response:
    return _envelope({"code": code, "msg": msg if msg is not None else MESSAGES.get(code, "失败")})


def _parse_json(raw: bytes) -> Any:
    try:
        return json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return _UNPARSED


class Simulator:
    """A HongTu 3000 appliance on 127.0.0.1 (or ``host``), for tests, demos and benchmarks."""

    def __init__(
        self,
        inventory: Inventory | None = None,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        control_port: int | None = None,
        public_url: str | None = None,
        push_timeout: float = 5.0,
    ) -> None:
        """Prepare (not start) a simulator; ``port`` 0 picks a free port at start."""
        self.state = ApplianceState.from_inventory(inventory or Inventory.default())
        self.faults = Faults()
        self.requests: list[RecordedRequest] = []
        self.deliveries: list[Delivery] = []
        self.push_failures = 0
        #: The most API requests of each path that were in progress at once.
        self.peak_concurrency: dict[str, int] = {}
        self._in_flight: dict[str, int] = {}
        self._clock_offset_ms = 0
        self._host = host
        self._port = port
        self._control_port = control_port
        self._public_url = public_url.rstrip("/") if public_url else None
        self._push_timeout = push_timeout
        self._push_format = _PushFormat()
        self._sites = _Sites()
        self._session: aiohttp.ClientSession | None = None

    # --- lifecycle ------------------------------------------------------------------------

    @property
    def host(self) -> str:
        """The address the API port listens on."""
        return self._host

    @property
    def port(self) -> int:
        """The API port (the real one once started, even when 0 was asked for)."""
        return self._port

    @property
    def url(self) -> str:
        """Base URL of the API port, reachable from this machine."""
        return f"http://{self._reachable_host()}:{self._port}"

    @property
    def control_port(self) -> int | None:
        """The separate control port, if one was asked for."""
        return self._control_port

    @property
    def control_url(self) -> str:
        """Base URL of the control API: the control port if there is one, else the API port."""
        if self._control_port is None:
            return self.url
        return f"http://{self._reachable_host()}:{self._control_port}"

    @property
    def public_url(self) -> str:
        """Base of the image URLs in pushes (``public_url`` if given, else :attr:`url`)."""
        return self._public_url or self.url

    @property
    def running(self) -> bool:
        """Whether :meth:`start` has run and :meth:`stop` has not."""
        return self._sites.api_runner is not None

    def _reachable_host(self) -> str:
        return "127.0.0.1" if self._host in ("", "0.0.0.0", "::") else self._host  # noqa: S104

    async def start(self) -> None:
        """Bind the API port (and the control port) and start serving."""
        if self.running:
            return
        self._session = aiohttp.ClientSession(
            timeout=aiohttp.ClientTimeout(total=self._push_timeout)
        )
        api_app = web.Application()
        add_control_routes(api_app, self)
        api_app.router.add_route("*", "/{tail:.*}", self._handle_api)
        api_runner = web.AppRunner(
            api_app, access_log=None, shutdown_timeout=0.5, handler_cancellation=True
        )
        await api_runner.setup()
        self._sites.api_runner = api_runner
        await self._open_api_site(self._listen(self._port))
        if self._control_port is not None:
            control_app = web.Application()
            add_control_routes(control_app, self)
            control_runner = web.AppRunner(
                control_app, access_log=None, shutdown_timeout=0.5, handler_cancellation=True
            )
            await control_runner.setup()
            self._sites.control_runner = control_runner
            sock = self._listen(self._control_port)
            self._control_port = sock.getsockname()[1]
            await web.SockSite(control_runner, sock).start()
        _LOGGER.info("HongTu simulator listening on %s", self.url)

    async def stop(self) -> None:
        """Stop serving and close the push session (safe to call twice)."""
        for task in list(self._sites.tasks):
            await task
        for runner in (self._sites.api_runner, self._sites.control_runner):
            if runner is not None:
                await runner.cleanup()
        self._sites = _Sites()
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def __aenter__(self) -> Simulator:
        """``async with Simulator() as sim``: started on entry."""
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        """Stopped on exit."""
        await self.stop()

    def _listen(self, port: int) -> socket.socket:
        """Bind and listen synchronously, so the port accepts connections from this moment."""
        family, kind, proto, _, address = socket.getaddrinfo(
            self._host or None, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )[0]
        sock = socket.socket(family, kind, proto)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
        sock.listen(128)
        sock.setblocking(False)
        return sock

    async def _open_api_site(self, sock: socket.socket) -> None:
        runner = self._sites.api_runner
        if runner is None:  # stopped meanwhile
            sock.close()
            return
        site = web.SockSite(runner, sock)
        await site.start()
        self._sites.api_site = site
        self._port = sock.getsockname()[1]

    def _bring_up(self) -> None:
        """Listen again on the same port now; the server starts accepting in a task."""
        self.faults.down = False
        if self._sites.api_site is not None or self._sites.api_runner is None:
            return
        task = asyncio.get_running_loop().create_task(self._open_api_site(self._listen(self._port)))
        self._sites.tasks.add(task)
        task.add_done_callback(self._sites.tasks.discard)

    # --- faults ---------------------------------------------------------------------------

    async def set_down(self, down: bool) -> None:
        """Down: connections to the API port are refused; up: it listens again on the same port.

        Connections kept alive from before are dropped at their next request.
        """
        if not down:
            self._bring_up()
            for task in list(self._sites.tasks):
                await task
            return
        self.faults.down = True
        site, self._sites.api_site = self._sites.api_site, None
        if site is not None:
            await site.stop()

    def set_slow(self, seconds: float) -> None:
        """Delay every API answer by ``seconds`` (0 turns it off)."""
        self.faults.slow = max(0.0, float(seconds))

    def set_http_500(self, path: str | None = None, enabled: bool = True) -> None:
        """Answer HTTP 500 on ``path`` (and below it), or on every endpoint when None."""
        self._toggle(self.faults.http_500, path, enabled)

    def set_garbage(self, path: str | None = None, enabled: bool = True) -> None:
        """Answer HTTP 200 with an HTML body on ``path``, or on every endpoint when None."""
        self._toggle(self.faults.garbage, path, enabled)

    @staticmethod
    def _toggle(selected: set[str | None], path: str | None, enabled: bool) -> None:
        if enabled:
            selected.add(path)
        else:
            selected.discard(path)

    def set_error_code(self, path: str, code: int, msg: str = "失败") -> None:
        """Answer ``{"code": code, "msg": msg}`` on one endpoint (after the signature check)."""
        self.faults.error_codes[path] = (int(code), msg)

    def clear_error_code(self, path: str) -> None:
        """Stop the error envelope on one endpoint."""
        self.faults.error_codes.pop(path, None)

    def set_reject_signatures(self, enabled: bool) -> None:
        """Answer 100008 to everything, as after the secret changed on the appliance."""
        self.faults.reject_signatures = enabled

    def set_secret(self, app_key: str, secret: str) -> None:
        """Change (or add) a key pair."""
        self.state.secrets[app_key] = secret

    def set_repeat_pages(self, enabled: bool) -> None:
        """Paging fault: list endpoints always serve the first page."""
        self.faults.repeat_pages = enabled

    def set_page_size_cap(self, size: int | None) -> None:
        """Cap pageSize on list endpoints (the capped value is reported back); None lifts it."""
        self.faults.page_size_cap = size if size is None else max(1, int(size))

    def set_list_item_faults(self, *, sparse: bool = False, string_numbers: bool = False) -> None:
        """List pages whose items lack the optional fields (``sparse``; device and door lists)
        and carry every number as a string, the page fields too (``string_numbers``)."""
        self.faults.sparse_items = sparse
        self.faults.string_numbers = string_numbers

    def set_clock_offset(self, seconds: float) -> None:
        """Run the appliance's clock ``seconds`` ahead (negative: behind) of the real one: the
        time of new records and alarms."""
        self._clock_offset_ms = round(seconds * 1000)

    def clock_ms(self) -> int:
        """The appliance's clock, in Unix milliseconds."""
        return now_ms() + self._clock_offset_ms

    def set_door_list_cmd_status(self, include: bool) -> None:
        """Whether ``door/list`` reports ``cmdStatus`` (off forces clients to ``device/query``)."""
        self.faults.omit_cmd_status = not include

    def clear_faults(self) -> None:
        """A healthy appliance again; a down API port starts listening at once."""
        self.faults.clear()
        if self._sites.api_site is None and self._sites.api_runner is not None:
            self._bring_up()

    def clear_requests(self) -> None:
        """Forget the recorded requests (and the peak concurrency)."""
        self.requests.clear()
        self.peak_concurrency.clear()

    def lose_subscription(self) -> None:
        """As after a reboot: subscriptions gone, door modes back to normal."""
        self.state.reboot()

    def set_push_format(
        self, *, data_as_object: bool = False, busi_type_as_int: bool = False
    ) -> None:
        """Variants of the push envelope the document leaves open (api-events.md §2.4)."""
        self._push_format = _PushFormat(data_as_object, busi_type_as_int)

    def set_event_callback_url(self, url: str | None) -> None:
        """The event-record callback address (set in the appliance's web UI in real life)."""
        self.state.event_callback_url = url or None

    # --- devices and alarms ---------------------------------------------------------------

    def device(self, ref: str) -> Device:
        """A device by uuid or exact name (KeyError when unknown)."""
        return self.state.find_device(ref)

    def set_device_online(self, ref: str, online: bool) -> Device:
        """Bring a device online (status 3) or offline (status 4)."""
        device = self.device(ref)
        device.status = ONLINE if online else OFFLINE
        return device

    def add_device(
        self,
        name: str,
        *,
        device_type: int = SMART_CAMERA,
        device_mode: int = MODE_FACE,
        device_model: int | None = None,
        door: bool | None = None,
        location: str = "",
        uuid: str | None = None,
        online: bool = True,
        ptz: bool = False,
        switch_ip: str | None = None,
        rtsp_url: str | None = None,
    ) -> Device:
        """A new device; it appears in device/list (and door/list when ``door``).

        Panels are door points with door modes unless ``door`` is False.
        """
        is_door = device_type == PANEL if door is None else door
        default_model = {PANEL: 1, NETWORK_CAMERA: 21}.get(device_type, 4)
        number = max((device.device_id for device in self.state.devices.values()), default=100) + 1
        device = Device(
            uuid=uuid or stable_uuid(f"added-{name}-{number}"),
            name=name,
            device_type=device_type,
            device_model=device_model if device_model is not None else default_model,
            device_mode=device_mode,
            location=location,
            ip_address=f"192.168.20.{number % 250 + 1}",
            device_id=number,
            status=ONLINE if online else OFFLINE,
            door=is_door,
            cmd_status=CMD_NORMAL if is_door and device_type == PANEL else None,
            switch_ip=switch_ip,
            ptz=ptz,
            rtsp_url=rtsp_url,
        )
        self.state.devices[device.uuid] = device
        return device

    def remove_device(self, ref: str) -> Device:
        """Remove a device from every list (KeyError when unknown)."""
        device = self.device(ref)
        del self.state.devices[device.uuid]
        return device

    def add_alarm(
        self,
        device_uuid: str,
        alarm_type: int,
        active: bool = True,
        *,
        alarm_time: int | None = None,
    ) -> dict[str, Any]:
        """A device alarm record (api-core.md §4.20); ``active`` is its alarmStatusNow."""
        device = self.device(device_uuid)
        ts = alarm_time if alarm_time is not None else self.clock_ms()
        record: dict[str, Any] = {
            "deviceUuid": device.uuid,
            "deviceName": device.name,
            "deviceLocation": device.location,
            "deviceType": device.device_type,
            "deviceModel": device.device_model,
            "deviceStatus": device.status,
            "alarmStatus": 1,
            "alarmStatusNow": 1 if active else 0,
            "alarmType": int(alarm_type),
            "alarmTime": ts,
            "gmtCreate": ts,
            "gmtModified": ts,
        }
        self.state.alarms.append(record)
        return record

    def clear_alarm(self, device_uuid: str, alarm_type: int) -> int:
        """Mark the alarms of one (device, type) recovered; returns how many records changed."""
        device = self.device(device_uuid)
        changed = 0
        ts = self.clock_ms()
        for record in self.state.alarms:
            if (
                record["deviceUuid"] == device.uuid
                and record["alarmType"] == int(alarm_type)
                and record["alarmStatusNow"]
            ):
                record["alarmStatusNow"] = 0
                record["gmtModified"] = ts
                changed += 1
        return changed

    # --- pushes ---------------------------------------------------------------------------

    def _context(self) -> RecordContext:
        if self._session is None:
            msg = "start the simulator before pushing"
            raise RuntimeError(msg)
        state = self.state
        return RecordContext(
            self.public_url, state.timezone, state.org_uuid, state.org_name, self.clock_ms()
        )

    def _pick(self, ref: str | None, types: tuple[int, ...], modes: tuple[int, ...]) -> Device:
        """``ref`` by name or uuid, else the first such camera (preferring non-door devices)."""
        if ref is not None:
            return self.device(ref)
        matching = [
            device
            for device in self.state.devices.values()
            if device.device_type in types and device.device_mode in modes
        ]
        for device in sorted(matching, key=lambda device: device.door):
            return device
        msg = "no suitable device in the inventory"
        raise LookupError(msg)

    def _door(self, ref: str | None) -> Device:
        if ref is not None:
            return self.device(ref)
        doors = self.state.door_points()
        for device in doors:
            if device.is_panel:
                return device
        if doors:
            return doors[0]
        msg = "no door point in the inventory"
        raise LookupError(msg)

    async def push_pass(
        self,
        door: str | None = None,
        person: str | None = "Alice",
        granted: bool = True,
        *,
        person_type: int = 1,
        recognition_type: int | None = None,
    ) -> dict[str, Any]:
        """A pass at a door point: busiType 5 to subscribers, the pass callback, the pass list.

        ``person`` None is a stranger; returns the busiType 5 record.
        """
        device = self._door(door)
        ctx = self._context()
        record = pass_push(
            ctx,
            device,
            person,
            granted=granted,
            person_type=person_type,
            recognition_type=recognition_type,
        )
        self.state.pass_records.append(pass_list_item(ctx, record, self.state.next_record_number()))
        await self._publish(BUSI_PASS, record)
        callback_url = self.state.identify_record_callback_url
        if callback_url:
            await self._deliver("pass_callback", callback_url, pass_callback(record))
        return record

    async def push_recognition(
        self,
        camera: str | None = None,
        person: str | None = "Alice",
        person_type: str | None = None,
    ) -> dict[str, Any]:
        """busiType 1: a face recognition on a camera (text personType; default 员工/未知人员)."""
        device = self._pick(camera, (SMART_CAMERA, NETWORK_CAMERA), _FACE_MODES)
        kind = person_type or ("员工" if person is not None else "未知人员")
        record = recognition_push(self._context(), device, person, kind)
        await self._publish(BUSI_RECOGNITION, record)
        return record

    async def push_vehicle(
        self, camera: str | None = None, plate: str = DEFAULT_PLATE
    ) -> dict[str, Any]:
        """busiType 2: a vehicle record."""
        device = self._pick(camera, (SMART_CAMERA, NETWORK_CAMERA), (MODE_STRUCTURED, 12))
        record = vehicle_push(self._context(), device, plate)
        await self._publish(BUSI_VEHICLE, record)
        return record

    async def push_alert(self, camera: str | None = None, alarm_type: int = 2) -> dict[str, Any]:
        """busiType 3: an area alert; also kept for ``areaAlert/record/list``."""
        device = self._pick(camera, (SMART_CAMERA, NETWORK_CAMERA), _ALERT_MODES)
        record = alert_push(self._context(), device, int(alarm_type))
        self.state.alert_records.append(alert_list_item(record))
        await self._publish(BUSI_ALERT, record)
        return record

    async def push_structured(
        self, camera: str | None = None, category: int = 1, plate: str = DEFAULT_PLATE
    ) -> dict[str, Any]:
        """busiType 12: a structured record of category 1 face, 2 body, 3 car, 4 non-motor."""
        if category not in (1, 2, 3, 4):
            msg = f"category must be 1-4, not {category}"
            raise ValueError(msg)
        device = self._pick(camera, (SMART_CAMERA, NETWORK_CAMERA), (MODE_STRUCTURED, 12))
        record = structured_push(self._context(), device, int(category), plate)
        await self._publish(BUSI_STRUCTURED, record)
        return record

    async def push_event_record(
        self,
        kind: str = PASS_KIND,
        device: str | None = None,
        *,
        person: str = "Alice",
        plate: str = DEFAULT_PLATE,
        alarm_type: int = 2,
        include_device_uuid: bool = False,
    ) -> dict[str, Any]:
        """An event-record callback to ``state.event_callback_url`` (if set)."""
        if kind == PASS_KIND:
            target = self._door(device)
        elif kind == ALERT_KIND:
            target = self._pick(device, (SMART_CAMERA, NETWORK_CAMERA), _ALERT_MODES)
        elif kind == VEHICLE_KIND:
            target = self._pick(device, (SMART_CAMERA, NETWORK_CAMERA), (MODE_STRUCTURED, 12))
        elif kind == PERSON_KIND:
            target = self._pick(device, (SMART_CAMERA, NETWORK_CAMERA), _FACE_MODES)
        else:
            msg = f"unknown event kind {kind!r}"
            raise ValueError(msg)
        record = event_record(
            self._context(),
            target,
            kind,
            person_name=person,
            plate=plate,
            alarm_type=int(alarm_type),
            include_device_uuid=include_device_uuid,
        )
        if self.state.event_callback_url:
            await self._deliver("event_callback", self.state.event_callback_url, record)
        return record

    async def _publish(self, busi_type: int, record: dict[str, Any]) -> None:
        fmt = self._push_format
        envelope = {
            "busiType": busi_type if fmt.busi_type_as_int else str(busi_type),
            "data": record if fmt.data_as_object else json.dumps(record, ensure_ascii=False),
        }
        for subscription in list(self.state.subscriptions.values()):
            if busi_type in subscription.busi_types:
                await self._deliver("busi", subscription.push_url, envelope)

    async def _deliver(self, channel: str, url: str, payload: dict[str, Any]) -> Delivery:
        """POST one push; failures are logged and counted, never raised."""
        delivery = Delivery(channel, url, payload)
        self.deliveries.append(delivery)
        if self.faults.down:
            delivery.error = "not sent: the appliance is down"
            return delivery
        session = self._session
        if session is None:  # stopped while pushing
            delivery.error = "not sent: the simulator is stopped"
            return delivery
        body = json.dumps(payload, ensure_ascii=False).encode()
        try:
            async with session.post(
                url, data=body, headers={"Content-Type": "application/json"}
            ) as response:
                await response.read()
                delivery.status = response.status
        except (aiohttp.ClientError, TimeoutError, OSError, ValueError) as err:
            delivery.error = f"{type(err).__name__}: {err}"
        if not delivery.ok:
            self.push_failures += 1
            _LOGGER.warning(
                "Push (%s) to %s failed: %s", channel, url, delivery.error or delivery.status
            )
        return delivery

    # --- the API port ---------------------------------------------------------------------

    async def _handle_api(self, request: web.Request) -> web.StreamResponse:
        """Every request on the API port except the control API."""
        if self.faults.down:
            # A connection kept alive from before the port went down: drop it like a dead host.
            if request.transport is not None:
                request.transport.abort()
            raise web.HTTPServiceUnavailable
        path = request.path
        count = self._in_flight[path] = self._in_flight.get(path, 0) + 1
        self.peak_concurrency[path] = max(self.peak_concurrency.get(path, 0), count)
        try:
            return await self._serve_api(request)
        finally:
            self._in_flight[path] -= 1

    async def _serve_api(self, request: web.Request) -> web.StreamResponse:
        """One API request: recorded, checked, delayed or broken by the faults, answered."""
        started = time.monotonic()
        raw = await request.read()
        check = check_signature(
            headers=request.headers,
            path=request.path,
            method=request.method,
            query_string=request.query_string,
            body=raw,
            secrets=self.state.secrets,
        )
        parsed = _parse_json(raw) if raw else None
        self.requests.append(
            RecordedRequest(
                method=request.method,
                path=request.path,
                query=request.query_string,
                headers=dict(request.headers),
                body=raw,
                json=None if parsed is _UNPARSED else parsed,
                app_key=check.app_key,
                signature_ok=check.ok,
                time=time.time(),
            )
        )
        if self.faults.slow > 0:
            await asyncio.sleep(self.faults.slow)
        path = request.path
        if path_matches(self.faults.http_500, path):
            return web.Response(status=500, text="500 Internal Server Error")
        if path_matches(self.faults.garbage, path):
            return web.Response(
                text="<html><body><h1>502 Bad Gateway</h1></body></html>", content_type="text/html"
            )
        if path.startswith("/pub/"):
            return self._image(request)
        endpoint = ENDPOINTS.get(path)
        if endpoint is None:
            return _envelope({"code": 404, "msg": "Not Found", "path": path}, status=404)
        if request.method != endpoint.method:
            return _envelope({"code": 405, "msg": "Method Not Allowed"}, status=405)
        if self.faults.reject_signatures or not check.ok:
            return _error(SIGNATURE_ERROR)
        if path in self.faults.error_codes:
            return _error(*self.faults.error_codes[path])
        body: Any = {} if endpoint.method == "GET" or not raw.strip() else parsed
        if not isinstance(body, dict):
            return _error(PARAM_INVALID)
        call = Call(
            self.state, self.faults, body, check.app_key, f"{request.scheme}://{request.host}"
        )
        try:
            data = endpoint.handler(call)
        except ApiError as err:
            return _error(err.code, err.msg)
        payload: dict[str, Any] = {"code": OK, "msg": MESSAGES[OK]}
        if data is not NO_DATA:
            payload["data"] = self.faults.reshape(path, data)
        if endpoint.time_used:
            payload["time_used"] = round(time.monotonic() - started, 9)
        return _envelope(payload)

    def _image(self, request: web.Request) -> web.Response:
        name = request.path.removeprefix("/pub/")
        if request.method != "GET" or not IMAGE_URI.match(name):
            return web.Response(status=404, text="Not Found")
        return web.Response(body=SNAPSHOT_JPEG, content_type="image/jpeg")
