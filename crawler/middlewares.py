"""Downloader middlewares: replay from and record to WARC archives (the web archiving standard).

`ReplayMiddleware` answers every request from a WARC file by URL (fragment ignored, then the
canonical form of the URL); a URL absent from the archive gets a 404, so a harvest is reproduced
exactly and offline. `RecordMiddleware` appends every response fetched live to a WARC file.
"""

from __future__ import annotations

import hashlib
import io
import logging
import random
import threading
import time
import zlib
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.httpcompression import HttpCompressionMiddleware
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.http import Headers, Response
from scrapy.responsetypes import responsetypes
from scrapy.utils._compression import _CHUNK_SIZE, _check_max_size
from scrapy.utils.asyncio import sleep as async_sleep
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.httpobj import urlparse_cached
from scrapy.utils.misc import load_object
from twisted.internet import defer, threads
from twisted.internet.address import IPv4Address, IPv6Address
from twisted.internet.interfaces import IHostnameResolver, IHostResolution, IResolutionReceiver
from twisted.python.failure import Failure
from w3lib.url import canonicalize_url
from warcio.archiveiterator import ArchiveIterator
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter
from zope.interface import implementer

from crawler import guard
from crawler.errors import http_status_key

logger = logging.getLogger(__name__)

# headers that describe the wire encoding: warcio's content_stream() has already undone them
_WIRE_HEADERS = {b"content-encoding", b"transfer-encoding", b"content-length"}


def _url_key(url: str) -> str:
    return url.split("#", 1)[0]


class WarcIndex:
    """Offsets of the `response` records of one WARC file, by target URL.

    Records are read lazily from their offset, so a large archive costs memory per URL only.
    Raises FileNotFoundError for a missing file and ValueError for a file that is not a WARC.
    """

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self._offsets: dict[str, int] = {}
        self._canonical: dict[str, int] = {}
        with self.path.open("rb") as fh:
            iterator = ArchiveIterator(fh)
            try:
                for record in iterator:
                    if record.rec_type != "response":
                        continue
                    uri = record.rec_headers.get_header("WARC-Target-URI")
                    if not uri:
                        continue
                    offset = iterator.get_record_offset()
                    self._offsets.setdefault(_url_key(uri), offset)
                    self._canonical.setdefault(canonicalize_url(uri), offset)
            except Exception as exc:  # warcio raises ArchiveLoadFailed and others
                raise ValueError(f"{self.path}: not a readable WARC file: {exc}") from exc
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._offsets)

    def lookup(self, url: str) -> tuple[int, list[tuple[bytes, bytes]], bytes] | None:
        """(status, headers, decoded body) recorded for `url`, or None when it was not recorded."""
        offset = self._offsets.get(_url_key(url))
        if offset is None:
            offset = self._canonical.get(canonicalize_url(url))
        if offset is None:
            return None
        with self._lock, self.path.open("rb") as fh:
            fh.seek(offset)
            record = next(iter(ArchiveIterator(fh)))
            status = int(record.http_headers.get_statuscode() or 200)
            headers = [
                (k.encode("latin-1"), v.encode("latin-1", "replace"))
                for k, v in record.http_headers.headers
                if k.lower().encode() not in _WIRE_HEADERS
            ]
            body = record.content_stream().read()
        return status, headers, body


class ReplayMiddleware:
    """Answer every request from the WARC file named by the `EWSI_REPLAY` setting."""

    def __init__(self, path: str):
        self.index = WarcIndex(path)
        logger.info("replaying %d recorded responses from %s", len(self.index), path)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ReplayMiddleware:
        path = crawler.settings.get("EWSI_REPLAY")
        if not path:
            raise NotConfigured("EWSI_REPLAY not set")
        return cls(path)

    def process_request(self, request: Request, spider: Spider | None = None) -> Response:
        found = self.index.lookup(request.url)
        if found is None:
            return Response(
                url=request.url, status=404, body=b"", request=request, flags=["replay", "absent"]
            )
        status, header_list, body = found
        headers = Headers(header_list)
        cls = responsetypes.from_args(headers=headers, url=request.url, body=body)
        return cls(
            url=request.url, status=status, headers=headers, body=body, request=request, flags=["replay"]
        )


