"""`ewsi crawl`: harvest the enabled sources (or the named ones) into the review queue.

Prints a progress line per source, a summary table and a line per source with an error; a run
that reached no host at all, of two or more (`machine_offline`), gets one `offline_summary` line and a hint
instead of those lines. Exit 0 when the run completed, even if some sources failed (their health
records why); 2 for an unknown source id, an unreadable archive or a `--replay-run` whose run
archived nothing (ConfigError, DatabaseUnavailable and ArchiveError are
mapped by crawler.cli); 130 when stopped. `--replay-run RUN_ID` replays the WARC file a run stored
with EWSI_ARCHIVE_URL set (crawler.store.warc_locations says where), for that run's source only.
"""

from __future__ import annotations

import argparse
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from rich import box
from rich.cells import cell_len
from rich.markup import escape
from rich.table import Table

from crawler.argtypes import Parser, positive_int
from crawler.config import Settings
from crawler.errors import UsageError, unknown_source_message, unreadable
from crawler.shortids import shorten_ids
from crawler.terminal import console as make_console
from crawler.text import counted

HELP = "harvest the enabled sources into the review queue"
console = make_console(stderr=True)
out = make_console()


def server(url: str) -> str:
    """The server a URL names, ``host:port`` with the scheme's default port written out, so
    ``https://a.eu/x`` and ``https://a.eu:443/y`` are one server (`machine_offline`)."""
    parts = urlsplit(url)
    try:
        port = parts.port
    except ValueError:
        port = None
    return f"{parts.hostname or url}:{port or {'http': 80, 'https': 443}.get(parts.scheme, '')}"


def machine_offline(reports: Sequence[Any], hosts: Mapping[str, Iterable[str]]) -> bool:
    """Whether no source host at all could be reached in a run: every report failed with a key of
    crawler.probe.UNREACHABLE_KEYS (DNS, connect, timeout, TLS; `crawler.probe.no_host_reached`),
    and the failed sources' start URLs (`hosts`: source id -> their servers, host and port as
    written) name at least two servers.
    Then the machine is offline, not the sources broken: the runs stay recorded with their error,
    but their failures are taken back (crawler.store.runs.forgive_offline) so no source backs off
    once the network returns. A run where one source answered, or one failed otherwise, is not
    offline: every failure counts. One server that fails is no evidence of a machine without network
    (the rule of `crawler.onboard.looks_offline`): ``ewsi crawl --source dead-feed`` counts its
    failure, so a dead host backs off however it is run."""
    from crawler.probe import no_host_reached

    tried = {host for r in reports for host in hosts.get(r.source_id, ())}
    return len(tried) >= 2 and no_host_reached(r.error_key if r.status != "ok" else "ok" for r in reports)


EPILOG = """\
environment:
  EWSI_DATABASE_URL    the review-queue store (default: SQLite at var/ewsi.sqlite;
                       e.g. sqlite:////tmp/test.sqlite or postgresql+psycopg2://...)
  EWSI_ALLOW_PRIVATE   host[:port],... that may be fetched although private or
                       loopback (intranet sources, local tests; refused otherwise)
  EWSI_NOW             the clock of the run (ISO 8601), for replays and tests
  every setting: README.md, "Configuration"; the source fields: config/README.md

exit codes:
  0    the run completed (some sources may have failed: see the summary)
  2    bad config, unknown source id, unreadable archive, unusable database
  130  stopped by Ctrl-C or SIGTERM (after the requests in flight)
"""


def build_parser() -> argparse.ArgumentParser:
    """Arguments of ``ewsi crawl``; the epilog names the environment and the exit codes."""
    raw = argparse.RawDescriptionHelpFormatter
    crawl = Parser(prog="ewsi crawl", description=HELP, epilog=EPILOG, formatter_class=raw)
    crawl.add_argument("--config", help="operator YAML (default config/sources.yaml)")
    crawl.add_argument("--source", action="append", metavar="ID", help="only this source (repeatable)")
    mode = crawl.add_mutually_exclusive_group()
    mode.add_argument(
        "--replay", metavar="FILE.warc.gz", help="answer every request from a WARC archive (offline)"
    )
    mode.add_argument("--record", metavar="FILE.warc.gz", help="keep every live response in a WARC archive")
    mode.add_argument(
        "--replay-run",
        type=positive_int,
        metavar="RUN_ID",
        help="replay the raw archive of an archived run (its source only; EWSI_ARCHIVE_URL)",
    )
    crawl.add_argument("--log-level", default="INFO", help="log level (default INFO)")
    crawl.add_argument(
        "--log-file", default="var/log/crawl.log", help="crawl log (default var/log/crawl.log; - for stderr)"
    )
    return crawl


def main(argv: Sequence[str], settings: Settings) -> int:
    """Entry point of ``ewsi crawl`` (see the module docstring)."""
    return run(build_parser().parse_args(list(argv)), settings)


