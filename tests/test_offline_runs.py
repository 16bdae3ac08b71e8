"""A crawl with no network at all is not counted against the sources (crawler.commands.crawl
`machine_offline`, crawler.store.runs `forgive_offline`), on SQLite and PostgreSQL.

Rule: when no source host could be reached at all in a run (every source failed with a DNS, connect,
timeout or TLS error), the runs are recorded with their error but the sources' failure counts and
back-off are not advanced; one reachable source, or one failing otherwise, makes every failure count.
"""

from __future__ import annotations

import socket
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from crawler.commands.crawl import (
    URL_CHARS,
    _print_summary,
    cut_url,
    machine_offline,
    offline_summary,
    server,
)
from crawler.store.runs import finish_run, forgive_offline, health_of, start_run
from crawler.store.schema import CrawlRun, SourceRow
from crawler.store.sources import sync_sources
from crawler.types import CrawlReport
from tests.test_cases import LAB_HOST, crawl, migrate, session, write_config


def _report(source_id: str, status: str, key: str | None = None, error: str | None = None) -> CrawlReport:
    now = datetime.now(UTC)
    return CrawlReport(
        source_id=source_id, started_at=now, finished_at=now, status=status, error_key=key, error=error
    )


@pytest.mark.parametrize(
    ("outcomes", "offline"),
    [
        ([("failed", "fetch.dns"), ("failed", "fetch.dns")], True),
        ([("failed", "fetch.connect"), ("failed", "fetch.timeout"), ("failed", "fetch.tls")], True),
        # one host is no evidence of a machine without network: a dead feed crawled alone counts
        ([("failed", "fetch.connect")], False),
        ([("failed", "fetch.dns")], False),
        ([("failed", "fetch.dns"), ("ok", None)], False),
        ([("failed", "fetch.dns"), ("failed", "parse.no_items")], False),
        ([("failed", "fetch.dns"), ("failed", "http.500")], False),
        ([("failed", "fetch.dns"), ("interrupted", "crawl.interrupted")], False),
        ([("ok", None)], False),
        ([], False),
    ],
)
def test_machine_offline_only_when_no_host_at_all_answered(
    outcomes: list[tuple[str, str | None]], offline: bool
) -> None:
    reports = [_report(f"s{i}", status, key) for i, (status, key) in enumerate(outcomes)]
    assert machine_offline(reports, {f"s{i}": {f"s{i}.eu"} for i in range(len(reports))}) is offline
    # the same sources on one host: one host tried, no evidence
    assert not machine_offline(reports, {f"s{i}": {"one.eu"} for i in range(len(reports))})
    # one source whose start URLs name two hosts, neither reached: the machine is offline
    if len(reports) == 1 and offline is False and reports[0].status == "failed":
        assert machine_offline(reports, {"s0": {"a.eu", "b.eu"}})


DNS = "https://s0.eu/feed?x=1: FetchRefused: robots.txt of s0.eu not fetched: CannotResolveHostError"
LONG = (
    "https://s0.eu/" + "a" * 100 + "/" + "b" * 300 + ": robots.txt not fetched: CannotResolveHostError: DNS"
)
ALL_FORGIVEN = (
    "This machine seems to have no network, so these failures are not held against the sources (no back-off)."
)


