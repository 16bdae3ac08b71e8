"""`ewsi sources validate|status|unquarantine|add|check`: operator YAML, health, onboarding, probes.

`add URL [--id ID] [--dry-run]` proposes a validated entry (crawler.onboard) and appends it to the
operator file (prints it with --dry-run); `check [--source ID]` prints one verdict line per source.
`status [--config PATH]` lists the config's sources and every other source the store knows by a run
or an item, marked "not in config" (`status_rows`); times as the desk shows them (UTC named).
Exit 0; 1 when `check` finds a source not ok (``warning``: a feed a crawl reads with a parse
warning, is fine) or `add` cannot propose (duplicate, nothing found,
blocked); 2 for unquarantine without exactly one of URL and --all (ConfigError and
DatabaseUnavailable are mapped by crawler.cli).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Sequence
from typing import Any

from rich.table import Table

from crawler.argtypes import Parser
from crawler.config import Settings
from crawler.errors import UnknownSource, UsageError, unreadable
from crawler.probe import Verdict
from crawler.terminal import console as make_console
from crawler.text import counted, shorten, when
from crawler.themes import THEME_CODES
from crawler.urls import (
    authority_problem,
    char_name,
    escaped,
    hidden_chars,
    https_form,
    invisible,
    scheme_typo,
    single_scheme,
    web_url,
)

HELP = "operator config and source health"
console = make_console(stderr=True)
out = make_console()


def build_parser() -> argparse.ArgumentParser:
    """Arguments of ``ewsi sources``."""
    src = Parser(prog="ewsi sources", description=HELP)
    src.add_argument("sources_command", choices=["validate", "status", "unquarantine", "add", "check"])
    src.add_argument(
        "url", nargs="?", help="unquarantine: the URL to clear; add: the page, feed or API to add"
    )
    src.add_argument("--id", dest="source_id", help="add: the new source's id (default: from the URL)")
    src.add_argument("--dry-run", action="store_true", help="add: print the entry, do not write it")
    src.add_argument("--source", help="check: probe this source only")
    src.add_argument("--all", action="store_true", help="unquarantine: clear every quarantined URL")
    src.add_argument("--config", help="operator YAML (default config/sources.yaml)")
    src.add_argument("--json", action="store_true")
    return src


def main(argv: Sequence[str], settings: Settings) -> int:
    """Entry point of ``ewsi sources`` (see the module docstring)."""
    return run(build_parser().parse_args(list(argv)), settings)


def run(args: argparse.Namespace, settings: Settings) -> int:
    """`ewsi sources validate|status|unquarantine`: config check, health table, quarantine reset."""
    if args.sources_command == "unquarantine":
        return _unquarantine(args, settings.database_url)
    if args.sources_command in ("add", "check"):
        return _onboard(args, settings)
    from crawler.sources import load_sources

    config = load_sources(args.config)
    if args.sources_command == "validate":
        out.print(
            f"{args.config or 'config/sources.yaml'}: {counted(len(config.sources), 'source')}, all valid"
        )
        return 0
    from crawler.store import migrate as store_migrate
    from crawler.store import runs as store_runs
    from crawler.store import session as store_session
    from crawler.store import sources as store_sources

    store_migrate.ensure_ready(settings.database_url)
    with store_session.session_scope(settings.database_url) as session:
        store_sources.sync_sources(session, config.sources)
        configured = {source.id for source in config.sources}
        rows = status_rows(store_sources.source_status(session), configured)
        listed = {row["id"] for row in rows}
        quarantine = [e for e in store_runs.quarantine_list(session) if e.get("source_id") in listed]
        pauses = host_pauses(session, {source.id: source.urls for source in config.sources})
    if args.json:
        for row in rows:
            sys.stdout.write(json.dumps(row, default=str) + "\n")
        for entry in quarantine:
            sys.stdout.write(json.dumps({"quarantine": entry}, default=str) + "\n")
        for pause in pauses:
            sys.stdout.write(json.dumps({"host_paused": pause}) + "\n")
        return 0
    table = Table(title="Source health")
    cols = (
        "id",
        "state",
        "last_run_at",
        "last_success_at",
        "last_new_item_at",
        "consecutive_failures",
        "backoff_until",
        "last_error_key",
        "quarantined",
    )
    for col in cols:
        table.add_column(col.replace("_", " "), no_wrap=col == "id")
    table.add_column("config")
    for row in rows:  # times as the desk shows them (UTC named); ids and keys whole
        table.add_row(
            *[_cell(row.get(c), time=c.endswith(("_at", "_until"))) for c in cols],
            ("in config" if row.get("enabled", True) else "in config, disabled")
            if row["in_config"]
            else "not in config",
        )
    out.print(table)
    for row in rows:
        for old, new in (row.get("moved_to") or {}).items():
            out.print(
                f"moved permanently: {row['id']}: {old} -> {new}; update its urls in the config",
                markup=False,
                highlight=False,
                soft_wrap=True,
            )
    for pause in pauses:
        out.print(pause_line(pause), markup=False, highlight=False, soft_wrap=True)
    for entry in (e for e in quarantine if e["quarantined"]):
        out.print(
            f"quarantined until {when(entry['expires_at'])}: {entry['url']} ({entry['source_id']}, "
            f"{counted(entry['hits'], 'worker kill')}, {entry['reason']}); "
            "clear with `ewsi sources unquarantine URL`",
            markup=False,
            highlight=False,
        )
    return 0


def host_pauses(session: Any, urls: dict[str, list[str]]) -> list[dict[str, Any]]:
    """The paused hosts of the config's sources (crawler.store.pauses)."""
    from crawler.store.pauses import host_pauses as pauses

    return pauses(session, urls)


