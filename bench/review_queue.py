"""Queue and item page latency of the editors' desk on PostgreSQL with 1,000,000 items.

Usage::

    .venv/bin/python bench/review_queue.py [--items 1000000] [--requests 300] [--fresh]
        [--no-cold] [--no-drop-os-cache]
        [--admin-url postgresql+psycopg2://postgres@127.0.0.1:5432/postgres]

1. Creates the database ``ewsi_bench_queue`` (``--fresh`` drops it first), migrates it, and generates
   the items in SQL (INSERT ... SELECT generate_series): 60 sources with skewed sizes; status 30 %
   pending, 40 % approved, 25 % rejected, 5 % deferred; 12 languages with a long tail (de 22 %, fr 15 %,
   en 14 %, ...); 6 % funding calls with deadlines from 30 days ago to 90 days ahead; relevance skewed
   low (random()^1.6); publication dates over two years; 1-2 assigned themes per item; ~1 KB of text.
   Skipped when the database already holds `--items` items.
2. Starts ``ewsi serve`` in a child process on 127.0.0.1 and logs a bench editor in (a web session
   row written directly).
3. Cold (skipped with ``--no-cold``): before each step below the caches are emptied without
   restarting the shared server: PostgreSQL's shared buffers are filled with a scratch table
   (``ewsi_bench_evict``, 1.25 x shared_buffers, loaded with pg_prewarm) and, when this process may
   (root), the OS page cache is dropped (``/proc/sys/vm/drop_caches``; ``--no-drop-os-cache`` skips
   it). Then (a) EXPLAIN (ANALYZE, BUFFERS) of every count query of the counts fragment, exact and
   capped (`crawler.store.review.COUNT_CAP`), for a few filter sets, with shared blocks hit (in
   PostgreSQL's buffers) and read (from the OS, i.e. the page cache or the disk); (b) in the freshly
   started server, the first queue page and the first counts fragment of each distinct filter set
   (each after emptying the caches), p50 / max.
4. Warm: from this (second) process requests queue pages with filters (status, language, content
   type, source, theme, relevance range, dates, title words, and following keyset pages), the counts
   fragment (cached 30 s by the app) and item pages of random items, and reports p50 / p95 / max of
   the server-side time (the app's ``Server-Timing`` header, from request to response headers) and
   of the client round trip.
Targets (issue 5): queue page with filters p95 < 100 ms, item page p95 < 50 ms (warm).
"""

from __future__ import annotations

import argparse
import hashlib
import os
import random
import re
import secrets
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

import httpx
from sqlalchemy import create_engine, text

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

DB_NAME = "ewsi_bench_queue"
LANGS = (
    "ARRAY['de','de','de','de','fr','fr','fr','en','en','en','it','it','es','es','nl','pl','pt','sv',"
    "'el','cs','ro','hu']"
)
THEMES = (
    "ARRAY['Active Citizenship','Economic Participation','Social Cohesion','Education and Culture',"
    "'Anti-discrimination and Equality','Tools and Techniques']"
)
COUNTRIES = "ARRAY['DE','FR','EU','IT','ES','NL','PL','AT','BE','SE','PT','GR','CZ','RO','HU','IE']"
LOREM = (
    "Integration of migrants into local labour markets depends on language courses, recognition of "
    "qualifications and counselling. "
)


