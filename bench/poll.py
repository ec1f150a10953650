"""Cost of a poll: one coordinator refresh against appliances of 100, 1,000 and 5,000 devices.

For each size a fresh Home Assistant sets the integration up against a simulator with
``Inventory.generate(n)`` (two devices in five are door points). Then, alternately, the
coordinator refreshes while nothing changed, and the client alone fetches the same three lists
(device list, door-point list, device alarms) through the same session. Both are measured the
same way (process CPU time and wall time around the call).

The simulator runs in this process, so its CPU time is inside both figures. It is measured on
its own (its endpoint handlers and its JSON encoding are timed) and the table shows the ratio
both with it (raw) and without it: the raw ratio is diluted towards 1 by the simulator, the
ratio without it is the integration's cost against the client's.

    .venv/bin/python -m bench.poll [--sizes 100,1000,5000] [--rounds 5]
"""

from __future__ import annotations

import argparse
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field, replace
import gc
import json
from pathlib import Path
import time
import tracemalloc
from typing import Any

from homeassistant.const import EVENT_STATE_CHANGED
from homeassistant.core import Event, EventStateChangedData, HomeAssistant, callback
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.hongtu.api.client import (
    URI_DEVICE_ALARM_LIST,
    URI_DEVICE_LIST,
    URI_DEVICE_QUERY,
    URI_DOOR_LIST,
)
from custom_components.hongtu.api.records import detect_and_parse
from simulator import Inventory, Simulator
import simulator.endpoints
import simulator.server

from .harness import (
    CpuWall,
    home_assistant,
    load_average,
    median,
    ms,
    print_table,
    run,
    serve_http,
    setup_entry,
    simulator as running_simulator,
    us,
    verdict,
)

SIZES = (100, 1000, 5000)
ROUNDS = 5
LIST_PATHS = frozenset({URI_DEVICE_LIST, URI_DOOR_LIST, URI_DEVICE_ALARM_LIST})
TARGET_RATIO = 2.0
CALLBACKS = 500
EVENT_CALLBACK = Path(__file__).parent.parent / "tests" / "fixtures" / "callback_event_pass.json"


class SimulatorMeter:
    """CPU time the simulator spends in its endpoint handlers and its JSON encoding.

    Installed by wrapping the handlers in ``simulator.endpoints.ENDPOINTS`` and the answer
    encoder of ``simulator.server``; the HTTP parsing around them is not counted (it is the
    same for a request of the integration and of the client alone).
    """

    def __init__(self) -> None:
        self.cpu = 0.0
        for path, endpoint in list(simulator.endpoints.ENDPOINTS.items()):
            simulator.endpoints.ENDPOINTS[path] = replace(
                endpoint, handler=self._timed(endpoint.handler)
            )
        simulator.server._envelope = self._timed(simulator.server._envelope)

    def _timed[_R](self, func: Callable[..., _R]) -> Callable[..., _R]:
        def timed(*args: Any, **kwargs: Any) -> _R:
            started = time.process_time()
            try:
                return func(*args, **kwargs)
            finally:
                self.cpu += time.process_time() - started

        return timed


@dataclass(slots=True)
class Sample:
    """One refresh (or one client-alone fetch of the lists)."""

    cpu: float
    wall: float
    sim_cpu: float
    requests: int
    sim_requests: Counter[str]
    state_changes: int


@dataclass(slots=True)
class SizeResult:
    """Everything measured at one size."""

    devices: int
    door_points: int
    entities: int
    setup_wall: float
    memory: int
    refresh: list[Sample] = field(default_factory=list)
    alone: list[Sample] = field(default_factory=list)
    one_changed: list[Sample] = field(default_factory=list)
    callback_cpu: float = 0.0

    def med(self, samples: list[Sample], attr: str) -> float:
        return median([float(getattr(sample, attr)) for sample in samples])

    @property
    def raw_ratio(self) -> float:
        return self.med(self.refresh, "cpu") / self.med(self.alone, "cpu")

    @property
    def ratio(self) -> float:
        ours = median([s.cpu - s.sim_cpu for s in self.refresh])
        alone = median([s.cpu - s.sim_cpu for s in self.alone])
        return ours / alone