def pause_line(pause: dict[str, Any]) -> str:
    """One line per paused host: until when, why, and which sources wait for it."""
    return (
        f"host paused until {when(pause['until'])}: {pause['host']} answered with {pause['key']} and a "
        f"long Retry-After; not contacted until then (sources {', '.join(pause['sources'])}: "
        "fetch.host_paused, skipped, not counted as failures)"
    )


def _check_pauses(settings: Settings, urls: dict[str, list[str]], as_json: bool) -> None:
    """`ewsi sources check`: name the paused hosts of the checked sources (crawler.store.pauses);
    nothing when the store is not ready (check needs no database)."""
    from crawler.errors import DatabaseUnavailable
    from crawler.store import migrate as store_migrate
    from crawler.store import session as store_session

    try:
        store_migrate.ensure_ready(settings.database_url)
        with store_session.session_scope(settings.database_url) as session:
            pauses = host_pauses(session, urls)
    except DatabaseUnavailable:
        return
    for pause in pauses:
        if as_json:
            sys.stdout.write(json.dumps({"host_paused": pause}) + "\n")
        else:
            out.print(pause_line(pause), markup=False, highlight=False, soft_wrap=True)


def status_rows(rows: list[dict[str, Any]], configured: set[str]) -> list[dict[str, Any]]:
    """The rows `ewsi sources status` lists: every source of the config (`configured`) and every
    other source the store knows by its work (a run or an item, as after a replay of another
    config); a source only synced from another config and never run is left out. Each row gets
    ``in_config`` (False: not in the current config); those of the config come first, each part
    in id order."""
    worked = ("last_run_at", "last_run_status", "items_total")
    known = [
        {**row, "in_config": row["id"] in configured}
        for row in rows
        if row["id"] in configured or any(row.get(key) for key in worked)
    ]
    return sorted(known, key=lambda row: (not row["in_config"], row["id"]))


def _cell(value: Any, *, time: bool) -> str:
    """A table cell: "-" for nothing, a time as `crawler.text.when` shows it (``2026-12-05 16:37
    UTC``), anything else as text."""
    if value is None:
        return "-"
    return when(value) if time else str(value)


def _unquarantine(args: argparse.Namespace, url: str | None) -> int:
    from crawler.store import migrate as store_migrate
    from crawler.store import runs as store_runs
    from crawler.store import session as store_session

    if bool(args.url) == bool(args.all):
        raise UsageError("give either a URL or --all")
    store_migrate.ensure_ready(url)
    with store_session.session_scope(url) as session:
        removed = store_runs.clear_quarantine(session, None if args.all else args.url)
    out.print(f"{removed} quarantine entr{'y' if removed == 1 else 'ies'} cleared", markup=False)
    return 0


def _tools(settings: Settings) -> tuple[object, object]:
    from crawler.errors import ConfigError
    from crawler.fetch import oneshot
    from crawler.fetch.addresses import Allowlist
    from crawler.settings import user_agent_for
    from crawler.sources import load_sources

    try:
        config = load_sources(None)
        contact, agent = config.contact, config.user_agent
    except ConfigError:  # the User-Agent falls back to the default contact
        contact, agent = None, None
    user_agent = user_agent_for(contact, agent)
    allow = Allowlist.parse(settings.allow_private)
    timeout = float(settings.download_timeout)

    def fetcher(url: str) -> oneshot.Fetched:
        return oneshot.fetch(url, user_agent=user_agent, allow=allow, timeout=timeout)

    def robots(url: str) -> tuple[bool, str]:
        return oneshot.robots_allows(url, user_agent=user_agent, allow=allow, timeout=timeout)

    return fetcher, robots


