"""The unsigned control API under /_sim, on the API port and on the separate control port."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest

from simulator import FRONT_DOOR_UUID, LOBBY_CAMERA_UUID, Simulator
from tests.conftest import PushReceiver

from .helpers import Api

ORG = "/v1/api/org/top/detail"


@pytest.fixture
async def sim2() -> AsyncIterator[Simulator]:
    """A simulator with a separate control port."""
    async with Simulator(control_port=0) as sim:
        yield sim


async def _post(session: aiohttp.ClientSession, url: str, body: Any) -> tuple[int, dict[str, Any]]:
    async with session.post(url, json=body) as response:
        return response.status, await response.json()


async def test_state_view(simulator: Simulator, session: aiohttp.ClientSession) -> None:
    """Devices with cmdStatus, subscription, faults and logs."""
    async with session.get(simulator.url + "/_sim/state") as response:
        answer = await response.json()
    state = answer["state"]
    assert answer["ok"]
    assert state["appliance"]["name"] == "HongTu 3000"
    assert state["url"] == simulator.url
    front = state["devices"][0]
    assert (front["uuid"], front["cmdStatus"], front["door"], front["status"]) == (
        FRONT_DOOR_UUID,
        17,
        True,
        3,
    )
    assert state["subscription"] is None
    assert state["faults"]["down"] is False
    assert state["ptzLog"] == []
    assert state["appKeys"] == ["appkey1", "appkey2"]
    assert (state["pushFailures"], state["requests"]) == (0, 0)


async def test_fault_down_and_up_through_the_control_port(
    sim2: Simulator, session: aiohttp.ClientSession
) -> None:
    """`fault down` works on the control port, and so does `up` while the API port is down."""
    api = Api(session, sim2.url)
    control = sim2.control_url + "/_sim/fault"
    status, answer = await _post(session, control, {"fault": "down"})
    assert (status, answer["ok"], answer["faults"]["down"]) == (200, True, True)
    assert "down" in answer["message"]
    with pytest.raises(aiohttp.ClientConnectionError):
        await api.post(ORG)
    status, answer = await _post(session, control, {"fault": "up"})
    assert answer["message"].endswith("is up")
    assert (await api.post(ORG))["code"] == 0
    await _post(session, control, {"fault": "down"})
    status, answer = await _post(session, control, {"fault": "clear"})
    assert answer["message"] == "all faults cleared"
    assert (await api.post(ORG))["code"] == 0


@pytest.mark.parametrize(
    ("body", "check"),
    [
        ({"fault": "slow", "seconds": 2}, lambda s: s.faults.slow == 2),
        ({"fault": "slow"}, lambda s: s.faults.slow == 5),
        ({"fault": "http500"}, lambda s: None in s.faults.http_500),
        (
            {"fault": "http500", "path": "/v1/api/door/list"},
            lambda s: "/v1/api/door/list" in s.faults.http_500,
        ),
        ({"fault": "garbage", "path": ORG}, lambda s: ORG in s.faults.garbage),
        (
            {"fault": "code", "path": ORG, "code": 100012, "msg": "x"},
            lambda s: s.faults.error_codes[ORG] == (100012, "x"),
        ),
        ({"fault": "badsign"}, lambda s: s.faults.reject_signatures),
        ({"fault": "repeat-pages"}, lambda s: s.faults.repeat_pages),
        ({"fault": "page_cap", "size": 3}, lambda s: s.faults.page_size_cap == 3),
        ({"fault": "no_cmd_status"}, lambda s: s.faults.omit_cmd_status),
        (
            {"fault": "offline", "device": "Front door"},
            lambda s: s.device(FRONT_DOOR_UUID).status == 4,
        ),
        (
            {"fault": "alarm", "device": FRONT_DOOR_UUID, "type": 500500},
            lambda s: s.state.alarms[0]["alarmType"] == 500500,
        ),
        (
            {"fault": "alarm", "name": "Back door"},
            lambda s: s.state.alarms[0]["alarmType"] == 500100,
        ),
        (
            {"fault": "secret", "app_key": "appkey1", "secret": "s3"},
            lambda s: s.state.secrets["appkey1"] == "s3",
        ),
    ],
)
async def test_fault_actions(
    simulator: Simulator, session: aiohttp.ClientSession, body: dict[str, Any], check: Any
) -> None:
    """Each fault name switches the matching Python fault."""
    status, answer = await _post(session, simulator.url + "/_sim/fault", body)
    assert (status, answer["ok"]) == (200, True), answer
    assert answer["message"]
    assert check(simulator)


async def test_fault_actions_switch_off(
    simulator: Simulator, session: aiohttp.ClientSession
) -> None:
    """The ``enabled: false`` forms and the inverse faults."""
    url = simulator.url + "/_sim/fault"
    simulator.set_http_500()
    simulator.set_garbage(ORG)
    simulator.set_error_code(ORG, 1)
    simulator.set_reject_signatures(True)
    simulator.set_repeat_pages(True)
    simulator.set_page_size_cap(2)
    simulator.set_door_list_cmd_status(False)
    simulator.set_device_online(FRONT_DOOR_UUID, False)
    simulator.add_alarm(FRONT_DOOR_UUID, 500100)
    for body in (
        {"fault": "http500", "enabled": False},
        {"fault": "garbage", "path": ORG, "enabled": "off"},
        {"fault": "code", "path": ORG, "enabled": False},
        {"fault": "goodsign"},
        {"fault": "repeat_pages", "enabled": "false"},
        {"fault": "page_cap"},
        {"fault": "no_cmd_status", "enabled": 0},
        {"fault": "online", "uuid": FRONT_DOOR_UUID},
        {"fault": "clear_alarm", "device": "Front door", "type": "500100"},
    ):
        status, answer = await _post(session, url, body)
        assert answer["ok"], (body, answer)
    assert simulator.faults.view()["http500"] == []
    assert not simulator.faults.garbage
    assert not simulator.faults.error_codes
    assert not simulator.faults.reject_signatures
    assert not simulator.faults.repeat_pages
    assert simulator.faults.page_size_cap is None
    assert not simulator.faults.omit_cmd_status
    assert simulator.device(FRONT_DOOR_UUID).status == 3
    assert simulator.state.alarms[0]["alarmStatusNow"] == 0
    status, answer = await _post(session, url, {"fault": "badsign", "enabled": False})
    assert answer["message"] == "signatures are checked normally"


async def test_subscription_lost(simulator: Simulator, session: aiohttp.ClientSession) -> None:
    """subscription_lost / subscription-lost: the reboot fault."""
    api = Api(session, simulator.url)
    await api.data("/v1/api/pubsub/busi/record/add", {"pushUrl": "http://x/", "busiTypes": [5]})
    await api.data("/v1/api/door/alwaysCloseDoor", {"uuid": FRONT_DOOR_UUID})
    status, answer = await _post(
        session, simulator.url + "/_sim/fault", {"fault": "subscription-lost"}
    )
    assert answer["ok"]
    assert simulator.state.subscriptions == {}
    assert simulator.device(FRONT_DOOR_UUID).cmd_status == 17


async def test_fault_errors(simulator: Simulator, session: aiohttp.ClientSession) -> None:
    """Unknown fault, missing or bad arguments, unknown device, bad JSON."""
    url = simulator.url + "/_sim/fault"
    cases = [
        ({"fault": "meteor"}, 400, "unknown fault"),
        ({}, 400, "missing 'fault'"),
        ({"fault": "slow", "seconds": "soon"}, 400, "must be a number"),
        ({"fault": "code", "path": ORG}, 400, "missing 'code'"),
        ({"fault": "offline"}, 400, "missing 'device'"),
        ({"fault": "offline", "device": "Nowhere"}, 404, "unknown device 'Nowhere'"),
        ({"fault": "page_cap", "size": "x"}, 400, "must be a number"),
    ]
    for body, expected_status, text in cases:
        status, answer = await _post(session, url, body)
        assert (status, answer["ok"]) == (expected_status, False), body
        assert text in answer["error"]
    for raw in (b"[1]", b"{oops"):
        async with session.post(url, data=raw) as response:
            assert response.status == 400
            assert (await response.json())["error"] == "body must be a JSON object"


async def test_push_through_control(
    simulator: Simulator, session: aiohttp.ClientSession, push_receiver: PushReceiver
) -> None:
    """Every kind of push; the answer says where it went."""
    api = Api(session, simulator.url)
    await api.data(
        "/v1/api/pubsub/busi/record/add",
        {"pushUrl": push_receiver.url_for("/busi"), "busiTypes": [1, 2, 3, 5, 12]},
    )
    simulator.set_event_callback_url(push_receiver.url_for("/event"))
    url = simulator.url + "/_sim/push"
    status, answer = await _post(
        session, url, {"kind": "pass", "door": "Front door", "person": "Alice"}
    )
    assert answer["ok"]
    assert answer["record"]["personName"] == "Alice"
    assert (
        answer["message"] == "pushed pass record from Front door; delivered to 1 of 1 receiver(s)"
    )
    assert answer["deliveries"][0]["status"] == 200
    status, answer = await _post(session, url, {"kind": "pass", "stranger": True})
    assert (answer["record"]["passType"], "personName" in answer["record"]) == (0, False)
    status, answer = await _post(session, url, {"kind": "pass", "person": "", "granted": True})
    assert answer["record"]["passType"] == 1
    status, answer = await _post(
        session, url, {"kind": "pass", "person": "Bob", "granted": "false"}
    )
    assert answer["record"]["passType"] == 0
    for body, key, value in (
        (
            {"kind": "recognition", "camera": "Lobby camera", "person_type": "访客"},
            "personType",
            "访客",
        ),
        ({"kind": "vehicle", "plate": "ABC123"}, "plateNumber", "ABC123"),
        ({"kind": "alert", "alarm_type": 6}, "alarmType", 6),
        ({"kind": "structured", "category": 3, "plate": "XYZ"}, "plateNumber", "XYZ"),
        ({"kind": "event", "event": "alert", "include_device_uuid": True}, "eventTypeId", 301),
        ({"kind": "event"}, "eventTypeId", 501),
    ):
        status, answer = await _post(session, url, body)
        assert answer["ok"], answer
        assert answer["record"][key] == value
    assert answer["message"].startswith("pushed event (pass) record from Front door")
    assert len(push_receiver.received) == 10


async def test_push_errors(simulator: Simulator, session: aiohttp.ClientSession) -> None:
    """Bad kinds and arguments are 400, unknown devices 404."""
    url = simulator.url + "/_sim/push"
    for body, expected in (
        ({"kind": "smell"}, 400),
        ({}, 400),
        ({"kind": "structured", "category": 7}, 400),
        ({"kind": "event", "event": "party"}, 400),
        ({"kind": "pass", "door": "Nowhere"}, 404),
        ({"kind": "alert", "alarm_type": "loud"}, 400),
    ):
        status, answer = await _post(session, url, body)
        assert (status, answer["ok"]) == (expected, False), body


async def test_device_add_and_remove(simulator: Simulator, session: aiohttp.ClientSession) -> None:
    """POST /_sim/device adds and removes devices."""
    url = simulator.url + "/_sim/device"
    status, answer = await _post(session, url, {"action": "add", "name": "Gate", "deviceType": 2})
    assert answer["ok"]
    assert simulator.device("Gate").is_panel
    status, answer = await _post(session, url, {"action": "add", "name": "Cam", "door": False})
    assert not simulator.device(answer["uuid"]).door
    status, answer = await _post(session, url, {"action": "remove", "name": "Gate"})
    assert answer["message"] == "Gate removed"
    status, answer = await _post(session, url, {"action": "rename"})
    assert status == 400
    status, answer = await _post(session, url, {"action": "remove", "uuid": "0" * 32})
    assert status == 404


async def test_config_and_requests(simulator: Simulator, session: aiohttp.ClientSession) -> None:
    """Event callback URL and push format; the recorded requests."""
    url = simulator.url + "/_sim/config"
    status, answer = await _post(session, url, {"event_callback_url": "http://127.0.0.1:9/e"})
    assert answer["eventCallbackUrl"] == "http://127.0.0.1:9/e"
    await _post(session, url, {"data_as_object": True, "busi_type_as_int": True})
    assert simulator._push_format.data_as_object
    status, answer = await _post(session, url, {"event_callback_url": ""})
    assert simulator.state.event_callback_url is None
    await Api(session, simulator.url).post(ORG)
    async with session.get(simulator.url + "/_sim/requests") as response:
        answer = await response.json()
    assert answer["requests"][0]["path"] == ORG
    assert answer["requests"][0]["signatureOk"] is True


async def test_control_requests_are_not_recorded(
    simulator: Simulator, session: aiohttp.ClientSession
) -> None:
    """Control traffic stays out of sim.requests (which tests use to count API calls)."""
    await _post(session, simulator.url + "/_sim/fault", {"fault": "slow", "seconds": 0})
    async with session.get(simulator.url + "/_sim/state"):
        pass
    assert simulator.requests == []
    assert LOBBY_CAMERA_UUID in [device.uuid for device in simulator.state.devices.values()]
