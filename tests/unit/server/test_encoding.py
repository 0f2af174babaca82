"""Content negotiation of pull pages: zstd only when the client asks for it."""

from __future__ import annotations

import pytest
import zstandard

from sync_server.api.encoding import MIN_BYTES, accepts, json_response


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("zstd", True),
        ("gzip, zstd", True),
        ("ZSTD;q=0.5", True),
        ("zstd;q=0", False),
        ("zstd;q=nonsense", False),
        ("gzip, br", False),
        ("", False),
        (None, False),
    ],
)
def test_accepts_reads_the_accept_encoding_header(header: str | None, expected: bool) -> None:
    assert accepts(header, "zstd") is expected


def test_a_large_body_is_zstd_encoded_and_decodes_to_itself() -> None:
    body = b'{"changes":[' + b",".join(b'{"n":%d}' % i for i in range(2000)) + b"]}"
    response = json_response(body, "zstd, gzip")
    assert response.headers["content-encoding"] == "zstd"
    assert len(response.body) < len(body) // 4
    assert zstandard.ZstdDecompressor().decompress(response.body) == body


def test_a_small_body_or_a_client_without_zstd_gets_plain_json() -> None:
    small = b"x" * (MIN_BYTES - 1)
    assert "content-encoding" not in json_response(small, "zstd").headers
    assert "content-encoding" not in json_response(b"y" * 5000, "gzip").headers
