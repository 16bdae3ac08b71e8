"""Strict decompression (crawler.fetch.compression: strict_gunzip, strict_inflate, strict_unbrotli,
strict_unzstd).

Rule: one or more complete gzip members (trailing NUL padding allowed) decode to their bytes;
bytes after a complete member that start no other member are trailing garbage, dropped as gzip(1)
and browsers drop them; a stream cut anywhere, a flipped CRC or length, a second member that is
corrupt, or bytes that are not gzip raise `_CorruptStream`;
output past `max_size` raises Scrapy's `_DecompressionMaxSizeExceeded`. The same for deflate (zlib
or raw), br and zstd, whose Scrapy decoders returned the bytes before a cut as the whole body.
"""

from __future__ import annotations

import zlib
from typing import Any

import pytest
from scrapy.utils._compression import _DecompressionMaxSizeExceeded

from crawler.fetch.compression import (
    _CorruptStream,
    decode_body,
    strict_gunzip,
    strict_inflate,
    strict_unbrotli,
    strict_unzstd,
)
from crawler.fetch.refusals import FetchRefused


def _gzip_member(data: bytes) -> bytes:
    comp = zlib.compressobj(9, zlib.DEFLATED, 31)
    return comp.compress(data) + comp.flush()


def test_strict_gunzip_refuses_cut_and_corrupt_streams() -> None:
    data = b"<rss>" + b"x" * 100_000 + b"</rss>"
    member = _gzip_member(data)
    assert strict_gunzip(member + member) == data + data
    with pytest.raises(_CorruptStream):
        strict_gunzip(member[: len(member) // 2])
    with pytest.raises(_CorruptStream):
        strict_gunzip(member[:-8] + bytes([member[-8] ^ 1]) + member[-7:])
    with pytest.raises(_DecompressionMaxSizeExceeded):
        strict_gunzip(member, max_size=50_000)


DATA = b"<feed>" + bytes(range(256)) * 40 + b"</feed>"
MEMBER = _gzip_member(DATA)


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (MEMBER, DATA),
        (MEMBER * 3, DATA * 3),
        (MEMBER + b"\x00" * 16, DATA),
        (_gzip_member(b""), b""),
        (MEMBER + b"garbage", DATA),
        (MEMBER + b"\x00\x00<br />\n<b>Notice</b>: Undefined index", DATA),
        (MEMBER + MEMBER + b"\r\n", DATA * 2),
    ],
    ids=["one", "three_members", "nul_padding", "empty_payload", "garbage", "php_notice", "crlf_after_two"],
)
def test_complete_streams_decode(body: bytes, expected: bytes) -> None:
    assert strict_gunzip(body) == expected


@pytest.mark.parametrize(
    "body",
    [
        MEMBER[:10],
        MEMBER[:-1],
        MEMBER[:-4],
        MEMBER[:-8] + bytes([MEMBER[-8] ^ 1]) + MEMBER[-7:],  # CRC
        MEMBER[:-4] + bytes([MEMBER[-4] ^ 1]) + MEMBER[-3:],  # length
        MEMBER + MEMBER[: len(MEMBER) // 2],  # second member cut
        MEMBER + b"\x1f\x8bgarbage",  # a second member that is not one
        b"not gzip at all",
    ],
    ids=[
        "header_only",
        "last_byte_cut",
        "trailer_cut",
        "bad_crc",
        "bad_length",
        "second_cut",
        "corrupt_second_member",
        "not_gzip",
    ],
)
def test_broken_streams_are_errors(body: bytes) -> None:
    with pytest.raises(_CorruptStream):
        strict_gunzip(body)


@pytest.mark.parametrize(("limit", "ok"), [(len(DATA), True), (len(DATA) - 1, False), (0, True)])
def test_size_limit_counts_decoded_bytes(limit: int, ok: bool) -> None:
    if ok:
        assert strict_gunzip(MEMBER, max_size=limit) == DATA
    else:
        with pytest.raises(_DecompressionMaxSizeExceeded):
            strict_gunzip(MEMBER, max_size=limit)


# --- deflate, br and zstd: strict too (Scrapy returns the bytes before a cut in these) ------------
def _raw_deflate(data: bytes) -> bytes:
    comp = zlib.compressobj(9, zlib.DEFLATED, -15)
    return comp.compress(data) + comp.flush()


def _codecs() -> dict[str, tuple[Any, Any]]:
    import brotli
    from scrapy.utils._compression import zstd

    return {
        "deflate-zlib": (zlib.compress, strict_inflate),
        "deflate-raw": (_raw_deflate, strict_inflate),
        "br": (brotli.compress, strict_unbrotli),
        "zstd": (zstd.compress, strict_unzstd),
    }


@pytest.mark.parametrize("codec", ["deflate-zlib", "deflate-raw", "br", "zstd"])
def test_deflate_br_and_zstd_decode_whole_streams_and_refuse_cut_ones(codec: str) -> None:
    compress, decode = _codecs()[codec]
    stream = compress(DATA * 8)
    assert decode(stream) == DATA * 8
    assert decode(compress(b"")) == b""
    for cut in (len(stream) // 2, len(stream) - 1, 3):
        with pytest.raises(_CorruptStream):
            decode(stream[:cut])
    with pytest.raises(_DecompressionMaxSizeExceeded):
        decode(stream, max_size=len(DATA))


@pytest.mark.parametrize("codec", ["deflate-zlib", "deflate-raw", "br", "zstd"])
def test_a_cut_deflate_br_or_zstd_body_is_data_loss_not_a_partial_feed(codec: str) -> None:
    compress, _ = _codecs()[codec]
    stream = compress(DATA * 8)
    encoding = codec.split("-")[0]
    with pytest.raises(FetchRefused) as refused:
        decode_body(stream[: len(stream) // 2], encoding, 0, "https://city.example.eu/feed")
    assert refused.value.ewsi_key == "fetch.data_loss"
    assert decode_body(stream, encoding, 0, "https://city.example.eu/feed") == DATA * 8
