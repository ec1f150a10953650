"""Checks the appliance's request signature (接口鉴权), written from the vendor document alone.

csign = MD5("uri-method-queryParamStr-requestBodyMD5-secretKey-ctimestamp-cnonce-cappkey"),
32 lower-case hex characters (api-core.md §1.2). The simulator hashes the raw bytes it received,
so a client that signs one serialisation and sends another is caught.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
import hashlib
import hmac
from urllib.parse import unquote

#: The two key pairs every HongTu appliance ships with (api-core.md §1.4).
DEFAULT_SECRETS: dict[str, str] = {
    "appkey1": "sdfajk3242324fa!djq7",
    "appkey2": "zxcv&jlkfd234adf#xi9",
}

#: MD5 of the two bytes ``{}``, the body of a POST without parameters.
EMPTY_OBJECT_MD5 = hashlib.md5(b"{}", usedforsecurity=False).hexdigest()


def md5_hex(data: bytes | str) -> str:
    """Lower-case hex MD5 of bytes, or of a string as UTF-8."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    return hashlib.md5(raw, usedforsecurity=False).hexdigest()


def csign(
    uri: str,
    method: str,
    query: str,
    body_md5: str,
    secret: str,
    ctimestamp: str,
    cnonce: str,
    app_key: str,
) -> str:
    """The documented signature of one request; empty parts keep their dashes."""
    parts = (uri, method.upper(), query, body_md5, secret, ctimestamp, cnonce, app_key)
    return md5_hex("-".join(parts))


@dataclass(frozen=True, slots=True)
class SignatureCheck:
    """Outcome of checking one request: who signed it and whether the signature holds."""

    app_key: str | None
    ok: bool
    reason: str


def body_md5_candidates(body: bytes) -> tuple[str, ...]:
    """Accepted ``requestBodyMD5`` readings for a received body.

    A body is hashed as received. Without a body the document is unclear (api-core.md §1.2):
    the Java SDK signs "" while the rule text says MD5("{}"), so both are accepted.
    """
    if body:
        return (md5_hex(body),)
    return ("", EMPTY_OBJECT_MD5)


def query_candidates(query_string: str) -> tuple[str, ...]:
    """Accepted ``queryParamStr`` readings: as received, and percent-decoded."""
    decoded = unquote(query_string)
    return (query_string,) if decoded == query_string else (query_string, decoded)


def check_signature(
    *,
    headers: Mapping[str, str],
    path: str,
    method: str,
    query_string: str,
    body: bytes,
    secrets: Mapping[str, str],
) -> SignatureCheck:
    """Verify the four signing headers of a request against the known key pairs.

    ``headers`` must look names up case-insensitively (aiohttp's CIMultiDict does), since the
    vendor SDK sends ``cappKey`` while the table says ``cappkey``.
    """
    ctimestamp = headers.get("ctimestamp")
    cnonce = headers.get("cnonce")
    app_key = headers.get("cappkey")
    given = headers.get("csign")
    if not (ctimestamp and cnonce and app_key and given):
        present = {"ctimestamp": ctimestamp, "cnonce": cnonce, "cappkey": app_key, "csign": given}
        missing = ",".join(name for name, value in present.items() if not value)
        return SignatureCheck(app_key or None, ok=False, reason=f"missing {missing}")
    secret = secrets.get(app_key)
    if secret is None:
        return SignatureCheck(app_key, ok=False, reason="unknown cappkey")
    given = given.strip().lower()
    for query in query_candidates(query_string):
        for digest in body_md5_candidates(body):
            expected = csign(
                path,
                method,
                query,
                digest,
                secret,
                ctimestamp,
                cnonce,
                app_key,
            )
            if hmac.compare_digest(expected.encode(), given.encode(errors="replace")):
                return SignatureCheck(app_key, ok=True, reason="ok")
    return SignatureCheck(app_key, ok=False, reason="signature mismatch")