def _verdict(source_id: str, result: Verdict, as_json: bool) -> None:
    """One line of ``ewsi sources check``: the verdict as text, or as JSON with ``--json``."""
    if as_json:
        sys.stdout.write(json.dumps({"source": source_id, **result.__dict__}) + "\n")
    else:
        out.print(result.line(source_id), markup=False, highlight=False, soft_wrap=True)


MAX_SOURCE_URL = 2083
"""Longest source URL taken, in characters: the crawl's own limit (Scrapy's URLLENGTH_LIMIT, the
``fetch.url_too_long`` error); a longer one would be added and never fetched."""
SHOWN_URL = 120
"""Characters of a refused URL echoed in its error (the rest elided)."""


def _scheme_relative(text: str) -> str | None:
    """``https:`` before an address typed without its scheme but with its separator (``//example.eu/feed``,
    ``://example.eu``) when the rest starts with a host (`https_form`); else None. A scheme typed
    wrong is crawler.urls `scheme_typo`'s."""
    match = re.match(r":?[/\\]+", text)
    return https_form(text[match.end() :]) if match else None


def _meant(text: str) -> str | None:
    """The address to suggest for `text` (no invisible characters): `text` itself when it passes the
    check, its https form, its scheme mended (`scheme_typo`) or ``https:`` before ``//``
    (`_scheme_relative`) when it is no web URL; else None."""
    try:
        return _check_web_address(text)
    except UsageError:
        pass
    if web_url(text) is not None:
        return None
    return https_form(text) or scheme_typo(text) or _scheme_relative(text)


def _check_web_address(url: str) -> str:
    """The source URL to add: `url` without surrounding whitespace and its scheme in lower case. Raise
    UsageError (exit 2) before any fetch unless it is an http or https address (crawler.urls
    `web_url`: no user information, a port from 1 to 65535) with no invisible character anywhere
    (crawler.urls `invisible`: controls, spaces, bidi and other format characters, U+FEFF included)
    whose host names a host (crawler.urls `authority_problem`: an IPv6 address in brackets and
    nothing after but a port, or a name of at most 253 characters, labels of at most 63 (RFC 1035),
    that IDNA 2003 and UTS 46 encode alike, in one script per label (UTS 39)), of at most
    `MAX_SOURCE_URL` characters: what else is typed there is a mistake, not a source that failed.
    The error echoes the text escaped (crawler.urls `escaped`: every invisible character as
    ``\\u200b``) and cut to `SHOWN_URL` characters, and says what is wrong with the host.

    Rule for the hint, ``(did you mean https://example.eu:8080/x?)``: text typed without a scheme
    that starts with a host, with or without a port, path or query (crawler.urls `https_form`: a
    domain name, ``localhost``, an IPv4 address or an IPv6 address in brackets), gets its https form
    suggested; a scheme with other than ``://`` after it (``https:/example.eu``, ``https//``) or a
    scheme-relative ``//example.eu/feed`` gets its ``://`` form; an address with invisible
    characters only before or after it (a byte order mark pasted with it: not stripped, it is no
    whitespace) gets the address without them; an address with its scheme twice (crawler.urls
    `single_scheme`: ``https://https://example.eu/x``, ``http://http//example.eu``) gets the address
    with one, when that passes. User information (``user:pw@``) and a port outside 1-65535 are named
    in the words of ``ewsi sources validate`` (crawler.sources `authority_reason`). Anything else
    (``not-a-url``, ``mailto:x@y.eu``, ``javascript:alert(1)``, another scheme, a host refused) gets
    the plain usage error."""
    from urllib.parse import urlsplit

    from crawler.sources import authority_reason

    text = url.strip()
    shown = shorten(escaped(text), SHOWN_URL)
    if len(text) > MAX_SOURCE_URL:
        raise UsageError(f"URL longer than {MAX_SOURCE_URL} characters ({len(text)}): {shown}")
    hidden = ", ".join(map(char_name, hidden_chars(text)))
    if hidden:
        core = text
        while core and (invisible(core[0]) or core[0].isspace()):
            core = core[1:]
        while core and (invisible(core[-1]) or core[-1].isspace()):
            core = core[:-1]
        if core and not any(map(invisible, core)):
            meant = _meant(core)
            hint = f": did you mean {meant}?" if meant else ""
            raise UsageError(
                f"not an http or https URL: {shown} ({hidden} at its start or end, as pasted{hint})"
            )
        raise UsageError(
            f"not an http or https URL: {shown} ({hidden} inside; a URL has no spaces, controls or "
            "invisible characters)"
        )
    single = single_scheme(text)
    if single is not None:
        meant = _meant(single)
        hint = f": did you mean {meant}?" if meant else ""
        raise UsageError(f"not an http or https URL: {shown} (the scheme twice{hint})")
    clean = web_url(text)
    parts = urlsplit(clean) if clean else None
    if parts is not None and parts.hostname and parts.port != 0:
        problem = authority_problem(parts.netloc)
        if problem is None:
            return parts.scheme.lower() + text[len(parts.scheme) :]
        raise UsageError(f"not an http or https URL: {shown} (host: {problem})")
    reason = authority_reason(text)  # the words of `ewsi sources validate` (crawler.sources)
    if reason is not None:
        raise UsageError(f"not an http or https URL: {shown} ({reason})")
    meant = None if clean else https_form(text) or scheme_typo(text) or _scheme_relative(text)
    hint = f" (did you mean {meant}?)" if meant else ""
    raise UsageError(f"not an http or https URL: {shown}{hint}")