class StateChanges:
    """Counts ``state_changed`` events."""

    def __init__(self, hass: HomeAssistant) -> None:
        self.count = 0
        hass.bus.async_listen(EVENT_STATE_CHANGED, self._count)

    @callback
    def _count(self, event: Event[EventStateChangedData]) -> None:
        self.count += 1


async def measure(
    hass: HomeAssistant,
    sim: Simulator,
    meter: SimulatorMeter,
    changes: StateChanges,
    client_requests: Callable[[], int],
    action: Callable[[], Any],
) -> Sample:
    """Run one refresh or fetch and take its figures."""
    sim.clear_requests()
    requests0, changes0, sim0 = client_requests(), changes.count, meter.cpu
    gc.collect()
    clock = CpuWall()
    clock.start()
    await action()
    await hass.async_block_till_done()
    clock.stop()
    return Sample(
        cpu=clock.cpu,
        wall=clock.wall,
        sim_cpu=meter.cpu - sim0,
        requests=client_requests() - requests0,
        sim_requests=Counter(request.path for request in sim.requests),
        state_changes=changes.count - changes0,
    )


async def bench_size(size: int, rounds: int, meter: SimulatorMeter) -> SizeResult:
    """Set up against ``size`` devices, then alternate refreshes and client-alone fetches."""
    inventory = Inventory.generate(size)
    door_points = sum(1 for device in inventory.devices if device.door)
    async with running_simulator(inventory) as sim, home_assistant() as hass:
        await serve_http(hass)
        gc.collect()
        tracemalloc.start()
        before = tracemalloc.get_traced_memory()[0]
        started = time.perf_counter()
        entry = await setup_entry(hass, sim)
        setup_wall = time.perf_counter() - started
        sim.clear_requests()  # the simulator's log of requests is not the integration's memory
        gc.collect()
        memory = tracemalloc.get_traced_memory()[0] - before
        tracemalloc.stop()
        result = SizeResult(
            devices=size,
            door_points=door_points,
            entities=len(hass.states.async_all()),
            setup_wall=setup_wall,
            memory=memory,
        )
        coordinator = entry.runtime_data.coordinator
        client = entry.runtime_data.client
        changes = StateChanges(hass)

        async def fetch_lists() -> None:
            await client.get_devices()
            await client.get_door_points()
            await client.get_device_alarms()

        def count() -> int:
            return int(client.request_count)

        # A face panel that goes offline and comes back: one device changed in the refresh.
        panel = next(device for device in inventory.devices if device.is_panel)
        for index in range(rounds):
            result.alone.append(await measure(hass, sim, meter, changes, count, fetch_lists))
            result.refresh.append(
                await measure(hass, sim, meter, changes, count, coordinator.async_refresh)
            )
            sim.set_device_online(panel.uuid, online=index % 2 == 1)
            result.one_changed.append(
                await measure(hass, sim, meter, changes, count, coordinator.async_refresh)
            )
        if not coordinator.last_update_success:
            msg = f"a refresh failed at {size} devices: {coordinator.last_exception}"
            raise RuntimeError(msg)
        result.callback_cpu = await time_event_callbacks(hass, entry, panel.name)
    return result


async def time_event_callbacks(hass: HomeAssistant, entry: MockConfigEntry, name: str) -> float:
    """CPU seconds to dispatch one event-record callback, which names its device only by
    ``deviceName`` (the receiver maps the name to a device): the records are parsed first,
    then dispatched and Home Assistant settles, timed."""
    push = entry.runtime_data.push
    example = json.loads(EVENT_CALLBACK.read_text(encoding="utf-8"))
    records = []
    for index in range(CALLBACKS):
        body = {**example, "deviceName": name, "id": f"bench-{index}", "timestamp": 1 + index}
        records.append(detect_and_parse(body))
    gc.collect()
    clock = CpuWall()
    clock.start()
    for record in records:
        push.async_dispatch(record)
    await hass.async_block_till_done()
    clock.stop()
    return clock.cpu / CALLBACKS


