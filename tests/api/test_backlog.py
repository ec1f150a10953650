"""BacklogReader against the simulator (and, for pages the simulator never serves, a scripted
server), over real HTTP: a window is read whole, or its oldest records when it holds too many,
whatever order and page size the list uses."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
import json
from typing import Any

from aiohttp import ClientSession, web
import pytest

from custom_components.hongtu.api import HongTuClient, HongTuParseError
from custom_components.hongtu.api.backlog import ALERT_LIST, PASS_LIST, BacklogReader
from simulator import DEFAULT_SECRETS, FRONT_DOOR_UUID, Simulator, endpoints as sim_endpoints

APP_KEY = "appkey1"
FAR = 4_000_000_000_000


@pytest.fixture
async def session() -> AsyncIterator[ClientSession]:
    async with ClientSession() as client_session:
        yield client_session


def client_for(port: int, session: ClientSession) -> HongTuClient:
    return HongTuClient(
        session,
        "127.0.0.1",
        port,
        app_key=APP_KEY,
        secret_key=DEFAULT_SECRETS[APP_KEY],
        timeout=5.0,
    )


@pytest.fixture
def client(simulator: Simulator, session: ClientSession) -> HongTuClient:
    return client_for(simulator.port, session)


async def push_passes(simulator: Simulator, count: int, *, step: float = 1.0) -> list[int]:
    """``count`` passes one ``step`` of seconds apart (the appliance's clock is moved)."""
    for index in range(count):
        simulator.set_clock_offset(index * step)
        await simulator.push_pass(FRONT_DOOR_UUID, f"P{index:02}")
    simulator.set_clock_offset(0)
    return [item["passTimestamp"] for item in simulator.state.pass_records]


def person_names(records: list[Any]) -> list[str]:
    return [record.person_name for record in records]


def reader(client: HongTuClient, max_records: int = 1000, page_size: int = 100) -> BacklogReader:
    return BacklogReader(client, PASS_LIST, max_records=max_records, page_size=page_size)


async def test_whole_window_oldest_first(client: HongTuClient, simulator: Simulator) -> None:
    """Fewer records than the bound: all of the window, oldest first, start included and end
    excluded, in as many pages as it takes."""
    times = await push_passes(simulator, 12)
    backlog = await reader(client, page_size=5).async_read(times[2], times[10])
    assert person_names(backlog.records) == [f"P{index:02}" for index in range(2, 10)]
    assert (backlog.truncated, backlog.end_ms, backlog.requests) == (False, times[10], 2)


async def test_too_many_records_the_oldest_first(
    client: HongTuClient, simulator: Simulator
) -> None:
    """More than the bound: the window ends earlier (between half the bound and the bound),
    and reading on from its end gets the rest, none twice."""
    times = await push_passes(simulator, 30)
    window = reader(client, max_records=8, page_size=3)
    start, read = times[0], []
    for _ in range(10):
        backlog = await window.async_read(start, FAR)
        assert len(backlog.records) <= 8
        read.extend(backlog.records)
        if not backlog.truncated:
            break
        assert len(backlog.records) >= 4
        start = backlog.end_ms
    assert person_names(read) == [f"P{index:02}" for index in range(30)]


async def test_one_instant_beyond_the_bound(client: HongTuClient, simulator: Simulator) -> None:
    """More records at one millisecond than the bound allows: that instant is read whole, so
    the next read moves on past it."""
    await simulator.push_pass(FRONT_DOOR_UUID, "First")
    first = simulator.state.pass_records[0]
    for index in range(5):
        simulator.state.pass_records.append(
            dict(first, uuid=str(900 + index), personUuid=f"same-instant-{index}")
        )
    moment = first["passTimestamp"]
    backlog = await reader(client, max_records=3, page_size=2).async_read(moment, FAR)
    assert (len(backlog.records), backlog.truncated, backlog.end_ms) == (6, True, moment + 1)


async def test_oldest_first_lists_too(
    client: HongTuClient, simulator: Simulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A list that pages oldest first gives the same records."""
    times = await push_passes(simulator, 20)

    def oldest_first(records: list[dict[str, Any]], key: str) -> list[dict[str, Any]]:
        return sorted(records, key=lambda record: int(record[key]))

    monkeypatch.setattr(sim_endpoints, "_newest_first", oldest_first)
    backlog = await reader(client, max_records=6, page_size=4).async_read(times[0], FAR)
    assert backlog.truncated
    assert person_names(backlog.records) == [
        f"P{index:02}" for index in range(len(backlog.records))
    ]


async def test_capped_and_repeating_pages(client: HongTuClient, simulator: Simulator) -> None:
    """A server that caps the page size is paged with its size; one that repeats a page does
    not loop."""
    times = await push_passes(simulator, 10)
    simulator.set_page_size_cap(3)
    backlog = await reader(client, page_size=100).async_read(times[0], FAR)
    assert len(backlog.records) == 10
    simulator.set_page_size_cap(None)
    simulator.set_repeat_pages(True)
    backlog = await reader(client, page_size=4).async_read(times[0], FAR)
    assert person_names(backlog.records) == ["P06", "P07", "P08", "P09"]


async def test_alert_list_end_is_inclusive(client: HongTuClient, simulator: Simulator) -> None:
    """The alert list includes its end time: the reader asks it for one millisecond less."""
    alerts = []
    for index in range(3):
        simulator.set_clock_offset(index)
        alerts.append(await simulator.push_alert(alarm_type=2))
    alert_reader = BacklogReader(client, ALERT_LIST, max_records=10)
    backlog = await alert_reader.async_read(alerts[0]["alarmTime"], alerts[2]["alarmTime"])
    assert [record.record_id for record in backlog.records] == [
        alert["alarmRecordUuId"] for alert in alerts[:2]
    ]


async def test_unparsable_items_are_counted(client: HongTuClient, simulator: Simulator) -> None:
    times = await push_passes(simulator, 2)
    undated = {k: v for k, v in simulator.state.pass_records[0].items() if k != "passTime"}
    simulator.state.pass_records.append(undated | {"passTimestamp": 0, "uuid": "undated"})
    backlog = await reader(client).async_read(0, FAR)
    assert (len(backlog.records), backlog.unparsable) == (2, 1)
    assert backlog.records[0].time_ms == times[0]


async def test_first_and_last_page(client: HongTuClient, simulator: Simulator) -> None:
    """What the catch-up looks at to find the newest record, whatever the order."""
    times = await push_passes(simulator, 5)
    window = reader(client, page_size=2)
    first = await window.async_first_page(0, FAR)
    last = await window.async_last_page(0, FAR, first)
    assert last is not None
    assert (first.total, [item["passTimestamp"] for item in last.items]) == (5, [times[0]])
    only = await reader(client).async_first_page(0, FAR)
    assert await window.async_last_page(0, FAR, only) is None


def test_bounds_must_be_positive(client: HongTuClient) -> None:
    with pytest.raises(ValueError, match="positive"):
        BacklogReader(client, PASS_LIST, max_records=0)


type Script = Callable[[dict[str, Any]], Any]


@pytest.fixture
async def scripted(session: ClientSession) -> AsyncIterator[tuple[HongTuClient, list[Script]]]:
    """A list server whose pages come from a script (shapes the simulator never serves)."""
    scripts: list[Script] = []

    async def handle(request: web.Request) -> web.Response:
        body = json.loads(await request.read())
        data = scripts[0](body)
        envelope = {"code": 0, "msg": "成功"} | ({} if data is None else {"data": data})
        return web.json_response(envelope)

    app = web.Application()
    app.router.add_post("/{tail:.*}", handle)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    try:
        yield client_for(runner.addresses[0][1], session), scripts
    finally:
        await runner.cleanup()


def item(index: int) -> dict[str, Any]:
    return {
        "uuid": str(index),
        "deviceUuid": FRONT_DOOR_UUID,
        "personUuid": f"p{index}",
        "passTimestamp": 1_700_000_000_000 + index * 1000,
    }


async def test_pages_without_total(scripted: tuple[HongTuClient, list[Script]]) -> None:
    """No ``total``: pages are read until a short one, and no further than the bound."""
    client, scripts = scripted
    items = [item(index) for index in range(7)]

    def pages(body: dict[str, Any]) -> Any:
        page, size = body["pageNum"], body["pageSize"]
        return {"list": items[(page - 1) * size : page * size]}

    scripts.append(pages)
    backlog = await reader(client, page_size=3).async_read(0, FAR)
    assert (len(backlog.records), backlog.requests) == (7, 3)
    backlog = await reader(client, max_records=4, page_size=2).async_read(0, FAR)
    assert backlog.truncated
    assert [record.record_id for record in backlog.records] == ["0", "1", "2", "3"]
    assert backlog.end_ms == items[4]["passTimestamp"]


async def test_no_count_while_narrowing(scripted: tuple[HongTuClient, list[Script]]) -> None:
    """A server that reports a total on the first page but none when counting: the window is
    read to the bound."""
    client, scripts = scripted
    items = [item(index) for index in range(10)]

    def pages(body: dict[str, Any]) -> Any:
        if body["pageSize"] == 1:
            return {"list": items[:1]}
        return {"total": len(items), "pageSize": body["pageSize"], "list": items}

    scripts.append(pages)
    backlog = await reader(client, max_records=4, page_size=10).async_read(0, FAR)
    assert backlog.truncated
    assert len(backlog.records) == 4


async def test_odd_pages(scripted: tuple[HongTuClient, list[Script]]) -> None:
    """No data is an empty window; data or a list of the wrong type is a parse error."""
    client, scripts = scripted
    scripts.append(lambda _body: None)
    backlog = await reader(client).async_read(0, FAR)
    assert (backlog.records, backlog.truncated) == ([], False)
    for data in ([1], {"list": {"a": 1}}):
        scripts[0] = lambda _body, data=data: data
        with pytest.raises(HongTuParseError):
            await reader(client).async_read(0, FAR)


async def test_window_is_enforced(scripted: tuple[HongTuClient, list[Script]]) -> None:
    """A server that ignores the time filter, or lists a record twice: each record inside the
    window, once."""
    client, scripts = scripted
    items = [item(0), item(1), item(1), item(2)]
    scripts.append(lambda body: {"total": 4, "pageSize": body["pageSize"], "list": items})
    backlog = await reader(client).async_read(item(1)["passTimestamp"], item(3)["passTimestamp"])
    assert [record.record_id for record in backlog.records] == ["1", "2"]