def _archived_run(run_id: int, settings: Settings) -> tuple[str, str] | None:
    """(source id, local WARC path) of archived run `run_id` (downloaded into a temporary directory
    when it is in a bucket), or None when the run archived nothing. Raises ArchiveError when the
    file cannot be fetched and DatabaseUnavailable as the store does."""
    import tempfile

    from crawler import archive
    from crawler.store import migrate as store_migrate
    from crawler.store import session as store_session
    from crawler.store import warc_locations

    store_migrate.ensure_ready(settings.database_url)
    with store_session.session_scope(settings.database_url) as session:
        found = warc_locations.run_archive(session, run_id)
    if found is None:
        return None
    source_id, url = found
    into = Path(tempfile.mkdtemp(prefix="ewsi-replay-run-"))
    return source_id, str(archive.fetch(url, into, settings.archive_endpoint))


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Harvest as `args` say; see the module docstring for the exit codes."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from crawler.runner import run_sources
    from crawler.sources import load_sources
    from crawler.store import migrate as store_migrate
    from crawler.store import runs as store_runs
    from crawler.store import session as store_session
    from crawler.store import sources as store_sources

    config = load_sources(args.config)
    sources = [s for s in config.sources if s.enabled]
    if args.source:
        wanted = set(args.source)
        known = [s.id for s in config.sources]
        unknown = sorted(wanted - set(known))
        if unknown:  # one line per id, each with its close ids
            raise UsageError("\n".join(unknown_source_message(sid, known) for sid in unknown))
        sources = [s for s in config.sources if s.id in wanted]
    if args.replay_run is not None:
        found = _archived_run(args.replay_run, settings)
        if found is None:
            raise UsageError(f"run {args.replay_run} has no archive (unknown run, or archiving was off)")
        source_id, args.replay = found
        sources = [s for s in config.sources if s.id == source_id]
        if not sources:
            raise UsageError(f"run {args.replay_run} is of source {source_id!r}, not in the config")
    if not sources:
        console.print("no enabled source in the config")
        return 0
    if args.replay:
        from crawler.fetch.warc import WarcIndex

        try:
            records = len(WarcIndex.shared(args.replay))
        except OSError as exc:
            raise UsageError(unreadable(args.replay, exc)) from exc
        except ValueError as exc:
            raise UsageError(f"cannot replay {args.replay}: {exc}") from exc
        if records == 0:
            raise UsageError(f"cannot replay {args.replay}: the file holds no WARC response record")
    log_file = None if args.log_file == "-" else Path(args.log_file)
    if log_file is not None:
        log_file.parent.mkdir(parents=True, exist_ok=True)
    store_migrate.ensure_ready(settings.database_url)
    with store_session.session_scope(settings.database_url) as session:
        store_sources.sync_sources(session, config.sources)
        before = store_runs.health_of(session, [s.id for s in sources])

    outcomes: dict[str, Counter[str]] = defaultdict(Counter)
    progress = Progress(
        TextColumn("{task.fields[source]:<24}"),
        BarColumn(bar_width=None),
        MofNCompleteColumn(),
        TextColumn("{task.fields[state]}"),
        TimeElapsedColumn(),
        console=console,
        transient=False,
        disable=not console.is_terminal,
    )
    tasks = {s.id: progress.add_task(s.id, total=None, source=s.id, state="crawling") for s in sources}

    def on_item(source_id: str, outcome: str) -> None:
        outcomes[source_id][outcome] += 1
        progress.advance(tasks[source_id])

    def on_close(source_id: str, report: Any) -> None:
        state = report.status if report is not None else "done"
        done = progress.tasks[tasks[source_id]].completed
        progress.update(tasks[source_id], total=done, state=state)

    with progress:
        reports = run_sources(
            sources,
            replay=args.replay,
            record=args.record,
            contact=config.contact,
            on_item=on_item,
            on_close=on_close,
            log_level=args.log_level,
            overrides={"LOG_FILE": str(log_file), "LOG_FILE_APPEND": True} if log_file else None,
            runtime=settings,
        )
    offline = machine_offline(reports, {s.id: {server(u) for u in s.urls} for s in sources})
    _print_summary(reports, notes=not offline)
    if log_file is not None:
        console.print(f"crawl log: {log_file}", style="dim", highlight=False)
    if offline:
        with store_session.session_scope(settings.database_url) as session:
            forgiven = store_runs.forgive_offline(session, before)
        # two plain lines (never wrapped), the hint last: scripts and `make run` users read them
        print(offline_summary(reports, len(forgiven)), flush=True)
        print(OFFLINE_HINT, flush=True)
    if any(r.status == "interrupted" for r in reports):
        return 130  # stopped by Ctrl-C / SIGTERM: what was stored is kept, the rest comes next run
    return 0


