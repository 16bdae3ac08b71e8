"""Bounded, strict decompression of response bodies (gzip, deflate, br, zstd).

Strict: every stream must end (a gzip member its trailer and CRC, deflate its final block, br and
zstd their last frame). Scrapy's own decoders return the bytes before a cut in a deflate, br or
zstd stream (69 bytes of a 19 KiB feed, and the run went on as if that were the feed).

Settings read (through Scrapy's `HttpCompressionMiddleware`): ``COMPRESSION_ENABLED``,
``DOWNLOAD_MAXSIZE`` and ``DOWNLOAD_WARNSIZE`` (bytes after decoding; a request may raise its own
limit with ``meta["download_maxsize"]``). A gzip stream that is cut short or fails its CRC, and a
corrupt deflate/br/zstd stream, is `FetchRefused` ``fetch.data_loss`` instead of a partial body;
a body over the limit is ``fetch.too_large``. `decode_body` applies the same rules to a one-shot
fetch (crawler.fetch.oneshot), so `ewsi sources add|check` names these bodies as a crawl does.

Labels that lie (servers and CDNs get Content-Encoding wrong both ways):
- declared but not applied: a body whose declared encoding cannot be decoded, but which is plain
  markup itself (`plain_markup`: its first non-blank byte, after a UTF-8 BOM, is ``<`` or ``{``, or
  it is empty or blank), was never compressed: it is used as it is, counted
  ``ewsi/fetch/encoding_not_applied``. A body that is in the format but cut short or corrupt (it
  starts with the format's bytes, not markup) is still ``fetch.data_loss``;
- applied but not declared: a body of the source's own URLs (feeds, sitemaps, listings, APIs), or
  of a followed page served as text, that still starts with the gzip magic bytes once its declared
  encodings are removed (no Content-Encoding, ``Content-Type: application/x-gzip``, or gzipped
  twice) is gunzipped, strictly and within the same size limit, up to `MAX_UNDECLARED_GZIP`
  layers, counted ``ewsi/fetch/gzip_undeclared``; a Content-Type naming gzip itself
  (``application/x-gzip``) described the archive, not what it holds, and is dropped so the body's
  own type is sniffed. Attachments (a ``.gz`` document) keep their bytes.
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
from scrapy.http import Response, TextResponse
from scrapy.responsetypes import responsetypes
from scrapy.utils._compression import _CHUNK_SIZE, _check_max_size, _DecompressionMaxSizeExceeded

from crawler.fetch.refusals import FetchRefused

GZIP_MAGIC = b"\x1f\x8b"
MAX_UNDECLARED_GZIP = 2
"""Gzip layers removed from a body whose headers do not declare them (a body gzipped twice has two)."""
GZIP_MEDIA_TYPES = frozenset(
    {b"application/gzip", b"application/x-gzip", b"application/x-gunzip", b"application/gzipped"}
)
UNDECLARED_GZIP_ROLES = frozenset({"source", "page"})
"""Request roles (``meta["ewsi_role"]``) whose bodies are gunzipped when gzip was not declared."""


def plain_markup(body: bytes) -> bool:
    """True when `body` reads as uncompressed markup: its first non-blank byte, after a UTF-8 BOM,
    is ``<`` (XML, HTML) or ``{`` (JSON), or it has none (an empty or blank body, which no
    compression produces: the spider then names it, ``parse.not_a_feed: empty body``)."""
    return body[:4096].removeprefix(b"\xef\xbb\xbf").lstrip()[:1] in (b"<", b"{", b"")


def _textual(content_type: bytes | None) -> bool:
    media = (content_type or b"").split(b";", 1)[0].strip().lower()
    return media.startswith(b"text/") or media.endswith((b"/xml", b"+xml", b"/json", b"+json"))


def _gzip_media(content_type: bytes | None) -> bool:
    media = (content_type or b"").split(b";", 1)[0].strip().lower()
    return media in GZIP_MEDIA_TYPES


def gunzip_undeclared(body: bytes, max_size: int) -> tuple[bytes, int]:
    """(`body` without the gzip layers it starts with, at most `MAX_UNDECLARED_GZIP`, and how many
    were removed); strict as `strict_gunzip`, so a cut or corrupt layer raises."""
    layers = 0
    while body[:2] == GZIP_MAGIC and layers < MAX_UNDECLARED_GZIP:
        body = strict_gunzip(body, max_size=max_size)
        layers += 1
    return body, layers


class _CorruptStream(ValueError):
    """A compressed body that is cut short or fails its checksum."""


def strict_gunzip(data: bytes, *, max_size: int = 0) -> bytes:
    """Gunzip `data` (one or more members), 64 KiB at a time, at most `max_size` bytes out.

    Unlike `scrapy.utils.gz.gunzip`, a truncated stream or a bad CRC is an error
    (`_CorruptStream`), not a silent partial body (T06). Raises Scrapy's
    `_DecompressionMaxSizeExceeded` past `max_size`.

    Trailing garbage (rule, gzip(1): "decompression OK, trailing garbage ignored"; python/cpython#68489,
    yt-dlp/yt-dlp#7142): after a member that ended with its trailer and a good CRC, bytes that do not
    start another member (zero padding, a PHP notice or stray bytes a server wrote after flushing
    its gzip buffer) are not part of the body and are dropped; the whole body was there and checked.
    Bytes that start another member (``1f 8b``) are read as one, as strictly.
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
        rest = decomp.unused_data.lstrip(b"\x00")
        if rest[:2] != GZIP_MAGIC:  # the end, or trailing garbage after a verified member
            return out.getvalue()


def _drain(decompress: Any, finished: Any, data: bytes, max_size: int, name: str) -> bytes:
    """Run one streaming decompressor over `data`, 64 KiB of output at a time, at most `max_size`
    bytes out; `decompress(chunk_in)` returns output, `finished()` tells whether the stream ended.
    A stream that has not ended when the input is used up is `_CorruptStream` (cut short)."""
    out = io.BytesIO()
    size = 0
    chunk = decompress(data)
    while True:
        size += len(chunk)
        _check_max_size(size, max_size)
        out.write(chunk)
        if finished() or not chunk:
            break
        chunk = decompress(b"")
    if not finished():
        raise _CorruptStream(f"{name} stream cut short")
    return out.getvalue()


def strict_inflate(data: bytes, *, max_size: int = 0) -> bytes:
    """``deflate``: a zlib stream (RFC 9110), or the raw deflate some servers send, that must end.

    Unlike Scrapy's `_inflate`, a stream cut short is `_CorruptStream`, not the bytes before the cut.
    """
    first: BaseException | None = None
    for wbits in (15, -15):
        decomp = zlib.decompressobj(wbits=wbits)
        state = {"tail": b""}

        def step(chunk: bytes, decomp: Any = decomp, state: dict[str, bytes] = state) -> bytes:
            out = bytes(decomp.decompress(chunk or state["tail"], _CHUNK_SIZE))
            state["tail"] = decomp.unconsumed_tail
            return out

        try:
            return _drain(step, lambda decomp=decomp: decomp.eof, data, max_size, "deflate")
        except (zlib.error, _CorruptStream) as exc:
            if first is None:  # not zlib, or a zlib stream cut short: raw deflate gets a chance
                first = exc
                continue
            reason = first if isinstance(first, _CorruptStream) else exc
            raise _CorruptStream(f"corrupt deflate stream: {reason}") from None
    raise AssertionError("unreachable")  # pragma: no cover


def strict_unbrotli(data: bytes, *, max_size: int = 0) -> bytes:
    """``br`` that must end: a stream cut short is `_CorruptStream`, not the bytes before the cut."""
    import brotli

    decomp = brotli.Decompressor()

    def step(chunk: bytes) -> bytes:
        return bytes(decomp.process(chunk, output_buffer_limit=_CHUNK_SIZE))

    try:
        return _drain(step, decomp.is_finished, data, max_size, "br")
    except brotli.error as exc:
        raise _CorruptStream(f"corrupt br stream: {exc}") from None


def strict_unzstd(data: bytes, *, max_size: int = 0) -> bytes:
    """``zstd`` that must end: a frame cut short is `_CorruptStream`, not the bytes before the cut."""
    from scrapy.utils._compression import zstd

    decomp = zstd.ZstdDecompressor()

    def step(chunk: bytes) -> bytes:
        return bytes(decomp.decompress(chunk, _CHUNK_SIZE))

    try:
        return _drain(step, lambda: decomp.eof, data, max_size, "zstd")
    except zstd.ZstdError as exc:
        raise _CorruptStream(f"corrupt zstd stream: {exc}") from None


_STRICT = {b"gzip": strict_gunzip, b"x-gzip": strict_gunzip, b"deflate": strict_inflate}
_STRICT |= {b"br": strict_unbrotli, b"zstd": strict_unzstd}
_CODEC_MODULES = {"brotli", "_brotli", "brotlicffi", "backports", "compression", "zstd"}


class StrictCompressionMiddleware(HttpCompressionMiddleware):
    """Scrapy's bounded decompression (gzip, deflate, br, zstd; stacked encodings, 64 KiB steps)
    with every stream checked strictly (Scrapy returns the bytes before a cut in a deflate, br or
    zstd stream): a corrupt or truncated stream is ``fetch.data_loss`` instead of a partial body,
    and the size limit (16 MiB, 64 MiB for followed documents through ``meta["download_maxsize"]``)
    gives ``fetch.too_large`` (T01-T03, T06).
    """

    @staticmethod
    def _decode(body: bytes, encoding: bytes, max_size: int) -> bytes:
        strict = _STRICT.get(encoding.strip().lower())
        if strict is not None:
            return strict(body, max_size=max_size)
        try:
            return HttpCompressionMiddleware._decode(body, encoding, max_size)
        except zlib.error as exc:
            raise _CorruptStream(f"corrupt {encoding.decode('latin-1')} stream: {exc}") from None
        except OSError as exc:  # brotli.error / zstd errors derive from Exception; see below
            raise _CorruptStream(f"corrupt {encoding.decode('latin-1')} stream: {exc}") from None

    def process_response(self, request: Request, response: Response, spider: Spider | None = None) -> Any:
        """Scrapy's decoding, strict, plus the two lying labels of the module docstring."""
        with refusing(response.url):
            try:
                decoded = super().process_response(request, response)
            except Exception as exc:
                if not _never_compressed(exc, response.body, response.url):
                    raise
                self._count("ewsi/fetch/encoding_not_applied")
                headers = response.headers.copy()
                del headers[b"Content-Encoding"]
                decoded = response.replace(headers=headers)
            if not isinstance(decoded, Response) or decoded.body[:2] != GZIP_MAGIC:
                return decoded
            role = request.meta.get("ewsi_role")
            if role not in UNDECLARED_GZIP_ROLES or (
                role != "source" and not _textual(decoded.headers.get(b"Content-Type"))
            ):
                return decoded
            max_size = request.meta.get("download_maxsize", self._max_size)
            body, _layers = gunzip_undeclared(decoded.body, max_size)
            self._count("ewsi/fetch/gzip_undeclared")
            headers = decoded.headers.copy()
            if _gzip_media(headers.get(b"Content-Type")):  # it named the archive, not what it holds
                del headers[b"Content-Type"]
            cls = responsetypes.from_args(headers=headers, url=decoded.url, body=body)
            kwargs: dict[str, Any] = {"body": body, "headers": headers}
            if issubclass(cls, TextResponse):
                kwargs["encoding"] = None  # as Scrapy does after decoding: guessed again from the body
            return decoded.replace(cls=cls, **kwargs)

    def _count(self, key: str) -> None:
        if self.stats is not None:
            self.stats.inc_value(key)


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


def _never_compressed(exc: BaseException, body: bytes, url: str) -> bool:
    """True when decoding `body` failed as a corrupt stream (`exc`) because it was never compressed:
    it is plain markup (module docstring, "declared but not applied")."""
    refused = refusal_for(exc, url)
    return refused is not None and refused.ewsi_key == "fetch.data_loss" and plain_markup(body)


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
    """`body` decoded from its Content-Encoding header as a crawl decodes a source's body (each
    encoding the crawl accepts, gzip strictly, at most `max_size` bytes out, lying labels as in the
    module docstring); raises `refusal_for`'s FetchRefused."""
    encodings = [content_encoding.encode("latin-1", errors="replace")]
    to_decode, _unknown = StrictCompressionMiddleware._split_encodings(encodings)
    with refusing(url):
        decoded = body
        try:
            for encoding in to_decode:
                decoded = StrictCompressionMiddleware._decode(decoded, encoding, max_size)
        except Exception as exc:
            if not _never_compressed(exc, body, url):
                raise
            decoded = body
        return gunzip_undeclared(decoded, max_size)[0]
