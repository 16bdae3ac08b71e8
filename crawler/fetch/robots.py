"""robots.txt read as RFC 9309 says, on Scrapy's RobotsTxtMiddleware and its Protego parser.

What a host's robots.txt answer means (`rules_for`):
- 2xx: the body is the rules; byte order marks and the line ending (CRLF, CR or LF) change nothing;
- 4xx (404, 401, 403, 410, ...): "unavailable": no rules, everything may be fetched (RFC 9309 2.3.1.3);
- 429 Too Many Requests, although a 4xx, is "unreachable" as 5xx is: the server says it is asked too
  often, and reading that as "no rules" would crawl it without limits just then (Google's crawlers
  and Apache Nutch read it so: apache/nutch#786, NUTCH-3011; `UNREACHABLE_4XX`);
- 5xx: "unreachable": complete disallow for the rest of the run (2.3.1.4); every request to the host
  is refused with ``fetch.robots_unreachable`` and a message naming the status, so the run fails,
  the source backs off and the next run asks again;
- no answer at all (DNS, refused connection, timeout, after Scrapy's retries): unreachable too,
  refused under the network failure's own key (``fetch.dns``, ``fetch.timeout``, ...), never
  ``fetch.robots_unreachable`` (that key says the server answered 5xx or 429); a host under ``.invalid``
  is refused by the guard before any lookup (crawler.fetch.addresses.never_resolves), also
  ``fetch.dns``;
- redirects are followed by Scrapy's RedirectMiddleware up to ``REDIRECT_MAX_TIMES`` (5, 2.3.1.2);
  beyond that the file counts as unavailable (everything allowed), as Scrapy already does.
Scope (RFC 9309 2.3): a robots.txt answers for its origin, the scheme, host and port it was fetched
from; Scrapy keys its parsers by ``host:port`` alone, so `RfcRobotsTxtMiddleware.robot_parser` keys
them by ``scheme://host:port``: ``http://h/`` and ``https://h/`` each read their own file (what
they give, Crawl-delay included, is applied by crawler.fetch.politeness per origin).
robots.txt requests pass through the downloader middlewares like any other, so ``EWSI_RECORD``
writes them into the WARC and a replay answers them from it: a replayed run applies the same rules.
"""

from __future__ import annotations

import logging
from typing import Any

from scrapy import Request
from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response
from scrapy.http.request import NO_CALLBACK
from scrapy.robotstxt import ProtegoRobotParser
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.httpobj import urlparse_cached
from twisted.internet.defer import Deferred

from crawler.errors import error_key_for
from crawler.fetch.refusals import FetchRefused

logger = logging.getLogger(__name__)

_BOM = b"\xef\xbb\xbf"


class Unreachable:
    """The robots.txt of a host could not be read: nothing on the host may be fetched."""

    def __init__(self, key: str, reason: str):
        self.key = key
        self.reason = reason

    def allowed(self, url: str | bytes, user_agent: str | bytes) -> bool:
        return False

    def sitemaps(self) -> list[str]:
        return []

    def crawl_delay(self, user_agent: str | bytes) -> float | None:
        return None


def clean_body(body: bytes) -> bytes:
    """Without leading byte order marks and with every line ending as LF."""
    while body.startswith(_BOM):
        body = body[len(_BOM) :]
    return body.replace(b"\r\n", b"\n").replace(b"\r", b"\n")


UNREACHABLE_4XX = frozenset({429})
"""4xx statuses of a robots.txt read as 5xx, "unreachable" (module docstring)."""


def rules_for(status: int, body: bytes, url: str = "robots.txt") -> ProtegoRobotParser | Unreachable:
    """The rules a robots.txt answer gives (module docstring)."""
    if 200 <= status < 300:
        return ProtegoRobotParser(clean_body(body), None)
    if 400 <= status < 500 and status not in UNREACHABLE_4XX:
        return ProtegoRobotParser(b"", None)
    return Unreachable("fetch.robots_unreachable", f"{url} answered HTTP {status}: complete disallow")


class RfcRobotsTxtMiddleware(RobotsTxtMiddleware):
    """Scrapy's RobotsTxtMiddleware with the status rules of `rules_for`, reasons on refusals, and
    one parser per origin (module docstring, scope)."""

    async def robot_parser(self, request: Request) -> Any:
        """Scrapy's `robot_parser`, keyed by ``scheme://netloc`` instead of ``netloc``."""
        url = urlparse_cached(request)
        key = f"{url.scheme}://{url.netloc}"
        if key not in self._parsers:
            self._parsers[key] = Deferred()
            robots = Request(
                f"{key}/robots.txt",
                priority=self.DOWNLOAD_PRIORITY,
                meta={"dont_obey_robotstxt": True},
                callback=NO_CALLBACK,
            )
            try:
                response = await self.crawler.engine.download_async(robots)
                await self._parse_robots(response, key, request)
            except Exception as exc:
                if not isinstance(exc, IgnoreRequest):
                    logger.error("Error downloading %s: %s", robots, exc, exc_info=True)
                self._robots_error(exc, key)
            self._stats.inc_value("robotstxt/request_count")
        parser = self._parsers[key]
        if isinstance(parser, Deferred):
            return await maybe_deferred_to_future(parser)
        return parser

    def process_request_2(self, rp: Any, request: Request) -> None:
        if isinstance(rp, Unreachable):
            self._stats.inc_value("ewsi/robots/refused_unreachable")
            raise FetchRefused(rp.key, f"robots.txt unreachable, not fetched: {rp.reason}")
        super().process_request_2(rp, request)

    async def _parse_robots(self, response: Response, netloc: str, request: Request) -> None:
        rules = rules_for(response.status, response.body, response.url)
        if isinstance(rules, Unreachable):
            self._stats.inc_value("robotstxt/response_count")
            self._stats.inc_value(f"robotstxt/response_status_count/{response.status}")
            self._settle(netloc, rules)
            return
        response = response.replace(body=clean_body(response.body) if response.status < 300 else b"")
        await super()._parse_robots(response, netloc, request)

    def _robots_error(self, exc: Exception, key: str) -> None:
        netloc = key.partition("://")[2] or key  # the parser's key is the origin; messages name the host
        if isinstance(exc, FetchRefused) and exc.ewsi_key == "fetch.dns":  # a name that never resolves
            self._settle(key, Unreachable("fetch.dns", f"robots.txt of {netloc} not fetched: {exc}"))
            return
        if isinstance(exc, IgnoreRequest):  # refused by a guard or too many redirects: unavailable
            super()._robots_error(exc, key)
            return
        error = error_key_for(exc)
        self._stats.inc_value(f"robotstxt/exception_count/{type(exc)}")
        self._settle(
            key, Unreachable(error, f"robots.txt of {netloc} not fetched: {type(exc).__name__}: {exc}")
        )

    def _settle(self, netloc: str, rules: Unreachable) -> None:
        logger.warning("%s", rules.reason)
        if self.crawler.stats is not None:
            self.crawler.stats.set_value("ewsi/robots/unreachable", rules.reason[:300])
        pending = self._parsers.get(netloc)
        self._parsers[netloc] = rules  # type: ignore[assignment]
        if pending is not None and hasattr(pending, "callback"):
            pending.callback(rules)  # type: ignore[arg-type]