OFFLINE_HINT = (
    "To harvest without a network, replay an archive: make replay (that is: .venv/bin/ewsi crawl "
    "--config ../shared/corpus/sources.yaml --replay ../shared/corpus/snapshot.warc.gz)."
)
"""What to do when `machine_offline`: the recorded corpus needs no network."""

URL_CHARS = 120
"""Characters of the example URL `offline_summary` quotes; a longer one is cut at a path boundary."""

OFFLINE_CAUSES = {
    "fetch.dns": ("the host name does not resolve", "the host names do not resolve"),
    "fetch.connect": ("the connection was refused or reset", "the connections were refused or reset"),
    "fetch.timeout": ("no answer came in time", "no answer came in time"),
    "fetch.tls": ("the TLS handshake failed", "the TLS handshakes failed"),
}
"""What each key of crawler.probe.UNREACHABLE_KEYS says of one host and of several in an offline run."""

_URL = re.compile(r"https?://[^\s]+?(?=:?(?:\s|$))")


def offline_summary(reports: Sequence[Any], forgiven: int) -> str:
    """One line of sentences for a run where `machine_offline`: none of the sources could be
    reached, with which keys and what they mean (`OFFLINE_CAUSES`); that the failures of
    `forgiven` of them are not held against them (no back-off); one failed source and its URL as an
    example (`cut_url` past `URL_CHARS`; a message without a URL is cut in the middle past it).
    Each source's key is in the summary table, each message in the log."""
    failed = [r for r in reports if r.status != "ok"]
    keys = Counter(str(r.error_key) for r in failed)
    n = len(failed)
    causes = "; ".join(
        f"{key}{'' if n == 1 else ' for all' if count == n else ' for'}{'' if n == 1 else f' {count}'}: "
        f"{OFFLINE_CAUSES.get(key, (key, key))[count > 1]}"
        for key, count in sorted(keys.items(), key=lambda kv: (-kv[1], kv[0]))
    )
    head = "the source could not be reached" if n == 1 else f"none of the {n} sources could be reached"
    if forgiven == n == 1:
        held = ", so this failure is not held against the source (no back-off)"
    elif forgiven == n:
        held = ", so these failures are not held against the sources (no back-off)"
    elif forgiven:
        held = (
            f", so the failures of {forgiven} of them are not held against them (no back-off); the "
            "others ran again meanwhile and their failures count"
        )
    else:
        held = "; the sources ran again meanwhile, so these failures count"
    first = failed[0]
    message = " ".join(str(first.error or first.error_key).split())
    found = _URL.search(message)
    example = cut_url(found.group(0), URL_CHARS) if found else middle_cut(message, URL_CHARS)
    return (
        f"Offline: {head} ({causes}). This machine seems to have no network{held}. "
        f"Example: {first.source_id}: {example.rstrip('.')}" + ("" if example.endswith("…") else ".")
    )


def cut_url(url: str, limit: int) -> str:
    """`url` whole when it fits in `limit` characters, else cut after its last ``/``, ``?`` or
    ``&`` within the limit (past the host) and followed by "…"."""
    if len(url) <= limit:
        return url
    start = url.find("/", url.find("//") + 2)
    cut = max(url.rfind(mark, 0, limit) for mark in "/?&")
    return (url[: cut + 1] if cut >= start > 0 else url[:limit]) + "…"


