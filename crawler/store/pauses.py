"""Hosts paused now, as ``ewsi sources status`` and ``ewsi sources check`` show them.

A host is paused when it asked, with a 429/503 whose Retry-After exceeds EWSI_RETRY_AFTER_MAX, not to
be contacted (crawler.health rule 6; at most a day). One record says so, and only it: the host's row
of ``host_budgets`` whose ``closed_until`` lies ahead: on PostgreSQL written by every process as it
happens (crawler.store.host_budget `closures`, capped as `reserve` obeys it), elsewhere at the end
of the run that saw it, and obeyed by the next runs (crawler.store.host_closures).

Rule: the pause shown is the closure's end (the Retry-After, capped at a day), never a source's
back-off: a source skipped or failed during the pause has its own ``backoff_until`` (its failure
count's exponential back-off may reach past the pause), which ``ewsi sources status`` shows on the
source's row, not as the host's.

`host_pauses` gives one entry per host: host, until (ISO 8601 UTC), the error key of the answer that
closed it, and the configured sources whose URLs are on that host.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy.orm import Session

from crawler.store import host_budget, host_closures
from crawler.text import iso_z


def host_of(url: str) -> str:
    """The host key of a URL as the host gate keys it: lower case, no final dot ("" when none)."""
    try:
        return (urlsplit(url.strip()).hostname or "").rstrip(".")
    except ValueError:
        return ""


def host_pauses(session: Session, urls: Mapping[str, Iterable[str]]) -> list[dict[str, Any]]:
    """Paused hosts of the sources `urls` (source id -> its URLs), soonest reopening first (module
    docstring). Each entry: host, until (ISO 8601 Z), key, sources (ids in order)."""
    hosts: dict[str, set[str]] = {}
    for source_id, source_urls in urls.items():
        for url in source_urls:
            if host := host_of(url):
                hosts.setdefault(host, set()).add(source_id)
    found: dict[str, tuple[datetime, str]] = {}
    if session.get_bind().dialect.name == "postgresql":
        closed = host_budget.closures(session.connection())
    else:
        closed = host_closures.load(session)
    for host, until, key in closed:
        if host in hosts:
            found[host] = (until, key)
    return [
        {"host": host, "until": iso_z(until), "key": key, "sources": sorted(hosts[host])}
        for host, (until, key) in sorted(found.items(), key=lambda item: (item[1][0], item[0]))
    ]
