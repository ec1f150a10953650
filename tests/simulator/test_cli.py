"""The command line: serving, and driving a running simulator through its control API."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
import json
import re
import signal
import sys

import pytest

from simulator import FRONT_DOOR_UUID, Simulator
import simulator.__main__ as cli
from tests.conftest import PushReceiver

from .helpers import Api


@pytest.fixture
async def served(capsys: pytest.CaptureFixture[str]) -> AsyncIterator[Simulator]:
    """``python -m simulator --port 0 --control-port 0`` run in-process."""
    stop = asyncio.Event()
    started: asyncio.Future[Simulator] = asyncio.get_running_loop().create_future()
    task = asyncio.create_task(
        cli.async_main(["--port", "0", "--control-port", "0"], stop=stop, ready=started.set_result)
    )
    sim = await asyncio.wait_for(started, 5)
    yield sim
    stop.set()
    assert await task == 0


async def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    """Run one client command; return (exit code, stdout, stderr)."""
    code = await cli.async_main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


async def test_serve_banner_and_push(
    served: Simulator, capsys: pytest.CaptureFixture[str], push_receiver: PushReceiver, session
) -> None:
    """The banner names both URLs; `push pass` reaches the subscriber."""
    banner, _ = capsys.readouterr()
    assert f"API {served.url}" in banner
    assert f"control {served.control_url}" in banner
    assert "appkey1 / sdfajk3242324fa!djq7" in banner
    assert "6 devices, 3 door points" in banner
    await Api(session, served.url).data(
        "/v1/api/pubsub/busi/record/add", {"pushUrl": push_receiver.url, "busiTypes": [5]}
    )
    code, out, err = await run(
        capsys,
        "push",
        "pass",
        "--door",
        "Back door",
        "--person",
        "Alice",
        "--url",
        served.control_url,
    )
    assert code == 0, err
    expected = (
        r"^pushed pass record from Back door; delivered to 1 of 1 receiver\(s\) \(id \w{32}\)$"
    )
    assert re.match(expected, out.strip())
    pushed = json.loads(push_receiver.received[0].json["data"])
    assert (pushed["personName"], pushed["deviceName"]) == ("Alice", "Back door")


async def test_fault_down_and_up(
    served: Simulator, capsys: pytest.CaptureFixture[str], session
) -> None:
    """`fault down` through the control port; `fault up` brings the API port back."""
    api = Api(session, served.url)
    capsys.readouterr()  # the banner
    code, out, _ = await run(capsys, "fault", "down", "--url", served.control_url)
    assert (code, out.strip()) == (0, f"API port {served.port} is down (connections refused)")
    assert served.faults.down
    code, out, _ = await run(capsys, "fault", "up", "--url", served.control_url)
    assert out.strip() == f"API port {served.port} is up"
    assert (await api.post("/v1/api/org/top/detail"))["code"] == 0


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["slow", "2.5"], "every API answer is delayed 2.5 s"),
        (["slow"], "every API answer is delayed 5 s"),
        (["slow", "--off"], "every API answer is delayed 0 s"),
        (["http500"], "HTTP 500 on every endpoint: on"),
        (["http500", "/v1/api/door/list", "--off"], "HTTP 500 on /v1/api/door/list: off"),
        (["garbage", "/v1/api/door/list"], "non-JSON answers on /v1/api/door/list: on"),
        (
            ["code", "/v1/api/door/list", "102011", "查询", "失败"],
            "/v1/api/door/list answers code 102011",
        ),
        (["code", "/v1/api/door/list", "--off"], "/v1/api/door/list answers normally again"),
        (["badsign"], "every request is answered 100008"),
        (["badsign", "--off"], "signatures are checked normally"),
        (["goodsign"], "signatures are checked normally"),
        (
            ["subscription-lost"],
            "subscriptions lost and door modes back to normal (as after a reboot)",
        ),
        (["offline", "Front", "door"], "Front door is offline"),
        (["online", FRONT_DOOR_UUID], "Front door is online"),
        (["alarm", "Front door", "500500"], "alarm 500500 raised on Front door"),
        (["alarm", "Back door"], "alarm 500100 raised on Back door"),
        (
            ["clear-alarm", "Front", "door", "500500"],
            "alarm 500500 on Front door recovered (0 record(s))",
        ),
        (["repeat-pages"], "list endpoints always serve page 1: on"),
        (["page-cap", "5"], "pageSize capped at 5"),
        (["page-cap", "--off"], "pageSize is not capped"),
        (["no-cmd-status"], "door/list omits cmdStatus: on"),
        (["secret", "appkey2", "new"], "secret of appkey2 changed"),
        (["clear"], "all faults cleared"),
    ],
)
async def test_fault_commands(
    simulator: Simulator, capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    """Each fault command prints what it did (against the API port's /_sim)."""
    code, out, err = await run(capsys, "fault", *argv, "--url", simulator.url)
    assert code == 0, err
    assert out.strip() == message


async def test_fault_body_mapping() -> None:
    """The JSON each command line sends."""
    assert cli.fault_body("Subscription-Lost", []) == {"fault": "subscription_lost"}
    assert cli.fault_body("alarm", ["Gate", "7"], off=True) == {
        "fault": "alarm",
        "device": "Gate",
        "type": 7,
        "active": False,
    }
    assert cli.fault_body("http500", []) == {"fault": "http500", "path": None, "enabled": True}


@pytest.mark.parametrize(
    "argv",
    [
        ["fault", "meteor"],
        ["fault", "offline"],
        ["fault", "alarm"],
        ["fault", "code"],
        ["fault", "code", "/x"],
        ["fault", "secret", "appkey1"],
        ["fault", "slow", "soon"],
        ["fault", "page-cap", "many"],
    ],
)
async def test_usage_errors(capsys: pytest.CaptureFixture[str], argv: list[str]) -> None:
    """Bad command lines exit 2 without contacting anything."""
    code, out, err = await run(capsys, *argv, "--url", "http://127.0.0.1:1")
    assert code == 2
    assert err.startswith("error: ")


async def test_refusals_exit_1(simulator: Simulator, capsys: pytest.CaptureFixture[str]) -> None:
    """The simulator's refusal is printed to stderr."""
    code, out, err = await run(capsys, "fault", "offline", "Nowhere", "--url", simulator.url)
    assert code == 1
    assert err.strip() == "error: unknown device 'Nowhere'"
    code, out, err = await run(
        capsys, "push", "structured", "--category", "9", "--url", simulator.url
    )
    assert (code, err.strip()) == (1, "error: category must be 1, 2, 3 or 4")


async def test_push_commands(
    simulator: Simulator, capsys: pytest.CaptureFixture[str], push_receiver: PushReceiver
) -> None:
    """Every push kind and option, including the event callback."""
    simulator.set_event_callback_url(push_receiver.url_for("/event"))
    url = ["--url", simulator.url]
    code, out, _ = await run(capsys, "push", "pass", "--stranger", "--camera", "Garage door", *url)
    assert out.startswith("pushed pass record from Garage door; delivered to 0 of 0")
    assert simulator.state.pass_records[-1]["passType"] == 0
    await run(capsys, "push", "pass", "--person", "Bob", "--denied", "--person-type", "2", *url)
    assert simulator.state.pass_records[-1]["personName"] == "Bob"
    code, out, _ = await run(capsys, "push", "recognition", "--person-type", "访客", *url)
    assert out.startswith("pushed recognition record from Lobby camera")
    code, out, _ = await run(capsys, "push", "vehicle", "--plate", "ABC123", *url)
    assert (
        out.strip() == "pushed vehicle record from Parking camera; delivered to 0 of 0 receiver(s)"
    )
    code, out, _ = await run(capsys, "push", "alert", "--alarm-type", "13", *url)
    assert re.search(r"\(id [0-9a-f]{32}\)$", out.strip())
    code, out, _ = await run(capsys, "push", "structured", "--category", "2", *url)
    assert code == 0
    code, out, _ = await run(
        capsys, "push", "event", "--event", "vehicle", "--with-device-uuid", "--plate", "P1", *url
    )
    assert out.startswith("pushed event (vehicle) record from Parking camera; delivered to 1 of 1")
    body = push_receiver.on("/event")[0].json
    assert (body["ext"]["plateNumber"], body["deviceUuid"]) == (
        "P1",
        simulator.device("Parking camera").uuid,
    )


async def test_state_command(simulator: Simulator, capsys: pytest.CaptureFixture[str]) -> None:
    """A readable summary, or the full JSON."""
    simulator.set_device_online("Back door", False)
    simulator.state.devices[FRONT_DOOR_UUID].cmd_status = 15
    simulator.set_slow(1)
    code, out, _ = await run(capsys, "state", "--url", simulator.url)
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == f"HongTu 3000 (MegCube-HAL3004-4S2 V1.0.6.0) at {simulator.url}"
    assert lines[2].split() == ["Front", "door", FRONT_DOOR_UUID, "online", "always", "open"]
    assert "offline" in lines[3]
    assert lines[5].split()[-1] == "online"  # a camera: no door mode
    assert "subscription: none" in out
    assert "faults: slow=1.0" in out
    simulator.set_slow(0)
    simulator.state.subscriptions.clear()
    code, out, _ = await run(capsys, "state", "--json", "--url", simulator.url)
    answer = json.loads(out)
    assert answer["state"]["devices"][1]["status"] == 4


async def test_state_with_subscription(
    simulator: Simulator, capsys: pytest.CaptureFixture[str], session
) -> None:
    """The subscription line."""
    await Api(session, simulator.url).data(
        "/v1/api/pubsub/busi/record/add", {"pushUrl": "http://127.0.0.1:9/p", "busiTypes": [5, 1]}
    )
    code, out, _ = await run(capsys, "state", "--url", simulator.url)
    assert "subscription: appkey1 -> http://127.0.0.1:9/p [5, 1]" in out
    assert "faults: none" in out


async def test_default_url_falls_back(
    simulator: Simulator, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without --url: the control port first, then the API port."""
    monkeypatch.setattr(cli, "DEFAULT_URLS", ("http://127.0.0.1:1", simulator.url))
    code, out, _ = await run(capsys, "fault", "slow", "1")
    assert (code, simulator.faults.slow) == (0, 1.0)


async def test_unreachable_and_unexpected_answers(
    capsys: pytest.CaptureFixture[str], push_receiver: PushReceiver, simulator: Simulator
) -> None:
    """Nothing listening: exit 1; something that is not a control API: exit 1."""
    code, out, err = await run(capsys, "state", "--url", "http://127.0.0.1:1")
    assert code == 1
    assert err.startswith("error: no simulator reachable (http://127.0.0.1:1:")
    code, out, err = await run(capsys, "fault", "up", "--url", push_receiver.url)
    assert code == 1
    assert "answered something unexpected" in err
    code, out, err = await run(capsys, "state", "--url", simulator.url + "/v1/api")
    assert code == 1
    assert err.startswith("error: ")


async def test_serve_options(capsys: pytest.CaptureFixture[str]) -> None:
    """--devices N and --no-control-port."""
    stop = asyncio.Event()
    seen: list[Simulator] = []

    def ready(sim: Simulator) -> None:
        seen.append(sim)
        stop.set()

    argv = ["--port", "0", "--no-control-port", "--devices", "12", "--public-url", "http://x"]
    assert await cli.async_main(argv, stop=stop, ready=ready) == 0
    sim = seen[0]
    assert (len(sim.state.devices), sim.control_port, sim.public_url) == (12, None, "http://x")
    assert not sim.running
    assert "12 devices, 6 door points" in capsys.readouterr().out


async def test_python_dash_m(tmp_path) -> None:
    """`python -m simulator` as a real process: serves, takes commands, exits 0 on SIGTERM."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "simulator",
        "--port",
        "0",
        "--control-port",
        "0",
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        assert process.stdout is not None
        line = (await asyncio.wait_for(process.stdout.readline(), 20)).decode()
        match = re.search(r"API (http://\S+)\s+control (http://\S+)", line)
        assert match, line
        assert await cli.async_main(["fault", "slow", "0", "--url", match[2]]) == 0
    finally:
        process.send_signal(signal.SIGTERM)
        await asyncio.wait_for(process.wait(), 20)
    assert process.returncode == 0
