"""Bounded, strict decompression of response bodies (gzip, deflate, br, zstd).

Settings read (through Scrapy's `HttpCompressionMiddleware`): ``COMPRESSION_ENABLED``,
``DOWNLOAD_MAXSIZE`` and ``DOWNLOAD_WARNSIZE`` (bytes after decoding; a request may raise its own
limit with ``meta["download_maxsize"]``). A gzip stream that is cut short or fails its CRC, and a
corrupt deflate/br/zstd stream, is `FetchRefused` ``fetch.data_loss`` instead of a partial body;
a body over the limit is ``fetch.too_large``. `decode_body` applies the same rules to a one-shot
fetch (crawler.fetch.oneshot), so `ewsi sources add|check` names these bodies as a crawl does.
"""

from __future__ import annotations

import io
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from scrapy import Request, Spider
from scrapy.downloadermiddlewares.httpcompression import HttpCompressionMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response
from scrapy.utils._compression import _CHUNK_SIZE, _check_max_size, _DecompressionMaxSizeExceeded

from crawler.fetch.refusals import FetchRefused


class _CorruptStream(ValueError):
    """A compressed body that is cut short or fails its checksum."""


def strict_gunzip(data: bytes, *, max_size: int = 0) -> bytes:
    """Gunzip `data` (one or more members), 64 KiB at a time, at most `max_size` bytes out.

    Unlike `scrapy.utils.gz.gunzip`, a truncated stream or a bad CRC is an error
    (`_CorruptStream`), not a silent partial body (T06). Raises Scrapy's
    `_DecompressionMaxSizeExceeded` past `max_size`.
    """
    out = io.BytesIO()
    size = 0
    rest = data
    while True:
        decomp = zlib.decompressobj(wbits=31)
        chunk_in = rest
        try:
            while True:
                chunk = decomp.decompress(chunk_in, _CHUNK_SIZE)
                size += len(chunk)
                _check_max_size(size, max_size)
                out.write(chunk)
                chunk_in = decomp.unconsumed_tail
                if decomp.eof or (not chunk_in and not chunk):
                    break
        except zlib.error as exc:
            raise _CorruptStream(f"corrupt gzip stream: {exc}") from None
        if not decomp.eof:
            raise _CorruptStream("gzip stream cut short")
        rest = decomp.unused_data
        if not rest.strip(b"\x00"):
            return out.getvalue()


_CODEC_MODULES = {"brotli", "_brotli", "brotlicffi", "backports", "compression", "zstd"}


class StrictCompressionMiddleware(HttpCompressionMiddleware):
    """Scrapy's bounded decompression (gzip, deflate, br, zstd; stacked encodings, 64 KiB steps)
    with gzip checked strictly: a corrupt or truncated stream is ``fetch.data_loss`` instead of a
    partial body, and the size limit (16 MiB, 64 MiB for followed documents through
    ``meta["download_maxsize"]``) gives ``fetch.too_large`` (T01-T03, T06).
    """

    @staticmethod
    def _decode(body: bytes, encoding: bytes, max_size: int) -> bytes:
        if encoding.strip().lower() in (b"gzip", b"x-gzip"):
            return strict_gunzip(body, max_size=max_size)
        try:
            return HttpCompressionMiddleware._decode(body, encoding, max_size)
        except zlib.error as exc:
            raise _CorruptStream(f"corrupt {encoding.decode('latin-1')} stream: {exc}") from None
        except OSError as exc:  # brotli.error / zstd errors derive from Exception; see below
            raise _CorruptStream(f"corrupt {encoding.decode('latin-1')} stream: {exc}") from None

    def process_response(self, request: Request, response: Response, spider: Spider | None = None) -> Any:
        with refusing(response.url):
            return super().process_response(request, response)


def refusal_for(exc: BaseException, url: str) -> FetchRefused | None:
    """The crawl's refusal of a body it could not decode: a corrupt or truncated stream is
    ``fetch.data_loss``, one past the size limit ``fetch.too_large``; None for any other error."""
    if isinstance(exc, _CorruptStream) or type(exc).__module__.split(".")[0] in _CODEC_MODULES:
        return FetchRefused("fetch.data_loss", f"{url[:200]}: {exc}")
    if isinstance(exc, _DecompressionMaxSizeExceeded) or (
        isinstance(exc, IgnoreRequest) and "DOWNLOAD_MAXSIZE" in str(exc)
    ):
        return FetchRefused("fetch.too_large", str(exc))
    return None


@contextmanager
def refusing(url: str) -> Iterator[None]:
    """Raise `refusal_for`'s FetchRefused instead of a decoding error it names; others pass."""
    try:
        yield
    except Exception as exc:
        refused = refusal_for(exc, url)
        if refused is None:
            raise
        raise refused from None


def decode_body(body: bytes, content_encoding: str, max_size: int, url: str) -> bytes:
    """`body` decoded from its Content-Encoding header as a crawl decodes it (each encoding the crawl
    accepts, gzip strictly, at most `max_size` bytes out); raises `refusal_for`'s FetchRefused."""
    encodings = [content_encoding.encode("latin-1", errors="replace")]
    to_decode, _unknown = StrictCompressionMiddleware._split_encodings(encodings)
    with refusing(url):
        for encoding in to_decode:
            body = StrictCompressionMiddleware._decode(body, encoding, max_size)
    return body
