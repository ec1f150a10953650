"""Command line for the HongTu 3000 simulator.

Serve a fake appliance (the default command)::

    python -m simulator [--host 127.0.0.1] [--port 18082] [--control-port 18083 | --no-control-port]
                        [--devices N] [--public-url URL]

Drive a running one through its control API (``--url`` defaults to the control port
http://127.0.0.1:18083, falling back to the API port http://127.0.0.1:18082)::

    python -m simulator push pass [--door "Front door"] [--person Alice | --stranger] [--denied]
    python -m simulator push recognition|vehicle|alert|structured|event [options]
    python -m simulator fault down | up | clear | slow 5 | http500 [PATH] | garbage [PATH]
                              | code PATH CODE [MSG] | badsign | goodsign | subscription-lost
                              | offline DEVICE | online DEVICE | alarm DEVICE [TYPE]
                              | clear-alarm DEVICE [TYPE] | repeat-pages | page-cap N
                              | no-cmd-status | secret APPKEY SECRET        [--off]
    python -m simulator state [--json]

Each command prints one line saying what happened (``--json`` prints the full answer) and exits
0 on success, 1 when the simulator refused or could not be reached, 2 on a usage error.
"""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Callable, Sequence
import json
import signal
import sys
from typing import Any

import aiohttp

from simulator.control import FAULTS, normalise
from simulator.inventory import Inventory
from simulator.server import Simulator

DEFAULT_PORT = 18082
DEFAULT_CONTROL_PORT = 18083
DEFAULT_URLS = (f"http://127.0.0.1:{DEFAULT_CONTROL_PORT}", f"http://127.0.0.1:{DEFAULT_PORT}")
PUSH_KINDS = ("pass", "recognition", "vehicle", "alert", "structured", "event")
_NO_ARGUMENT_FAULTS = ("down", "up", "clear", "goodsign", "subscription_lost")
_TOGGLE_FAULTS = ("badsign", "repeat_pages", "no_cmd_status")


