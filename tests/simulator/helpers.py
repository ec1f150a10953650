"""A small signing client for the simulator's tests, written apart from the integration's."""

from __future__ import annotations

import hashlib
import json
from typing import Any

import aiohttp

SECRETS = {"appkey1": "sdfajk3242324fa!djq7", "appkey2": "zxcv&jlkfd234adf#xi9"}
EMPTY_MD5 = "99914b932bd37a50b983c5e7c90ae93b"


def md5(data: bytes | str) -> str:
    """Lower-case hex MD5."""
    raw = data.encode() if isinstance(data, str) else data
    return hashlib.md5(raw, usedforsecurity=False).hexdigest()


def encode(body: Any) -> bytes:
    """Compact JSON, UTF-8, as the vendor SDK sends it."""
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()


def sign(
    path: str,
    method: str,
    body: bytes,
    *,
    app_key: str = "appkey1",
    secret: str | None = None,
    body_md5: str | None = None,
    query: str = "",
    ts: str = "1627300328673",
    nonce: str = "1234344",
) -> dict[str, str]:
    """The four signing headers for one request."""
    digest = body_md5 if body_md5 is not None else (md5(body) if body else "")
    key = SECRETS[app_key] if secret is None else secret
    text = "-".join([path, method.upper(), query, digest, key, ts, nonce, app_key])
    return {"ctimestamp": ts, "cnonce": nonce, "cappkey": app_key, "csign": md5(text)}


class Api:
    """Signed requests to a simulator; every answer is returned parsed."""

    def __init__(
        self, session: aiohttp.ClientSession, base_url: str, app_key: str = "appkey1"
    ) -> None:
        self.session = session
        self.base_url = base_url
        self.app_key = app_key

    async def raw(
        self,
        path: str,
        body: bytes = b"",
        *,
        method: str = "POST",
        headers: dict[str, str] | None = None,
    ) -> tuple[int, str]:
        """Send exactly ``body`` with exactly ``headers``; return (HTTP status, text)."""
        async with self.session.request(
            method, self.base_url + path, data=body, headers=headers or {}
        ) as response:
            return response.status, await response.text()

    async def post(self, path: str, body: Any = None, **sign_options: Any) -> dict[str, Any]:
        """A signed POST of ``body`` (``{}`` when None); the envelope, HTTP 200 asserted."""
        raw = encode({} if body is None else body)
        headers = sign(path, "POST", raw, app_key=self.app_key, **sign_options)
        headers["Content-Type"] = "application/json;charset=UTF-8"
        status, text = await self.raw(path, raw, headers=headers)
        assert status == 200, text
        envelope: dict[str, Any] = json.loads(text)
        return envelope

    async def get(self, path: str, **sign_options: Any) -> dict[str, Any]:
        """A signed, bodiless GET; the envelope, HTTP 200 asserted."""
        headers = sign(path, "GET", b"", app_key=self.app_key, **sign_options)
        status, text = await self.raw(path, method="GET", headers=headers)
        assert status == 200, text
        envelope: dict[str, Any] = json.loads(text)
        return envelope

    async def data(self, path: str, body: Any = None) -> Any:
        """The ``data`` of a successful POST (code 0 asserted)."""
        envelope = await self.post(path, body)
        assert envelope["code"] == 0, envelope
        return envelope.get("data")

    async def code(self, path: str, body: Any = None) -> int:
        """Just the envelope code of a POST."""
        return int((await self.post(path, body))["code"])