class RecordMiddleware:
    """Append each live response, as received, to the WARC file named by `EWSI_RECORD`."""

    def __init__(self, path: str):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._fh = self.path.open("ab")
        self._writer = WARCWriter(self._fh, gzip=True)
        self.count = 0

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RecordMiddleware:
        path = crawler.settings.get("EWSI_RECORD")
        if not path:
            raise NotConfigured("EWSI_RECORD not set")
        from scrapy import signals

        mw = cls(path)
        crawler.signals.connect(mw.close, signal=signals.spider_closed)
        return mw

    def process_response(self, request: Request, response: Response, spider: Spider | None = None) -> Any:
        if "replay" in response.flags:
            return response
        headers = [
            (k.decode("latin-1"), b", ".join(v).decode("latin-1"))
            for k, v in response.headers.items()
            if k.lower() not in {b"transfer-encoding"}
        ]
        reason = "OK" if response.status < 400 else "Error"
        http_headers = StatusAndHeaders(f"{response.status} {reason}", headers, protocol="HTTP/1.1")
        record = self._writer.create_warc_record(
            response.url,
            "response",
            payload=io.BytesIO(response.body),
            http_headers=http_headers,
            warc_headers_dict={"WARC-Date": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")},
        )
        self._writer.write_record(record)
        self._fh.flush()
        self.count += 1
        return response

    def close(self, spider: Spider | None = None) -> None:
        if not self._fh.closed:
            self._fh.close()


# =============================================================================================
# Fetch guard rails: SSRF guard, per-host politeness, retries, strict decompression, conditional
# GET (../shared/RELIABILITY.md §2). Order in the downloader chain (process_request runs low to
# high, process_response high to low):
#   40 GuardMiddleware        scheme + address check before anything (robots.txt included)
#  100 RfcRobotsTxtMiddleware (crawler.robots) robots.txt per RFC 9309
#  101 ReplayMiddleware       replay mode only: after robots, so recorded robots.txt applies
#  550 PoliteRetryMiddleware  timeouts, 429, 5xx; Retry-After; jittered exponential back-off
#  585 ConditionalGetMiddleware  validators on the source's own URLs; 304 / same hash = unchanged
#  590 StrictCompressionMiddleware  bounded decompression; a corrupt or cut stream is data loss
#  960 HostGateMiddleware     per-host concurrency and delay shared by every crawler of the process
# =============================================================================================


class FetchRefused(IgnoreRequest):
    """A request refused on purpose; ``ewsi_key`` is its error key (read by `error_key_for`)."""

    def __init__(self, key: str, message: str):
        super().__init__(message)
        self.ewsi_key = key


class NotModified(IgnoreRequest):
    """A source URL answered 304, or the same bytes as last time: nothing to parse (not an error)."""

    ewsi_not_modified = True


# -- SSRF guard --------------------------------------------------------------------------------
@implementer(IHostResolution)
class _Resolution:
    def __init__(self, name: str):
        self.name = name

    def cancel(self) -> None:  # resolution runs in a thread; nothing to cancel
        return


@implementer(IHostnameResolver)
class GuardedResolver:
    """Twisted name resolver (Scrapy `TWISTED_DNS_RESOLVER`) that only ever answers allowed addresses.

    Every name is looked up once per process and the checked answer is pinned: later lookups
    (the connection after `GuardMiddleware`'s check, redirects, retries) get exactly the
    addresses that were checked, so a DNS rebinding answer cannot slip in between check and
    connect (T21). Non-public answers are dropped unless the allowlist (`EWSI_ALLOW_PRIVATE`)
    names the host or the address; a name left with no address fails resolution, which
    `GuardMiddleware` reports as ``fetch.blocked_address``. `lookup` is the upstream lookup
    (getaddrinfo); tests replace it in a subclass to play fake DNS.
    """

    _pins: dict[str, list[str]] = {}
    _blocked: dict[str, str] = {}

    def __init__(self, reactor: Any = None):
        self.reactor = reactor

    @classmethod
    def from_crawler(cls, crawler: Any, reactor: Any) -> GuardedResolver:
        return cls(reactor)

    def install_on_reactor(self) -> None:
        self.reactor.installNameResolver(self)

    @staticmethod
    def lookup(host: str, port: int) -> list[str]:
        """Addresses of `host` (text), via the system resolver; raises OSError when there is none."""
        import socket

        infos = socket.getaddrinfo(host, port, 0, socket.SOCK_STREAM)
        return list(dict.fromkeys(str(info[4][0]) for info in infos))

    @classmethod
    def resolve_checked(cls, host: str, port: int, allow: guard.Allowlist) -> defer.Deferred[list[str]]:
        """Deferred list of the allowed, pinned addresses of `host`; fails with `guard.BlockedAddress`."""
        key = host.lower().rstrip(".")
        literal = guard.parse_ip(key)
        if literal is not None:
            try:
                return defer.succeed(guard.check_addresses(key, port, [str(literal)], allow))
            except guard.BlockedAddress as exc:
                return defer.fail(exc)
        if key in cls._pins:
            try:  # the pin holds what the lookup gave; the port decides host:port allowlist entries
                return defer.succeed(guard.check_addresses(key, port, cls._pins[key], allow))
            except guard.BlockedAddress as exc:
                return defer.fail(exc)

        def pin(addresses: list[str]) -> list[str]:
            cls._pins.setdefault(key, addresses)
            return guard.check_addresses(key, port, cls._pins[key], allow)

        return threads.deferToThread(cls.lookup, key, port).addCallback(pin)

    def resolveHostName(
        self,
        resolutionReceiver: IResolutionReceiver,
        hostName: str,
        portNumber: int = 0,
        addressTypes: Any = None,
        transportSemantics: str = "TCP",
    ) -> Any:
        resolution = _Resolution(hostName)
        resolutionReceiver.resolutionBegan(resolution)

        def answer(addresses: list[str]) -> None:
            for text in addresses:
                ip = guard.parse_ip(text)
                if ip is None:
                    continue
                cls_ = IPv6Address if ip.version == 6 else IPv4Address
                resolutionReceiver.addressResolved(cls_("TCP", ip.compressed, portNumber))
            resolutionReceiver.resolutionComplete()

        def refuse(failure: Failure) -> None:
            GuardedResolver._blocked[hostName.lower()] = failure.getErrorMessage()
            resolutionReceiver.resolutionComplete()  # no address: the endpoint fails to connect

        deferred = self.resolve_checked(hostName, portNumber, guard.Allowlist.from_env())
        deferred.addCallbacks(answer, refuse)
        return resolution


class GuardMiddleware:
    """Refuse requests whose scheme is not http(s) or whose host is non-public, before connecting.

    Checks every request that reaches the downloader: the source's URLs, robots.txt, redirects
    (each hop is a new request), meta refresh targets, followed item pages and sitemap children.
    Literal addresses are judged in every spelling (`crawler.guard.parse_ip`), names by what
    `GuardedResolver` resolves and pins. A 3xx whose Location is not http(s) is refused as
    ``fetch.blocked_scheme`` (Scrapy hands it to the spider unchanged). Off in replay mode,
    which never touches the network. Raises `FetchRefused` with key ``fetch.blocked_address``
    or ``fetch.blocked_scheme``.
    """

    def __init__(self, crawler: Crawler, resolver: type[GuardedResolver]):
        self.crawler = crawler
        self.resolver = resolver
        self.allow = guard.Allowlist.from_env()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> GuardMiddleware:
        if crawler.settings.get("EWSI_REPLAY"):
            raise NotConfigured("replay mode does not use the network")
        resolver = load_object(crawler.settings.get("TWISTED_DNS_RESOLVER"))
        if not (isinstance(resolver, type) and issubclass(resolver, GuardedResolver)):
            raise ValueError("TWISTED_DNS_RESOLVER must be crawler.middlewares.GuardedResolver (SSRF guard)")
        return cls(crawler, resolver)

    def _refuse(self, exc: guard.EwsiError, request: Request) -> FetchRefused:
        if self.crawler.stats is not None:
            self.crawler.stats.inc_value(f"ewsi/guard/{exc.key}")
        logger.warning("refused %s: %s", request.url[:200], exc)
        return FetchRefused(exc.key, str(exc))

    async def process_request(self, request: Request, spider: Spider | None = None) -> None:
        try:
            host, port, literal = guard.check_url(request.url, self.allow)
        except (guard.BlockedAddress, guard.BlockedScheme) as exc:
            raise self._refuse(exc, request) from None
        if literal is not None:
            return
        try:
            await maybe_deferred_to_future(self.resolver.resolve_checked(host, port, self.allow))
        except guard.BlockedAddress as exc:
            raise self._refuse(exc, request) from None
        except OSError:
            return  # unresolvable: the download fails with the usual DNS error (fetch.dns)

    def process_response(self, request: Request, response: Response, spider: Spider | None = None) -> Any:
        location = response.headers.get(b"Location")
        if 300 <= response.status < 400 and location:
            try:
                guard.check_scheme(urljoin(request.url, location.decode("latin-1")))
            except guard.BlockedScheme as exc:
                raise self._refuse(exc, request) from None
        return response


# -- per-host politeness -----------------------------------------------------------------------
@dataclass
class HostState:
    """Shared state of one host: a concurrency semaphore and when the next request may start."""

    slots: defer.DeferredSemaphore
    next_at: float = 0.0
    """time.monotonic() before which no request may start (delay, Retry-After, back-off)."""
    crawl_delay: float = 0.0
    closed_until: float = 0.0
    """time.monotonic() until which the host refused us with a long Retry-After (no request)."""
    closed_key: str = ""
    active: int = 0
    waits: list[float] = field(default_factory=list)


HOSTS: dict[str, HostState] = {}
"""Per-host state shared by every crawler of the process (all sources of one `ewsi crawl`)."""


def host_state(host: str, concurrency: int = 1) -> HostState:
    """The shared `HostState` of `host` (created with `concurrency` slots on first use)."""
    key = host.lower()
    if key not in HOSTS:
        HOSTS[key] = HostState(defer.DeferredSemaphore(max(1, concurrency)))
    return HOSTS[key]


class HostGateMiddleware:
    """Per-host concurrency and delay shared by all sources (crawlers) of the process.

    Each Scrapy crawler has its own downloader, so `CONCURRENT_REQUESTS_PER_DOMAIN` and
    `DOWNLOAD_DELAY` alone would let N sources on one host hit it N times as hard. This gate,
    last before the download handler, holds one of `CONCURRENT_REQUESTS_PER_DOMAIN` process-wide
    slots per host while a request is in flight, and starts requests at least
    max(`DOWNLOAD_DELAY`, robots.txt `Crawl-delay` capped at `AUTOTHROTTLE_MAX_DELAY`) apart
    (jittered 0.5x-1.5x when `RANDOMIZE_DOWNLOAD_DELAY`). Retry-After and back-off push the
    host's next start (`PoliteRetryMiddleware`); a host that asked for more than
    `EWSI_RETRY_AFTER_MAX` is not asked again in this run (`FetchRefused` with its 429/5xx key).
    """

    META = "_ewsi_host_slot"

    def __init__(self, crawler: Crawler):
        settings = crawler.settings
        self.crawler = crawler
        self.concurrency = settings.getint("CONCURRENT_REQUESTS_PER_DOMAIN") or 1
        self.delay = settings.getfloat("DOWNLOAD_DELAY")
        self.randomize = settings.getbool("RANDOMIZE_DOWNLOAD_DELAY")
        self.max_crawl_delay = settings.getfloat("AUTOTHROTTLE_MAX_DELAY") or 60.0
        agent = settings.get("ROBOTSTXT_USER_AGENT") or settings.get("USER_AGENT") or "*"
        self.agent = agent

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> HostGateMiddleware:
        if crawler.settings.get("EWSI_REPLAY"):
            raise NotConfigured("replay mode does not use the network")
        mw = cls(crawler)
        crawler.signals.connect(mw.robots_parsed, signal=signals.robots_parsed)
        return mw

    def robots_parsed(self, robotparser: Any, request: Request) -> None:
        """Record the host's robots.txt Crawl-delay (seconds, capped)."""
        try:
            delay = robotparser.crawl_delay(self.agent)
        except Exception:  # a parser without crawl_delay, or a broken value
            delay = None
        if delay:
            state = host_state(urlparse_cached(request).hostname or "", self.concurrency)
            state.crawl_delay = min(float(delay), self.max_crawl_delay)
            if self.crawler.stats is not None:
                self.crawler.stats.set_value("ewsi/robots/crawl_delay", state.crawl_delay)

    async def process_request(self, request: Request, spider: Spider | None = None) -> None:
        host = urlparse_cached(request).hostname or ""
        state = host_state(host, self.concurrency)
        if state.closed_until > time.monotonic():
            raise FetchRefused(state.closed_key or "fetch.http_429", f"{host} asked not to be contacted")
        await maybe_deferred_to_future(state.slots.acquire())
        request.meta[self.META] = (host, object())
        state.active += 1
        wait = state.next_at - time.monotonic()
        if wait > 0:
            state.waits.append(wait)
            await async_sleep(wait)
        if state.closed_until > time.monotonic():  # closed while this request waited for its turn
            self._release(request)
            raise FetchRefused(state.closed_key or "fetch.http_429", f"{host} asked not to be contacted")
        delay = max(self.delay, state.crawl_delay)
        if self.randomize and delay:
            delay *= random.uniform(0.5, 1.5)
        state.next_at = max(state.next_at, time.monotonic() + delay)

    def _release(self, request: Request) -> None:
        held = request.meta.pop(self.META, None)
        if held is None:
            return
        state = HOSTS.get(held[0].lower())
        if state is not None:
            state.active -= 1
            state.slots.release()

    def process_response(
        self, request: Request, response: Response, spider: Spider | None = None
    ) -> Response:
        self._release(request)
        return response

    def process_exception(self, request: Request, exception: Exception, spider: Spider | None = None) -> None:
        self._release(request)


# -- retries -----------------------------------------------------------------------------------
def retry_after_seconds(value: bytes | str | None, now: datetime | None = None) -> float | None:
    """Seconds a `Retry-After` header asks for: delta-seconds or an HTTP-date (RFC 9110 §10.2.3).

    None when absent or unreadable; a date in the past gives 0.
    """
    if not value:
        return None
    text = value.decode("latin-1") if isinstance(value, bytes) else value
    text = text.strip()
    if text.isdigit():
        return float(int(text[:9]))
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


class PoliteRetryMiddleware(RetryMiddleware):
    """Scrapy's retry for timeouts, 429 and 5xx only, spaced by jittered exponential back-off.

    The n-th retry of a request waits `EWSI_RETRY_BACKOFF` * 2**n * uniform(0.5, 1.5) seconds
    (capped at `AUTOTHROTTLE_MAX_DELAY`), or longer when the answer carries `Retry-After`; the
    wait is applied to the whole host through `HostGateMiddleware`. A `Retry-After` over
    `EWSI_RETRY_AFTER_MAX` seconds is not waited for: the request gives up (its 429/5xx error
    key follows), the host is left alone for the rest of the run, and the time after which it
    may be asked again is stored in stats ``ewsi/retry_after`` (ISO 8601 UTC) so the scheduler
    can defer the source's next slot.
    """

    def __init__(self, settings: Any):
        super().__init__(settings)
        self.backoff = settings.getfloat("EWSI_RETRY_BACKOFF", 2.0)
        self.max_wait = settings.getfloat("AUTOTHROTTLE_MAX_DELAY") or 60.0
        self.retry_after_max = settings.getfloat("EWSI_RETRY_AFTER_MAX", 60.0)
        self.concurrency = settings.getint("CONCURRENT_REQUESTS_PER_DOMAIN") or 1

    def _wait(self, request: Request, retry_after: float | None) -> None:
        retries = request.meta.get("retry_times", 0)
        wait = min(self.backoff * (2**retries) * random.uniform(0.5, 1.5), self.max_wait)
        if retry_after is not None:
            wait = max(wait, retry_after)
        state = host_state(urlparse_cached(request).hostname or "", self.concurrency)
        state.next_at = max(state.next_at, time.monotonic() + wait)

    def process_response(self, request: Request, response: Response, spider: Spider | None = None) -> Any:
        if request.meta.get("dont_retry") or response.status not in self.retry_http_codes:
            return response
        retry_after = retry_after_seconds(response.headers.get(b"Retry-After"))
        if retry_after is not None and retry_after > self.retry_after_max:
            self._give_up(request, response, retry_after)
            return response
        self._wait(request, retry_after)
        return super().process_response(request, response)

    def process_exception(self, request: Request, exception: Exception, spider: Spider | None = None) -> Any:
        if isinstance(exception, self.exceptions_to_retry) and not request.meta.get("dont_retry"):
            self._wait(request, None)
        return super().process_exception(request, exception)

    def _give_up(self, request: Request, response: Response, seconds: float) -> None:
        until = datetime.now(UTC) + timedelta(seconds=seconds)
        stats = self.crawler.stats
        if stats is not None:
            previous = stats.get_value("ewsi/retry_after")
            iso = until.strftime("%Y-%m-%dT%H:%M:%SZ")
            if not previous or iso > previous:
                stats.set_value("ewsi/retry_after", iso)
            stats.inc_value("ewsi/retry/retry_after_too_long")
        state = host_state(urlparse_cached(request).hostname or "", self.concurrency)
        state.closed_until = max(state.closed_until, time.monotonic() + seconds)
        state.closed_key = http_status_key(response.status)
        logger.warning(
            "%s answered %d with Retry-After %.0f s: not retried in this run (until %s)",
            request.url[:200],
            response.status,
            seconds,
            until.isoformat(),
        )


# -- decompression ------------------------------------------------------------------------------
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


# -- conditional GET ---------------------------------------------------------------------------
UNCONDITIONAL_AFTER = timedelta(hours=24)
"""Time after the last 200 when one request goes out without validators (servers whose 304 lies)."""


class ConditionalGetMiddleware:
    """Conditional GET for the source's own URLs (requests with ``meta["ewsi_role"] == "source"``).

    Sends `If-None-Match` / `If-Modified-Since` from the `http_cache` table. A 304, or a 200
    whose body has the same SHA-256 as last time (servers that ignore validators), raises
    `NotModified`: the URL is counted ``ewsi/fetch/not_modified`` and nothing is parsed. After
    a 200 the new validators and body hash are written when the spider closes, and only if the
    run recorded no error (``ewsi/errors/*``): a run that failed to parse or store the answer
    must get the full body again next time. Followed item pages are not handled here. Off in
    replay mode and when `EWSI_CONDITIONAL_GET` is false.

    Validators that lie: a 304 carrying a new ETag or Last-Modified replaces the stored one (the
    body hash and the time of the last 200 stay); a 200 is parsed whenever its body differs from
    the last one, whatever its validators; `UNCONDITIONAL_AFTER` (24 h) after the last 200 one
    request goes out without validators (``ewsi/fetch/unconditional``), and its answer, even the
    same bytes, restarts the 24 h.
    """

    def __init__(self, crawler: Crawler, database_url: str | None):
        self.crawler = crawler
        self.database_url = database_url
        self.pending: dict[str, tuple[str | None, str | None, str | None, int | None, datetime | None]] = {}
        """URL -> (etag, last_modified, body_sha256, status, fetched_at; None = now), written at close."""

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ConditionalGetMiddleware:
        if crawler.settings.get("EWSI_REPLAY") or not crawler.settings.getbool("EWSI_CONDITIONAL_GET", True):
            raise NotConfigured("conditional GET off")
        mw = cls(crawler, crawler.settings.get("EWSI_DATABASE_URL"))
        crawler.signals.connect(mw.spider_closed, signal=signals.spider_closed)
        return mw

    def _stat(self, key: str) -> None:
        if self.crawler.stats is not None:
            self.crawler.stats.inc_value(key)

    def process_request(self, request: Request, spider: Spider | None = None) -> None:
        if request.meta.get("ewsi_role") != "source" or request.method != "GET":
            return
        if "ewsi_cache" in request.meta and request.meta.get("ewsi_cache_url") == request.url:
            return
        from crawler import store

        try:
            with store.session_scope(self.database_url) as session:
                entry = store.get_http_cache(session, request.url)
        except Exception as exc:  # no cache: fetch in full
            logger.warning("http cache unavailable for %s: %s", request.url[:200], exc)
            entry = None
        request.meta["ewsi_cache"] = entry
        request.meta["ewsi_cache_url"] = request.url
        if not entry:
            return
        fetched_at = entry.get("fetched_at")
        if fetched_at is not None:
            fetched_at = fetched_at if fetched_at.tzinfo else fetched_at.replace(tzinfo=UTC)
            if datetime.now(UTC) - fetched_at >= UNCONDITIONAL_AFTER:
                request.meta["ewsi_unconditional"] = True
                self._stat("ewsi/fetch/unconditional")
                return
        if entry.get("etag") and b"If-None-Match" not in request.headers:
            request.headers[b"If-None-Match"] = entry["etag"]
        if entry.get("last_modified") and b"If-Modified-Since" not in request.headers:
            request.headers[b"If-Modified-Since"] = entry["last_modified"]

    def process_response(
        self, request: Request, response: Response, spider: Spider | None = None
    ) -> Response:
        if request.meta.get("ewsi_role") != "source" or request.meta.get("ewsi_cache_url") != request.url:
            return response
        entry = request.meta.get("ewsi_cache") or {}
        etag_raw = response.headers.get(b"ETag")
        modified_raw = response.headers.get(b"Last-Modified")
        etag = etag_raw.decode("latin-1") if etag_raw else None
        modified = modified_raw.decode("latin-1") if modified_raw else None
        if response.status == 304 and entry:
            self._stat("ewsi/fetch/not_modified")
            if (etag and etag != entry.get("etag")) or (modified and modified != entry.get("last_modified")):
                self.pending[request.url] = (
                    etag or entry.get("etag"),
                    modified or entry.get("last_modified"),
                    entry.get("body_sha256"),
                    entry.get("status"),
                    entry.get("fetched_at"),
                )
            raise NotModified(f"{request.url[:200]}: 304 Not Modified")
        if response.status != 200:
            return response
        digest = hashlib.sha256(response.body).hexdigest()
        if entry and entry.get("body_sha256") == digest:
            self._stat("ewsi/fetch/not_modified")
            self._stat("ewsi/fetch/same_body")
            if request.meta.get("ewsi_unconditional"):  # restart the 24 h
                self.pending[request.url] = (etag, modified, digest, response.status, None)
            raise NotModified(f"{request.url[:200]}: same body as last time")
        self.pending[request.url] = (etag, modified, digest, response.status, None)
        return response

    def spider_closed(self, spider: Spider, reason: str) -> None:
        stats = self.crawler.stats.get_stats() if self.crawler.stats else {}
        if reason != "finished" or any(k.startswith("ewsi/errors/") for k in stats) or not self.pending:
            return
        from crawler import store

        try:
            with store.session_scope(self.database_url) as session:
                for url, (etag, modified, digest, status, fetched_at) in self.pending.items():
                    store.put_http_cache(session, url, etag, modified, digest, status, fetched_at=fetched_at)
        except Exception as exc:  # the next run fetches in full; nothing is lost
            logger.warning("could not store http cache validators: %s", exc)
