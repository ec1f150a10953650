"""Catch-up over real HTTP: what the simulator recorded while its pushes could not reach Home
Assistant (restart, appliance unreachable, wrong push URL) comes out once, as ``hongtu_event``
with ``caught_up: true``; nothing already pushed comes out again."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
import json
import logging
import time
from typing import Any

from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import Event, HomeAssistant
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
    async_fire_time_changed,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.hongtu import catchup
from custom_components.hongtu.api.backlog import ALERT_LIST, PASS_LIST
from custom_components.hongtu.api.record_models import RecordKind
from custom_components.hongtu.catchup import (
    CHECK_INTERVAL,
    OVERLAP_MS,
    RECENT_LIMIT,
    SAVE_DELAY,
    CatchUp,
    ListMark,
    key_text,
    storage_key,
    wanted_lists,
)
from custom_components.hongtu.const import (
    CONF_PASS_RECORD_CALLBACK,
    CONF_PUSH_URL_BASE,
    CONF_SUBSCRIBE_BUSI_TYPES,
    DOMAIN,
    EVENT_HONGTU,
)
from custom_components.hongtu.events import iso_time
from simulator import BACK_DOOR_UUID, FRONT_DOOR_UUID, Simulator
from tests.record_helpers import free_port, load_fixture, parse

PASS_LIST_PATH = "/v1/api/pass_record/list"
ALERT_LIST_PATH = "/v1/api/areaAlert/record/list"
FIVE_HOURS = 5 * 3600.0


class FakeClock:
    """A monotonic clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = time.monotonic()

    def __call__(self) -> float:
        return self.now


@dataclass
class Harness:
    """One entry of the simulator, set up, unloaded and polled at the test's pace."""

    hass: HomeAssistant
    simulator: Simulator
    entry: MockConfigEntry
    start_server: Callable[[], Any] | None
    events: list[Event[dict[str, Any]]]
    clock: FakeClock = field(default_factory=FakeClock)

    @property
    def catch_up(self) -> CatchUp:
        catch_up = self.entry.runtime_data.catch_up
        assert catch_up is not None
        return catch_up

    async def setup(self) -> None:
        """Set the entry up (a Home Assistant start) and wait for the first catch-up."""
        assert await self.hass.config_entries.async_setup(self.entry.entry_id)
        await self.hass.async_block_till_done()
        assert self.entry.state is ConfigEntryState.LOADED
        if self.start_server is not None:
            await self.start_server()
            self.start_server = None
        await self.settle()
        self.clock.now = max(self.clock.now, time.monotonic())
        self.catch_up.clock = self.clock

    async def unload(self) -> None:
        """Unload the entry (Home Assistant stops listening)."""
        assert await self.hass.config_entries.async_unload(self.entry.entry_id)
        await self.hass.async_block_till_done()

    async def settle(self) -> None:
        """Wait for a catch-up in progress and for the pushes received."""
        await self.catch_up.async_wait()
        push = self.entry.runtime_data.push
        assert push is not None
        await push.async_idle()
        await self.hass.async_block_till_done()

    async def poll(self) -> None:
        """One poll (and whatever catch-up it starts)."""
        await self.entry.runtime_data.coordinator.async_refresh()
        await self.hass.async_block_till_done()
        await self.settle()

    def caught_up(self) -> list[dict[str, Any]]:
        return [event.data for event in self.events if event.data.get("caught_up")]

    def live(self) -> list[dict[str, Any]]:
        return [event.data for event in self.events if not event.data.get("caught_up")]

    def list_requests(self, path: str) -> int:
        return sum(1 for request in self.simulator.requests if request.path == path)


def make_entry(mock_config_entry: MockConfigEntry, **options: Any) -> MockConfigEntry:
    return MockConfigEntry(
        domain=DOMAIN,
        title=mock_config_entry.title,
        unique_id=mock_config_entry.unique_id,
        data=dict(mock_config_entry.data),
        options=options,
    )


@pytest.fixture
def harness(
    hass: HomeAssistant,
    simulator: Simulator,
    mock_config_entry: MockConfigEntry,
    aiohttp_client: ClientSessionGenerator,
) -> Harness:
    """An entry whose webhook the simulator reaches over HTTP (the server starts after the
    first setup, once every view is registered)."""
    port = free_port()
    hass.config.internal_url = f"http://127.0.0.1:{port}"
    entry = make_entry(mock_config_entry)
    entry.add_to_hass(hass)

    async def start_server() -> None:
        await aiohttp_client(hass.http.app, server_kwargs={"port": port})

    return Harness(hass, simulator, entry, start_server, async_capture_events(hass, EVENT_HONGTU))


