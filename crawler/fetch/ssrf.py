"""SSRF guard in the downloader: `GuardedResolver` (name resolution) and `GuardMiddleware` (requests).

Settings read: ``TWISTED_DNS_RESOLVER`` (must name `GuardedResolver` or a subclass; anything else
is a configuration error), ``EWSI_REPLAY`` (set: the guard is off, replay never touches the
network) and the allowlist ``EWSI_ALLOW_PRIVATE`` (a Scrapy setting handed down from
crawler.config, parsed by `addresses.Allowlist.parse`). The rules themselves (schemes,
non-public networks, address spellings, allowlist entries) are in crawler.fetch.addresses; this
module applies them before every connection. Refusals are `FetchRefused` with key ``fetch.blocked_address`` or
``fetch.blocked_scheme``, counted in stats ``ewsi/guard/<key>``.
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import urljoin

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import Response
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.misc import load_object
from twisted.internet import defer, threads
from twisted.internet.address import IPv4Address, IPv6Address
from twisted.internet.interfaces import IHostnameResolver, IHostResolution, IResolutionReceiver
from twisted.python.failure import Failure
from zope.interface import implementer

from crawler.errors import EwsiError
from crawler.fetch import addresses
from crawler.fetch.refusals import FetchRefused

logger = logging.getLogger(__name__)


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

    def __init__(self, reactor: Any = None, allow: addresses.Allowlist | None = None):
        self.reactor = reactor
        self.allow = allow or addresses.Allowlist()

    @classmethod
    def from_crawler(cls, crawler: Any, reactor: Any) -> GuardedResolver:
        return cls(reactor, addresses.Allowlist.parse(crawler.settings.get("EWSI_ALLOW_PRIVATE")))

    def install_on_reactor(self) -> None:
        self.reactor.installNameResolver(self)

    @staticmethod
    def lookup(host: str, port: int) -> list[str]:
        """Addresses of `host` (text), via the system resolver; raises OSError when there is none."""
        import socket

        infos = socket.getaddrinfo(host, port, 0, socket.SOCK_STREAM)
        return list(dict.fromkeys(str(info[4][0]) for info in infos))

    @classmethod
    def resolve_checked(cls, host: str, port: int, allow: addresses.Allowlist) -> defer.Deferred[list[str]]:
        """Deferred list of the allowed, pinned addresses of `host`; fails with `addresses.BlockedAddress`."""
        key = host.lower().rstrip(".")
        if addresses.never_resolves(key):  # not even asked: the name cannot exist (RFC 6761 §6.4)
            return defer.fail(OSError(f"{key}: a special-use name that never resolves"))
        literal = addresses.parse_ip(key)
        if literal is not None:
            try:
                return defer.succeed(addresses.check_addresses(key, port, [str(literal)], allow))
            except addresses.BlockedAddress as exc:
                return defer.fail(exc)
        if key in cls._pins:
            try:  # the pin holds what the lookup gave; the port decides host:port allowlist entries
                return defer.succeed(addresses.check_addresses(key, port, cls._pins[key], allow))
            except addresses.BlockedAddress as exc:
                return defer.fail(exc)

        def pin(found: list[str]) -> list[str]:
            cls._pins.setdefault(key, found)
            return addresses.check_addresses(key, port, cls._pins[key], allow)

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
        resolutionReceiver.resolutionBegan(resolution)  # type: ignore[call-arg]

        def answer(found: list[str]) -> None:
            for text in found:
                ip = addresses.parse_ip(text)
                if ip is None:
                    continue
                cls_ = IPv6Address if ip.version == 6 else IPv4Address
                resolutionReceiver.addressResolved(cls_("TCP", ip.compressed, portNumber))  # type: ignore[call-arg]
            resolutionReceiver.resolutionComplete()  # type: ignore[misc]

        def refuse(failure: Failure) -> None:
            GuardedResolver._blocked[hostName.lower()] = failure.getErrorMessage()
            # no address: the endpoint fails to connect
            resolutionReceiver.resolutionComplete()  # type: ignore[misc]

        deferred = self.resolve_checked(hostName, portNumber, self.allow)
        deferred.addCallbacks(answer, refuse)
        return resolution


class GuardMiddleware:
    """Refuse requests whose scheme is not http(s) or whose host is non-public, before connecting.

    Checks every request that reaches the downloader: the source's URLs, robots.txt, redirects
    (each hop is a new request), meta refresh targets, followed item pages and sitemap children.
    Literal addresses are judged in every spelling (`crawler.fetch.addresses.parse_ip`), names by what
    `GuardedResolver` resolves and pins. A 3xx whose Location is not http(s) is refused as
    ``fetch.blocked_scheme`` (Scrapy hands it to the spider unchanged). Off in replay mode,
    which never touches the network. Raises `FetchRefused` with key ``fetch.blocked_address``
    or ``fetch.blocked_scheme``, and ``fetch.dns`` at once for a name that never resolves
    (`crawler.fetch.addresses.never_resolves`: ``.invalid``, ``.onion``).
    """

    def __init__(self, crawler: Crawler, resolver: type[GuardedResolver]):
        self.crawler = crawler
        self.resolver = resolver
        self.allow = addresses.Allowlist.parse(crawler.settings.get("EWSI_ALLOW_PRIVATE"))

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> GuardMiddleware:
        if crawler.settings.get("EWSI_REPLAY"):
            raise NotConfigured("replay mode does not use the network")
        resolver = load_object(crawler.settings.get("TWISTED_DNS_RESOLVER"))
        if not (isinstance(resolver, type) and issubclass(resolver, GuardedResolver)):
            raise ValueError("TWISTED_DNS_RESOLVER must be crawler.fetch.ssrf.GuardedResolver (SSRF guard)")
        return cls(crawler, resolver)

    def _refuse(self, exc: EwsiError, request: Request) -> FetchRefused:
        if self.crawler.stats is not None:
            self.crawler.stats.inc_value(f"ewsi/guard/{exc.key}")
        logger.warning("refused %s: %s", request.url[:200], exc)
        return FetchRefused(exc.key, str(exc))

    async def process_request(self, request: Request) -> None:
        try:
            host, port, literal = addresses.check_url(request.url, self.allow)
        except (addresses.BlockedAddress, addresses.BlockedScheme) as exc:
            raise self._refuse(exc, request) from None
        if literal is not None:
            return
        if addresses.never_resolves(host):  # RFC 6761 / 7686: fail fast, no lookup, no retry
            if self.crawler.stats is not None:
                self.crawler.stats.inc_value("ewsi/guard/fetch.dns")
            raise FetchRefused("fetch.dns", f"{host}: a special-use name that never resolves (RFC 6761)")
        try:
            await maybe_deferred_to_future(self.resolver.resolve_checked(host, port, self.allow))
        except addresses.BlockedAddress as exc:
            raise self._refuse(exc, request) from None
        except OSError:
            return  # unresolvable: the download fails with the usual DNS error (fetch.dns)

    def process_response(self, request: Request, response: Response) -> Any:
        location = response.headers.get(b"Location")
        if 300 <= response.status < 400 and location:
            try:
                addresses.check_scheme(urljoin(request.url, location.decode("latin-1")))
            except addresses.BlockedScheme as exc:
                raise self._refuse(exc, request) from None
        return response
