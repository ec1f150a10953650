"""What every benchmark needs: a real Home Assistant outside pytest, the simulator, the entry,
and the arithmetic and printing of figures.

Home Assistant is built the way pytest-homeassistant-custom-component builds it for tests
(``async_test_home_assistant``), on a temporary config directory, with custom integrations
enabled, so ``custom_components/hongtu`` of this checkout is what runs. Everything runs on one
event loop in one process: the simulator, Home Assistant and the load generators. Benchmarks
therefore compare against a baseline measured the same way in the same run.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Sequence
import contextlib
import logging
import math
import socket
import tempfile
import time
from typing import Any
from unittest.mock import patch

from aiohttp.resolver import AsyncResolver
from homeassistant import loader, runner
from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import CONF_HOST, CONF_PORT, CONF_SSL, CONF_VERIFY_SSL
from homeassistant.core import HomeAssistant
from homeassistant.helpers import aiohttp_client, entity_registry as er, frame
from homeassistant.setup import async_setup_component
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_test_home_assistant,
)

from custom_components.hongtu.const import (
    CONF_APP_KEY,
    CONF_SCAN_INTERVAL,
    CONF_SECRET_KEY,
    CONF_WEBHOOK_ID,
    DOMAIN,
    MAX_SCAN_INTERVAL,
)
from simulator import Inventory, Simulator

APP_KEY = "appkey2"
# The simulator's default secret for APP_KEY (a test value, not a credential).
SECRET_KEY = "zxcv&jlkfd234adf#xi9"  # noqa: S105
WEBHOOK_ID = "b3c1e2d4a5f60718293a4b5c6d7e8f90b3c1e2d4a5f60718293a4b5c6d7e8f90"


#: The temporary root of the config directories while ``run`` runs.
_CONFIG_ROOT: list[str] = []


def run(main: Callable[[], Awaitable[None]]) -> None:
    """Run a benchmark on Home Assistant's own event loop policy, with quiet logs."""
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    # Expected on this set-up, and not what a benchmark is about: the custom integration notice
    # and the camera component's complaint that libturbojpeg is not installed.
    logging.getLogger("homeassistant.loader").setLevel(logging.ERROR)
    logging.getLogger("homeassistant.components.camera.img_util").setLevel(logging.CRITICAL)
    asyncio.set_event_loop_policy(runner.HassEventLoopPolicy(False))
    # Config directories live under one temporary root that is removed only once the loop and
    # its executor are shut down: Home Assistant may still be writing its registries there.
    with tempfile.TemporaryDirectory(prefix="hongtu-bench-") as root:
        _CONFIG_ROOT.append(root)
        try:
            asyncio.run(_main(main))
        finally:
            _CONFIG_ROOT.remove(root)


async def _main(main: Callable[[], Awaitable[None]]) -> None:
    await main()


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextlib.asynccontextmanager
async def home_assistant() -> AsyncIterator[HomeAssistant]:
    """A running Home Assistant on a temporary config dir, with custom integrations enabled.

    Config entries are unloaded and Home Assistant is stopped on exit.
    """
    config_dir = tempfile.mkdtemp(dir=_CONFIG_ROOT[-1] if _CONFIG_ROOT else None)
    # As in tests: plain DNS instead of a resolver that starts its own mDNS (zeroconf).
    with patch.object(aiohttp_client, "_async_make_resolver", lambda hass: AsyncResolver()):
        async with async_test_home_assistant(config_dir=config_dir) as hass:
            frame.async_setup(hass)
            # What the enable_custom_integrations fixture does: custom_components/ is scanned.
            hass.data.pop(loader.DATA_CUSTOM_COMPONENTS)
            try:
                yield hass
            finally:
                for entry in hass.config_entries.async_entries():
                    if entry.state is ConfigEntryState.LOADED:
                        await hass.config_entries.async_unload(entry.entry_id)
                await hass.async_stop(force=True)


async def serve_http(hass: HomeAssistant) -> str:
    """Home Assistant's HTTP server listening on 127.0.0.1 (a free port); its base URL."""
    port = free_port()
    ok = await async_setup_component(
        hass, "http", {"http": {"server_host": ["127.0.0.1"], "server_port": port}}
    )
    if not ok:
        msg = "the http component did not set up"
        raise RuntimeError(msg)
    await hass.http.start()
    base = f"http://127.0.0.1:{port}"
    await hass.config.async_update(internal_url=base)
    return base


@contextlib.asynccontextmanager
async def simulator(inventory: Inventory | None = None) -> AsyncIterator[Simulator]:
    """A started simulator on 127.0.0.1 (a free port)."""
    sim = Simulator(inventory, host="127.0.0.1", port=0)
    await sim.start()
    try:
        yield sim
    finally:
        await sim.stop()


