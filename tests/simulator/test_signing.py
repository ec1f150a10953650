"""The simulator's own signature check: the vendor's vectors, then rejection over real HTTP."""

from __future__ import annotations

import json

from multidict import CIMultiDict

from simulator import Simulator
from simulator.signing import (
    DEFAULT_SECRETS,
    EMPTY_OBJECT_MD5,
    SignatureCheck,
    check_signature,
    csign,
    md5_hex,
    query_candidates,
)

from .helpers import EMPTY_MD5, Api, encode, md5, sign

SECRET1 = "sdfajk3242324fa!djq7"
INFO = "/v1/api/device/info"
ORG = "/v1/api/org/top/detail"


def test_example_a_person_list() -> None:
    """api-core.md §1.3 example A."""
    body_md5 = md5_hex(b'{"pageNum":1,"pageSize":10}')
    assert body_md5 == "675c299bcd88edf31c09c48f9c7fba4b"
    assert (
        csign(
            "/v1/api/person/list",
            "POST",
            "",
            body_md5,
            SECRET1,
            "1627300328673",
            "1234344",
            "appkey1",
        )
        == "52141def7a1e346ceee2f22c43d5fb97"
    )


def test_example_b_upload_without_body_md5() -> None:
    """api-core.md §1.3 example B: multipart upload, empty body MD5 part."""
    assert (
        csign(
            "/v1/api/person/uploadImage", "post", "", "", SECRET1, "1234344", "1234344", "appkey1"
        )
        == "974228f6c7c56bb1320f8501c01aa991"
    )


def test_known_key_pairs_and_empty_object_md5() -> None:
    """Both documented key pairs; MD5("{}")."""
    assert DEFAULT_SECRETS == {"appkey1": SECRET1, "appkey2": "zxcv&jlkfd234adf#xi9"}
    assert EMPTY_OBJECT_MD5 == EMPTY_MD5 == md5("{}")


def test_check_signature_matches_example_a_headers() -> None:
    """The worked example as received headers (``cappKey`` spelt as the SDK does)."""
    headers = CIMultiDict(
        {
            "ctimestamp": "1627300328673",
            "cnonce": "1234344",
            "cappKey": "appkey1",
            "CSIGN": "52141DEF7A1E346CEEE2F22C43D5FB97",
        }
    )
    check = check_signature(
        headers=headers,
        path="/v1/api/person/list",
        method="POST",
        query_string="",
        body=b'{"pageNum":1,"pageSize":10}',
        secrets=DEFAULT_SECRETS,
    )
    assert check.ok
    assert check.app_key == "appkey1"


def _check(headers: dict[str, str]) -> SignatureCheck:
    return check_signature(
        headers=CIMultiDict(headers),
        path="/x",
        method="POST",
        query_string="",
        body=b"{}",
        secrets=DEFAULT_SECRETS,
    )


def test_check_signature_reasons() -> None:
    """Missing headers, unknown key and mismatch say why."""
    base = {"ctimestamp": "1", "cnonce": "2", "cappkey": "appkey1", "csign": "0" * 32}
    missing = _check({**base, "cnonce": ""})
    assert (missing.ok, missing.reason) == (False, "missing cnonce")
    unknown = _check({**base, "cappkey": "nobody"})
    assert (unknown.ok, unknown.app_key, unknown.reason) == (False, "nobody", "unknown cappkey")
    wrong = _check(base)
    assert (wrong.ok, wrong.reason) == (False, "signature mismatch")
    nothing = _check({})
    assert nothing.app_key is None
    assert nothing.reason == "missing ctimestamp,cnonce,cappkey,csign"


def test_query_readings() -> None:
    """A query string is accepted raw and percent-decoded."""
    assert query_candidates("a=1") == ("a=1",)
    assert query_candidates("name=%E5%BC%A0") == ("name=%E5%BC%A0", "name=张")