def unreachable_harness(
    hass: HomeAssistant, simulator: Simulator, mock_config_entry: MockConfigEntry, **options: Any
) -> Harness:
    """An entry whose push URL leads nowhere: every push the simulator makes fails."""
    entry = make_entry(
        mock_config_entry, **{CONF_PUSH_URL_BASE: f"http://127.0.0.1:{free_port()}", **options}
    )
    entry.add_to_hass(hass)
    return Harness(hass, simulator, entry, None, async_capture_events(hass, EVENT_HONGTU))


@pytest.fixture
def unreachable(
    hass: HomeAssistant, simulator: Simulator, mock_config_entry: MockConfigEntry
) -> Harness:
    return unreachable_harness(hass, simulator, mock_config_entry)


def caught_up_lines(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [
        record.getMessage()
        for record in caplog.records
        if record.levelno == logging.INFO and "caught up" in record.getMessage()
    ]


def our_warnings(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [
        record.getMessage()
        for record in caplog.records
        if record.levelno >= logging.WARNING and record.name.startswith("custom_components")
    ]


def names(events: list[dict[str, Any]]) -> list[str]:
    return [event["person_name"] for event in events if event["type"] == "pass"]


async def test_first_setup_replays_nothing(harness: Harness, simulator: Simulator) -> None:
    """History before the first setup stays history; the newest record is the starting point."""
    for index in range(3):
        await simulator.push_pass(FRONT_DOOR_UUID, f"Old {index}")
    alert = await simulator.push_alert()
    await harness.setup()
    assert harness.events == []
    marks = harness.catch_up.marks
    assert marks[RecordKind.PASS].newest_ms == simulator.state.pass_records[-1]["passTimestamp"]
    assert marks[RecordKind.ALERT].newest_ms == alert["alarmTime"]
    assert (marks[RecordKind.PASS].resume_ms, marks[RecordKind.ALERT].resume_ms) == (None, None)

    await simulator.push_pass(FRONT_DOOR_UUID, "New")
    await harness.settle()
    assert names(harness.live()) == ["New"]
    assert harness.caught_up() == []


async def test_restart_catches_up_once(
    harness: Harness,
    simulator: Simulator,
    hass_storage: dict[str, Any],
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Passes and alerts recorded while Home Assistant was not listening come out once each,
    oldest first, with ``caught_up``; what was pushed before the restart is not replayed (it
    lies inside the overlap the read starts with)."""
    await harness.setup()
    for index in range(3):
        await simulator.push_pass(FRONT_DOOR_UUID, f"Live {index}")
    await harness.settle()
    assert names(harness.live()) == ["Live 0", "Live 1", "Live 2"]
    await harness.unload()
    stored = hass_storage[storage_key(harness.entry)]["data"]["lists"]
    assert stored["pass"]["newest_ms"] == simulator.state.pass_records[-1]["passTimestamp"]
    assert len(stored["pass"]["recent"]) == 3

    for index in range(50):
        await simulator.push_pass(
            BACK_DOOR_UUID if index % 2 else FRONT_DOOR_UUID, f"Missed {index}"
        )
    alerts = [await simulator.push_alert(alarm_type=alarm_type) for alarm_type in (1, 2, 5, 6)]
    harness.events.clear()
    caplog.set_level(logging.INFO)
    await harness.setup()

    caught = harness.caught_up()
    assert len(caught) == 54
    assert harness.live() == []
    assert sorted(names(caught)) == sorted(f"Missed {index}" for index in range(50))
    assert len({event["record_id"] for event in caught}) == 54
    assert sorted(event["record_id"] for event in caught if event["type"] == "alert") == sorted(
        alert["alarmRecordUuId"] for alert in alerts
    )
    times = [event["time"] for event in caught]
    assert times == sorted(times)
    passes = {item["uuid"]: item for item in simulator.state.pass_records}
    for event in caught:
        if event["type"] == "pass":
            assert event["time"] == iso_time(passes[event["record_id"]]["passTimestamp"])
    assert caught_up_lines(caplog) == [
        "HongTu 3000: caught up 54 records the appliance could not push"
    ]
    last_person = harness.hass.states.get("sensor.back_door_last_person")
    assert last_person is not None
    assert last_person.state == "Missed 49"

    # Pushes work again; a poll now reads no list (cheap), and replays nothing.
    simulator.clear_requests()
    await simulator.push_pass(FRONT_DOOR_UUID, "After")
    await harness.poll()
    assert names(harness.live()) == ["After"]
    assert harness.list_requests(PASS_LIST_PATH) == harness.list_requests(ALERT_LIST_PATH) == 0
    assert len(harness.caught_up()) == 54


async def test_marks_survive_a_reload(
    harness: Harness, simulator: Simulator, hass_storage: dict[str, Any]
) -> None:
    """The newest time (pushes move it too) is written at unload and read back at setup."""
    await harness.setup()
    pushed = await simulator.push_pass(FRONT_DOOR_UUID, "Alice")
    await harness.settle()
    assert harness.catch_up.marks[RecordKind.PASS].newest_ms == pushed["passTimestamp"]
    assert await harness.hass.config_entries.async_reload(harness.entry.entry_id)
    await harness.settle()
    mark = harness.catch_up.marks[RecordKind.PASS]
    assert mark.newest_ms == pushed["passTimestamp"]
    assert mark.resume_ms is None  # the read after the reload found nothing new
    assert (
        hass_storage[storage_key(harness.entry)]["data"]["lists"]["pass"]["newest_ms"]
        == (pushed["passTimestamp"])
    )
    assert harness.caught_up() == []


async def test_marks_are_saved_while_pushes_keep_arriving(
    harness: Harness, simulator: Simulator, hass_storage: dict[str, Any]
) -> None:
    """The mark is written within SAVE_DELAY of the first unsaved push, however many pushes
    follow (a crash then replays at most that much); each push does not put the save off."""
    await harness.setup()
    key = storage_key(harness.entry)
    hass_storage.pop(key, None)
    first = await simulator.push_pass(FRONT_DOOR_UUID, "Alice")
    await harness.settle()
    second = await simulator.push_pass(FRONT_DOOR_UUID, "Bob")
    await harness.settle()
    assert key not in hass_storage
    async_fire_time_changed(harness.hass, dt_util.utcnow() + timedelta(seconds=SAVE_DELAY + 1))
    await harness.hass.async_block_till_done()
    saved = hass_storage[key]["data"]["lists"]["pass"]
    assert saved["newest_ms"] == second["passTimestamp"] > first["passTimestamp"]
    assert len(saved["recent"]) == 2

    # The next push schedules the next save.
    hass_storage.pop(key)
    third = await simulator.push_pass(FRONT_DOOR_UUID, "Carol")
    await harness.settle()
    async_fire_time_changed(harness.hass, dt_util.utcnow() + timedelta(seconds=SAVE_DELAY + 1))
    await harness.hass.async_block_till_done()
    assert hass_storage[key]["data"]["lists"]["pass"]["newest_ms"] == third["passTimestamp"]


async def test_recovery_after_the_appliance_was_unreachable(
    harness: Harness, simulator: Simulator
) -> None:
    """Records made while the appliance could not be reached come out after the first good
    poll, even when a push that arrived before that poll moved the newest time past them."""
    await harness.setup()
    await simulator.set_down(True)
    await harness.poll()
    assert not harness.entry.runtime_data.coordinator.last_update_success
    for index in range(10):
        await simulator.push_pass(FRONT_DOOR_UUID, f"Down {index}")
    await simulator.set_down(False)
    await simulator.push_pass(FRONT_DOOR_UUID, "Back again")
    await harness.settle()
    assert names(harness.live()) == ["Back again"]

    await harness.poll()
    assert harness.entry.runtime_data.coordinator.last_update_success
    assert names(harness.caught_up()) == [f"Down {index}" for index in range(10)]
    assert names(harness.live()) == ["Back again"]
    assert harness.catch_up.marks[RecordKind.PASS].resume_ms is None


async def test_periodic_check_when_pushes_do_not_arrive(
    unreachable: Harness, simulator: Simulator
) -> None:
    """A wrong push URL: a poll reads the lists once no push arrived for five minutes, one page
    each when nothing was missed, and never more often than every five minutes."""
    harness = unreachable
    await harness.setup()
    for index in range(5):
        await simulator.push_pass(FRONT_DOOR_UUID, f"Lost {index}")
    assert simulator.push_failures == 5
    simulator.clear_requests()
    await harness.poll()
    assert harness.list_requests(PASS_LIST_PATH) == 0
    assert harness.events == []

    harness.clock.now += CHECK_INTERVAL
    await harness.poll()
    assert names(harness.caught_up()) == [f"Lost {index}" for index in range(5)]
    assert harness.list_requests(PASS_LIST_PATH) == harness.list_requests(ALERT_LIST_PATH) == 1

    simulator.clear_requests()
    await harness.poll()
    assert harness.list_requests(PASS_LIST_PATH) == 0
    harness.clock.now += CHECK_INTERVAL
    await harness.poll()
    assert harness.list_requests(PASS_LIST_PATH) == harness.list_requests(ALERT_LIST_PATH) == 1
    assert len(harness.caught_up()) == 5


async def test_no_periodic_check_while_pushes_arrive(
    harness: Harness, simulator: Simulator
) -> None:
    """Pushes that keep arriving show the webhook works: polls read no list."""
    await harness.setup()
    harness.clock.now += CHECK_INTERVAL
    await simulator.push_pass(FRONT_DOOR_UUID, "Alice")
    await harness.settle()
    simulator.clear_requests()
    await harness.poll()
    assert harness.list_requests(PASS_LIST_PATH) == 0
    harness.clock.now += CHECK_INTERVAL
    await harness.poll()
    assert harness.list_requests(PASS_LIST_PATH) == 1
    assert harness.caught_up() == []


@pytest.mark.parametrize("offset", [FIVE_HOURS, -FIVE_HOURS], ids=["ahead", "behind"])
async def test_appliance_clock_hours_off(
    harness: Harness, simulator: Simulator, offset: float
) -> None:
    """The appliance's clock hours ahead of ours or behind it: the starting point and every
    window come from the records' times, so nothing is dropped and times are the records'."""
    simulator.set_clock_offset(offset)
    history = await simulator.push_pass(FRONT_DOOR_UUID, "History")
    await harness.setup()
    assert harness.events == []
    assert harness.catch_up.marks[RecordKind.PASS].newest_ms == history["passTimestamp"]
    await harness.unload()

    for index in range(5):
        await simulator.push_pass(FRONT_DOOR_UUID, f"Missed {index}")
    alerts = [await simulator.push_alert(alarm_type=alarm_type) for alarm_type in (1, 2)]
    await harness.setup()
    caught = harness.caught_up()
    assert names(caught) == [f"Missed {index}" for index in range(5)]
    assert [event["time"] for event in caught if event["type"] == "alert"] == [
        iso_time(alert["alarmTime"]) for alert in alerts
    ]


async def test_a_long_outage_is_worked_off_in_steps(
    hass: HomeAssistant,
    simulator: Simulator,
    mock_config_entry: MockConfigEntry,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """More missed records than one catch-up takes: the oldest go first, the rest on the next
    polls, in time order, none twice and none lost."""
    monkeypatch.setattr(catchup, "MAX_RECORDS", 20)
    monkeypatch.setattr(catchup, "PAGE_SIZE", 6)
    monkeypatch.setattr(catchup, "DISPATCH_BATCH", 4)
    harness = unreachable_harness(hass, simulator, mock_config_entry)
    await harness.setup()
    await harness.unload()
    for index in range(45):
        simulator.set_clock_offset(index)
        await simulator.push_pass(FRONT_DOOR_UUID, f"P{index:02}")
    caplog.set_level(logging.INFO)

    expected = [f"P{index:02}" for index in range(45)]
    await harness.setup()
    steps = [len(harness.caught_up())]
    while len(harness.caught_up()) < 45 and len(steps) < 10:
        assert names(harness.caught_up()) == expected[: steps[-1]]
        await harness.poll()
        steps.append(len(harness.caught_up()))
    assert names(harness.caught_up()) == expected
    counts = [after - before for before, after in zip([0, *steps], steps, strict=False)]
    assert all(0 < count <= 20 for count in counts)
    assert caught_up_lines(caplog) == [
        f"HongTu 3000: caught up {count} records the appliance could not push" for count in counts
    ]
    simulator.clear_requests()
    await harness.poll()
    assert harness.list_requests(PASS_LIST_PATH) == 0
    assert len(harness.caught_up()) == 45


async def test_list_failures_are_logged_once_and_retried(
    unreachable: Harness, simulator: Simulator, caplog: pytest.LogCaptureFixture
) -> None:
    """A list that fails: one warning, setup and polls unaffected, the other list still
    caught up; retried every five minutes and caught up once it answers."""
    harness = unreachable
    await harness.setup()
    await harness.unload()
    for index in range(3):
        await simulator.push_pass(FRONT_DOOR_UUID, f"Missed {index}")
    await simulator.push_alert()
    simulator.set_http_500(PASS_LIST_PATH)
    await harness.setup()
    assert [event["type"] for event in harness.caught_up()] == ["alert"]
    warnings = our_warnings(caplog)
    assert len(warnings) == 1
    assert warnings[0].startswith(
        "HongTu 3000: cannot read the pass records to catch up on missed ones:"
    )

    simulator.clear_requests()
    await harness.poll()
    assert harness.entry.runtime_data.coordinator.last_update_success
    assert harness.list_requests(PASS_LIST_PATH) == 0  # not before five minutes
    harness.clock.now += CHECK_INTERVAL
    await harness.poll()
    assert harness.list_requests(PASS_LIST_PATH) == 1
    assert our_warnings(caplog) == warnings

    simulator.set_http_500(PASS_LIST_PATH, enabled=False)
    harness.clock.now += CHECK_INTERVAL
    await harness.poll()
    assert names(harness.caught_up()) == [f"Missed {index}" for index in range(3)]
    assert harness.entry.state is ConfigEntryState.LOADED


async def test_unexpected_errors_do_not_escape(
    unreachable: Harness, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """A bug while reading is logged with its traceback; setup and polls go on."""

    async def broken(*_args: Any) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(catchup.BacklogReader, "async_first_page", broken)
    await unreachable.setup()
    assert "catching up on pass records failed" in caplog.text
    assert unreachable.entry.state is ConfigEntryState.LOADED


async def test_only_the_lists_of_wanted_record_types(
    hass: HomeAssistant, simulator: Simulator, mock_config_entry: MockConfigEntry
) -> None:
    """Without alerts in the subscription the alert list is never read."""
    harness = unreachable_harness(
        hass, simulator, mock_config_entry, **{CONF_SUBSCRIBE_BUSI_TYPES: [1, 5]}
    )
    await harness.setup()
    assert harness.list_requests(PASS_LIST_PATH) >= 1
    assert harness.list_requests(ALERT_LIST_PATH) == 0
    assert set(harness.catch_up.marks) == {RecordKind.PASS}


def test_wanted_lists() -> None:
    assert wanted_lists({}) == (PASS_LIST, ALERT_LIST)
    assert wanted_lists({CONF_SUBSCRIBE_BUSI_TYPES: [3]}) == (ALERT_LIST,)
    assert wanted_lists({CONF_SUBSCRIBE_BUSI_TYPES: [1], CONF_PASS_RECORD_CALLBACK: True}) == (
        PASS_LIST,
    )
    assert wanted_lists({CONF_SUBSCRIBE_BUSI_TYPES: [1, 2, 12]}) == ()


async def test_no_lists_no_reads(
    hass: HomeAssistant, simulator: Simulator, mock_config_entry: MockConfigEntry
) -> None:
    harness = unreachable_harness(
        hass, simulator, mock_config_entry, **{CONF_SUBSCRIBE_BUSI_TYPES: [1]}
    )
    await harness.setup()
    harness.clock.now += CHECK_INTERVAL
    await harness.poll()
    assert harness.list_requests(PASS_LIST_PATH) == harness.list_requests(ALERT_LIST_PATH) == 0


async def test_malformed_store_starts_anew(
    unreachable: Harness, simulator: Simulator, hass_storage: dict[str, Any]
) -> None:
    """Marks that cannot be read count as a first setup: no history is replayed."""
    await simulator.push_pass(FRONT_DOOR_UUID, "History")
    hass_storage[storage_key(unreachable.entry)] = {
        "version": 1,
        "key": storage_key(unreachable.entry),
        "data": {"lists": {"pass": {"newest_ms": "soon", "recent": "none"}, "alert": 7}},
    }
    await unreachable.setup()
    assert unreachable.events == []
    assert (
        unreachable.catch_up.marks[RecordKind.PASS].newest_ms
        == (simulator.state.pass_records[-1]["passTimestamp"])
    )
    assert unreachable.catch_up.marks[RecordKind.ALERT].newest_ms == 0


async def test_removing_the_entry_forgets_the_marks(
    unreachable: Harness, hass_storage: dict[str, Any]
) -> None:
    await unreachable.setup()
    await unreachable.unload()
    assert storage_key(unreachable.entry) in hass_storage
    assert await unreachable.hass.config_entries.async_remove(unreachable.entry.entry_id)
    await unreachable.hass.async_block_till_done()
    assert storage_key(unreachable.entry) not in hass_storage


@pytest.mark.parametrize(
    "discriminator",
    [None, "24b73fcd65f34147b0473ff00200efdd", '引号"和\\反斜杠', "tab\tnew\nline\u0001", "😀"],
)
def test_key_text_is_the_compact_json_of_the_content_key(discriminator: str | None) -> None:
    """Stored keys of earlier versions must still match: the text is exactly compact JSON."""
    record = parse(5, load_fixture("push_busi5_pass.json") | {"personUuid": discriminator})
    expected = json.dumps(list(record.content_key), ensure_ascii=False, separators=(",", ":"))
    assert key_text(record) == expected
    assert json.loads(key_text(record)) == list(record.content_key)


def test_list_mark() -> None:
    """The content keys of the last minute before the newest record are kept, bounded."""
    base = 1_700_000_000_000
    body = {
        "id": "",
        "deviceUuid": FRONT_DOOR_UUID,
        "personUuid": "p",
        "passTimestamp": base,
        "passType": 1,
    }
    mark = ListMark()
    mark.suspect_gap()
    assert mark.resume_ms is None
    assert mark.start_ms() == 0
    for index in range(2 * RECENT_LIMIT + 1):
        mark.note(parse(5, dict(body, personUuid=f"p{index}", passTimestamp=base + index)))
    assert len(mark.recent) == RECENT_LIMIT
    old = parse(5, dict(body, passTimestamp=base - OVERLAP_MS))
    mark.note(old)
    assert key_text(old) not in mark.recent
    assert mark.newest_ms == base + 2 * RECENT_LIMIT
    assert mark.start_ms() == base + 2 * RECENT_LIMIT - OVERLAP_MS
    mark.suspect_gap()
    assert mark.resume_ms == mark.start_ms() == base + 2 * RECENT_LIMIT - OVERLAP_MS

    again = ListMark.from_dict(mark.as_dict())
    assert again == mark
    assert ListMark.from_dict(
        {"newest_ms": True, "resume_ms": -1, "recent": [["a", 1], ["b"], [1, 2], ["c", "x"]]}
    ) == ListMark(None, None, {"a": 1})
    empty = ListMark(recent={"a": 1})
    empty.prune()
    assert empty.recent == {}


async def test_unparsable_list_items_are_skipped(
    unreachable: Harness, simulator: Simulator, caplog: pytest.LogCaptureFixture
) -> None:
    """A list item without a usable time is skipped (debug only); the others come out."""
    harness = unreachable
    await harness.setup()
    await harness.unload()
    await simulator.push_pass(FRONT_DOOR_UUID, "Dated")
    undated = {k: v for k, v in simulator.state.pass_records[-1].items() if k != "passTime"}
    simulator.state.pass_records.append(undated | {"uuid": "undated", "passTimestamp": 0})
    # The first setup found no records, so the read starts at 0 and sees the undated item.
    caplog.set_level(logging.DEBUG)
    await harness.setup()
    assert names(harness.caught_up()) == ["Dated"]
    assert our_warnings(caplog) == []


async def test_a_poll_failing_during_a_read_keeps_the_gap(
    unreachable: Harness, simulator: Simulator
) -> None:
    """A poll that fails while a read is under way: the read does not clear what the failure
    marked as possibly missing; the next good poll reads again."""
    harness = unreachable
    await harness.setup()
    coordinator = harness.entry.runtime_data.coordinator
    simulator.set_slow(0.3)
    harness.clock.now += CHECK_INTERVAL
    await harness.catch_up.async_after_refresh()  # starts a read, which waits on the appliance
    coordinator.last_update_success = False
    coordinator.async_update_listeners()
    coordinator.last_update_success = True
    await harness.settle()
    simulator.set_slow(0)
    mark = harness.catch_up.marks[RecordKind.PASS]
    assert mark.resume_ms is not None
    simulator.clear_requests()
    await harness.poll()
    assert harness.list_requests(PASS_LIST_PATH) == 1
    assert mark.resume_ms is None


async def test_unload_during_a_read(
    unreachable: Harness, simulator: Simulator, hass_storage: dict[str, Any]
) -> None:
    """Unloading ends a read in progress and still writes the marks."""
    harness = unreachable
    await harness.setup()
    catch_up = harness.catch_up
    simulator.set_slow(0.5)
    harness.clock.now += CHECK_INTERVAL
    await catch_up.async_after_refresh()
    task = catch_up._task
    assert task is not None
    assert not task.done()
    await harness.unload()
    assert task.cancelled()
    assert storage_key(harness.entry) in hass_storage
    await catch_up.async_stop()  # twice is harmless
