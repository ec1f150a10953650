"""Every fault mode, switched through the Python API."""

from __future__ import annotations

import asyncio
import json
import time

import aiohttp
import pytest

from simulator import FRONT_DOOR_UUID, Inventory, Simulator

from .helpers import Api, sign

ORG = "/v1/api/org/top/detail"
DEVICES = "/v1/api/device/list"
DOORS = "/v1/api/door/list"


async def _refused(api: Api) -> bool:
    """True when a request to the API port fails at the connection level."""
    try:
        await api.post(ORG)
    except aiohttp.ClientConnectionError:
        return True
    return False


async def test_down_refuses_and_up_reuses_the_port(api: Api, simulator: Simulator) -> None:
    """Down: connection refused (even on a kept-alive connection); up: same port again."""
    assert (await api.post(ORG))["code"] == 0  # leaves a kept-alive connection in the pool
    port = simulator.port
    await simulator.set_down(True)
    await simulator.set_down(True)
    assert simulator.faults.down
    assert await _refused(api)  # the kept-alive connection is dropped
    assert await _refused(api)  # a new connection is refused
    async with aiohttp.ClientSession() as fresh:
        with pytest.raises(aiohttp.ClientConnectorError):
            await Api(fresh, simulator.url).post(ORG)
    await simulator.set_down(False)
    await simulator.set_down(False)
    assert simulator.port == port
    assert (await api.post(ORG))["code"] == 0


async def test_clear_faults_brings_the_port_up_at_once(api: Api, simulator: Simulator) -> None:
    """clear_faults is synchronous; the port accepts connections immediately."""
    await simulator.set_down(True)
    simulator.set_slow(0.01)
    simulator.clear_faults()
    assert not simulator.faults.down
    assert simulator.faults.slow == 0
    assert (await api.post(ORG))["code"] == 0


async def test_stop_while_down_and_while_coming_up() -> None:
    """stop() works whatever state the port is in."""
    sim = Simulator()
    await sim.start()
    await sim.set_down(True)
    await sim.stop()
    sim = Simulator()
    await sim.start()
    await sim.set_down(True)
    sim.clear_faults()
    await sim.stop()
    assert not sim.running


async def test_slow(api: Api, simulator: Simulator) -> None:
    """Every API answer is delayed."""
    simulator.set_slow(0.2)
    started = time.monotonic()
    assert (await api.post(ORG))["code"] == 0
    assert time.monotonic() - started >= 0.2
    simulator.set_slow(-1)
    assert simulator.faults.slow == 0


async def test_slow_answer_times_out_a_client(simulator: Simulator) -> None:
    """A client with a short timeout sees a timeout, the simulator carries on."""
    simulator.set_slow(1.0)
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=0.1)) as session:
        with pytest.raises(asyncio.TimeoutError):
            await Api(session, simulator.url).post(ORG)


async def test_http_500_everywhere_and_on_one_path(api: Api, simulator: Simulator) -> None:
    """None means every endpoint; a path covers itself and what is below it."""
    simulator.set_http_500()
    status, _ = await api.raw(ORG, b"{}", headers=sign(ORG, "POST", b"{}"))
    assert status == 500
    simulator.set_http_500(enabled=False)
    simulator.set_http_500(DEVICES)
    assert (await api.post(ORG))["code"] == 0
    status, text = await api.raw(DEVICES, b"{}", headers=sign(DEVICES, "POST", b"{}"))
    assert (status, text) == (500, "500 Internal Server Error")
    simulator.set_http_500(DEVICES, enabled=False)
    assert (await api.post(DEVICES))["code"] == 0


async def test_http_500_on_images(api: Api, simulator: Simulator, session) -> None:
    """set_http_500("/pub") breaks every image URL."""
    record = await simulator.push_pass()
    simulator.set_http_500("/pub")
    async with session.get(record["snapshotUrl"]) as response:
        assert response.status == 500


async def test_garbage(api: Api, simulator: Simulator) -> None:
    """HTTP 200 with a body that is not JSON."""
    simulator.set_garbage(ORG)
    status, text = await api.raw(ORG, b"{}", headers=sign(ORG, "POST", b"{}"))
    assert status == 200
    with pytest.raises(ValueError):
        json.loads(text)
    assert (await api.post(DEVICES))["code"] == 0
    simulator.set_garbage(None)
    status, text = await api.raw(DEVICES, b"{}", headers=sign(DEVICES, "POST", b"{}"))
    assert text.startswith("<html>")
    simulator.set_garbage(None, enabled=False)
    simulator.set_garbage(ORG, enabled=False)
    assert (await api.post(ORG))["code"] == 0


