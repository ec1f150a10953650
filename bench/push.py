"""Cost of a push: pass records POSTed to Home Assistant's HTTP server on 127.0.0.1.

Home Assistant runs with the integration set up against the simulator and listens on a real
socket. Pass pushes (the documented busiType 5 example, each with its own id and time, from the
simulator's front door) are sent at 200, 500 and 1,000 per second and then as fast as 16
concurrent senders can go, to three webhooks of the same Home Assistant: a no-op one (the
baseline: the HTTP server, the webhook component and the sender, all in this process), the
floor (Home Assistant's own work for a pass: one bus event and three state writes, see
``Floor``) and ours. Per rate, rounds of one chunk to each webhook alternate, the order turning
every round, and ratios are medians of the rounds' ratios, so that a machine getting busier
or quieter during the run shifts both sides of a ratio alike.

    .venv/bin/python -m bench.push [--count K] [--chunk C]
"""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
import gc
import itertools
import json
import math
from pathlib import Path
import time
from typing import Any
import uuid as uuid_lib

import aiohttp
from aiohttp import web
from homeassistant.components import webhook
from homeassistant.core import Event, HomeAssistant, callback
from homeassistant.util import dt as dt_util
import orjson

from custom_components.hongtu.const import EVENT_HONGTU
from simulator import FRONT_DOOR_UUID

from .harness import (
    CpuWall,
    entity_object,
    home_assistant,
    load_average,
    median,
    ms,
    percentile,
    print_table,
    run,
    serve_http,
    setup_entry,
    simulator,
    us,
    verdict,
)

EXAMPLE = Path(__file__).parent.parent / "tests" / "fixtures" / "push_busi5_pass.json"
RATES: tuple[int | None, ...] = (200, 500, 1000, None)  # None: as fast as possible
FLOOD_SENDERS = 16
NOOP_WEBHOOK_ID = "bench-noop-" + "0" * 53
FLOOR_WEBHOOK_ID = "bench-floor-" + "0" * 52
FLOOR_EVENT = "bench_floor_event"
TARGETS = ("no-op", "floor", "hongtu")
TARGET_CPU_RATIO = 1.5
TARGET_P99_S = 0.050
TARGET_RATE = 500
HEADERS = {"Content-Type": "application/json"}
# Pass times one millisecond apart, never repeated in a run: no two pushes share a content key.
_PASS_TIMES = itertools.count(int(time.time() * 1000) - 86_400_000)


def pass_bodies(count: int, door_uuid: str, door_name: str) -> list[tuple[str, bytes]]:
    """(record id, body) of ``count`` business pushes of busiType 5 as the appliance sends
    them: the documented example with its own id and time, ``data`` as a JSON string."""
    example: dict[str, Any] = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    bodies: list[tuple[str, bytes]] = []
    for _ in range(count):
        record_id = uuid_lib.uuid4().hex
        record = {
            **example,
            "id": record_id,
            "passTimestamp": next(_PASS_TIMES),
            "deviceUuid": door_uuid,
            "deviceName": door_name,
        }
        envelope = {"busiType": 5, "data": json.dumps(record, ensure_ascii=False)}
        bodies.append((record_id, json.dumps(envelope, ensure_ascii=False).encode()))
    return bodies


@dataclass(slots=True)
class Row:
    """The pushes of one rate to one webhook, over every round, and what came of them."""

    target: str
    rate: int | None
    pushes: int = 0
    cpu: float = 0.0
    wall: float = 0.0
    rounds: list[float] = field(default_factory=list)  # CPU per push of each round
    acks: list[float] = field(default_factory=list)
    to_event: list[float] = field(default_factory=list)
    refused: int = 0
    lost: int = 0

    @property
    def accepted_per_second(self) -> float:
        return (self.pushes - self.refused) / self.wall if self.wall else math.nan

    @property
    def cpu_per_push(self) -> float:
        return self.cpu / self.pushes if self.pushes else math.nan