async def test_signed_requests_with_both_key_pairs(simulator: Simulator, session) -> None:
    """appkey1 and appkey2 both work; the request records who signed."""
    for app_key in ("appkey1", "appkey2"):
        envelope = await Api(session, simulator.url, app_key).post(ORG)
        assert envelope["code"] == 0
        assert simulator.requests[-1].app_key == app_key
        assert simulator.requests[-1].signature_ok


async def test_get_accepts_both_body_md5_readings(api: Api, simulator: Simulator) -> None:
    """The bodiless GET signs "" (SDK) or MD5("{}") (rule text): both accepted."""
    assert (await api.get(INFO))["code"] == 0
    assert (await api.get(INFO, body_md5=EMPTY_MD5))["code"] == 0
    assert (await api.get(INFO, body_md5=md5("[]")))["code"] == 100008


async def test_missing_headers_rejected(api: Api) -> None:
    """Each of the four headers is required."""
    raw = encode({})
    full = sign(ORG, "POST", raw)
    for name in full:
        headers = {key: value for key, value in full.items() if key != name}
        status, text = await api.raw(ORG, raw, headers=headers)
        assert status == 200
        assert json.loads(text) == {"code": 100008, "msg": "签名错误"}


async def test_wrong_secret_rejected(api: Api) -> None:
    """Signed with a secret the appliance does not have."""
    envelope = await api.post(ORG, secret="not-the-secret")
    assert envelope == {"code": 100008, "msg": "签名错误"}


async def test_unknown_app_key_rejected(api: Api) -> None:
    """An appKey the appliance never issued."""
    raw = encode({})
    headers = sign(ORG, "POST", raw, app_key="appkey1")
    headers["cappkey"] = "appkey9"
    status, text = await api.raw(ORG, raw, headers=headers)
    assert json.loads(text)["code"] == 100008


async def test_wrong_body_hash_rejected(api: Api) -> None:
    """The body hash must be of the bytes actually sent."""
    sent = encode({"passModel": False})
    headers = sign("/v1/api/door/list", "POST", encode({"passModel": True}))
    status, text = await api.raw("/v1/api/door/list", sent, headers=headers)
    assert json.loads(text)["code"] == 100008
    # Re-serialised with spaces: a different hash, so also rejected.
    spaced = json.dumps({"passModel": False}).encode()
    status, text = await api.raw("/v1/api/door/list", spaced, headers=sign("/x", "POST", sent))
    assert json.loads(text)["code"] == 100008


async def test_raw_bytes_are_hashed(api: Api) -> None:
    """Whatever serialisation the client chose is fine as long as it hashed what it sent."""
    spaced = json.dumps({"passModel": False}, indent=2).encode()
    headers = sign("/v1/api/door/list", "POST", spaced)
    status, text = await api.raw("/v1/api/door/list", spaced, headers=headers)
    assert json.loads(text)["code"] == 0


async def test_header_names_case_insensitive(api: Api) -> None:
    """``cappKey`` (the SDK's spelling) and upper-case names are the same headers."""
    raw = encode({})
    headers = sign(ORG, "POST", raw)
    mixed = {
        "CTimestamp": headers["ctimestamp"],
        "CNONCE": headers["cnonce"],
        "cappKey": headers["cappkey"],
        "Csign": headers["csign"].upper(),
    }
    status, text = await api.raw(ORG, raw, headers=mixed)
    assert json.loads(text)["code"] == 0


async def test_method_is_part_of_the_signature(api: Api) -> None:
    """A POST signed as GET is rejected."""
    raw = encode({})
    status, text = await api.raw(ORG, raw, headers=sign(ORG, "GET", raw))
    assert json.loads(text)["code"] == 100008


async def test_query_string_is_signed(api: Api) -> None:
    """A query string goes into the signature as queryParamStr."""
    raw = encode({})
    path = ORG + "?a=1&b=2"
    good = sign(ORG, "POST", raw, query="a=1&b=2")
    status, text = await api.raw(path, raw, headers=good)
    assert json.loads(text)["code"] == 0
    status, text = await api.raw(path, raw, headers=sign(ORG, "POST", raw))
    assert json.loads(text)["code"] == 100008