async def test_error_code(api: Api, simulator: Simulator) -> None:
    """One endpoint answers a business error until cleared; others are unaffected."""
    simulator.set_error_code(DEVICES, 102011, "根据条件关联查询设备记录失败")
    assert await api.post(DEVICES) == {"code": 102011, "msg": "根据条件关联查询设备记录失败"}
    assert (await api.post(ORG))["code"] == 0
    simulator.set_error_code(ORG, 100012)
    assert await api.post(ORG) == {"code": 100012, "msg": "失败"}
    simulator.clear_error_code(DEVICES)
    simulator.clear_error_code("/never/set")
    assert (await api.post(DEVICES))["code"] == 0


async def test_reject_signatures(api: Api, simulator: Simulator) -> None:
    """Every request answered 100008, as when the secret changed on the appliance."""
    simulator.set_reject_signatures(True)
    assert await api.post(ORG) == {"code": 100008, "msg": "签名错误"}
    assert (await api.get("/v1/api/device/info"))["code"] == 100008
    simulator.set_reject_signatures(False)
    assert (await api.post(ORG))["code"] == 0


async def test_set_secret(api: Api, simulator: Simulator) -> None:
    """After a secret change the old one fails and the new one works."""
    simulator.set_secret("appkey1", "new-secret")
    assert (await api.post(ORG))["code"] == 100008
    assert (await api.post(ORG, secret="new-secret"))["code"] == 0


async def test_lose_subscription(api: Api, simulator: Simulator) -> None:
    """As after a reboot: no subscription, door modes back to normal."""
    await api.data(
        "/v1/api/pubsub/busi/record/add", {"pushUrl": "http://127.0.0.1:9/x", "busiTypes": [5]}
    )
    await api.data("/v1/api/door/alwaysOpenDoor", {"uuid": FRONT_DOOR_UUID})
    simulator.lose_subscription()
    assert (await api.post("/v1/api/pubsub/busi/record/query"))["data"] is None
    detail = await api.data("/v1/api/device/query", {"uuid": FRONT_DOOR_UUID})
    assert detail["cmdStatus"] == 17


async def test_device_online_offline(api: Api, simulator: Simulator) -> None:
    """Status 4 in device/list and door/list, back to 3; by name or uuid."""
    device = simulator.set_device_online("Front door", False)
    assert device.uuid == FRONT_DOOR_UUID
    doors = await api.data("/v1/api/door/list", {"passModel": False})
    assert doors["list"][0]["status"] == 4
    devices = await api.data(DEVICES)
    assert devices["list"][0]["status"] == 4
    simulator.set_device_online(FRONT_DOOR_UUID, True)
    assert (await api.data(DEVICES))["list"][0]["status"] == 3
    with pytest.raises(KeyError):
        simulator.set_device_online("No such door", True)


async def test_repeat_pages(api: Api, simulator: Simulator) -> None:
    """Paging fault: page 2 answers page 1's items (pageNum echoed as asked)."""
    simulator.set_repeat_pages(True)
    first = await api.data(DEVICES, {"pageNum": 1, "pageSize": 4})
    second = await api.data(DEVICES, {"pageNum": 2, "pageSize": 4})
    assert second["list"] == first["list"]
    assert second["pageNum"] == 2
    simulator.set_repeat_pages(False)
    assert (await api.data(DEVICES, {"pageNum": 2, "pageSize": 4}))["list"] != first["list"]


async def test_page_size_cap(api: Api, simulator: Simulator) -> None:
    """The server caps pageSize and reports the capped value back."""
    simulator.set_page_size_cap(2)
    page = await api.data(DEVICES, {"pageSize": 100})
    assert (page["pageSize"], len(page["list"]), page["total"]) == (2, 2, 6)
    third = await api.data(DEVICES, {"pageNum": 3, "pageSize": 100})
    assert [item["name"] for item in third["list"]] == ["Parking camera", "Perimeter camera"]
    simulator.set_page_size_cap(None)
    assert (await api.data(DEVICES, {"pageSize": 100}))["pageSize"] == 100