@dataclass(slots=True)
class Phase:
    """One round: a chunk of pushes at one rate against one webhook."""

    target: str
    rate: int | None
    count: int
    sent: list[float] = field(default_factory=list)
    acks: list[float] = field(default_factory=list)
    refused: int = 0
    cpu: float = 0.0
    wall: float = 0.0

    @property
    def cpu_per_push(self) -> float:
        return self.cpu / self.count


class Floor:
    """Home Assistant's own work for one pass, done by the cheapest handler there can be.

    DESIGN.md asks, per pass push, for one ``hongtu_event`` on the bus and three entity
    updates: the door's ``access`` event fires, its ``last_person`` sensor and its
    ``last_capture`` image change. This handler does only that, on the same three entities,
    after reading the body and decoding it (twice, as the vendor sends ``data`` as a string)
    with orjson: no checks, no parsing, no de-duplication, a fixed event. What it costs over
    the no-op webhook is the least any integration that keeps that contract can cost.
    """

    def __init__(self, hass: HomeAssistant, door_uuid: str) -> None:
        self._access = entity_object(hass, "event", f"{door_uuid}_access")
        self._person = entity_object(hass, "sensor", f"{door_uuid}_last_person")
        self._capture = entity_object(hass, "image", f"{door_uuid}_last_capture")

    async def handle(
        self, hass: HomeAssistant, webhook_id: str, request: web.Request
    ) -> web.Response:
        """Decode, fire, write three states, answer."""
        envelope = orjson.loads(await request.read())
        record = orjson.loads(envelope["data"])
        hass.bus.async_fire(FLOOR_EVENT, {"record_id": record["id"], "data": record})
        self._access._trigger_event("access_granted", {"record_id": record["id"]})
        self._access.async_write_ha_state()
        self._person._attr_native_value = record["id"][:8]
        self._person.async_write_ha_state()
        self._capture._attr_image_last_updated = dt_util.utcnow()
        self._capture.async_write_ha_state()
        return web.Response(status=200)


class EventClock:
    """When each ``hongtu_event`` reached the bus, by record id."""

    def __init__(self, hass: HomeAssistant) -> None:
        self.arrived: dict[str, float] = {}
        self._waiting: asyncio.Event = asyncio.Event()
        self._expected = 0
        hass.bus.async_listen(EVENT_HONGTU, self._record)

    @callback
    def _record(self, event: Event) -> None:
        self.arrived[event.data["record_id"]] = time.perf_counter()
        if len(self.arrived) >= self._expected:
            self._waiting.set()

    def reset(self, expected: int) -> None:
        self.arrived = {}
        self._expected = expected
        self._waiting.clear()

    async def wait(self, seconds: float) -> None:
        """Until every expected event arrived, or ``seconds`` passed (then some are lost)."""
        if len(self.arrived) >= self._expected:
            return
        try:
            async with asyncio.timeout(seconds):
                await self._waiting.wait()
        except TimeoutError:
            return


async def send_one(
    session: aiohttp.ClientSession, url: str, body: bytes, phase: Phase, index: int
) -> None:
    """POST one body; the ack latency is the time to the whole answer."""
    started = time.perf_counter()
    phase.sent[index] = started
    try:
        async with session.post(url, data=body, headers=HEADERS) as response:
            await response.read()
            ok = response.status == 200
    except aiohttp.ClientError:
        ok = False
    phase.acks[index] = time.perf_counter() - started
    if not ok:
        phase.refused += 1


async def send_at_rate(
    session: aiohttp.ClientSession, url: str, bodies: list[bytes], phase: Phase, rate: int
) -> None:
    """Open loop: push i is issued at start + i/rate, whether or not earlier ones were answered."""
    loop = asyncio.get_running_loop()
    tasks: set[asyncio.Task[None]] = set()
    start = loop.time()
    for index, body in enumerate(bodies):
        delay = start + index / rate - loop.time()
        if delay > 0:
            await asyncio.sleep(delay)
        task = loop.create_task(send_one(session, url, body, phase, index))
        tasks.add(task)
        task.add_done_callback(tasks.discard)
    while tasks:
        await asyncio.gather(*tasks)


