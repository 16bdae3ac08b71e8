"""Which URLs a sitemap vouches for: its own site (source setting ``sitemap: {same_site_only: true}``).

Rule (sitemaps.org, "Sitemap file location": every URL of a sitemap is on the host of the sitemap):
with `same_site_only` on, an entry of a urlset, or a child sitemap of an index, on another site than
the sitemap that lists it is not followed. The spider drops it before anything else (before
`max_items`, so it never takes an own entry's place), counts it ``ewsi/dropped/off_site`` (the crawl
summary's dropped column) and logs one line per source with the count when the spider closes. The
setting is off by default: a "sitemap" source may be an operator's curated list of other sites'
articles (../shared/corpus's news sitemap), and then every entry is harvested.

A site (`site_of`) is the URL's host name, lower case, without a final dot, an IDN in its punycode
form (``bücher.example`` is ``xn--bcher-kva.example``), with one leading ``www.`` removed, and its
port when it is not the scheme's default. So ``example.org``, ``WWW.Example.org.`` and
``www.example.org:443`` (https) are one site; ``news.example.org`` (a subdomain),
``example.org.evil.test`` and ``example.org:8080`` are others. Why the host and not the registrable
domain: sitemaps.org names the host, and a registrable domain is shared by unrelated publishers
(``ec.europa.eu`` and ``eur-lex.europa.eu``, every site under one university's or ministry's
domain); only ``www.`` is folded, because a site answers under both names and its sitemap often
lists the other one. http and https on their default ports are one site (a site moved to HTTPS often
still lists the other scheme; Google relaxes sitemaps.org's one-protocol rule the same way).

The sitemap's own site is that of the URL it was asked at (the source's URL, an index's entry) and
that of the URL that answered after redirects: a site that serves its sitemap from another host
through a redirect, or moved to a new domain, vouches for its pages either way. Not followed: the
cross-submit of robots.txt ``Sitemap:`` lines (a sitemap hosted elsewhere vouched for by the site's
robots.txt) and the path rule (a sitemap in ``/catalog/`` naming URLs outside it), which Google does
not enforce either. A URL with no http(s) host, or with a port out of range, is on no site.
"""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import urlsplit

from w3lib.url import safe_url_string

OFF_SITE = "off_site"
"""Dropped reason of a sitemap entry on another site than its sitemap's (module rule)."""

_DEFAULT_PORTS = {"http": 80, "https": 443}

Site = tuple[str, int | None]
"""(host without one leading ``www.``, port when it is not the scheme's default, else None)."""


def site_of(url: str) -> Site | None:
    """The site of `url` (module rule); None for a URL with no http(s) host or a port out of range."""
    try:
        parts = urlsplit(safe_url_string(url.strip()))  # an IDN host in punycode
        port = parts.port
    except ValueError:
        return None
    host = (parts.hostname or "").rstrip(".")
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS or not host:
        return None
    return host.removeprefix("www."), None if port in (None, _DEFAULT_PORTS[scheme]) else port


def sitemap_sites(urls: Iterable[str]) -> frozenset[Site]:
    """The sites a sitemap vouches for: those of `urls` (the URL asked for and the one that answered,
    module rule), URLs on no site left out."""
    return frozenset(site for url in urls if (site := site_of(url)) is not None)


def on_site(url: str, sites: frozenset[Site]) -> bool:
    """Whether `url` is on one of `sites` (`sitemap_sites`)."""
    site = site_of(url)
    return site is not None and site in sites
