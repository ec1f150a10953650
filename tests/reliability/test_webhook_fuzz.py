"""Bad input to the webhook, property-based: thousands of generated bodies (random bytes, random
JSON, envelopes and records with wrong types, huge strings, deep nesting, wrong content types)
posted between valid pushes. The webhook never answers 500, logs nothing above warning but its
rate-limited line, and dispatches every valid push exactly once.

The bodies are drawn by hypothesis before the asynchronous part: ``@given`` does not mix with
Home Assistant's function-scoped async fixtures, so a synchronous ``@given`` function collects
its examples into a list (deterministically, without the example database).
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Awaitable, Callable, Iterator
import gc
import itertools
import json
import logging
import time
from typing import Any

from aiohttp.test_utils import TestClient
from homeassistant.core import HomeAssistant
from hypothesis import HealthCheck, Phase, given, settings, strategies as st
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_capture_events

from custom_components.hongtu.api.records import detect_and_parse
from custom_components.hongtu.const import EVENT_HONGTU
from custom_components.hongtu.push import MAX_BODY
from simulator import FRONT_DOOR_UUID, LOBBY_CAMERA_UUID, PERIMETER_CAMERA_UUID
from tests.push_helpers import envelope, settle, webhook_path
from tests.record_helpers import fixture_record

from .conftest import PACKAGE_LOGGER, UNRELATED_LOGGERS, assert_no_unhandled_exception

type ClientFactory = Callable[[], Awaitable[TestClient[Any, Any]]]
type Body = tuple[bytes, str]

GENERATED = 2000
VALID_EVERY = 10  # one valid push after every this many generated bodies
BATCH = VALID_EVERY + 1  # posted at once, as pushes may arrive
VALID_SERIAL = 0xF00D_0000  # the valid pushes' ids: fixture_record(serial=...) as 32 hex
VALID_TIME_MS = 1_750_000_000_000

CONTENT_TYPES = (
    "application/json",
    "application/json;charset=UTF-8",
    "application/json; charset=gbk",
    "text/plain",
    "text/html",
    "application/x-www-form-urlencoded",
    "multipart/form-data; boundary=xyz",
    "application/octet-stream",
    "image/jpeg",
    "",
    "nonsense/;;;",
)

# (fixture, busiType, device) of the records pushes carry; busiType None: a callback body.
TEMPLATES: tuple[tuple[str, int | None, str], ...] = (
    ("push_busi5_pass.json", 5, FRONT_DOOR_UUID),
    ("push_busi3_alert.json", 3, PERIMETER_CAMERA_UUID),
    ("push_busi1_recognition.json", 1, LOBBY_CAMERA_UUID),
    ("push_busi2_vehicle.json", 2, LOBBY_CAMERA_UUID),
    ("push_busi12_face.json", 12, LOBBY_CAMERA_UUID),
    ("callback_pass_record.json", None, FRONT_DOOR_UUID),
    ("callback_event_pass.json", None, FRONT_DOOR_UUID),
    ("callback_event_alert.json", None, PERIMETER_CAMERA_UUID),
    ("callback_attendance.json", None, FRONT_DOOR_UUID),
)
TIME_FIELDS = {
    "push_busi5_pass.json": "passTimestamp",
    "push_busi3_alert.json": "alarmTime",
    "push_busi1_recognition.json": "captureTime",
    "callback_pass_record.json": "passTimestamp",
    "callback_event_pass.json": "timestamp",
}


def template_record(name: str, device_uuid: str) -> dict[str, Any]:
    return fixture_record(name, device_uuid)


def wrap(name: str, busi_type: int | None, record: Any, *, as_string: bool = True) -> Any:
    """A record as its channel sends it: business pushes in the envelope, callbacks bare."""
    return record if busi_type is None else envelope(busi_type, record, as_string=as_string)


KNOWN_KEYS = sorted(
    {"busiType", "data"}
    | {
        key
        for name, _, device in TEMPLATES
        for key in template_record(name, device)
        if isinstance(key, str)
    }
)

# --- strategies ----------------------------------------------------------------------------------

leaves = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats()  # NaN and infinities included: json.dumps writes them, json.loads reads them
    | st.text(max_size=40)
)
json_values = st.recursive(
    leaves,
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.text(max_size=8) | st.sampled_from(KNOWN_KEYS), children, max_size=4),
    max_leaves=12,
)
known_key_objects = st.dictionaries(st.sampled_from(KNOWN_KEYS), json_values, max_size=8)


def dumps(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False).encode()


def _mutated(
    template: tuple[str, int | None, str],
    changes: dict[str, Any],
    removed: set[str],
    data_as_string: bool,
) -> bytes:
    name, busi_type, device = template
    record = {k: v for k, v in template_record(name, device).items() if k not in removed}
    record.update(changes)
    return dumps(wrap(name, busi_type, record, as_string=data_as_string))


def _deep(depth: int, kind: str) -> bytes:
    if kind == "array":
        return b"[" * depth + b"]" * depth
    if kind == "object":
        return b'{"a":' * depth + b"1" + b"}" * depth
    nested = '{"k":' * depth + "1" + "}" * depth
    if kind == "data":
        return dumps({"busiType": "5", "data": nested})
    record = template_record("push_busi5_pass.json", FRONT_DOOR_UUID)
    raw = dumps(envelope(5, record, as_string=False))
    return raw[:-1] + b', "extra": ' + nested.encode() + b"}"


def _huge(size: int, kind: str) -> bytes:
    text = "字" * (size // 3) if kind == "wide" else "x" * size
    if kind == "key":
        return dumps({text: 1, "busiType": 5})
    if kind == "record":
        record = template_record("callback_pass_record.json", FRONT_DOOR_UUID)
        record["personName"] = text
        return dumps(record)
    return dumps({"busiType": "1", "data": text})


bodies: st.SearchStrategy[bytes] = st.one_of(
    st.binary(max_size=300),
    json_values.map(dumps),
    known_key_objects.map(dumps),
    st.fixed_dictionaries(
        {
            "busiType": st.sampled_from([1, 2, 3, 5, 12, "1", "5", "12", "07", " 5 "])
            | json_values,
            "data": json_values
            | json_values.map(json.dumps)
            | known_key_objects
            | known_key_objects.map(json.dumps),
        }
    ).map(dumps),
    st.builds(
        _mutated,
        st.sampled_from(TEMPLATES),
        st.dictionaries(st.sampled_from(KNOWN_KEYS), json_values, min_size=1, max_size=4),
        st.sets(st.sampled_from(KNOWN_KEYS), max_size=3),
        st.booleans(),
    ),
    st.builds(
        _deep,
        st.integers(min_value=1, max_value=3000),
        st.sampled_from(["array", "object", "data", "record"]),
    ),
    st.builds(
        _huge,
        st.sampled_from([5_000, 60_000, 400_000, MAX_BODY - 200, MAX_BODY + 1, 3 * MAX_BODY]),
        st.sampled_from(["data", "wide", "key", "record"]),
    ),
    st.text(max_size=200).map(lambda text: text.encode("utf-16")),
)


def generate_bodies(count: int) -> list[Body]:
    """``count`` generated bodies with their content types, the same on every run."""
    collected: list[Body] = []

    @settings(
        max_examples=count,
        database=None,
        derandomize=True,
        deadline=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(bodies, st.sampled_from(CONTENT_TYPES))
    def collect(body: bytes, content_type: str) -> None:
        collected.append((body, content_type))

    collect()
    return collected


def valid_pushes(count: int) -> list[tuple[bytes, str]]:
    """``count`` valid pushes over every channel, each a new record; (body, record id)."""
    pushes: list[tuple[bytes, str]] = []
    valid = [template for template in TEMPLATES if template[0] in TIME_FIELDS]
    for n, (name, busi_type, device) in zip(range(count), itertools.cycle(valid), strict=False):
        record = fixture_record(
            name, device, serial=VALID_SERIAL + n, **{TIME_FIELDS[name]: VALID_TIME_MS + n}
        )
        body = wrap(name, busi_type, record, as_string=n % 2 == 0)
        parsed = detect_and_parse(body)
        assert parsed is not None
        pushes.append((dumps(body), parsed.record_id))
    return pushes


# --- the test ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def generated() -> Iterator[list[Body]]:
    """The generated bodies, drawn once, outside the event loop (drawing takes seconds).

    Drawing leaves much garbage behind: it is collected now, and what is left frozen, so
    that no collection pause during the posting shows up as a slow callback of the loop
    (asyncio's debug mode warns about those, and this test counts warnings).
    """
    bodies = generate_bodies(GENERATED)
    gc.collect()
    gc.freeze()
    try:
        yield bodies
    finally:
        gc.unfreeze()


async def test_generated_bodies_between_valid_pushes(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    hass_client_no_auth: ClientFactory,
    caplog: pytest.LogCaptureFixture,
    generated: list[Body],
) -> None:
    """At least 2,000 generated bodies, a valid push after every ten: no 500, nothing logged
    above warning but the rate-limited line, every valid push dispatched exactly once."""
    assert len(generated) >= GENERATED
    valid = valid_pushes(len(generated) // VALID_EVERY)
    client = await hass_client_no_auth()
    path = webhook_path(init_integration)
    events = async_capture_events(hass, EVENT_HONGTU)
    started = time.monotonic()

    async def post(body: bytes, content_type: str) -> int:
        headers = {"Content-Type": content_type} if content_type else {}
        async with client.post(path, data=body, headers=headers) as response:
            await response.read()
            return response.status

    statuses: Counter[int] = Counter()
    valid_statuses: list[int] = []
    content_types = itertools.cycle(CONTENT_TYPES)
    # asyncio's debug mode warns about any step of the loop that takes 0.1 s: such a warning
    # here would be the handler blocking the loop, but a full garbage collection of the test
    # process (all of Home Assistant) can take that long too, so it is held off meanwhile.
    gc.disable()
    try:
        for start in range(0, len(generated), VALID_EVERY):
            batch = [
                post(body, content_type) for body, content_type in generated[start:][:VALID_EVERY]
            ]
            index = start // VALID_EVERY
            if index < len(valid):
                batch.append(post(valid[index][0], next(content_types)))
            answers = list(await asyncio.gather(*batch))
            if index < len(valid):
                valid_statuses.append(answers.pop())
            statuses.update(answers)
        await settle(hass, init_integration)
    finally:
        gc.enable()
    elapsed = time.monotonic() - started

    assert max(statuses) < 500, statuses
    assert {200, 400, 413} <= set(statuses), statuses
    assert valid_statuses == [200] * len(valid)

    dispatched = Counter(event.data["record_id"] for event in events)
    assert {record_id: dispatched[record_id] for _, record_id in valid} == {
        record_id: 1 for _, record_id in valid
    }

    loud = [
        record
        for record in caplog.records
        if record.levelno >= logging.WARNING
        and record.name not in UNRELATED_LOGGERS
        # asyncio's debug-mode note about a slow loop step measures the machine's load
        # (a shared CI runner), not the webhook.
        and not (record.name == "asyncio" and record.getMessage().startswith("Executing "))
    ]
    assert [r for r in loud if r.levelno > logging.WARNING] == []
    assert all(
        r.name == PACKAGE_LOGGER and r.getMessage().startswith("Rejected a push to ") for r in loud
    ), [(r.name, r.getMessage()[-200:]) for r in loud]
    assert 1 <= len(loud) <= 1 + int(elapsed // 60)
    assert_no_unhandled_exception(caplog)


@pytest.mark.parametrize("encoding", ["gzip", "deflate"])
async def test_body_with_broken_content_encoding(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    hass_client_no_auth: ClientFactory,
    caplog: pytest.LogCaptureFixture,
    encoding: str,
) -> None:
    """A body that does not follow its Content-Encoding cannot be read (aiohttp decodes while
    the handler reads): a 400 with a reason, one warning, and no error from the handler,
    which Home Assistant would otherwise log with the webhook id and answer 200.

    aiohttp's server logs the undecodable rest of the body itself at error level, after the
    answer: that is the HTTP server's, as for any view of Home Assistant.
    """
    client = await hass_client_no_auth()
    events = async_capture_events(hass, EVENT_HONGTU)
    headers = {
        "Content-Type": "application/json",
        "Content-Encoding": encoding,
        "Connection": "close",  # the server cannot read on after such a body
    }
    async with client.post(
        webhook_path(init_integration), data=b"\x00not compressed\xff" * 8, headers=headers
    ) as response:
        assert (response.status, await response.text()) == (400, "body cannot be decoded")
    body, record_id = valid_pushes(1)[0]
    async with client.post(webhook_path(init_integration), data=body) as response:
        assert response.status == 200
    await settle(hass, init_integration)
    assert [event.data["record_id"] for event in events] == [record_id]

    ours = [
        record
        for record in caplog.records
        if record.name.startswith(("custom_components.", "homeassistant."))
        and record.name not in UNRELATED_LOGGERS
        and record.levelno >= logging.WARNING
    ]
    assert [(r.levelno, r.getMessage()) for r in ours] == [
        (
            logging.WARNING,
            "Rejected a push to HongTu 3000: body cannot be decoded "
            "(0 more rejected since the last warning)",
        )
    ]
    webhook_id = init_integration.data["webhook_id"]
    assert not [
        r
        for r in caplog.records
        if r.levelno >= logging.INFO
        and r.name != "aiohttp.access"  # the test server's; Home Assistant raises it to warning
        and webhook_id in r.getMessage()
    ]