async def send_flood(
    session: aiohttp.ClientSession, url: str, bodies: list[bytes], phase: Phase
) -> None:
    """Closed loop: FLOOD_SENDERS senders, each posting its next body once answered."""
    indexes = iter(range(len(bodies)))

    async def sender() -> None:
        for index in indexes:
            await send_one(session, url, bodies[index], phase, index)

    await asyncio.gather(*(sender() for _ in range(FLOOD_SENDERS)))


async def run_phase(
    session: aiohttp.ClientSession,
    url: str,
    phase: Phase,
    bodies: list[tuple[str, bytes]],
    settle: Callable[[], Awaitable[None]],
) -> Phase:
    """Send the bodies, wait until the receiver settled, and take the figures."""
    payloads = [body for _, body in bodies]
    phase.sent = [0.0] * phase.count
    phase.acks = [0.0] * phase.count
    gc.collect()
    clock = CpuWall()
    clock.start()
    if phase.rate is None:
        await send_flood(session, url, payloads, phase)
    else:
        await send_at_rate(session, url, payloads, phase, phase.rate)
    await settle()
    clock.stop()
    phase.cpu, phase.wall = clock.cpu, clock.wall
    return phase


async def bench(count: int, chunk: int) -> None:
    """Per rate, rounds of one chunk to each webhook, the order turning every round."""
    load_before = load_average()
    rounds = max(1, count // chunk)
    async with simulator() as sim, home_assistant() as hass:
        base = await serve_http(hass)
        entry = await setup_entry(hass, sim)
        push = entry.runtime_data.push
        assert push is not None
        floor = Floor(hass, FRONT_DOOR_UUID)
        for webhook_id, name, handler in (
            (NOOP_WEBHOOK_ID, "no-op", _noop),
            (FLOOR_WEBHOOK_ID, "floor", floor.handle),
        ):
            webhook.async_register(
                hass, "bench", name, webhook_id, handler, local_only=True, allowed_methods=["POST"]
            )
        urls = {
            "no-op": base + webhook.async_generate_path(NOOP_WEBHOOK_ID),
            "floor": base + webhook.async_generate_path(FLOOR_WEBHOOK_ID),
            "hongtu": base + webhook.async_generate_path(push.webhook_id),
        }
        events = EventClock(hass)
        door_name = sim.device(FRONT_DOOR_UUID).name

        async def settle_ours() -> None:
            await push.async_idle()
            await hass.async_block_till_done()
            await events.wait(10.0)

        async def settle_http() -> None:
            await hass.async_block_till_done()

        settles = {"no-op": settle_http, "floor": settle_http, "hongtu": settle_ours}
        results: list[dict[str, Row]] = []
        connector = aiohttp.TCPConnector(limit=100)
        async with aiohttp.ClientSession(connector=connector) as session:

            async def one_round(target: str, rate: int | None, size: int, row: Row) -> None:
                bodies = pass_bodies(size, FRONT_DOOR_UUID, door_name)
                if target == "hongtu":
                    events.reset(size)
                phase = await run_phase(
                    session, urls[target], Phase(target, rate, size), bodies, settles[target]
                )
                row.pushes += size
                row.cpu += phase.cpu
                row.wall += phase.wall
                row.rounds.append(phase.cpu_per_push)
                row.acks += phase.acks
                row.refused += phase.refused
                if target == "hongtu":
                    row.to_event += [
                        events.arrived[record_id] - phase.sent[index]
                        for index, (record_id, _) in enumerate(bodies)
                        if record_id in events.arrived
                    ]
                    row.lost += sum(1 for record_id, _ in bodies if record_id not in events.arrived)
                else:
                    row.lost += phase.refused

            # Warm up every path (connections, imports, first state writes).
            for target in TARGETS:
                await one_round(target, None, 300, Row(target, None))
            for rate in RATES:
                rows = {target: Row(target, rate) for target in TARGETS}
                for index in range(rounds):
                    turn = index % len(TARGETS)
                    for target in TARGETS[turn:] + TARGETS[:turn]:
                        await one_round(target, rate, chunk, rows[target])
                results.append(rows)
    report(results, rounds, chunk, load_before)


async def _noop(hass: HomeAssistant, webhook_id: str, request: web.Request) -> web.Response:
    """The baseline: a webhook that does nothing and answers 200."""
    return web.Response(status=200)


def round_ratios(row: Row, baseline: Row) -> list[float]:
    """Per round, the row's CPU per push over the baseline's in the same round."""
    return [ours / theirs for ours, theirs in zip(row.rounds, baseline.rounds, strict=True)]


def report(results: list[dict[str, Row]], rounds: int, chunk: int, load: str) -> None:
    """One table (a row per rate and webhook) and the summary line."""
    table: list[list[str]] = []
    for rows in results:
        noop, floor = rows["no-op"], rows["floor"]
        for target in TARGETS:
            row = rows[target]
            is_ours = target == "hongtu"
            extra = median([a - b for a, b in zip(row.rounds, noop.rounds, strict=True)])
            table.append(
                [
                    "max" if row.rate is None else str(row.rate),
                    target,
                    f"{row.accepted_per_second:.0f}",
                    ms(percentile(row.acks, 0.5)),
                    ms(percentile(row.acks, 0.99)),
                    ms(percentile(row.to_event, 0.5)) if is_ours else "-",
                    ms(percentile(row.to_event, 0.99)) if is_ours else "-",
                    str(row.lost),
                    us(row.cpu_per_push),
                    us(extra) if target != "no-op" else "-",
                    f"{median(round_ratios(row, noop)):.2f}",
                    f"{median(round_ratios(row, floor)):.2f}" if is_ours else "-",
                ]
            )
    print(
        f"bench.push: {rounds} rounds of {chunk} pass pushes per rate and webhook, "
        f"load average before: {load}"
    )
    print_table(
        [
            "rate/s",
            "webhook",
            "accepted/s",
            "ack p50 ms",
            "ack p99 ms",
            "event p50 ms",
            "event p99 ms",
            "lost",
            "CPU/push us",
            "extra us",
            "CPU ratio",
            "vs floor",
        ],
        table,
    )
    worst = max(median(round_ratios(rows["hongtu"], rows["no-op"])) for rows in results)
    floor_worst = max(median(round_ratios(rows["floor"], rows["no-op"])) for rows in results)
    over_floor = max(median(round_ratios(rows["hongtu"], rows["floor"])) for rows in results)
    at_target = [rows["hongtu"] for rows in results if rows["hongtu"].rate == TARGET_RATE]
    p99 = percentile(at_target[0].to_event, 0.99) if at_target else math.nan
    lost = sum(row.lost for rows in results for row in rows.values())
    checks = {
        "CPU ratio": worst <= TARGET_CPU_RATIO,
        "p99 push-to-event": p99 < TARGET_P99_S,
        "lost pushes": lost == 0,
    }
    print(
        f"push: CPU per push at most {worst:.2f}x the no-op webhook's (target <= "
        f"{TARGET_CPU_RATIO}; Home Assistant's own work for a pass, the floor, is up to "
        f"{floor_worst:.2f}x, and ours at most {over_floor:.2f}x the floor), p99 push-to-event "
        f"{ms(p99)} ms at {TARGET_RATE}/s (target < {TARGET_P99_S * 1000:.0f} ms), {lost} lost "
        f"(target 0): {verdict(checks)}"
    )


def main() -> None:
    """Parse the arguments and run."""
    parser = argparse.ArgumentParser(prog="python -m bench.push", description=__doc__)
    parser.add_argument(
        "--count", type=int, default=5000, help="pushes per rate and webhook (default 5000)"
    )
    parser.add_argument("--chunk", type=int, default=500, help="pushes per round (default 500)")
    args = parser.parse_args()
    run(lambda: bench(args.count, args.chunk))


if __name__ == "__main__":
    main()