def _onboard(args: argparse.Namespace, settings: Settings) -> int:
    from pathlib import Path

    from crawler import onboard
    from crawler.errors import BlockedAddress, BlockedScheme, NoAnswer
    from crawler.probe import OFFLINE_HINT, UNREACHABLE_KEYS
    from crawler.sources import DEFAULT_CONFIG, load_sources

    path = Path(args.config) if args.config else DEFAULT_CONFIG
    fetcher, robots = _tools(settings)
    if args.sources_command == "check":
        config = load_sources(path)
        chosen = [s for s in config.sources if args.source in (None, s.id)]
        if not chosen:  # an unknown --source id: exit 2, as every command taking --source
            raise UnknownSource(args.source, (s.id for s in config.sources))
        bad = 0
        held: list[tuple[str, Verdict]] = []  # no-network failures while no host has answered yet
        answered = False
        for source in chosen:
            result = onboard.check_source(source, fetcher, robots)  # type: ignore[arg-type]
            bad += not result.usable
            if result.key in UNREACHABLE_KEYS and not answered:
                held.append((source.id, result))
                continue
            answered = True  # a host answered (or failed otherwise): the network is up
            for sid, waiting in [*held, (source.id, result)]:
                _verdict(sid, waiting, args.json)
            held = []
        if held:
            tried = [s.urls[0] for s in chosen if s.id in {sid for sid, _ in held}]
            others = [s.urls[0] for s in config.sources]
            offline = onboard.looks_offline(tried, others, fetcher)  # type: ignore[arg-type]
            for sid, waiting in held:
                _verdict(sid, onboard.offline_verdict(waiting) if offline else waiting, args.json)
        _check_pauses(settings, {s.id: s.urls for s in chosen}, args.json)
        return 1 if bad else 0
    if not (args.url or "").strip():
        raise UsageError("give the URL to add")
    args.url = _check_web_address(args.url)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise UsageError(unreadable(path, exc)) from exc
    load_sources(path, text=text)
    try:
        block, source, items = onboard.add(
            args.url,
            text,
            fetcher,  # type: ignore[arg-type]
            robots,  # type: ignore[arg-type]
            args.source_id,
            settings.classifier_model,
        )
    except NoAnswer as exc:
        others = [s.urls[0] for s in load_sources(path, text=text).sources]
        offline = exc.key in UNREACHABLE_KEYS and onboard.looks_offline([exc.url], others, fetcher)  # type: ignore[arg-type]
        hint = OFFLINE_HINT if offline else exc.hint
        console.print(f"cannot add {args.url}: {exc.url}: {exc.key}: {exc.detail} -> {hint}", markup=False)
        return 1
    except (ValueError, OSError, BlockedAddress, BlockedScheme) as exc:
        console.print(f"cannot add {args.url}: {exc}", markup=False)
        return 1
    note = onboard.preview_note(source)
    if items and note:
        out.print(f"  ({note})", markup=False, highlight=False, soft_wrap=True)
    for item in items:
        rel = "-" if item.relevance is None else f"{item.relevance:.2f}"
        themes = " ".join(THEME_CODES.get(t, t[:2]) for t in item.themes) or "-"
        out.print(
            f"  {item.published or '-':20.20} {item.language:3} rel {rel:4} {themes:11} "
            f"{shorten(item.title or '(no title)', 80)}",
            markup=False,
            highlight=False,
        )
    if args.dry_run:
        sys.stdout.write(block)
        return 0
    with path.open("a", encoding="utf-8") as handle:
        handle.write(("" if text.endswith("\n") else "\n") + block)
    out.print(f"{path}: added source {source.id!r} ({source.kind})", markup=False)
    return 0