def middle_cut(text: str, limit: int) -> str:
    """`text` in at most `limit` characters: its first third and its end joined by " … " (a message
    names the source and URL first and the cause, or what to do, last). Each part ends, or starts,
    at a space when one lies within `WORD_SLACK` characters of the cut, so no word is split there."""
    if len(text) <= limit:
        return text
    if limit < 8:
        return text[:limit]
    head = text[: limit // 3]
    space = head.rfind(" ")
    if space >= max(1, len(head) - WORD_SLACK):
        head = head[:space]
    tail = text[len(text) - (limit - (limit // 3) - 3) :]
    space = tail.find(" ")
    if 0 <= space < min(WORD_SLACK, len(tail) - 1):
        tail = tail[space + 1 :]
    return head + " … " + tail


WORD_SLACK = 15
"""Characters `middle_cut` may give up at each cut to end a part on a word boundary."""


SOURCE_MIN = 9
"""Characters the source column keeps on a narrow terminal (start, ellipsis, end: ``bmi-…2024``)."""
ERROR_MIN = 9
"""Characters the error column keeps on a narrow terminal (``fetc…eout`` for ``fetch.timeout``)."""
DROPPED_MIN = 5
"""Characters the dropped column keeps on a narrow terminal (``drop…``)."""
SUMMARY_COLUMNS = ("source", "status", "fetched", "new", "updated", "unchanged", "dropped", "error")
_NUMERIC = ("fetched", "new", "updated", "unchanged")


def summary_table(reports: Sequence[Any], width: int) -> Table:
    """The summary table of `reports` for a console `width` columns wide: one row per source
    (status, counts, drops by reason, error key) and a total row.

    Rule: every row, the header and the total take one line each at any width from 70 columns up,
    whatever the ids, keys and drop reasons (with counts no wider than their headers, the status
    at most ``interrupted``); no cell is folded. When the cells fit whole with the
    columns three apart, all are shown whole. Otherwise the columns stand one apart and the dropped
    column is the one that gives way: cut with an ellipsis, down to `DROPPED_MIN` characters; when
    that is not enough, source ids and then error keys too long for their column keep their start
    and their end around "…", distinct ones staying distinct (crawler.shortids, as ``ewsi queue``
    shows them), down to `SOURCE_MIN` and `ERROR_MIN` characters. Status and counts are never cut.
    Below 70 columns even these may not fit and rich crops them; the notes under the table keep
    the source ids whole."""
    rows = []
    totals: Counter[str] = Counter()
    for r in reports:
        counts = (r.fetched, r.items_new, r.items_updated, r.items_unchanged)
        rows.append(
            {
                "source": r.source_id,
                "status": "broken" if r.broken else r.status,
                "style": {"ok": "green", "skipped": "yellow"}.get(r.status, "red"),
                **{col: str(n) for col, n in zip(_NUMERIC, counts, strict=True)},
                "dropped": ", ".join(f"{k} {v}" for k, v in sorted(r.dropped.items())) or "-",
                "error": r.error_key or ("warning" if r.error else "-"),
            }
        )
        totals.update(dict(zip(_NUMERIC, counts, strict=True)))
    ok = sum(r.status == "ok" for r in reports)
    total = {"source": "total", "status": f"{ok}/{len(reports)} ok", **{c: str(totals[c]) for c in _NUMERIC}}
    total |= {"dropped": "", "error": ""}

    def natural(col: str) -> int:
        return max([len(col), *(cell_len(row[col]) for row in [*rows, total])])

    fixed = sum(natural(col) for col in ("status", *_NUMERIC))
    n = len(SUMMARY_COLUMNS)
    loose = natural("source") + natural("dropped") + natural("error")
    compact = 3 * (n - 1) + 2 + fixed + loose > width
    room = width - ((n - 1) + 2 if compact else 3 * (n - 1) + 2) - fixed
    if compact:
        rest = room - DROPPED_MIN
        source_width = max(SOURCE_MIN, min(natural("source"), rest - natural("error")))
        sources = shorten_ids((row["source"] for row in rows), source_width)
        source_width = max([len("source"), *(len(v) for v in sources.values())])
        errors = shorten_ids((row["error"] for row in rows), max(ERROR_MIN, rest - source_width))
        for row in rows:
            row["source"], row["error"] = sources[row["source"]], errors[row["error"]]
    width_left = room - natural("source") - natural("error")  # the shortened ids and keys
    table = Table(
        title="Harvest summary", box=box.SIMPLE_HEAD, padding=(0, 0 if compact else 1), pad_edge=False
    )
    for col in SUMMARY_COLUMNS:
        table.add_column(col, justify="right" if col in _NUMERIC else "left", no_wrap=True)
    table.columns[-2].overflow = "ellipsis"
    table.columns[-2].max_width = max(DROPPED_MIN, width_left)
    for row in rows:
        cells = [escape(row[col]) for col in SUMMARY_COLUMNS]
        cells[1] = f"[{row['style']}]{cells[1]}"
        table.add_row(*cells)
    table.add_row(f"[bold]{total['source']}", *(escape(total[col]) for col in SUMMARY_COLUMNS[1:]))
    return table


def _print_summary(reports: Sequence[Any], notes: bool = True) -> None:
    """Summary table (`summary_table`, one line per row at the console's width), then, with
    `notes`, one line per source with an error or warning message (cut to the terminal's width,
    never wrapped). An offline run (`machine_offline`) leaves the lines to `offline_summary`.

    A run the health judgement found broken (crawler.health rule 2) shows as ``broken`` with its
    key (``parse.nav_links``, ``extract.no_text``, ...) and how many of its items were held back."""
    lines = []
    for r in reports:
        if r.error or r.held_back:
            status = "broken" if r.broken else r.status
            held = f" ({counted(r.held_back, 'item')} held back from the queue)" if r.held_back else ""
            lines.append(f"{r.source_id}: {(r.error or status).removeprefix('warning: ')}{held}")
    out.print(summary_table(reports, out.width))
    for note in lines if notes else []:  # the source first, what to do last: cut in the middle
        out.print(middle_cut(note, out.width), style="dim", no_wrap=True, markup=False, highlight=False)