def describe_requests(samples: list[Sample]) -> str:
    """The requests of the last sample: list pages, then any others by path."""
    counts = samples[-1].sim_requests
    pages = sum(n for path, n in counts.items() if path in LIST_PATHS)
    others = {
        path.rsplit("/v1/api/", 1)[-1]: n for path, n in counts.items() if path not in LIST_PATHS
    }
    text = f"{pages} pages"
    if others:
        text += " + " + ", ".join(f"{n} {path}" for path, n in sorted(others.items()))
    return text


async def bench(sizes: list[int], rounds: int) -> None:
    """Warm up (imports and first-use costs stay out of the memory figure), then each size."""
    load_before = load_average()
    meter = SimulatorMeter()
    async with running_simulator() as sim, home_assistant() as hass:
        await serve_http(hass)
        await setup_entry(hass, sim)
    results = [await bench_size(size, rounds, meter) for size in sizes]
    report(results, rounds, load_before)


def report(results: list[SizeResult], rounds: int, load: str) -> None:
    """One table (a row per size) and the summary line."""
    rows: list[list[str]] = []
    for result in results:
        ours, alone = result.refresh, result.alone
        per_device = [s.sim_requests.get(URI_DEVICE_QUERY, 0) for s in ours]
        rows.append(
            [
                str(result.devices),
                str(result.door_points),
                str(result.entities),
                f"{result.med(ours, 'requests'):.0f}",
                describe_requests(ours),
                str(max(per_device)),
                ms(result.med(ours, "wall")),
                ms(result.med(ours, "cpu")),
                ms(result.med(alone, "cpu")),
                ms(result.med(ours, "sim_cpu")),
                f"{result.raw_ratio:.2f}",
                f"{result.ratio:.2f}",
                str(max(s.state_changes for s in ours)),
                ms(result.med(result.one_changed, "cpu")),
                f"{result.med(result.one_changed, 'state_changes'):.0f}",
                us(result.callback_cpu),
                f"{result.memory / result.door_points / 1024:.1f}",
                f"{result.memory / result.entities / 1024:.1f}",
                f"{result.setup_wall:.1f}",
            ]
        )
    print(
        f"bench.poll: median of {rounds} refreshes per size in which nothing changed, "
        f"load average before: {load}"
    )
    print_table(
        [
            "devices",
            "doors",
            "entities",
            "requests",
            "requests seen by simulator",
            "device/query",
            "wall ms",
            "CPU ms",
            "alone CPU ms",
            "sim CPU ms",
            "raw ratio",
            "ratio",
            "state_changed",
            "1 changed: CPU ms",
            "1 changed: state_changed",
            "event callback us",
            "KiB/door",
            "KiB/entity",
            "setup s",
        ],
        rows,
    )
    worst = max(result.ratio for result in results)
    changed = max(max(s.state_changes for s in result.refresh) for result in results)
    extra = max(
        sum(n for path, n in s.sim_requests.items() if path not in LIST_PATHS)
        for result in results
        for s in result.refresh
    )
    checks = {
        "CPU ratio": worst <= TARGET_RATIO,
        "state_changed": changed == 0,
        "requests": extra <= 1,
    }
    print(
        f"poll: CPU per refresh at most {worst:.2f}x the client alone fetching the same lists "
        f"(simulator excluded; target <= {TARGET_RATIO}), {changed} state_changed in an "
        f"unchanged refresh (target 0), {extra} request(s) per refresh beyond the list pages "
        f"(the subscription check): {verdict(checks)}"
    )


def main() -> None:
    """Parse the arguments and run."""
    parser = argparse.ArgumentParser(prog="python -m bench.poll", description=__doc__)
    parser.add_argument(
        "--sizes", default=",".join(map(str, SIZES)), help="device counts, comma-separated"
    )
    parser.add_argument("--rounds", type=int, default=ROUNDS, help="refreshes per size")
    args = parser.parse_args()
    sizes = [int(size) for size in args.sizes.split(",")]
    run(lambda: bench(sizes, args.rounds))


if __name__ == "__main__":
    main()
