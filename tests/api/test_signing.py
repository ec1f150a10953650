"""The signing rule against the vendor's worked examples (api-core.md §1.3)."""

from __future__ import annotations

from custom_components.hongtu.api.signing import (
    EMPTY_OBJECT_MD5,
    body_md5,
    compute_csign,
    encode_body,
    make_nonce,
    md5_hex,
    sign_request,
)

SECRET = "sdfajk3242324fa!djq7"


def test_example_a_person_list() -> None:
    """Example A: a JSON body hashed as compact JSON, empty query part."""
    raw = encode_body({"pageNum": 1, "pageSize": 10})
    assert raw == b'{"pageNum":1,"pageSize":10}'
    assert body_md5(raw) == "675c299bcd88edf31c09c48f9c7fba4b"
    headers = sign_request(
        uri="/v1/api/person/list",
        method="post",
        body_md5=body_md5(raw),
        app_key="appkey1",
        secret_key=SECRET,
        ctimestamp="1627300328673",
        cnonce="1234344",
    )
    assert headers.csign == "52141def7a1e346ceee2f22c43d5fb97"
    assert headers.as_dict() == {
        "ctimestamp": "1627300328673",
        "cnonce": "1234344",
        "cappkey": "appkey1",
        "csign": "52141def7a1e346ceee2f22c43d5fb97",
    }


def test_example_b_upload_with_empty_body_md5() -> None:
    """Example B: a multipart upload signs an empty body MD5 and keeps the dashes."""
    sign = compute_csign(
        uri="/v1/api/person/uploadImage",
        method="POST",
        query="",
        body_md5=body_md5(None),
        secret_key=SECRET,
        ctimestamp="1234344",
        cnonce="1234344",
        app_key="appkey1",
    )
    assert sign == "974228f6c7c56bb1320f8501c01aa991"


def test_non_ascii_body_is_hashed_as_utf8_bytes() -> None:
    """Chinese text is sent unescaped, and the MD5 is of its UTF-8 bytes."""
    raw = encode_body({"name": "智能面板机", "pageNum": 1})
    assert raw == '{"name":"智能面板机","pageNum":1}'.encode()
    assert b"\\u" not in raw
    assert body_md5(raw) == md5_hex(raw) == md5_hex('{"name":"智能面板机","pageNum":1}')


def test_empty_post_signs_md5_of_empty_object() -> None:
    """A POST without parameters sends ``{}`` and signs its MD5."""
    raw = encode_body({})
    assert raw == b"{}"
    assert body_md5(raw) == EMPTY_OBJECT_MD5 == md5_hex("{}")


def test_fresh_headers_have_a_millisecond_timestamp_and_six_character_nonce() -> None:
    """Defaults: a 13-digit ms timestamp and a random 6-character nonce."""
    headers = sign_request(uri="/x", method="GET", body_md5="", app_key="k", secret_key="s")
    assert headers.ctimestamp.isdigit()
    assert len(headers.ctimestamp) == 13
    assert len(headers.cnonce) == 6
    assert headers.cnonce.isalnum()
    assert len({make_nonce() for _ in range(20)}) > 1