async def test_paging_over_a_generated_inventory(session) -> None:
    """Inventory.generate(n): every device reachable through the pages, none twice."""
    async with Simulator(Inventory.generate(45)) as sim:
        sim.set_page_size_cap(20)
        api = Api(session, sim.url)
        seen: list[str] = []
        page_num = 1
        while True:
            page = await api.data(DEVICES, {"pageNum": page_num, "pageSize": 50})
            seen += [item["uuid"] for item in page["list"]]
            if page_num * page["pageSize"] >= page["total"]:
                break
            page_num += 1
        assert len(seen) == len(set(seen)) == 45
        doors = await api.data("/v1/api/door/list", {"passModel": False, "pageSize": 100})
        assert doors["total"] == 18


async def test_clear_faults_resets_everything(api: Api, simulator: Simulator) -> None:
    """One call undoes every fault."""
    simulator.set_http_500()
    simulator.set_garbage(None)
    simulator.set_error_code(ORG, 1)
    simulator.set_reject_signatures(True)
    simulator.set_repeat_pages(True)
    simulator.set_page_size_cap(1)
    simulator.set_door_list_cmd_status(False)
    simulator.set_list_item_faults(sparse=True, string_numbers=True)
    simulator.clear_faults()
    assert simulator.faults.view() == {
        "down": False,
        "slow": 0.0,
        "http500": [],
        "garbage": [],
        "errorCodes": {},
        "rejectSignatures": False,
        "repeatPages": False,
        "pageSizeCap": None,
        "omitCmdStatus": False,
        "sparseItems": False,
        "stringNumbers": False,
    }
    assert (await api.post(ORG))["code"] == 0


async def test_sparse_list_items(api: Api, simulator: Simulator) -> None:
    """Device and door list items without the fields the document marks optional."""
    full = (await api.data(DEVICES))["list"][0]
    door = (await api.data(DOORS, {"passModel": False}))["list"][0]
    simulator.set_list_item_faults(sparse=True)
    sparse = (await api.data(DEVICES))["list"][0]
    assert set(full) - set(sparse) == {"mac", "upgradeAction", "currentVersion", "checkFirm"}
    sparse_door = (await api.data(DOORS, {"passModel": False}))["list"][0]
    assert set(door) - set(sparse_door) == {"synStatus", "failNum", "cmdStatus"}
    assert sparse_door["status"] == 3


async def test_string_numbers(api: Api, simulator: Simulator) -> None:
    """Every number of a list page as a string: items and page fields; bools stay bools."""
    simulator.set_list_item_faults(string_numbers=True)
    page = await api.data(DEVICES, {"pageSize": 2})
    assert (page["pageNum"], page["pageSize"], page["total"]) == ("1", "2", "6")
    assert page["list"][0]["status"] == "3"
    assert page["list"][0]["deviceType"] == "2"
    # Answers without a list are left alone.
    assert (await api.post(ORG))["data"]["orgUuid"] == simulator.state.org_uuid


async def test_clock_offset(simulator: Simulator) -> None:
    """Records and alarms carry the appliance's own clock, here six hours ahead."""
    simulator.set_clock_offset(6 * 3600)
    ahead = simulator.clock_ms() - int(time.time() * 1000)
    assert 6 * 3600 * 1000 - 1000 < ahead <= 6 * 3600 * 1000
    alarm = simulator.add_alarm(FRONT_DOOR_UUID, 500100)
    assert alarm["alarmTime"] - int(time.time() * 1000) > 6 * 3600 * 1000 - 1000
    record = await simulator.push_pass(FRONT_DOOR_UUID)
    assert record["passTimestamp"] - int(time.time() * 1000) > 6 * 3600 * 1000 - 1000
    simulator.clear_alarm(FRONT_DOOR_UUID, 500100)
    assert alarm["gmtModified"] > alarm["alarmTime"] - 1000
    simulator.set_clock_offset(0)
    assert abs(simulator.clock_ms() - int(time.time() * 1000)) < 1000


async def test_peak_concurrency(api: Api, simulator: Simulator) -> None:
    """The most requests of one path in progress at once; cleared with the requests."""
    simulator.set_slow(0.2)
    await asyncio.gather(*(api.post(ORG) for _ in range(3)))
    await api.post(DEVICES)
    assert simulator.peak_concurrency == {ORG: 3, DEVICES: 1}
    simulator.clear_requests()
    assert simulator.peak_concurrency == {}
