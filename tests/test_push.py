"""The webhook receiver: every documented payload becomes one exact ``hongtu_event`` and one
record signal, in arrival order, once."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
import json
import re
from types import MappingProxyType
from typing import Any
from unittest.mock import patch

from aiohttp.test_utils import TestClient
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ConfigEntryNotReady
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers.dispatcher import async_dispatcher_connect
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_capture_events

from custom_components.hongtu.api.record_models import CONTACT_KEYS, HongTuRecord
from custom_components.hongtu.api.records import parse_pass_callback, parse_pass_list_item
from custom_components.hongtu.const import CONF_WEBHOOK_ID, DOMAIN, EVENT_HONGTU
from custom_components.hongtu.dedupe import RecentRecords
from custom_components.hongtu.events import iso_time, without_contact_details
from custom_components.hongtu.push import HongTuPushReceiver, signal_record
from simulator import FRONT_DOOR_UUID, LOBBY_CAMERA_UUID, Simulator
from simulator.inventory import MODE_ALERT, MODE_STRUCTURED, PANEL
from tests.push_helpers import (
    TIME_ZONE,
    contact_keys_in,
    envelope,
    load_fixture,
    post,
    settle,
    webhook_path,
)

PASS_DEVICE = "c95557d72d394ece943f90e0d975fdf2"
RECOGNITION_DEVICE = "30db96fbbf1a4be0abb9ba57528854ec"
ALERT_DEVICE = "5ce33c9accb94a978976b232958bdc88"
STRUCTURED_DEVICE = "e87780fdb45341df9fd8e564ffb08c19"
EVENT_CAMERA_NAME = "C4S322-视频流-core-133-重+陌"

type ClientFactory = Callable[[], Awaitable[TestClient[Any, Any]]]


@pytest.fixture
def push_devices(simulator: Simulator) -> dict[str, str]:
    """The devices the documented examples come from, added to the appliance (name → uuid)."""
    added = [
        simulator.add_device("c3v-32j", device_type=PANEL, uuid=PASS_DEVICE),
        simulator.add_device("c2", uuid=RECOGNITION_DEVICE),
        simulator.add_device("警戒算法仓-车辆虚拟流", device_mode=MODE_ALERT, uuid=ALERT_DEVICE),
        simulator.add_device("c4n-888", device_mode=MODE_STRUCTURED, uuid=STRUCTURED_DEVICE),
        simulator.add_device(EVENT_CAMERA_NAME),
    ]
    return {device.name: device.uuid for device in added}


@pytest.fixture
async def push_entry(
    hass: HomeAssistant, push_devices: dict[str, str], mock_config_entry: MockConfigEntry
) -> MockConfigEntry:
    """The entry set up against the simulator with the example devices, in China's time zone."""
    await hass.config.async_set_time_zone(TIME_ZONE)
    mock_config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    return mock_config_entry


@pytest.fixture
async def client(
    push_entry: MockConfigEntry, hass_client_no_auth: ClientFactory
) -> TestClient[Any, Any]:
    """A client of Home Assistant's HTTP app (posting from 127.0.0.1, the appliance's host)."""
    return await hass_client_no_auth()


def device_id(hass: HomeAssistant, uuid: str) -> str:
    device = dr.async_get(hass).async_get_device(identifiers={(DOMAIN, uuid)})
    assert device is not None
    return device.id


def without_contacts(data: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in data.items() if key not in CONTACT_KEYS}


PERSON_IMAGES_BUSI5 = {
    "capture_image_url": "http://10.171.4.194/pub/_Y2FjdHVzMTAwXzNt_b659c59340894abcaaa91a1fbeb8a6d2",
    "library_image_url": (
        "http://10.171.4.194/pub/_Y2FjdHVzMTAwX2ZvcmV2ZXJCdWNrZXQ=_9274d8a96bc343108059e60a1b2c3d4e"
    ),
    "panorama_image_url": None,
}
BUSI5_EXPECTED = {
    "type": "pass",
    "device_uuid": PASS_DEVICE,
    "device_name": "c3v-32j",
    "record_id": "30eb7cb982694641b64c334087849aec",
    "time": "2021-08-13T18:11:27.177+08:00",
    "person_name": "备用vip访客1",
    "person_uuid": "24b73fcd65f34147b0473ff00200efdd",
    "person_type": "visitor",
    "person_type_code": 2,
    "score": 86.82751,
    **PERSON_IMAGES_BUSI5,
    "passed": True,
    "recognition_type": 6,
}


