"""The control API under ``/_sim/...``: pushes, faults and state for demos, the CLI and tests.

Not part of the appliance: unsigned, JSON in and out, every answer ``{"ok": ..., "message": ...}``
so the CLI can print what happened. Served on the API port and on the optional control port.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
import json
from typing import TYPE_CHECKING, Any

from aiohttp import web

if TYPE_CHECKING:
    from .server import Simulator

Action = Callable[["Simulator", dict[str, Any]], Awaitable[str]]


class ControlError(Exception):
    """A bad control request: answered 400 (or 404 for an unknown device)."""

    def __init__(self, message: str, status: int = 400) -> None:
        """Keep the HTTP status with the message."""
        super().__init__(message)
        self.status = status


def _reply(payload: dict[str, Any], status: int = 200) -> web.Response:
    return web.Response(
        status=status,
        text=json.dumps(payload, ensure_ascii=False),
        content_type="application/json",
        charset="utf-8",
    )


def _text(body: dict[str, Any], *keys: str) -> str | None:
    for key in keys:
        value = body.get(key)
        if value is not None and value != "":
            return str(value)
    return None


def _need(body: dict[str, Any], *keys: str) -> str:
    value = _text(body, *keys)
    if value is None:
        raise ControlError(f"missing {keys[0]!r}")
    return value


def _number(body: dict[str, Any], *keys: str, default: float | None = None) -> float:
    value = _text(body, *keys)
    if value is None:
        if default is None:
            raise ControlError(f"missing {keys[0]!r}")
        return default
    try:
        return float(value)
    except ValueError:
        raise ControlError(f"{keys[0]!r} must be a number, not {value!r}") from None


def _flag(body: dict[str, Any], key: str = "enabled") -> bool:
    value = body.get(key, True)
    if isinstance(value, str):
        return value.strip().lower() not in ("0", "false", "off", "no")
    return bool(value)


def _device_ref(body: dict[str, Any]) -> str:
    return _need(body, "device", "uuid", "name", "door", "camera")


# --- faults ---------------------------------------------------------------------------------


async def _down(sim: Simulator, body: dict[str, Any]) -> str:
    await sim.set_down(True)
    return f"API port {sim.port} is down (connections refused)"


async def _up(sim: Simulator, body: dict[str, Any]) -> str:
    await sim.set_down(False)
    return f"API port {sim.port} is up"


async def _slow(sim: Simulator, body: dict[str, Any]) -> str:
    sim.set_slow(_number(body, "seconds", "value", default=5.0))
    return f"every API answer is delayed {sim.faults.slow:g} s"


async def _http500(sim: Simulator, body: dict[str, Any]) -> str:
    path, enabled = _text(body, "path"), _flag(body)
    sim.set_http_500(path, enabled)
    return f"HTTP 500 on {path or 'every endpoint'}: {'on' if enabled else 'off'}"


async def _garbage(sim: Simulator, body: dict[str, Any]) -> str:
    path, enabled = _text(body, "path"), _flag(body)
    sim.set_garbage(path, enabled)
    return f"non-JSON answers on {path or 'every endpoint'}: {'on' if enabled else 'off'}"


async def _code(sim: Simulator, body: dict[str, Any]) -> str:
    path = _need(body, "path")
    if not _flag(body):
        sim.clear_error_code(path)
        return f"{path} answers normally again"
    code = int(_number(body, "code"))
    sim.set_error_code(path, code, _text(body, "msg") or "失败")
    return f"{path} answers code {code}"


async def _badsign(sim: Simulator, body: dict[str, Any]) -> str:
    enabled = _flag(body)
    sim.set_reject_signatures(enabled)
    return "every request is answered 100008" if enabled else "signatures are checked normally"


async def _goodsign(sim: Simulator, body: dict[str, Any]) -> str:
    sim.set_reject_signatures(False)
    return "signatures are checked normally"


async def _secret(sim: Simulator, body: dict[str, Any]) -> str:
    app_key = _need(body, "app_key", "appKey")
    sim.set_secret(app_key, _need(body, "secret"))
    return f"secret of {app_key} changed"


async def _subscription_lost(sim: Simulator, body: dict[str, Any]) -> str:
    sim.lose_subscription()
    return "subscriptions lost and door modes back to normal (as after a reboot)"


async def _offline(sim: Simulator, body: dict[str, Any]) -> str:
    device = sim.set_device_online(_device_ref(body), False)
    return f"{device.name} is offline"


async def _online(sim: Simulator, body: dict[str, Any]) -> str:
    device = sim.set_device_online(_device_ref(body), True)
    return f"{device.name} is online"


async def _alarm(sim: Simulator, body: dict[str, Any]) -> str:
    ref = _device_ref(body)
    alarm_type = int(_number(body, "type", "alarm_type", "alarmType", default=500100))
    if not _flag(body, "active"):
        count = sim.clear_alarm(ref, alarm_type)
        return f"alarm {alarm_type} on {sim.device(ref).name} recovered ({count} record(s))"
    record = sim.add_alarm(ref, alarm_type)
    return f"alarm {alarm_type} raised on {record['deviceName']}"


async def _clear_alarm(sim: Simulator, body: dict[str, Any]) -> str:
    return await _alarm(sim, {**body, "active": False})


async def _repeat_pages(sim: Simulator, body: dict[str, Any]) -> str:
    enabled = _flag(body)
    sim.set_repeat_pages(enabled)
    return f"list endpoints always serve page 1: {'on' if enabled else 'off'}"


async def _page_cap(sim: Simulator, body: dict[str, Any]) -> str:
    value = _text(body, "size", "value")
    if value is None or not _flag(body):
        sim.set_page_size_cap(None)
        return "pageSize is not capped"
    sim.set_page_size_cap(int(_number(body, "size", "value")))
    return f"pageSize capped at {sim.faults.page_size_cap}"


async def _no_cmd_status(sim: Simulator, body: dict[str, Any]) -> str:
    enabled = _flag(body)
    sim.set_door_list_cmd_status(not enabled)
    return f"door/list omits cmdStatus: {'on' if enabled else 'off'}"


async def _clear(sim: Simulator, body: dict[str, Any]) -> str:
    await sim.set_down(False)
    sim.clear_faults()
    return "all faults cleared"


FAULTS: dict[str, Action] = {
    "down": _down,
    "up": _up,
    "slow": _slow,
    "http500": _http500,
    "garbage": _garbage,
    "code": _code,
    "badsign": _badsign,
    "goodsign": _goodsign,
    "secret": _secret,
    "subscription_lost": _subscription_lost,
    "offline": _offline,
    "online": _online,
    "alarm": _alarm,
    "clear_alarm": _clear_alarm,
    "repeat_pages": _repeat_pages,
    "page_cap": _page_cap,
    "no_cmd_status": _no_cmd_status,
    "clear": _clear,
}


def normalise(name: str) -> str:
    """``subscription-lost`` and ``Subscription_Lost`` name the same fault."""
    return name.strip().lower().replace("-", "_")


# --- pushes ---------------------------------------------------------------------------------


def _person(body: dict[str, Any]) -> str | None:
    if body.get("stranger") or ("person" in body and body["person"] in (None, "")):
        return None
    return _text(body, "person") or "Alice"


async def _push(sim: Simulator, body: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    kind = normalise(_need(body, "kind"))
    device = _text(body, "device", "door", "camera")
    if kind == "pass":
        person = _person(body)
        # A stranger is turned away unless the request says otherwise.
        granted = _flag(body, "granted") if "granted" in body else person is not None
        record = await sim.push_pass(
            device,
            person,
            granted,
            person_type=int(_number(body, "person_type", "personType", default=1)),
        )
        where = record["deviceName"]
    elif kind == "recognition":
        record = await sim.push_recognition(
            device, _person(body), _text(body, "person_type", "personType")
        )
        where = record["deviceName"]
    elif kind == "vehicle":
        record = await sim.push_vehicle(device, _text(body, "plate") or "京A12345")
        where = record["deviceName"]
    elif kind == "alert":
        alarm_type = int(_number(body, "alarm_type", "alarmType", "type", default=2))
        record = await sim.push_alert(device, alarm_type)
        where = record["deviceName"]
    elif kind == "structured":
        category = int(_number(body, "category", default=1))
        if category not in (1, 2, 3, 4):
            raise ControlError("category must be 1, 2, 3 or 4")
        record = await sim.push_structured(device, category, _text(body, "plate") or "京A12345")
        where = record["deviceName"]
    elif kind in ("event", "event_record"):
        event_kind = normalise(_text(body, "event", "event_kind", "eventKind") or "pass")
        if event_kind not in ("pass", "alert", "vehicle", "person"):
            raise ControlError("event must be pass, alert, vehicle or person")
        record = await sim.push_event_record(
            event_kind,
            device,
            person=_text(body, "person") or "Alice",
            plate=_text(body, "plate") or "京A12345",
            alarm_type=int(_number(body, "alarm_type", "alarmType", default=2)),
            include_device_uuid=bool(body.get("include_device_uuid", False)),
        )
        kind = f"event ({event_kind})"
        where = record["deviceName"]
    else:
        raise ControlError(
            f"unknown kind {kind!r}: use pass, recognition, vehicle, alert, structured or event"
        )
    return f"pushed {kind} record from {where}", record


# --- routes ---------------------------------------------------------------------------------


async def _json_body(request: web.Request) -> dict[str, Any]:
    raw = await request.read()
    if not raw.strip():
        return {}
    try:
        body = json.loads(raw)
    except ValueError:
        raise ControlError("body must be a JSON object") from None
    if not isinstance(body, dict):
        raise ControlError("body must be a JSON object")
    return body


def add_control_routes(app: web.Application, sim: Simulator) -> None:
    """Register ``/_sim/...`` on ``app``."""

    async def guarded(
        request: web.Request, action: Callable[[dict[str, Any]], Awaitable[dict[str, Any]]]
    ) -> web.Response:
        try:
            result = await action(await _json_body(request))
        except ControlError as err:
            return _reply({"ok": False, "error": str(err)}, status=err.status)
        except KeyError as err:
            return _reply({"ok": False, "error": f"unknown device {err.args[0]!r}"}, status=404)
        except (LookupError, ValueError, RuntimeError) as err:
            return _reply({"ok": False, "error": str(err)}, status=400)
        return _reply({"ok": True, **result})

    async def state(request: web.Request) -> web.Response:
        view = sim.state.view()
        view.update(
            {
                "url": sim.url,
                "controlUrl": sim.control_url,
                "faults": sim.faults.view(),
                "pushFailures": sim.push_failures,
                "deliveries": len(sim.deliveries),
                "requests": len(sim.requests),
            }
        )
        return _reply({"ok": True, "state": view})

    async def requests(request: web.Request) -> web.Response:
        items = [
            {
                "method": item.method,
                "path": item.path,
                "json": item.json,
                "appKey": item.app_key,
                "signatureOk": item.signature_ok,
                "time": item.time,
            }
            for item in sim.requests
        ]
        return _reply({"ok": True, "requests": items})

    async def fault(request: web.Request) -> web.Response:
        async def run(body: dict[str, Any]) -> dict[str, Any]:
            name = normalise(_need(body, "fault"))
            action = FAULTS.get(name)
            if action is None:
                raise ControlError(f"unknown fault {name!r}; known: {', '.join(sorted(FAULTS))}")
            message = await action(sim, body)
            return {"fault": name, "message": message, "faults": sim.faults.view()}

        return await guarded(request, run)

    async def push(request: web.Request) -> web.Response:
        async def run(body: dict[str, Any]) -> dict[str, Any]:
            before = len(sim.deliveries)
            message, record = await _push(sim, body)
            deliveries = sim.deliveries[before:]
            sent = sum(1 for item in deliveries if item.ok)
            return {
                "message": f"{message}; delivered to {sent} of {len(deliveries)} receiver(s)",
                "record": record,
                "deliveries": [
                    {"channel": d.channel, "url": d.url, "status": d.status, "error": d.error}
                    for d in deliveries
                ],
            }

        return await guarded(request, run)

    async def device(request: web.Request) -> web.Response:
        async def run(body: dict[str, Any]) -> dict[str, Any]:
            action = normalise(_need(body, "action"))
            if action == "remove":
                removed = sim.remove_device(_device_ref(body))
                return {"message": f"{removed.name} removed", "uuid": removed.uuid}
            if action != "add":
                raise ControlError("action must be add or remove")
            added = sim.add_device(
                _need(body, "name"),
                device_type=int(_number(body, "device_type", "deviceType", default=1)),
                device_mode=int(_number(body, "device_mode", "deviceMode", default=1)),
                door=bool(body["door"]) if "door" in body else None,
                location=_text(body, "location") or "",
            )
            return {"message": f"{added.name} added", "uuid": added.uuid}

        return await guarded(request, run)

    async def config(request: web.Request) -> web.Response:
        async def run(body: dict[str, Any]) -> dict[str, Any]:
            if "event_callback_url" in body:
                sim.set_event_callback_url(_text(body, "event_callback_url"))
            if "data_as_object" in body or "busi_type_as_int" in body:
                sim.set_push_format(
                    data_as_object=bool(body.get("data_as_object", False)),
                    busi_type_as_int=bool(body.get("busi_type_as_int", False)),
                )
            return {
                "message": "configuration updated",
                "eventCallbackUrl": sim.state.event_callback_url,
            }

        return await guarded(request, run)

    app.router.add_get("/_sim/state", state)
    app.router.add_get("/_sim/requests", requests)
    app.router.add_post("/_sim/fault", fault)
    app.router.add_post("/_sim/push", push)
    app.router.add_post("/_sim/device", device)
    app.router.add_post("/_sim/config", config)