def _generate(engine, n: int) -> float:
    started = time.perf_counter()
    with engine.begin() as conn:
        conn.execute(text("SET LOCAL synchronous_commit = off"))
        conn.execute(
            text(
                "INSERT INTO sources (id, name, publisher, country, kind, content_type, enabled, state, "
                "consecutive_failures, created_at, updated_at) "
                "SELECT 'src-' || g, 'Source ' || g, 'Publisher ' || g, "
                f"({COUNTRIES})[1 + g % 16], 'feed', 'news', true, "
                "(ARRAY['healthy','healthy','healthy','failing','quiet'])[1 + g % 5], g % 3, now(), now() "
                "FROM generate_series(1, 60) g ON CONFLICT DO NOTHING"
            )
        )
    step = 100_000
    for start in range(1, n + 1, step):
        end = min(n, start + step - 1)
        with engine.begin() as conn:
            conn.execute(text("SET LOCAL synchronous_commit = off"))
            conn.execute(
                text(
                    "INSERT INTO items (identity, identity_hash, source_id, url, "
                    "canonical_url, title, summary, "
                    "text, text_chars, language, declared_language, "
                    "language_confidence, content_type, country, "
                    "published_at, first_seen_at, last_seen_at, deadline, relevance, "
                    "status, version, revision) "
                    "SELECT 'https://bench.example/' || g, md5('i' || g) || md5('j' || g), "
                    # skewed source sizes: a few big sources, a long tail
                    "'src-' || (1 + floor(60 * power(r1, 2)))::int, "
                    "'https://bench.example/' || g, 'https://bench.example/' || g, "
                    "'Item ' || g || ' on ' || (ARRAY['integration','housing','jobs','language courses',"
                    "'asylum','health','schools','volunteering'])[1 + g % 8], "
                    "'Summary of item ' || g, repeat(:lorem, 8), 800, "
                    f"({LANGS})[1 + floor(r2 * 22)::int], ({LANGS})[1 + floor(r2 * 22)::int], 0.9, "
                    "CASE WHEN r3 < 0.06 THEN 'funding' WHEN r3 < 0.7 THEN 'news' WHEN "
                    "r3 < 0.85 THEN 'document' "
                    "WHEN r3 < 0.92 THEN 'event' ELSE 'legislation' END, "
                    f"({COUNTRIES})[1 + floor(r4 * 16)::int], "
                    "pub, pub + interval '3 hours', pub + interval '3 hours', "
                    "CASE WHEN r3 < 0.06 THEN now() + (r5 * 120 - 30) * interval '1 day' END, "
                    "power(r5, 1.6), "
                    "CASE WHEN r6 < 0.30 THEN 'pending' WHEN r6 < 0.70 THEN 'approved' "
                    "WHEN r6 < 0.95 THEN 'rejected' ELSE 'deferred' END, 1, 1 "
                    "FROM (SELECT g, random() r1, random() r2, random() r3, random() "
                    "r4, random() r5, random() r6, "
                    "now() - random() * interval '730 days' pub FROM generate_series(:a, :b) g) x"
                ),
                {"a": start, "b": end, "lorem": LOREM},
            )
            conn.execute(
                text(
                    "INSERT INTO item_themes (item_id, theme, score, assigned, evidence) "
                    f"SELECT id, ({THEMES})[1 + id % 6], 0.6 + (id % 40) / 100.0, true, "
                    '\'[{"term": "integration", "weight": 1.0, "language": "en", "count": 2}]\'::jsonb '
                    "FROM items WHERE id BETWEEN :a AND :b "
                    "UNION ALL "
                    f"SELECT id, ({THEMES})[1 + (id / 7) % 6], 0.3, (id % 2 = 0), NULL "
                    "FROM items WHERE id BETWEEN :a AND :b AND (id / 7) % 6 <> id % 6"
                ),
                {"a": start, "b": end},
            )
        print(f"  {end:>9,} items ({time.perf_counter() - started:.0f} s)", flush=True)
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE items"))
        conn.execute(text("VACUUM ANALYZE item_themes"))
    return time.perf_counter() - started


def _session_cookie(engine) -> str:
    from crawler.web.passwords import hash_password

    token = secrets.token_urlsafe(32)
    with engine.begin() as conn:
        user_id = conn.execute(
            text(
                "INSERT INTO users (name, role, password_hash, languages, disabled, "
                "failed_logins, created_at) "
                "VALUES ('bench', 'editor', :h, '[]', false, 0, now()) "
                "ON CONFLICT (name) DO UPDATE SET role = 'editor' RETURNING id"
            ),
            {"h": hash_password("bench password 123")},
        ).scalar_one()
        conn.execute(
            text(
                "INSERT INTO web_sessions (id, user_id, created_at, last_seen_at, expires_at) "
                "VALUES (:id, :u, now(), now(), now() + interval '1 day')"
            ),
            {"id": hashlib.sha256(token.encode()).hexdigest(), "u": user_id},
        )
    return token


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def _report(name: str, server: list[float], client: list[float]) -> dict[str, float]:
    row = {
        "p50": statistics.median(server),
        "p95": _pct(server, 0.95),
        "max": max(server),
        "client_p95": _pct(client, 0.95),
    }
    print(
        f"{name:<28} n={len(server):>4}  server p50 {row['p50']:6.1f} ms  p95 {row['p95']:6.1f} ms  "
        f"max {row['max']:6.1f} ms  | client p95 {row['client_p95']:6.1f} ms"
    )
    return row


