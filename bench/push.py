"""Cost of a push: pass records POSTed to Home Assistant's HTTP server on 127.0.0.1.

Home Assistant runs with the integration set up against the simulator and listens on a real
socket. K pass pushes (the documented busiType 5 example, each with its own id and time, from
the simulator's front door) are sent at 200, 500 and 1,000 per second and then as fast as 16
concurrent senders can go. The baseline is a no-op webhook registered in the same Home
Assistant and fed the same bodies the same way, so the HTTP server, the webhook component and
the sender (all in this process) cost the same in both; the difference is the integration.

    .venv/bin/python -m bench.push [--count K]
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

from custom_components.hongtu.const import EVENT_HONGTU
from simulator import FRONT_DOOR_UUID

from .harness import (
    CpuWall,
    home_assistant,
    load_average,
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
class Phase:
    """One run of K pushes at one rate against one webhook, and what came of it."""

    target: str
    rate: int | None
    count: int
    sent: list[float] = field(default_factory=list)
    acks: list[float] = field(default_factory=list)
    to_event: list[float] = field(default_factory=list)
    refused: int = 0
    lost: int = 0
    cpu: float = 0.0
    wall: float = 0.0

    @property
    def accepted_per_second(self) -> float:
        return (self.count - self.refused) / self.wall if self.wall else math.nan

    @property
    def cpu_per_push(self) -> float:
        return self.cpu / self.count


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


async def bench(count: int) -> None:
    """Every rate against the no-op webhook and against ours, in that order per rate."""
    load_before = load_average()
    async with simulator() as sim, home_assistant() as hass:
        base = await serve_http(hass)
        entry = await setup_entry(hass, sim)
        push = entry.runtime_data.push
        assert push is not None
        webhook.async_register(
            hass,
            "bench",
            "no-op",
            NOOP_WEBHOOK_ID,
            _noop,
            local_only=True,
            allowed_methods=["POST"],
        )
        ours_url = base + webhook.async_generate_path(push.webhook_id)
        noop_url = base + webhook.async_generate_path(NOOP_WEBHOOK_ID)
        events = EventClock(hass)
        door_name = sim.device(FRONT_DOOR_UUID).name

        async def settle_ours() -> None:
            await push.async_idle()
            await hass.async_block_till_done()
            await events.wait(10.0)

        async def settle_noop() -> None:
            await hass.async_block_till_done()

        phases: list[tuple[Phase, Phase]] = []
        connector = aiohttp.TCPConnector(limit=100)
        async with aiohttp.ClientSession(connector=connector) as session:
            # Warm up both paths (connections, imports, first state writes).
            warm = pass_bodies(200, FRONT_DOOR_UUID, door_name)
            events.reset(len(warm))
            await run_phase(session, noop_url, Phase("no-op", 1000, 200), warm, settle_noop)
            await run_phase(session, ours_url, Phase("hongtu", 1000, 200), warm, settle_ours)
            for rate in RATES:
                bodies = pass_bodies(count, FRONT_DOOR_UUID, door_name)
                noop = await run_phase(
                    session, noop_url, Phase("no-op", rate, count), bodies, settle_noop
                )
                events.reset(count)
                ours = await run_phase(
                    session, ours_url, Phase("hongtu", rate, count), bodies, settle_ours
                )
                ids = [record_id for record_id, _ in bodies]
                ours.to_event = [
                    events.arrived[record_id] - ours.sent[index]
                    for index, record_id in enumerate(ids)
                    if record_id in events.arrived
                ]
                ours.lost = count - len(ours.to_event)
                noop.lost = noop.refused
                phases.append((noop, ours))
    report(phases, count, load_before)


async def _noop(hass: HomeAssistant, webhook_id: str, request: web.Request) -> web.Response:
    """The baseline: a webhook that does nothing and answers 200."""
    return web.Response(status=200)


def report(phases: list[tuple[Phase, Phase]], count: int, load: str) -> None:
    """One table (a row per rate and webhook) and the summary line."""
    rows: list[list[str]] = []
    for noop, ours in phases:
        ratio = ours.cpu_per_push / noop.cpu_per_push
        for phase in (noop, ours):
            is_ours = phase is ours
            rows.append(
                [
                    "max" if phase.rate is None else str(phase.rate),
                    phase.target,
                    f"{phase.accepted_per_second:.0f}",
                    ms(percentile(phase.acks, 0.5)),
                    ms(percentile(phase.acks, 0.99)),
                    ms(percentile(phase.to_event, 0.5)) if is_ours else "-",
                    ms(percentile(phase.to_event, 0.99)) if is_ours else "-",
                    str(phase.lost),
                    us(phase.cpu_per_push),
                    us(ours.cpu_per_push - noop.cpu_per_push) if is_ours else "-",
                    f"{ratio:.2f}" if is_ours else "1.00",
                ]
            )
    print(f"bench.push: K={count} pass pushes per row, load average before: {load}")
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
        ],
        rows,
    )
    worst_ratio = max(ours.cpu_per_push / noop.cpu_per_push for noop, ours in phases)
    at_target = next(ours for _, ours in phases if ours.rate == TARGET_RATE)
    p99 = percentile(at_target.to_event, 0.99)
    lost = sum(ours.lost + noop.lost for noop, ours in phases)
    checks = {
        "CPU ratio": worst_ratio <= TARGET_CPU_RATIO,
        "p99 push-to-event": p99 < TARGET_P99_S,
        "lost pushes": lost == 0,
    }
    print(
        f"push: CPU per push at most {worst_ratio:.2f}x the no-op webhook's (target <= "
        f"{TARGET_CPU_RATIO}), p99 push-to-event {ms(p99)} ms at {TARGET_RATE}/s (target < "
        f"{TARGET_P99_S * 1000:.0f} ms), {lost} lost (target 0): {verdict(checks)}"
    )


def main() -> None:
    """Parse the arguments and run."""
    parser = argparse.ArgumentParser(prog="python -m bench.push", description=__doc__)
    parser.add_argument("--count", type=int, default=5000, help="pushes per row (default 5000)")
    args = parser.parse_args()
    run(lambda: bench(args.count))


if __name__ == "__main__":
    main()
