"""Helpers of the push tests: fixture payloads, envelopes, and posting to an entry's webhook."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
import json
from pathlib import Path
from typing import Any

from aiohttp.test_utils import TestClient
from homeassistant.components.webhook import async_generate_path
from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.hongtu.api.record_models import CONTACT_KEYS
from custom_components.hongtu.const import CONF_WEBHOOK_ID

FIXTURES = Path(__file__).parent / "fixtures"
TIME_ZONE = "Asia/Shanghai"


def load_fixture(name: str) -> Any:
    """A payload from tests/fixtures (decoded JSON)."""
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def envelope(busi_type: int | str, data: Any, *, as_string: bool = True) -> dict[str, Any]:
    """A business push as the appliance sends it: ``data`` JSON-encoded (or an object)."""
    return {
        "busiType": busi_type,
        "data": json.dumps(data, ensure_ascii=False) if as_string else data,
    }


def webhook_path(entry: MockConfigEntry) -> str:
    """The path of the entry's webhook."""
    return async_generate_path(entry.data[CONF_WEBHOOK_ID])


async def post(
    client: TestClient[Any, Any], entry: MockConfigEntry, body: Any, **kwargs: Any
) -> tuple[int, str]:
    """POST a body (JSON-encoded unless bytes) to the entry's webhook; (status, text)."""
    data = body if isinstance(body, bytes) else json.dumps(body, ensure_ascii=False).encode()
    async with client.post(webhook_path(entry), data=data, **kwargs) as response:
        return response.status, await response.text()


async def settle(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    """Wait until the receiver dispatched everything it queued."""
    push = entry.runtime_data.push
    assert push is not None
    await push.async_idle()
    await hass.async_block_till_done()


def contact_keys_in(value: Any) -> Iterator[str]:
    """Contact-detail keys anywhere in a decoded value."""
    if isinstance(value, Mapping):
        for key, item in value.items():
            if key in CONTACT_KEYS:
                yield key
            yield from contact_keys_in(item)
    elif isinstance(value, list):
        for item in value:
            yield from contact_keys_in(item)