async def setup_entry(
    hass: HomeAssistant, sim: Simulator, options: dict[str, Any] | None = None
) -> MockConfigEntry:
    """The integration configured against the simulator (as the config flow makes it), set up.

    Polls are scheduled every 10 minutes (the longest interval the options allow), so that no
    scheduled poll lands inside a measurement: every benchmark refreshes when it means to.
    """
    entry = MockConfigEntry(
        domain=DOMAIN,
        title=sim.state.name,
        unique_id=sim.state.org_uuid,
        data={
            CONF_HOST: "127.0.0.1",
            CONF_PORT: sim.port,
            CONF_SSL: False,
            CONF_VERIFY_SSL: False,
            CONF_APP_KEY: APP_KEY,
            CONF_SECRET_KEY: SECRET_KEY,
            CONF_WEBHOOK_ID: WEBHOOK_ID,
        },
        options={CONF_SCAN_INTERVAL: MAX_SCAN_INTERVAL, **(options or {})},
    )
    entry.add_to_hass(hass)
    if not await hass.config_entries.async_setup(entry.entry_id):
        msg = f"the entry did not set up: {entry.state}"
        raise RuntimeError(msg)
    await hass.async_block_till_done()
    return entry


def entity_id(hass: HomeAssistant, domain: str, unique_id: str) -> str:
    """The entity id registered for one of our unique ids."""
    found = er.async_get(hass).async_get_entity_id(domain, DOMAIN, unique_id)
    if found is None:
        msg = f"no {domain} entity with unique id {unique_id}"
        raise LookupError(msg)
    return found


def entity_object(hass: HomeAssistant, domain: str, unique_id: str) -> Any:
    """The entity object behind one of our unique ids (to time or drive it directly)."""
    found = hass.data[domain].get_entity(entity_id(hass, domain, unique_id))
    if found is None:
        msg = f"no {domain} entity object with unique id {unique_id}"
        raise LookupError(msg)
    return found


# Figures --------------------------------------------------------------------------------------


def percentile(values: Sequence[float], fraction: float) -> float:
    """The nearest-rank percentile (``fraction`` 0.5 is the median); NaN for no values."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = max(1, math.ceil(fraction * len(ordered)))
    return ordered[rank - 1]


def median(values: Sequence[float]) -> float:
    """The median (nearest rank)."""
    return percentile(values, 0.5)


class CpuWall:
    """Process CPU time and wall time between ``start`` and ``stop`` (seconds)."""

    def __init__(self) -> None:
        self._cpu0 = 0.0
        self._wall0 = 0.0
        self.cpu = 0.0
        self.wall = 0.0

    def start(self) -> None:
        """Start (or restart) measuring."""
        self._cpu0 = time.process_time()
        self._wall0 = time.perf_counter()

    def stop(self) -> None:
        """Stop measuring; ``cpu`` and ``wall`` hold the figures."""
        self.cpu = time.process_time() - self._cpu0
        self.wall = time.perf_counter() - self._wall0


def load_average() -> str:
    """The 1, 5 and 15 minute load averages of the machine, as /proc/loadavg shows them."""
    try:
        with open("/proc/loadavg", encoding="ascii") as handle:  # noqa: PTH123
            return " ".join(handle.read().split()[:3])
    except OSError:
        return "unknown"


def print_table(headers: Sequence[str], rows: Iterable[Sequence[str]]) -> None:
    """A plain-text table with right-aligned columns (and a Markdown-compatible layout)."""
    rows = [list(row) for row in rows]
    widths = [max(len(h), *(len(row[i]) for row in rows)) for i, h in enumerate(headers)]
    line = "| " + " | ".join(h.rjust(w) for h, w in zip(headers, widths, strict=True)) + " |"
    print(line)
    print("|" + "|".join("-" * (w + 1) + ":" for w in widths) + "|")
    for row in rows:
        print("| " + " | ".join(c.rjust(w) for c, w in zip(row, widths, strict=True)) + " |")


def verdict(checks: dict[str, bool]) -> str:
    """``targets met``, or which targets were missed."""
    missed = [name for name, ok in checks.items() if not ok]
    return "targets met" if not missed else "MISSED: " + ", ".join(missed)


def ms(seconds: float) -> str:
    """Seconds shown as milliseconds with two decimals."""
    return f"{seconds * 1000:.2f}"


def us(seconds: float) -> str:
    """Seconds shown as whole microseconds."""
    return f"{seconds * 1e6:.0f}"