@pytest.mark.parametrize(
    ("failures", "forgiven", "words"),
    [
        pytest.param(
            [("fetch.dns", DNS)] * 3,
            3,
            "Offline: none of the 3 sources could be reached (fetch.dns for all 3: the host names do not "
            f"resolve). {ALL_FORGIVEN} Example: s0: https://s0.eu/feed?x=1.",
            id="one-key",
        ),
        pytest.param(
            [("fetch.dns", None), ("fetch.connect", "refused"), ("fetch.connect", "refused")],
            3,
            "(fetch.connect for 2: the connections were refused or reset; fetch.dns for 1: the host name "
            f"does not resolve). {ALL_FORGIVEN} Example: s0: fetch.dns.",
            id="two-keys-no-url",
        ),
        pytest.param(
            [("fetch.timeout", "took\n too   long")],
            1,
            "Offline: the source could not be reached (fetch.timeout: no answer came in time). This machine "
            "seems to have no network, so this failure is not held against the source (no back-off). "
            "Example: s0: took too long.",
            id="one-source",
        ),
        pytest.param(
            [("fetch.dns", LONG)] * 2,
            2,
            f"{ALL_FORGIVEN} Example: s0: https://s0.eu/{'a' * 100}/…",
            id="long-url-cut-at-a-slash",
        ),
        pytest.param(
            [("fetch.dns", DNS)] * 3,
            2,
            "so the failures of 2 of them are not held against them (no back-off); the others ran again "
            "meanwhile and their failures count.",
            id="partly-forgiven",
        ),
        pytest.param(
            [("fetch.dns", DNS)] * 2,
            0,
            "This machine seems to have no network; the sources ran again meanwhile, so these failures "
            "count.",
            id="none-forgiven",
        ),
    ],
)
def test_an_offline_run_is_one_summary_line_not_a_line_per_source(
    failures: list[tuple[str, str | None]], forgiven: int, words: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """Rule: one line of plain sentences: how many sources, which keys and what they mean, whether
    their failures count, and one source with its URL (whole, or cut after a path boundary)."""
    reports = [_report(f"s{i}", "failed", key, error) for i, (key, error) in enumerate(failures)]
    assert machine_offline(reports, {f"s{i}": {f"s{i}.eu", "other.eu"} for i in range(len(reports))})
    line = offline_summary(reports, forgiven)
    assert line.startswith("Offline: ") and "\n" not in line and words in line
    assert "(s)" not in line and "E.g." not in line and " … " not in line
    example = line.split(" Example: ", 1)[1]
    assert len(example) <= URL_CHARS + 10
    _print_summary(reports, notes=False)
    table = capsys.readouterr().out
    assert all(f"s{i}: " not in table and f"s{i} " in table for i in range(len(reports)))  # key kept, no note
    _print_summary(reports)  # a run that is not offline keeps a line per source with a message
    shown = capsys.readouterr().out
    assert [f"s{i}: " in shown for i in range(len(reports))] == [bool(error) for _, error in failures]


@pytest.mark.parametrize(
    ("url", "cut"),
    [
        ("https://a.eu/x?y=1", "https://a.eu/x?y=1"),
        ("https://a.eu/" + "p" * 20 + "/" + "q" * 20, "https://a.eu/" + "p" * 20 + "/…"),
        ("https://a.eu/p?" + "q" * 20 + "&r=" + "s" * 20, "https://a.eu/p?" + "q" * 20 + "&…"),
        ("https://a.eu/" + "p" * 60, "https://a.eu/…"),
        ("https://" + "h" * 60 + ".eu/", "https://" + "h" * 32 + "…"),
    ],
)
def test_cut_url_at_a_path_boundary(url: str, cut: str) -> None:
    assert cut_url(url, 40) == cut


def _source(source_id: str) -> Any:
    from crawler.sources import Source

    return Source(
        id=source_id, name=source_id, publisher="P", kind="feed", urls=[f"https://{source_id}.invalid/"]
    )


PRIOR = [
    # (failures before, runs between the snapshot and the take-back, failures after it)
    pytest.param(0, 1, 0, id="healthy-one-offline-run"),
    pytest.param(2, 1, 2, id="failing-keeps-its-own-count"),
    pytest.param(0, 2, 2, id="another-run-finished-meanwhile"),
]


@pytest.mark.parametrize(("failures", "runs", "after"), PRIOR)
def test_forgive_offline_takes_back_the_failure_and_back_off(
    db_session: Any, failures: int, runs: int, after: int
) -> None:
    sync_sources(db_session, [_source("src-a")])
    row = db_session.get(SourceRow, "src-a")
    earlier = datetime.now(UTC) - timedelta(minutes=5) if failures else None
    row.consecutive_failures, row.backoff_until = failures, earlier
    row.state = "failing" if failures else "healthy"
    db_session.commit()
    before = health_of(db_session, ["src-a", "unknown"])
    assert set(before) == {"src-a"}
    for _ in range(runs):
        finish_run(db_session, start_run(db_session, "src-a"), _report("src-a", "failed", "fetch.dns"))
    db_session.commit()
    forgiven = forgive_offline(db_session, before)
    db_session.commit()
    db_session.refresh(row)
    assert row.consecutive_failures == after
    assert forgiven == (["src-a"] if runs == 1 else [])
    if runs == 1:
        assert row.state == ("failing" if failures else "healthy")
        assert (row.backoff_until is None) == (earlier is None)
        assert row.last_error_key == "fetch.dns"  # not silent: the source shows what happened
    else:
        assert row.backoff_until is not None and row.backoff_until > datetime.now(UTC)
    keys = db_session.scalars(select(CrawlRun.error_key).where(CrawlRun.source_id == "src-a")).all()
    assert keys == ["fetch.dns"] * runs  # the runs stay recorded with their error


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind((LAB_HOST, 0))
        return int(probe.getsockname()[1])


@pytest.mark.slow  # one real `ewsi crawl` child process (about 7 s); SQLite only
def test_a_crawl_with_no_reachable_host_sets_no_back_off(tmp_path: Path) -> None:
    """Every source on a closed loopback port (connection refused, as offline): the hint is printed,
    the runs are recorded failed, no source backs off."""
    db_url = f"sqlite:///{tmp_path / 'ewsi.sqlite'}"
    migrate(db_url)
    ports = {sid: _closed_port() for sid in ("off-a", "off-b")}
    config = write_config(
        tmp_path,
        [
            {"id": sid, "kind": "feed", "urls": [f"http://{LAB_HOST}:{port}/{sid}.xml"]}
            for sid, port in ports.items()
        ],
    )
    result = crawl(db_url, config)
    assert "To harvest without a network, replay an archive" in result.stdout, result.stdout + result.stderr
    said = "none of the 2 sources could be reached (fetch.connect for all 2: the connections were refused"
    assert said in result.stdout
    assert "so these failures are not held against the sources (no back-off)" in result.stdout
    hint = "To harvest without a network, replay an archive: make replay"
    assert result.stdout.rstrip().splitlines()[-1].startswith(hint)  # the summary's last line
    # each source's key stays in the table; one example message, not a line per source
    rows = [line.split() for line in result.stdout.splitlines()]
    assert [row[0] for row in rows if row[-1:] == ["fetch.connect"]] == ["off-a", "off-b"]
    assert sum(f"{LAB_HOST}:" in line for line in result.stdout.splitlines()) == 1
    with session(db_url) as s:
        rows = s.scalars(select(SourceRow).where(SourceRow.id.in_(["off-a", "off-b"]))).all()
        assert [(r.consecutive_failures, r.backoff_until, r.last_error_key) for r in rows] == [
            (0, None, "fetch.connect")
        ] * 2
        runs = s.scalars(select(CrawlRun.status)).all()
        assert runs == ["failed", "failed"]


@pytest.mark.slow  # one real `ewsi crawl` child process; SQLite only
def test_a_dead_source_crawled_alone_counts_its_failure(tmp_path: Path) -> None:
    """One server refusing is no evidence of a machine without network: ``ewsi crawl --source``
    of a dead feed prints its error, no offline summary, and the source's failure counts."""
    db_url = f"sqlite:///{tmp_path / 'ewsi.sqlite'}"
    migrate(db_url)
    port = _closed_port()
    config = write_config(
        tmp_path, [{"id": "dead-feed", "kind": "feed", "urls": [f"http://{LAB_HOST}:{port}/f.xml"]}]
    )
    for _ in range(2):
        result = crawl(db_url, config)
        assert "Offline:" not in result.stdout and "replay an archive" not in result.stdout, result.stdout
        assert "dead-feed: " in result.stdout  # its own line with the message
    with session(db_url) as s:
        row = s.get(SourceRow, "dead-feed")
        assert row is not None and row.consecutive_failures == 2 and row.last_error_key == "fetch.connect"


@pytest.mark.parametrize(
    ("urls", "servers"),
    [
        (["https://a.eu/x", "https://a.eu:443/y", "https://A.eu/z"], 1),
        (["http://a.eu/x", "https://a.eu/x"], 2),
        (["https://a.eu/x", "https://a.eu:8443/x"], 2),
        (["https://a.eu/x", "https://b.eu/x"], 2),
    ],
)
def test_one_server_however_its_url_is_written(urls: list[str], servers: int) -> None:
    """The default port written out or a host in capitals is the same server: one source whose URLs
    all name one server is no evidence of a machine without network."""
    assert len({server(u) for u in urls}) == servers
    hosts = {"s0": {server(u) for u in urls}}
    assert machine_offline([_report("s0", "failed", "fetch.dns")], hosts) is (servers >= 2)
