"""Bounded, strict decompression of response bodies (gzip, deflate, br, zstd).

Settings read (through Scrapy's `HttpCompressionMiddleware`): ``COMPRESSION_ENABLED``,
``DOWNLOAD_MAXSIZE`` and ``DOWNLOAD_WARNSIZE`` (bytes after decoding; a request may raise its own
limit with ``meta["download_maxsize"]``). A gzip stream that is cut short or fails its CRC, and a
corrupt deflate/br/zstd stream, is `FetchRefused` ``fetch.data_loss`` instead of a partial body;
a body over the limit is ``fetch.too_large``.
"""

from __future__ import annotations

import io
import zlib
from typing import Any

from scrapy import Request, Spider
from scrapy.downloadermiddlewares.httpcompression import HttpCompressionMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response
from scrapy.utils._compression import _CHUNK_SIZE, _check_max_size

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
        try:
            return super().process_response(request, response)
        except _CorruptStream as exc:
            raise FetchRefused("fetch.data_loss", f"{response.url[:200]}: {exc}") from None
        except IgnoreRequest as exc:
            if "DOWNLOAD_MAXSIZE" in str(exc):
                raise FetchRefused("fetch.too_large", str(exc)) from None
            raise
        except Exception as exc:  # brotli.error, zstd.ZstdError: a body we cannot read
            if type(exc).__module__.split(".")[0] in _CODEC_MODULES:
                raise FetchRefused("fetch.data_loss", f"{response.url[:200]}: {exc}") from None
            raise