QUEUE_FILTERS: list[dict[str, object]] = [
    {},
    {"language": "de"},
    {"language": ["fr", "it"]},
    {"content_type": "funding"},
    {"content_type": "news", "language": "en"},
    {"source": "src-3"},
    {"source": "src-41"},
    {"theme": "Social Cohesion"},
    {"theme": "Education and Culture", "language": "de"},
    {"relevance_min": "0.6"},
    {"relevance_min": "0.2", "relevance_max": "0.5", "country": "FR"},
    {"date_from": "2026-01-01", "date_to": "2026-03-31"},
    {"status": "deferred", "language": "es"},
    {"status": "approved", "language": "de"},
    {"q": "housing"},
]


EVICT_TABLE = "ewsi_bench_evict"


def _chill(engine, drop_os_cache: bool) -> str:
    """Empty PostgreSQL's shared buffers (by loading a scratch table larger than them with
    pg_prewarm) and, if allowed, the OS page cache. Returns what was done, for the report."""
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("CREATE EXTENSION IF NOT EXISTS pg_prewarm"))
        buffers = conn.execute(
            text("SELECT setting::bigint * 8192 FROM pg_settings WHERE name = 'shared_buffers'")
        ).scalar_one()
        have = conn.execute(
            text("SELECT coalesce(pg_relation_size(to_regclass(:t)), 0)"), {"t": EVICT_TABLE}
        ).scalar_one()
        if have < buffers * 1.2:
            rows = int(buffers * 1.25 / 1100) + 1  # ~7 rows of ~1.1 KB per 8-KB page
            conn.execute(text(f"DROP TABLE IF EXISTS {EVICT_TABLE}"))
            conn.execute(
                text(
                    f"CREATE TABLE {EVICT_TABLE} AS SELECT g, repeat(md5(g::text), 32) AS pad "
                    "FROM generate_series(1, :n) g"
                ),
                {"n": rows},
            )
        conn.execute(text("CREATE EXTENSION IF NOT EXISTS pg_buffercache"))
        # the clock sweep spares a page once per use (up to 5): load the scratch table until the
        # bench's own tables and indexes are gone from the buffers
        left = -1
        for _ in range(8):
            conn.execute(text("SELECT pg_prewarm(:t, 'buffer')"), {"t": EVICT_TABLE})
            left = conn.execute(
                text(
                    "SELECT count(*) FROM pg_buffercache b JOIN pg_class c "
                    "ON b.relfilenode = pg_relation_filenode(c.oid) "
                    "WHERE b.reldatabase = (SELECT oid FROM pg_database WHERE datname = current_database()) "
                    "AND c.relname LIKE ANY (ARRAY['items%', 'ix_items%', 'item_themes%', 'ix_item_themes%'])"
                )
            ).scalar_one()
            if left == 0:
                break
    done = (
        f"shared buffers ({buffers // 2**20} MB) refilled with {EVICT_TABLE}: "
        f"{left} pages of items / item_themes left in them"
    )
    if drop_os_cache:
        try:
            os.sync()
            Path("/proc/sys/vm/drop_caches").write_text("1\n")
            done += "; OS page cache dropped"
        except OSError as exc:
            done += f"; OS page cache kept ({exc.strerror})"
    return done


