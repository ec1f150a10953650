"""Cost of a door command: ``lock.open`` through Home Assistant against the client alone.

Home Assistant runs with the integration set up against the simulator. Each round times, from
the call to the moment the simulator has received the openDoor request, first the service
call ``lock.open`` on the front door's lock and then the client calling openDoor directly,
alternately, so drift in the machine's load hits both alike. The service call also awaits
the coordinator refresh that follows every command (by design); that refresh is waited for
before the next round but is not part of the time, which ends at the simulator's receipt.

    .venv/bin/python -m bench.command [--count 200]
"""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Callable, Coroutine
import time
from typing import Any

from custom_components.hongtu.api.client import URI_DOOR_OPEN
from simulator import FRONT_DOOR_UUID, RecordedRequest, Simulator

from .harness import (
    entity_id,
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

COUNT = 200
WARM_UP = 10
TARGET_RATIO = 1.5


class ArrivalLog(list[RecordedRequest]):
    """The simulator's request log, noting when each openDoor request arrived."""

    def __init__(self) -> None:
        super().__init__()
        self.arrived: asyncio.Event = asyncio.Event()
        self.at = 0.0

    def append(self, request: RecordedRequest) -> None:
        """Record the request; an openDoor one also sets ``at`` and ``arrived``."""
        if request.path == URI_DOOR_OPEN:
            self.at = time.perf_counter()
            self.arrived.set()
        super().append(request)


async def time_to_arrival(
    log: ArrivalLog, command: Callable[[], Coroutine[Any, Any, None]]
) -> float:
    """Seconds from issuing the command until the simulator has the openDoor request; the
    command is then awaited to its end (for the service call: the refresh that follows)."""
    log.arrived.clear()
    started = time.perf_counter()
    task = asyncio.get_running_loop().create_task(command())
    async with asyncio.timeout(10):
        await log.arrived.wait()
    elapsed = log.at - started
    await task
    return elapsed


def install_log(sim: Simulator) -> ArrivalLog:
    """Replace the simulator's request log by one that notes openDoor arrivals."""
    log = ArrivalLog()
    sim.requests = log
    return log


async def bench(count: int) -> None:
    """``count`` rounds of service call then client alone, after a short warm-up."""
    load_before = load_average()
    async with simulator() as sim, home_assistant() as hass:
        await serve_http(hass)
        entry = await setup_entry(hass, sim)
        client = entry.runtime_data.client
        lock = entity_id(hass, "lock", f"{FRONT_DOOR_UUID}_lock")
        log = install_log(sim)
        stages = Stages(entity_object(hass, "lock", f"{FRONT_DOOR_UUID}_lock"), client)

        async def service_call() -> None:
            stages.started = time.perf_counter()
            await hass.services.async_call("lock", "open", {"entity_id": lock}, blocking=True)

        async def client_alone() -> None:
            await client.open_door(FRONT_DOOR_UUID)

        ours: list[float] = []
        alone: list[float] = []
        for index in range(WARM_UP + count):
            via_ha = await time_to_arrival(log, service_call)
            if index >= WARM_UP:
                stages.keep()
            direct = await time_to_arrival(log, client_alone)
            log.clear()
            if index >= WARM_UP:
                ours.append(via_ha)
                alone.append(direct)
        opened = sum(1 for item in sim.state.door_commands if item["command"] == "openDoor")
        expected = 2 * (WARM_UP + count)
    report(ours, alone, stages, opened, expected, load_before)


class Stages:
    """Where the service call's time goes: Home Assistant's service machinery (from the call
    to the lock's ``async_open``) and the integration (from there to the client's openDoor).

    The lock entity's ``async_open`` and the client's ``open_door`` are wrapped on those two
    objects only, noting the time each is entered.
    """

    def __init__(self, lock: Any, client: Any) -> None:
        self.started = 0.0
        self._entity_at = 0.0
        self._client_at = 0.0
        self.machinery: list[float] = []
        self.integration: list[float] = []
        entity_open, client_open = lock.async_open, client.open_door

        async def timed_entity_open(**kwargs: Any) -> None:
            self._entity_at = time.perf_counter()
            await entity_open(**kwargs)

        async def timed_client_open(device_uuid: str) -> None:
            self._client_at = time.perf_counter()
            await client_open(device_uuid)

        lock.async_open = timed_entity_open
        client.open_door = timed_client_open

    def keep(self) -> None:
        """Note the stages of the service call that just ended."""
        self.machinery.append(self._entity_at - self.started)
        self.integration.append(self._client_at - self._entity_at)


def report(
    ours: list[float],
    alone: list[float],
    stages: Stages,
    opened: int,
    expected: int,
    load: str,
) -> None:
    """One table (service call, client alone, ratio) and the summary line."""
    ratios = [a / b for a, b in zip(ours, alone, strict=True)]
    rows = [
        [
            "lock.open service call",
            *(us(percentile(ours, q)) for q in (0.5, 0.9, 0.99)),
            us(min(ours)),
        ],
        [
            "of which: call → lock's async_open",
            *(us(percentile(stages.machinery, q)) for q in (0.5, 0.9, 0.99)),
            us(min(stages.machinery)),
        ],
        [
            "of which: async_open → client",
            *(us(percentile(stages.integration, q)) for q in (0.5, 0.9, 0.99)),
            us(min(stages.integration)),
        ],
        ["client.open_door", *(us(percentile(alone, q)) for q in (0.5, 0.9, 0.99)), us(min(alone))],
    ]
    print(
        f"bench.command: {len(ours)} commands each way, time until the simulator has the "
        f"openDoor request, load average before: {load}"
    )
    print_table(["path", "p50 us", "p90 us", "p99 us", "min us"], rows)
    # Judged on the median of the rounds' ratios: each round times both paths back to back,
    # so a machine getting busier or quieter during the run moves both sides of a ratio alike.
    ratio = median(ratios)
    checks = {"median ratio": ratio <= TARGET_RATIO, "doors opened": opened == expected}
    print(
        f"command: median {ms(median(ours))} ms via Home Assistant vs {ms(median(alone))} ms "
        f"for the client alone, median of per-round ratios {ratio:.2f} (target <= "
        f"{TARGET_RATIO}; ratio of the medians {median(ours) / median(alone):.2f}), "
        f"{opened}/{expected} doors opened; of the difference, Home Assistant's service "
        f"machinery {us(median(stages.machinery))} us and the integration "
        f"{us(median(stages.integration))} us: {verdict(checks)}"
    )


def main() -> None:
    """Parse the arguments and run."""
    parser = argparse.ArgumentParser(prog="python -m bench.command", description=__doc__)
    parser.add_argument("--count", type=int, default=COUNT, help="commands each way")
    args = parser.parse_args()
    run(lambda: bench(args.count))


if __name__ == "__main__":
    main()
