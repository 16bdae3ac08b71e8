"""Strict gunzip (crawler.fetch.compression.strict_gunzip).

Rule: one or more complete gzip members (trailing NUL padding allowed) decode to their bytes;
a stream cut anywhere, a flipped CRC or length, or bytes that are not gzip raise `_CorruptStream`;
output past `max_size` raises Scrapy's `_DecompressionMaxSizeExceeded`.
"""

from __future__ import annotations

import zlib

import pytest
from scrapy.utils._compression import _DecompressionMaxSizeExceeded

from crawler.fetch.compression import _CorruptStream, strict_gunzip


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
    ],
    ids=["one", "three_members", "nul_padding", "empty_payload"],
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
        MEMBER + b"garbage",
        b"not gzip at all",
    ],
    ids=[
        "header_only",
        "last_byte_cut",
        "trailer_cut",
        "bad_crc",
        "bad_length",
        "second_cut",
        "trailing_garbage",
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