def _explain_counts(url: str, filters: dict[str, object], cap: int | None = None) -> None:
    """EXPLAIN (ANALYZE, BUFFERS) of each count query the counts fragment runs for `filters`, run
    just before the query itself (so the EXPLAIN is the first, cold, execution)."""
    from sqlalchemy import event

    from crawler.store import make_engine, session_factory
    from crawler.store import review as store

    engine = make_engine(url, connect_args={"options": "-c jit=off"})
    plans: list[tuple[str, dict]] = []

    def explain_first(conn, cursor, statement, params, context, executemany):
        if "count(" in statement:
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) " + statement, params)
            plans.append((statement, cursor.fetchone()[0][0]))
        return statement, params

    parsed = store.QueueFilters.from_query(dict(filters))
    with session_factory(engine)() as session:
        session.connection()  # connect before listening (the dialect's own set-up queries)
        event.listen(engine, "before_cursor_execute", explain_first, retval=True)
        try:
            store.queue_counts(session, parsed, cap=cap or store.COUNT_CAP)
        finally:
            event.remove(engine, "before_cursor_execute", explain_first)
        session.rollback()
    engine.dispose()
    total = {"ms": 0.0, "hit": 0, "read": 0}
    capped = "exact" if cap and cap >= 10**9 else f"capped at {cap or store.COUNT_CAP:,}"
    print(f"  filters {urlencode(filters, doseq=True) or '(pending only)'} ({capped}):")
    for statement, plan in plans:
        top = plan["Plan"]
        hit, read = top.get("Shared Hit Blocks", 0), top.get("Shared Read Blocks", 0)
        what = re.sub(r"\s+", " ", statement)
        what = re.search(r"SELECT ([^ ]+(?: AS value)?)", what.split("FROM (", 1)[-1]).group(1)
        print(f"    {plan['Execution Time']:7.1f} ms  shared hit {hit:>7,}  read {read:>7,}  {what}")
        total["ms"] += plan["Execution Time"]
        total["hit"] += hit
        total["read"] += read
    print(
        f"    {total['ms']:7.1f} ms  shared hit {total['hit']:>7,}  read {total['read']:>7,}  "
        "(all count queries)"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--admin-url",
        default=os.environ.get("EWSI_BENCH_POSTGRES_URL")
        or "postgresql+psycopg2://postgres@127.0.0.1:5432/postgres",
    )
    parser.add_argument("--items", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--fresh", action="store_true", help="drop and regenerate the bench database")
    parser.add_argument("--no-cold", action="store_true", help="skip the cold measurements")
    parser.add_argument(
        "--no-drop-os-cache", action="store_true", help="cold: keep the OS page cache (root only anyway)"
    )
    args = parser.parse_args(argv)

    from sqlalchemy.engine import make_url

    from crawler.store.migrate import upgrade

    admin = create_engine(args.admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        if args.fresh:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)'))
        exists = conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": DB_NAME}).first()
        if not exists:
            conn.execute(text(f'CREATE DATABASE "{DB_NAME}"'))
    admin.dispose()
    url = make_url(args.admin_url).set(database=DB_NAME).render_as_string(hide_password=False)
    engine = create_engine(url)
    upgrade(url, revision="heads")
    with engine.connect() as conn:
        have = conn.execute(text("SELECT count(*) FROM items")).scalar_one()
    if have < args.items:
        if have:
            print(f"{DB_NAME} holds {have:,} items, fewer than {args.items:,}: run with --fresh")
            return 1
        print(f"generating {args.items:,} items in {DB_NAME} ...", flush=True)
        took = _generate(engine, args.items)
        print(f"generated in {took:.0f} s")
    else:
        print(f"{DB_NAME} already holds {have:,} items")
    cookie = _session_cookie(engine)
    with engine.connect() as conn:
        max_id = conn.execute(text("SELECT max(id) FROM items")).scalar_one()
        size = conn.execute(text("SELECT pg_size_pretty(pg_database_size(current_database()))")).scalar_one()
    print(f"database size {size}")
    drop_os = not args.no_drop_os_cache
    if not args.no_cold:
        print("\ncold count queries, EXPLAIN (ANALYZE, BUFFERS), each set after emptying the caches:")
        exact = 10**9
        for filters, cap in (
            ({}, exact),
            ({}, None),
            ({"language": "de"}, exact),
            ({"language": "de"}, None),
            ({"theme": "Social Cohesion"}, None),
            ({"source": "src-3"}, None),
        ):
            print(f"  ({_chill(engine, drop_os)})")
            _explain_counts(url, filters, cap)

    port = _free_port()
    env = {**os.environ, "EWSI_DATABASE_URL": url}
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "crawler.cli",
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        client = httpx.Client(base_url=base, cookies={"__Host-ewsi_session": cookie}, timeout=30)
        deadline = time.monotonic() + 30
        while True:
            try:
                client.get("/whoami")
                break
            except httpx.TransportError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise RuntimeError("ewsi serve did not start") from None
                time.sleep(0.2)

        def timed(path: str) -> tuple[float, float, str]:
            t0 = time.perf_counter()
            r = client.get(path)
            elapsed = (time.perf_counter() - t0) * 1000
            if r.status_code != 200:
                raise RuntimeError(f"{path}: HTTP {r.status_code}: {r.text[:200]}")
            dur = float(re.search(r"dur=([\d.]+)", r.headers["server-timing"]).group(1))
            return dur, elapsed, r.text

        if not args.no_cold:
            print("\ncold: first queue page and first counts per filter set in the fresh server")
            cold_q, cold_c, cold_sum = [], [], []
            chilled = ""
            for filters in QUEUE_FILTERS:
                chilled = _chill(engine, drop_os)
                query = urlencode(filters, doseq=True)
                dur_q, _, _ = timed("/queue?" + query)
                dur_c, _, _ = timed("/queue/counts?" + query)
                cold_q.append(dur_q)
                cold_c.append(dur_c)
                cold_sum.append(dur_q + dur_c)
                print(f"  queue {dur_q:7.1f} ms  counts {dur_c:7.1f} ms  {query or '(pending only)'}")
            print(f"  ({chilled} before each)")
            for name, values in (("queue page", cold_q), ("counts", cold_c), ("page + counts", cold_sum)):
                print(
                    f"cold {name:<14} n={len(values):>3}  server p50 {statistics.median(values):7.1f} ms  "
                    f"max {max(values):7.1f} ms"
                )

        rng = random.Random(5)
        for _ in range(20):  # warm-up: connections, plan caches, templates
            timed("/queue?" + urlencode(rng.choice(QUEUE_FILTERS), doseq=True))
            timed(f"/items/{rng.randint(1, max_id)}")
        queue_s, queue_c, page2_s, page2_c, item_s, item_c = [], [], [], [], [], []
        counts_s, counts_c = [], []
        per_filter: dict[str, list[float]] = {}
        for i in range(args.requests):
            filters = QUEUE_FILTERS[i % len(QUEUE_FILTERS)]
            dur, elapsed, body = timed("/queue?" + urlencode(filters, doseq=True))
            queue_s.append(dur)
            queue_c.append(elapsed)
            per_filter.setdefault(urlencode(filters, doseq=True) or "(pending only)", []).append(dur)
            nxt = re.search(r'id="next-page" rel="next" href="([^"]+)"|href="([^"]+)" id="next-page"', body)
            if nxt:
                href = (nxt.group(1) or nxt.group(2)).replace("&amp;", "&")
                dur, elapsed, _ = timed(href)
                page2_s.append(dur)
                page2_c.append(elapsed)
            dur, elapsed, _ = timed("/queue/counts?" + urlencode(filters, doseq=True))
            counts_s.append(dur)
            counts_c.append(elapsed)
            dur, elapsed, _ = timed(f"/items/{rng.randint(1, max_id)}")
            item_s.append(dur)
            item_c.append(elapsed)
        print()
        q = _report("queue page, with filters", queue_s, queue_c)
        if page2_s:
            _report("queue page 2 (keyset)", page2_s, page2_c)
        _report("counts (30-s app cache)", counts_s, counts_c)
        it = _report("item page", item_s, item_c)
        print("\nper filter (server p95 ms):")
        for name, values in per_filter.items():
            print(f"  {_pct(values, 0.95):6.1f}  {name}")
        ok = q["p95"] < 100 and it["p95"] < 50
        print(f"\ntargets (queue p95 < 100 ms, item p95 < 50 ms): {'met' if ok else 'NOT met'}")
        return 0 if ok else 1
    finally:
        server.terminate()
        server.wait(10)
        with engine.begin() as conn:
            conn.execute(
                text("DELETE FROM web_sessions WHERE user_id IN (SELECT id FROM users WHERE name='bench')")
            )
        engine.dispose()


if __name__ == "__main__":
    raise SystemExit(main())