class UsageError(Exception):
    """A command line that cannot be turned into a control request."""


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (serve options at the top, subcommands for a running simulator)."""
    parser = argparse.ArgumentParser(
        prog="python -m simulator",
        description="Fake Megvii HongTu 3000 appliance (serve it, or drive a running one).",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, help="API port (0: any)")
    parser.add_argument(
        "--control-port",
        type=int,
        default=DEFAULT_CONTROL_PORT,
        help="separate control port that keeps working while the API port is down",
    )
    parser.add_argument(
        "--no-control-port", action="store_true", help="serve /_sim only on the API port"
    )
    parser.add_argument(
        "--devices", type=int, default=0, help="generate N devices instead of the demo site"
    )
    parser.add_argument("--public-url", help="base URL put into pushed image links")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    client = argparse.ArgumentParser(add_help=False)
    client.add_argument("--url", help="control API base URL (default: 18083, then 18082)")
    client.add_argument("--json", action="store_true", help="print the full JSON answer")

    push = commands.add_parser("push", parents=[client], help="push a record")
    push.add_argument("kind", choices=PUSH_KINDS)
    push.add_argument("--door", "--camera", "--device", dest="device", help="device name or uuid")
    push.add_argument("--person", help="person name (default Alice)")
    push.add_argument("--stranger", action="store_true", help="nobody recognised")
    push.add_argument("--denied", action="store_true", help="pass: access denied")
    push.add_argument("--person-type", help="pass: 1-3; recognition: text such as 访客")
    push.add_argument("--plate", help="vehicle/structured: plate number")
    push.add_argument("--alarm-type", type=int, help="alert: alarmType (default 2 intrusion)")
    push.add_argument("--category", type=int, help="structured: 1 face, 2 body, 3 car, 4 bike")
    push.add_argument("--event", choices=("pass", "alert", "vehicle", "person"), help="event kind")
    push.add_argument("--with-device-uuid", action="store_true", help="event: add deviceUuid")

    fault = commands.add_parser("fault", parents=[client], help="switch a fault on or off")
    fault.add_argument("name", help=", ".join(sorted(name.replace("_", "-") for name in FAULTS)))
    fault.add_argument("args", nargs="*", help="arguments of the fault")
    fault.add_argument("--off", action="store_true", help="switch the fault off")

    commands.add_parser("state", parents=[client], help="show the simulator's state")
    return parser


# --- client side ----------------------------------------------------------------------------


def fault_body(name: str, args: Sequence[str], off: bool = False) -> dict[str, Any]:
    """The ``/_sim/fault`` body for ``fault NAME ARGS...``."""
    key = normalise(name)
    if key not in FAULTS:
        known = ", ".join(sorted(item.replace("_", "-") for item in FAULTS))
        raise UsageError(f"unknown fault {name!r}; known: {known}")
    body: dict[str, Any] = {"fault": key}
    if key in _NO_ARGUMENT_FAULTS:
        return body
    if key in _TOGGLE_FAULTS:
        return {**body, "enabled": not off}
    if key == "slow":
        return {**body, "seconds": 0 if off else float(args[0]) if args else 5.0}
    if key in ("http500", "garbage"):
        return {**body, "path": args[0] if args else None, "enabled": not off}
    if key == "page_cap":
        return {**body, "size": None if off or not args else int(args[0])}
    if key in ("offline", "online"):
        if not args:
            raise UsageError(f"fault {name} needs a device name or uuid")
        return {**body, "device": " ".join(args)}
    if key in ("alarm", "clear_alarm"):
        words = list(args)
        alarm_type = int(words.pop()) if len(words) > 1 and words[-1].isdigit() else 500100
        if not words:
            raise UsageError(f"fault {name} needs a device name or uuid")
        active = key == "alarm" and not off
        return {
            **body,
            "fault": "alarm",
            "device": " ".join(words),
            "type": alarm_type,
            "active": active,
        }
    if key == "code":
        if not args or (not off and len(args) < 2):
            raise UsageError("fault code needs PATH CODE [MSG]")
        if off:
            return {**body, "path": args[0], "enabled": False}
        return {**body, "path": args[0], "code": int(args[1]), "msg": " ".join(args[2:]) or "失败"}
    if len(args) != 2:  # secret
        raise UsageError("fault secret needs APPKEY SECRET")
    return {**body, "app_key": args[0], "secret": args[1]}


def push_body(args: argparse.Namespace) -> dict[str, Any]:
    """The ``/_sim/push`` body for ``push KIND [options]``."""
    body: dict[str, Any] = {"kind": args.kind}
    if args.device:
        body["device"] = args.device
    if args.stranger:
        body["stranger"] = True
    elif args.person:
        body["person"] = args.person
    if args.denied:
        body["granted"] = False
    optional = {
        "person_type": args.person_type,
        "plate": args.plate,
        "alarm_type": args.alarm_type,
        "category": args.category,
        "event": args.event,
    }
    body.update({key: value for key, value in optional.items() if value is not None})
    if args.with_device_uuid:
        body["include_device_uuid"] = True
    return body


def describe_state(state: dict[str, Any]) -> str:
    """A short human summary of ``/_sim/state``."""
    appliance = state["appliance"]
    lines = [
        f"{appliance['name']} ({appliance['type']} {appliance['version']}) at {state['url']}",
        "devices:",
    ]
    modes = {15: "always open", 16: "always closed", 17: "normal"}
    for device in state["devices"]:
        status = "online" if device["status"] == 3 else "offline"
        door = modes.get(device["cmdStatus"], "door") if device["door"] else ""
        lines.append(f"  {device['name']:<22} {device['uuid']}  {status:<7} {door}".rstrip())
    sub = state["subscription"]
    lines.append(
        f"subscription: {sub['appKey']} -> {sub['pushUrl']} {sub['busiTypes']}"
        if sub
        else "subscription: none"
    )
    faults = state["faults"]
    active = [
        f"{key}={value}"
        for key, value in faults.items()
        if value not in (False, 0, 0.0, [], {}, None)
    ]
    lines.append(f"faults: {', '.join(active) or 'none'}")
    lines.append(f"push failures: {state['pushFailures']}")
    return "\n".join(lines)


async def run_client(args: argparse.Namespace) -> int:
    """Send one control request and print what happened."""
    try:
        if args.command == "push":
            method, path, body = "POST", "/_sim/push", push_body(args)
        elif args.command == "fault":
            method, path, body = "POST", "/_sim/fault", fault_body(args.name, args.args, args.off)
        else:
            method, path, body = "GET", "/_sim/state", None
    except (UsageError, ValueError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    urls = [args.url] if args.url else list(DEFAULT_URLS)
    failure = "no URL"
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30)) as session:
        for base in urls:
            try:
                async with session.request(method, base.rstrip("/") + path, json=body) as resp:
                    answer = await resp.json(content_type=None)
            except aiohttp.ClientConnectionError as err:
                failure = f"{base}: {err}"
                continue
            except (aiohttp.ClientError, ValueError) as err:
                print(f"error: {base} answered something unexpected: {err}", file=sys.stderr)
                return 1
            return _show(args, answer)
    print(f"error: no simulator reachable ({failure})", file=sys.stderr)
    return 1


def _show(args: argparse.Namespace, answer: Any) -> int:
    if not isinstance(answer, dict):
        print(f"error: unexpected answer {answer!r}", file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps(answer, ensure_ascii=False, indent=2))
    elif not answer.get("ok"):
        print(f"error: {answer.get('error', answer)}", file=sys.stderr)
    elif "state" in answer:
        print(describe_state(answer["state"]))
    else:
        record = answer.get("record") or {}
        record_id = record.get("id") or record.get("alarmRecordUuId")
        print(answer["message"] + (f" (id {record_id})" if record_id else ""))
    return 0 if answer.get("ok") else 1


# --- server side ----------------------------------------------------------------------------


async def serve(
    args: argparse.Namespace,
    *,
    stop: asyncio.Event | None = None,
    ready: Callable[[Simulator], None] | None = None,
) -> int:
    """Run a simulator until ``stop`` is set (or SIGTERM / Ctrl-C when run from the shell)."""
    inventory = Inventory.generate(args.devices) if args.devices > 0 else Inventory.default()
    sim = Simulator(
        inventory,
        host=args.host,
        port=args.port,
        control_port=None if args.no_control_port else args.control_port,
        public_url=args.public_url,
    )
    await sim.start()
    try:
        keys = ", ".join(f"{key} / {secret}" for key, secret in sim.state.secrets.items())
        print(f"HongTu simulator: API {sim.url}  control {sim.control_url}", flush=True)
        print(f"  key pairs: {keys}", flush=True)
        print(
            f"  {len(sim.state.devices)} devices, {len(sim.state.door_points())} door points",
            flush=True,
        )
        if ready is not None:
            ready(sim)
        event = stop if stop is not None else asyncio.Event()
        if stop is None:
            asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, event.set)
        await event.wait()
    finally:
        await sim.stop()
    return 0


async def async_main(
    argv: Sequence[str] | None = None,
    *,
    stop: asyncio.Event | None = None,
    ready: Callable[[Simulator], None] | None = None,
) -> int:
    """Parse ``argv`` and run the command; ``stop``/``ready`` let tests drive ``serve``."""
    args = build_parser().parse_args(argv)
    if args.command is None:
        return await serve(args, stop=stop, ready=ready)
    return await run_client(args)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``python -m simulator``."""
    try:
        return asyncio.run(async_main(argv))
    except KeyboardInterrupt:
        return 0


if __name__ == "__main__":
    sys.exit(main())