def _busi(busi_type: int | str, name: str) -> dict[str, Any]:
    return envelope(busi_type, load_fixture(name))


# (id, body, decoded record as the event's data should show it, expected keys but data).
CASES: list[tuple[str, Any, Any, dict[str, Any]]] = [
    (
        "busi1_recognition",
        load_fixture("envelope_busi1_str_type_str_data.json"),
        json.loads(load_fixture("envelope_busi1_str_type_str_data.json")["data"]),
        {
            "type": "recognition",
            "device_uuid": RECOGNITION_DEVICE,
            "device_name": "c2",
            "record_id": "h:23f626d5e22b0478a78b46fed2469cc8f5e18d0c",
            "time": "2021-08-13T18:11:16.258+08:00",
            "person_name": "人员001",
            "person_uuid": "e32143ab71db45f4ad3ee0e5f2115804",
            "person_type": "frequent_key_person",
            "person_type_code": 6,
            "score": 75.92897,
            "capture_image_url": (
                "http://10.171.4.194/pub/_Y2FjdHVzMTAwXzNt_a548f9142e16480a1b2c3d4e5f607182"
            ),
            "library_image_url": "http://10.171.4.194/pub/"
            "_Y2FjdHVzMTAwX2ZvcmV2ZXJCdWNrZXQ=_3e91c00a1b2c3d4e5f60718293a4b5c6",
            "panorama_image_url": None,
        },
    ),
    (
        "busi2_vehicle",
        load_fixture("envelope_busi2_int_type_obj_data.json"),
        load_fixture("envelope_busi2_int_type_obj_data.json")["data"],
        {
            "type": "vehicle",
            "device_uuid": "ee125d8527f2408c9432cfe6d21003d4",
            "device_name": "结构化记录",
            "record_id": "h:a01d8e889f2610b5764ad63368d9ea67ae9236af",
            "time": "2021-08-13T16:21:53.000+08:00",
            "plate_number": "桂B5U006",
        },
    ),
    (
        "busi3_alert",
        load_fixture("envelope_busi3_str_type_str_data.json"),
        None,
        {
            "type": "alert",
            "device_uuid": ALERT_DEVICE,
            "device_name": "警戒算法仓-车辆虚拟流",
            "record_id": "5ce33c9accb94a978976b232958bdc88",
            "time": "2021-05-20T15:58:11.318+08:00",
            "alarm_type": 1,
            "alarm_type_name": "line_crossing",
        },
    ),
    (
        "busi5_pass",
        load_fixture("envelope_busi5_str_type_str_data.json"),
        json.loads(load_fixture("envelope_busi5_str_type_str_data.json")["data"]),
        BUSI5_EXPECTED,
    ),
    (
        "busi5_double_encoded",
        load_fixture("envelope_busi5_int_type_double_encoded.json"),
        None,
        BUSI5_EXPECTED,
    ),
    (
        "busi12_face",
        _busi(12, "push_busi12_face.json"),
        load_fixture("push_busi12_face.json"),
        {
            "type": "structured",
            "device_uuid": STRUCTURED_DEVICE,
            "device_name": "c4n-888",
            "record_id": "h:731a2b73a0e85528d3103e9d28122d0133b570c5",
            "time": "2021-08-13T14:59:09.000+08:00",
            "category": "face",
        },
    ),
    (
        "busi12_body",
        _busi("12", "push_busi12_body.json"),
        load_fixture("push_busi12_body.json"),
        {
            "type": "structured",
            "device_uuid": STRUCTURED_DEVICE,
            "device_name": "c4n-888",
            "record_id": "h:06340766ec0c07bd24cc54ac4af894ef79094628",
            "time": "2021-08-13T14:59:34.000+08:00",
            "category": "body",
        },
    ),
    (
        "busi12_motor_vehicle",
        load_fixture("envelope_busi12_int_type_str_data.json"),
        None,
        {
            "type": "structured",
            "device_uuid": "bd4d32ea4e0d44a9912e4d1bc7d1e2f3",
            "device_name": "c4n-888",
            "record_id": "h:8bc24e2481c07ca067763551c1d093d15bbbfab8",
            "time": "2021-08-13T17:01:23.000+08:00",
            "category": "motor_vehicle",
            "plate_number": "苏D0112U",
        },
    ),
    (
        "busi12_non_motor_vehicle",
        _busi(12, "push_busi12_non_motor_vehicle.json"),
        load_fixture("push_busi12_non_motor_vehicle.json"),
        {
            "type": "structured",
            "device_uuid": "bd4d32ea4e0d44a9912e4d1bc7d1e2f3",
            "device_name": "c4n-888",
            "record_id": "h:eddda40d417fd9319e72cc680a0ff394f85eb802",
            "time": "2021-08-13T17:01:24.000+08:00",
            "category": "non_motor_vehicle",
            "plate_number": None,
        },
    ),
    (
        "pass_record_callback",
        load_fixture("callback_pass_record.json"),
        load_fixture("callback_pass_record.json"),
        {
            "type": "pass",
            "device_uuid": "c27689ef42d446c686ee58b14249ce7f",
            "device_name": "设备",
            "record_id": "313123",
            "time": "2021-05-24T14:08:39.111+08:00",
            "person_name": "张三",
            "person_uuid": "1fe6039e266049acb1221388980b7a14",
            "person_type": "employee",
            "person_type_code": 1,
            "score": 89.0,
            "capture_image_url": "http://10.122.101.181/pub/"
            "_ZzEwMF9mb3JldmVyQnVja2V0_05eafd170a1b2c3d4e5f60718293a4b5",
            "library_image_url": "http://10.122.101.181/pub/"
            "_ZzEwMF9mb3JldmVyQnVja2V0_05ea0a1b2c3d4e5f60718293a4b5c6d7",
            "panorama_image_url": "http://10.122.101.181/pub/"
            "_ZzEwMF9mb3JldmVyQnVja2V0_7d2e41c90a1b2c3d4e5f60718293a4b5",
            "passed": True,
            "recognition_type": 1,
        },
    ),
    (
        "event_record_person",
        load_fixture("callback_event_person.json"),
        load_fixture("callback_event_person.json"),
        {
            "type": "event_record",
            "device_uuid": "by-name",
            "device_name": EVENT_CAMERA_NAME,
            "record_id": "A-LmYHoBG4rJ_r3I-VzD",
            "time": "2021-07-01T15:09:44.049+08:00",
            "event_type_id": 101,
            "event_type_name": "重点人员",
            "event_level": 1,
        },
    ),
    (
        "event_record_vehicle",
        load_fixture("callback_event_vehicle.json"),
        load_fixture("callback_event_vehicle.json"),
        {
            "type": "event_record",
            "device_uuid": None,
            "device_name": "core结构化车辆",
            "record_id": "KgYsYHoBdNc5wFDjhEE4",
            "time": "2021-07-01T11:46:00.504+08:00",
            "event_type_id": 202,
            "event_type_name": "陌生车辆",
            "event_level": 2,
        },
    ),
    (
        "event_record_alert_string_ext",
        load_fixture("callback_event_alert_string_ext.json"),
        None,
        {
            "type": "event_record",
            "device_uuid": None,
            "device_name": "人员入侵-人员奔跑",
            "record_id": "kQYuYHoBdNc5wFDjvUE3",
            "time": "2021-07-01T11:48:32.000+08:00",
            "event_type_id": 301,
            "event_type_name": "人员入侵",
            "event_level": 1,
        },
    ),
    (
        "event_record_pass",
        load_fixture("callback_event_pass.json"),
        load_fixture("callback_event_pass.json"),
        {
            "type": "event_record",
            "device_uuid": None,
            "device_name": "C3S123-视频流-B3R1012-126-通",
            "record_id": "8-LiYHoBG4rJ_r3IO1B0",
            "time": "2021-07-01T15:04:35.478+08:00",
            "event_type_id": 501,
            "event_type_name": "重点人员出入事件",
            "event_level": 1,
        },
    ),
    (
        "attendance_callback",
        load_fixture("callback_attendance.json"),
        load_fixture("callback_attendance.json"),
        {
            "type": "attendance",
            "device_uuid": None,
            "device_name": None,
            "record_id": "26862b1abeb64c4d869add1d225e5ebe",
            "time": "2021-06-29T00:00:00.000+08:00",
            "person_name": "彭斯亮",
            "person_uuid": "2a12603fc2db4ebebe6dd8d6004e0c93",
            "status": "abnormal",
            "status_code": 4,
        },
    ),
]


