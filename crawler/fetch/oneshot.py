"""One polite, guarded GET for operator tools (`ewsi sources add|check`), outside a Scrapy crawl.

Same rules as a harvest's fetch layer: http(s) only and public addresses only (crawler.fetch.
addresses, allowlist from the settings), robots.txt read with protego for the product token
``ewsi-harvester``, the harvest's User-Agent, at most `MAX_REDIRECTS` redirects (each hop checked
again), bodies of at most `max_bytes` (the crawl's DOWNLOAD_MAXSIZE) decoded by the crawl's
`decode_body`, `timeout` seconds per request. HTTP errors are answers, not exceptions: a `Fetched`
carries the status. A refused URL (`BlockedAddress`, `BlockedScheme`) or a network failure
(`OSError`) raises, and so does an answer the crawl refuses, as `FetchRefused` with the crawl's
key: a body over the limit (announced, sent or decoded) ``fetch.too_large``, a body shorter than
its Content-Length, a broken chunk or a corrupt compression ``fetch.data_loss``, a redirect loop
or chain past `MAX_REDIRECTS` ``fetch.redirect_limit``.
"""

from __future__ import annotations

import http.client
import socket
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from email.message import Message
from urllib.parse import urljoin, urlsplit

from crawler.encoding import MIXED_ENCODING
from crawler.fetch.addresses import Allowlist, check_addresses, check_url
from crawler.fetch.compression import decode_body
from crawler.fetch.refusals import FetchRefused
from crawler.settings import DOWNLOAD_MAXSIZE, REDIRECT_MAX_TIMES

MAX_REDIRECTS = REDIRECT_MAX_TIMES
ROBOTS_TOKEN = "ewsi-harvester"  # noqa: S105 - the robots.txt product token, not a secret


@dataclass
class Fetched:
    """One answer: the URL asked, the final URL after redirects, status, headers, body."""

    url: str
    final_url: str
    status: int
    content_type: str = ""
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    redirects: list[tuple[int, str]] = field(default_factory=list)
    """each redirect followed, in order: its status (301, 302, ...) and the URL it led to"""


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


_OPENER = urllib.request.build_opener(_NoRedirect)


def _guard(url: str, allow: Allowlist) -> None:
    host, port, ip = check_url(url, allow)
    if ip is None:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        check_addresses(host, port, [str(info[4][0]) for info in infos], allow)


def _read(response: http.client.HTTPResponse | urllib.error.HTTPError, url: str, max_bytes: int) -> bytes:
    """The whole raw body, refused as the crawl refuses it (module docstring)."""
    expected = getattr(response, "length", None)  # Content-Length, None when chunked
    if isinstance(expected, int) and expected > max_bytes:
        raise FetchRefused("fetch.too_large", f"{url[:200]}: {expected} B announced, max size {max_bytes} B")
    try:
        raw = response.read(max_bytes + 1)
    except http.client.IncompleteRead as exc:
        raise FetchRefused("fetch.data_loss", f"{url[:200]}: body cut short: {exc!r}") from None
    if len(raw) > max_bytes:
        raise FetchRefused("fetch.too_large", f"{url[:200]}: body over max size {max_bytes} B")
    if isinstance(expected, int) and len(raw) < expected:
        raise FetchRefused("fetch.data_loss", f"{url[:200]}: body cut short ({len(raw)} of {expected} B)")
    return raw


def _one(url: str, user_agent: str, timeout: float, max_bytes: int) -> Fetched:
    headers = {"User-Agent": user_agent, "Accept-Encoding": "gzip"}
    request = urllib.request.Request(url, headers=headers)  # noqa: S310 - http(s) only: _guard ran
    try:
        response = _OPENER.open(request, timeout=timeout)
    except urllib.error.HTTPError as err:
        response = err
    with response:
        raw = _read(response, url, max_bytes)
        answer_headers: Message = response.headers
        status = int(response.status or 0)
    return Fetched(
        url=url,
        final_url=url,
        status=status,
        content_type=answer_headers.get("Content-Type") or "",
        body=decode_body(raw, answer_headers.get("Content-Encoding") or "", max_bytes, url),
        headers={k.lower(): v for k, v in answer_headers.items()},
    )


def fetch(
    url: str,
    *,
    user_agent: str,
    allow: Allowlist | None = None,
    timeout: float = 20.0,
    max_bytes: int = DOWNLOAD_MAXSIZE,
) -> Fetched:
    """GET `url`, following up to `MAX_REDIRECTS` guarded redirects (rules in the module docstring)."""
    allow = allow or Allowlist()
    current = url
    redirects: list[tuple[int, str]] = []
    for _hop in range(MAX_REDIRECTS + 1):
        _guard(current, allow)
        got = _one(current, user_agent, timeout, max_bytes)
        location = got.headers.get("location")
        if got.status in (301, 302, 303, 307, 308) and location:
            current = urljoin(current, location)
            redirects.append((got.status, current))
            continue
        got.url, got.final_url, got.redirects = url, current, redirects
        return got
    raise FetchRefused("fetch.redirect_limit", f"{url[:200]}: max redirections ({MAX_REDIRECTS}) reached")


def robots_allows(
    url: str, *, user_agent: str, allow: Allowlist | None = None, timeout: float = 20.0
) -> tuple[bool, str]:
    """(may `url` be fetched, the robots.txt text). A missing, failing or refused robots.txt allows
    everything."""
    from protego import Protego

    parts = urlsplit(url)
    robots_url = f"{parts.scheme}://{parts.netloc}/robots.txt"
    try:
        got = fetch(robots_url, user_agent=user_agent, allow=allow, timeout=timeout)
    except (OSError, FetchRefused):
        return True, ""
    if got.status != 200:
        return True, ""
    text = got.body.decode("utf-8", MIXED_ENCODING)
    return Protego.parse(text).can_fetch(url, ROBOTS_TOKEN), text
