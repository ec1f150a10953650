"""The appliance's request-signing rule (接口鉴权), as pure functions.

csign = MD5("uri-method-queryParamStr-requestBodyMD5-secretKey-ctimestamp-cnonce-cappkey"),
32 lower-case hex characters. Kept free of I/O so both the client and its tests can use it.
"""

from __future__ import annotations

from dataclasses import dataclass
import hashlib
import json
import secrets
import string
import time
from typing import Any

NONCE_ALPHABET = string.ascii_letters + string.digits
NONCE_LENGTH = 6

#: MD5 of the two bytes ``{}``: what a POST without parameters signs.
EMPTY_OBJECT_MD5 = "99914b932bd37a50b983c5e7c90ae93b"


def md5_hex(data: bytes | str) -> str:
    """Lower-case hex MD5 of bytes, or of a string encoded as UTF-8."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    return hashlib.md5(raw, usedforsecurity=False).hexdigest()


def encode_body(body: Any) -> bytes:
    """Serialise a JSON body exactly as it is sent and signed.

    Compact separators, UTF-8, non-ASCII characters kept as they are (the vendor's SDK uses
    fastjson's ``toJSONString``, which does not escape them).
    """
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def body_md5(body: bytes | None) -> str:
    """The ``requestBodyMD5`` part: MD5 of the bytes sent, or "" when nothing is sent."""
    return md5_hex(body) if body else ""


def compute_csign(
    *,
    uri: str,
    method: str,
    query: str,
    body_md5: str,
    secret_key: str,
    ctimestamp: str,
    cnonce: str,
    app_key: str,
) -> str:
    """Return the csign for the eight documented parts (empty parts keep their dashes)."""
    text = "-".join((uri, method.upper(), query, body_md5, secret_key, ctimestamp, cnonce, app_key))
    return md5_hex(text)


def make_nonce() -> str:
    """Six random letters and digits from a cryptographic source."""
    return "".join(secrets.choice(NONCE_ALPHABET) for _ in range(NONCE_LENGTH))


def now_ms() -> str:
    """The current Unix time in milliseconds, as the header carries it."""
    return str(time.time_ns() // 1_000_000)


@dataclass(frozen=True, slots=True)
class SignedHeaders:
    """The four authentication headers of one request."""

    ctimestamp: str
    cnonce: str
    cappkey: str
    csign: str

    def as_dict(self) -> dict[str, str]:
        """Headers ready for aiohttp."""
        return {
            "ctimestamp": self.ctimestamp,
            "cnonce": self.cnonce,
            "cappkey": self.cappkey,
            "csign": self.csign,
        }


def sign_request(
    *,
    uri: str,
    method: str,
    body_md5: str,
    app_key: str,
    secret_key: str,
    query: str = "",
    ctimestamp: str | None = None,
    cnonce: str | None = None,
) -> SignedHeaders:
    """Build the authentication headers for one request (fresh timestamp and nonce by default)."""
    ts = ctimestamp if ctimestamp is not None else now_ms()
    nonce = cnonce if cnonce is not None else make_nonce()
    sign = compute_csign(
        uri=uri,
        method=method,
        query=query,
        body_md5=body_md5,
        secret_key=secret_key,
        ctimestamp=ts,
        cnonce=nonce,
        app_key=app_key,
    )
    return SignedHeaders(ctimestamp=ts, cnonce=nonce, cappkey=app_key, csign=sign)