@pytest.mark.parametrize(
    ("body", "data", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
async def test_documented_payloads(
    hass: HomeAssistant,
    push_entry: MockConfigEntry,
    push_devices: dict[str, str],
    client: TestClient[Any, Any],
    body: Any,
    data: Any,
    expected: dict[str, Any],
) -> None:
    """Each example of the vendor document fires one event with exactly these keys."""
    events = async_capture_events(hass, EVENT_HONGTU)
    assert await post(client, push_entry, body) == (200, "")
    await settle(hass, push_entry)

    assert len(events) == 1
    event = dict(events[0].data)
    expected = dict(expected)
    if expected["device_uuid"] == "by-name":
        expected["device_uuid"] = push_devices[expected["device_name"]]
    uuid = expected["device_uuid"]
    known = uuid is not None and uuid in push_devices.values()
    expected["device_id"] = device_id(hass, uuid) if known else None
    expected["entry_id"] = push_entry.entry_id
    event_data = event.pop("data")
    assert event == expected
    assert list(contact_keys_in(event_data)) == []
    if data is not None:
        assert event_data == without_contacts(data)


async def test_contact_details_dropped(
    hass: HomeAssistant, push_entry: MockConfigEntry, client: TestClient[Any, Any]
) -> None:
    """Phone, id number, e-mail and birthday never reach the bus, however deep."""
    body = load_fixture("callback_pass_record.json")
    assert {"personPhone", "personIdentifyNum", "birthdayString"} <= set(body)
    body["nested"] = {"list": [{"personEmail": "a@example.com", "keep": 1}]}
    events = async_capture_events(hass, EVENT_HONGTU)
    assert (await post(client, push_entry, body))[0] == 200
    await settle(hass, push_entry)
    data = events[0].data["data"]
    assert list(contact_keys_in(data)) == []
    assert data["nested"] == {"list": [{"keep": 1}]}
    assert data["personName"] == "张三"


async def test_relative_image_urls_are_made_absolute(
    hass: HomeAssistant,
    push_entry: MockConfigEntry,
    client: TestClient[Any, Any],
    simulator: Simulator,
) -> None:
    """``/pub/...`` paths become URLs on the appliance."""
    body = load_fixture("callback_pass_record.json")
    body.update(snapshotUrl="/pub/capture-1", personImageUrl="pub/library-1", frameUrl="")
    events = async_capture_events(hass, EVENT_HONGTU)
    assert (await post(client, push_entry, body))[0] == 200
    await settle(hass, push_entry)
    assert events[0].data["capture_image_url"] == f"{simulator.url}/pub/capture-1"
    assert events[0].data["library_image_url"] == f"{simulator.url}/pub/library-1"
    assert events[0].data["panorama_image_url"] is None


async def test_pushes_are_dispatched_in_arrival_order(
    hass: HomeAssistant, push_entry: MockConfigEntry, client: TestClient[Any, Any]
) -> None:
    """A hundred pushes posted back to back come out in the order they went in."""
    template = load_fixture("callback_pass_record.json")
    events = async_capture_events(hass, EVENT_HONGTU)
    ids = []
    for number in range(100):
        body = dict(template, id=f"order-{number}", passTimestamp=1621836519111 + number)
        ids.append(body["id"])
        assert (await post(client, push_entry, body))[0] == 200
    await settle(hass, push_entry)
    assert [event.data["record_id"] for event in events] == ids


async def test_same_record_twice_is_dispatched_once(
    hass: HomeAssistant, push_entry: MockConfigEntry, client: TestClient[Any, Any]
) -> None:
    """The same push twice, and the same pass by busiType 5 and by the pass-record callback."""
    events = async_capture_events(hass, EVENT_HONGTU)
    signals: list[HongTuRecord] = []
    async_dispatcher_connect(
        hass, signal_record(push_entry.entry_id), lambda record, _caught: signals.append(record)
    )
    busi5 = load_fixture("envelope_busi5_str_type_str_data.json")
    for body in (busi5, busi5, load_fixture("push_busi5_pass.json")):
        assert (await post(client, push_entry, body))[0] == 200
    await settle(hass, push_entry)
    assert [event.data["record_id"] for event in events] == ["30eb7cb982694641b64c334087849aec"]
    assert [record.record_id for record in signals] == ["30eb7cb982694641b64c334087849aec"]


async def test_catch_up_and_content_key_duplicates(
    hass: HomeAssistant, push_entry: MockConfigEntry
) -> None:
    """A list item of an already pushed pass is a duplicate (other id, same content); a new
    one is dispatched with ``caught_up``."""
    push = push_entry.runtime_data.push
    assert isinstance(push, HongTuPushReceiver)
    events = async_capture_events(hass, EVENT_HONGTU)
    signals: list[tuple[str, bool]] = []
    async_dispatcher_connect(
        hass,
        signal_record(push_entry.entry_id),
        lambda record, caught_up: signals.append((record.record_id, caught_up)),
    )
    pushed = load_fixture("push_busi5_pass.json")
    assert push.async_dispatch(parse_pass_callback(pushed))
    listed = dict(pushed, uuid="44467")
    assert not push.async_dispatch(parse_pass_list_item(listed), caught_up=True)
    later = dict(listed, uuid="44468", passTimestamp=pushed["passTimestamp"] + 1000)
    assert push.async_dispatch(parse_pass_list_item(later), caught_up=True)
    await hass.async_block_till_done()
    assert [event.data["record_id"] for event in events] == [pushed["id"], "44468"]
    assert "caught_up" not in events[0].data
    assert events[1].data["caught_up"] is True
    assert signals == [(pushed["id"], False), ("44468", True)]


async def test_event_callback_device_by_name(
    hass: HomeAssistant,
    push_entry: MockConfigEntry,
    push_devices: dict[str, str],
    client: TestClient[Any, Any],
    simulator: Simulator,
) -> None:
    """Only ``deviceId`` in the body: the device is found by its exact name, and entities get
    the record with that uuid; a name two devices share, or none has, maps to nothing."""
    signals: list[HongTuRecord] = []
    async_dispatcher_connect(
        hass, signal_record(push_entry.entry_id), lambda record, _caught: signals.append(record)
    )
    events = async_capture_events(hass, EVENT_HONGTU)
    body = load_fixture("callback_event_person.json")
    assert (await post(client, push_entry, body))[0] == 200
    await settle(hass, push_entry)
    uuid = push_devices[EVENT_CAMERA_NAME]
    assert events[0].data["device_uuid"] == uuid
    assert events[0].data["device_id"] == device_id(hass, uuid)
    assert signals[0].device_uuid == uuid

    # With deviceUuid in the body, that wins over the name.
    body = dict(body, id="with-uuid", deviceUuid=LOBBY_CAMERA_UUID)
    assert (await post(client, push_entry, body))[0] == 200
    # A second device with the same name makes the name ambiguous.
    simulator.add_device(EVENT_CAMERA_NAME)
    await push_entry.runtime_data.coordinator.async_refresh()
    body = dict(body, id="ambiguous", timestamp=body["timestamp"] + 1)
    del body["deviceUuid"]
    assert (await post(client, push_entry, body))[0] == 200
    await settle(hass, push_entry)
    assert [e.data["device_uuid"] for e in events] == [uuid, LOBBY_CAMERA_UUID, None]
    assert events[1].data["device_name"] == EVENT_CAMERA_NAME
    assert events[2].data["device_id"] is None


async def test_device_name_from_the_snapshot(
    hass: HomeAssistant, push_entry: MockConfigEntry, client: TestClient[Any, Any]
) -> None:
    """A record without a device name takes the name the appliance lists."""
    body = load_fixture("callback_pass_record.json")
    body["deviceUuid"] = FRONT_DOOR_UUID
    del body["deviceName"]
    events = async_capture_events(hass, EVENT_HONGTU)
    assert (await post(client, push_entry, body))[0] == 200
    await settle(hass, push_entry)
    assert events[0].data["device_name"] == "Front door"
    assert events[0].data["device_id"] == device_id(hass, FRONT_DOOR_UUID)


async def test_worker_survives_a_failing_dispatch(
    hass: HomeAssistant,
    push_entry: MockConfigEntry,
    client: TestClient[Any, Any],
    caplog: pytest.LogCaptureFixture,
) -> None:
    """An error while dispatching one record is logged; the next record still goes out."""
    events = async_capture_events(hass, EVENT_HONGTU)
    body = load_fixture("callback_pass_record.json")
    with patch(
        "custom_components.hongtu.push.async_fire_hongtu_event", side_effect=RuntimeError("boom")
    ):
        assert (await post(client, push_entry, body))[0] == 200
        await settle(hass, push_entry)
    assert "Dispatching a pass record failed" in caplog.text
    body.update(id="next", passTimestamp=body["passTimestamp"] + 1)
    assert (await post(client, push_entry, body))[0] == 200
    await settle(hass, push_entry)
    assert [event.data["record_id"] for event in events] == ["next"]


async def test_unload_stops_the_receiver(
    hass: HomeAssistant, push_entry: MockConfigEntry, client: TestClient[Any, Any]
) -> None:
    """After unload the webhook is gone (Home Assistant answers 200 and nothing happens), the
    worker has ended, and records still queued were dispatched first."""
    push = push_entry.runtime_data.push
    assert push is not None
    worker = push._worker
    assert worker is not None
    events = async_capture_events(hass, EVENT_HONGTU)
    push._queue.put_nowait(parse_pass_callback(load_fixture("callback_pass_record.json")))
    await push.async_stop()  # before the worker had a chance to take the record
    assert worker.done()
    assert [event.data["record_id"] for event in events] == ["313123"]
    assert await hass.config_entries.async_unload(push_entry.entry_id)
    assert push_entry.state is ConfigEntryState.NOT_LOADED
    assert worker.done()
    assert [event.data["record_id"] for event in events] == ["313123"]
    assert (await post(client, push_entry, load_fixture("push_busi5_pass.json")))[0] == 200
    await hass.async_block_till_done()
    assert len(events) == 1
    await push.async_stop()  # a second stop does nothing


async def test_entry_without_webhook_id_gets_one(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    hass_client_no_auth: ClientFactory,
) -> None:
    """An entry made before webhooks existed gets a random 64-hex id, kept in its data."""
    data = dict(mock_config_entry.data)
    del data[CONF_WEBHOOK_ID]
    entry = MockConfigEntry(
        domain=DOMAIN,
        title=mock_config_entry.title,
        unique_id=mock_config_entry.unique_id,
        data=data,
    )
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    webhook_id = entry.data[CONF_WEBHOOK_ID]
    assert re.fullmatch(r"[0-9a-f]{64}", webhook_id)
    assert entry.runtime_data.push is not None
    assert entry.runtime_data.push.webhook_id == webhook_id
    events = async_capture_events(hass, EVENT_HONGTU)
    client = await hass_client_no_auth()
    assert webhook_path(entry).endswith(webhook_id)
    assert (await post(client, entry, load_fixture("callback_pass_record.json")))[0] == 200
    await settle(hass, entry)
    assert len(events) == 1


async def test_failed_setup_releases_the_webhook(
    hass: HomeAssistant, mock_config_entry: MockConfigEntry, simulator: Simulator
) -> None:
    """When setup fails after the receiver started, the webhook is released, so the retry can
    register it again."""
    mock_config_entry.add_to_hass(hass)
    with patch(
        "homeassistant.config_entries.ConfigEntries.async_forward_entry_setups",
        side_effect=ConfigEntryNotReady("platforms failed"),
    ):
        assert not await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    assert mock_config_entry.state in (ConfigEntryState.SETUP_RETRY,)
    assert mock_config_entry.data[CONF_WEBHOOK_ID] not in hass.data.get("webhook", {})
    assert await hass.config_entries.async_reload(mock_config_entry.entry_id)
    assert mock_config_entry.state is ConfigEntryState.LOADED


def _pass_record(number: int) -> HongTuRecord:
    body = load_fixture("callback_pass_record.json")
    body.update(id=f"window-{number}", passTimestamp=1621836519111 + number)
    return parse_pass_callback(body)


def test_dedupe_window_is_bounded() -> None:
    """The window forgets the oldest records once it is full; a duplicate's other id is kept."""
    recent = RecentRecords(size=3)
    records = [_pass_record(number) for number in range(5)]
    assert [recent.add(record) for record in records[:3]] == [True, True, True]
    assert len(recent) == 3
    assert not recent.add(records[0])  # still inside the window (and refreshed)
    assert recent.add(records[3])
    assert not recent.seen(records[1])  # the oldest one was forgotten
    assert recent.seen(records[0])
    assert recent.seen(records[2])
    # Same content as records[2] under another id: a duplicate, and its id is remembered too.
    listed = parse_pass_list_item(dict(records[2].raw, uuid="44467"))
    assert not recent.add(listed)
    assert recent.seen(parse_pass_list_item(dict(records[4].raw, uuid="44467")))
    with pytest.raises(ValueError, match="at least one"):
        RecentRecords(size=0)


def test_default_window_holds_4096_records() -> None:
    """A record is still known after 4,095 others, and forgotten after 4,096."""
    recent = RecentRecords()
    first = _pass_record(0)
    recent.add(first)
    for number in range(1, 4096):
        recent.add(_pass_record(number))
    assert recent.seen(first)
    recent.add(_pass_record(4096))
    assert not recent.seen(first)


def test_contact_details_dropped_from_deep_and_read_only_data() -> None:
    """Stripping is iterative (a deep body cannot exhaust the stack) and takes any mapping."""
    deep: dict[str, Any] = {"personPhone": "1", "keep": 0}
    node = deep
    for _ in range(5000):
        node["child"] = {"personEmail": "x", "keep": 1}
        node = node["child"]
    stripped = without_contact_details(MappingProxyType(deep))
    assert list(contact_keys_in_iterative(stripped)) == []
    assert iso_time(None) is None


def contact_keys_in_iterative(value: Any) -> list[str]:
    found: list[str] = []
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            found.extend(key for key in item if key in CONTACT_KEYS)
            stack.extend(item.values())
    return found


async def test_stop_before_start(hass: HomeAssistant, mock_config_entry: MockConfigEntry) -> None:
    """Stopping a receiver that never started does nothing."""
    push = HongTuPushReceiver(hass, mock_config_entry)
    await push.async_stop()
    assert "webhook" not in hass.data or push.webhook_id not in hass.data["webhook"]
