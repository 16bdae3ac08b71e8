"""Portal read API and Atom feed latency on PostgreSQL with 1,000,000 items (200,000 published).

    .venv/bin/python bench/api.py [--admin-url URL] [--items 1000000] [--requests 200] [--reuse]

1. (unless --reuse) drops and creates the database ``ewsi_bench_api`` on the server of --admin-url
   (default ``EWSI_TEST_POSTGRES_URL`` or postgresql+psycopg2://postgres@127.0.0.1:5432/postgres),
   migrates it to the head and generates the items with INSERT ... SELECT generate_series: every
   5th item published (approved, or changed for 1 in 10 of those), the rest pending, rejected or
   deferred; 12 countries, 10 languages, 6 content types, 20 sources, dates spread over 3 years,
   1 or 2 assigned themes per published item, titles and summaries from a small vocabulary;
2. creates an API token (the anonymous limit of 60/min would stop the run) and serves
   ``crawler.web.app:create_app`` with uvicorn (one worker) on 127.0.0.1 in a child process;
3. from this process, over one keep-alive connection, sends `--requests` requests per scenario after
   20 warm-up requests and prints p50 / p95 / p99 / max in milliseconds (client-side wall time).

Targets (issue 6): ``/api/v1/items`` with filters p95 < 50 ms, an Atom feed p95 < 100 ms.
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx
from sqlalchemy import create_engine, text

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

DB_NAME = "ewsi_bench_api"
ADMIN_URL = "postgresql+psycopg2://postgres@127.0.0.1:5432/postgres"

GENERATE = """
INSERT INTO items (id, identity, identity_hash, source_id, url, canonical_url, url_hash, title, summary,
                   language, country, content_type, published_at, first_seen_at, last_seen_at, status,
                   version, revision, approved_at, approved_by, modified_at, deadline, relevance)
SELECT g,
       'url:bench.example.eu/' || g,
       md5('a' || g) || md5('b' || g),
       'bench-' || lpad((h3 % 20)::text, 2, '0'),
       'https://bench.example.eu/' || (ARRAY['en','de','fr','it','es','pl','nl','sv','el','pt'])[h1 % 10 + 1]
           || '/news/' || (g / 10),
       'https://bench.example.eu/' || (ARRAY['en','de','fr','it','es','pl','nl','sv','el','pt'])[h1 % 10 + 1]
           || '/news/' || (g / 10),
       encode(sha256(convert_to('https://bench.example.eu/'
           || (ARRAY['en','de','fr','it','es','pl','nl','sv','el','pt'])[h1 % 10 + 1] || '/news/' || (g / 10),
           'UTF8')), 'hex'),
       initcap((ARRAY['integration','migrants','refugees','housing','education','labour','citizenship',
                      'health','language','courses','funding','discrimination'])[h2 % 12 + 1]) || ' '
           || (ARRAY['programme','report','call','project','guide','survey','strategy'])[h3 % 7 + 1]
           || ' ' || g,
       'Summary of item ' || g || ' about '
           || (ARRAY['integration','asylum','employment','schools','housing','volunteering','inclusion',
                     'racism','skills','youth'])[h4 % 10 + 1] || ' in the community',
       (ARRAY['en','de','fr','it','es','pl','nl','sv','el','pt'])[h1 % 10 + 1],
       (ARRAY['EU','DE','FR','IT','ES','PL','NL','SE','GR','PT','AT','BE'])[h5 % 12 + 1],
       (ARRAY['news','document','legislation','funding','event','good_practice'])[h6 % 6 + 1],
       now() - ((g % 1095) || ' days')::interval - ((g % 86400) || ' seconds')::interval,
       now() - ((g % 1095) || ' days')::interval,
       now(),
       CASE WHEN g % 5 = 0 THEN (CASE WHEN g % 50 = 0 THEN 'changed' ELSE 'approved' END)
            ELSE (ARRAY['pending','pending','rejected','deferred'])[g % 4 + 1] END,
       1, 1,
       CASE WHEN g % 5 = 0 THEN now() - ((g % 1000) || ' hours')::interval END,
       CASE WHEN g % 5 = 0 THEN 'bench' END,
       CASE WHEN g % 5 = 0 THEN now() - ((g % 1000) || ' hours')::interval END,
       CASE WHEN h6 % 6 = 3 THEN now() + (((g % 200) - 50) || ' days')::interval END,
       (g % 100) / 100.0
FROM (SELECT g, hashint4(g) & 1048575 AS h1, hashint4(g + 10000000) & 1048575 AS h2,
             hashint4(g + 20000000) & 1048575 AS h3, hashint4(g + 30000000) & 1048575 AS h4,
             hashint4(g + 40000000) & 1048575 AS h5, hashint4(g + 50000000) & 1048575 AS h6
      FROM generate_series(1, :n) AS g) AS r
"""

THEMES_SQL = """
INSERT INTO item_themes (item_id, theme, score, assigned)
SELECT id, (ARRAY['Active Citizenship','Economic Participation','Social Cohesion','Education and Culture',
                  'Anti-discrimination and Equality','Tools and Techniques'])[id % 6 + 1], 0.9, true
FROM items WHERE status IN ('approved', 'changed')
UNION ALL
SELECT id, (ARRAY['Active Citizenship','Economic Participation','Social Cohesion','Education and Culture',
                  'Anti-discrimination and Equality','Tools and Techniques'])[(id / 5 + 2) % 6 + 1], 0.6, true
FROM items WHERE status IN ('approved', 'changed') AND id % 3 = 0 AND (id / 5 + 2) % 6 <> id % 6
"""

API_SCENARIOS: list[tuple[str, str]] = [
    ("items, no filter", "/api/v1/items"),
    ("items theme", "/api/v1/items?theme=social_cohesion"),
    ("items country", "/api/v1/items?country=DE"),
    ("items language+type", "/api/v1/items?language=fr&content_type=news"),
    ("items source", "/api/v1/items?source=bench-07"),
    ("items date range", "/api/v1/items?published_from=2025-01-01&published_to=2025-03-31"),
    ("items full text", "/api/v1/items?q=housing"),
    ("items theme+country+q", "/api/v1/items?theme=education_culture&country=FR&q=integration"),
    ("items sync", "/api/v1/items?updated_since=2000-01-01T00:00:00Z"),
    ("item detail", "/api/v1/items/500000"),
]
FEED_SCENARIOS: list[tuple[str, str]] = [
    ("atom, all", "/feeds/atom"),
    ("atom theme", "/feeds/theme/social_cohesion.atom"),
    ("atom country", "/feeds/country/DE.atom"),
    ("ical funding", "/feeds/funding.ics"),
]


def prepare(admin_url: str, n: int) -> str:
    """Create, migrate and fill the bench database; returns its URL."""
    from crawler.store.migrate import upgrade

    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{DB_NAME}"'))
    url = admin.url.set(database=DB_NAME).render_as_string(hide_password=False)
    admin.dispose()
    upgrade(url)
    engine = create_engine(url)
    started = time.perf_counter()
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO sources (id, name, publisher, country, kind, content_type, enabled, state, "
                "consecutive_failures, created_at, updated_at) SELECT 'bench-' || lpad(g::text, 2, '0'), "
                "'Bench source ' || g, 'Publisher ' || g, 'EU', 'feed', 'news', true, 'healthy', 0, "
                "now(), now() "
                "FROM generate_series(0, 19) g"
            )
        )
        conn.execute(text(GENERATE), {"n": n})
        conn.execute(text(THEMES_SQL))
        conn.execute(text("SELECT setval(pg_get_serial_sequence('items', 'id'), :n)"), {"n": n})
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE items"))
        conn.execute(text("VACUUM ANALYZE item_themes"))
        counts = conn.execute(
            text("SELECT count(*), count(*) FILTER (WHERE status IN ('approved','changed')) FROM items")
        ).one()
    engine.dispose()
    print(f"generated {counts[0]:,} items ({counts[1]:,} published) in {time.perf_counter() - started:.0f} s")
    return url


def make_token(url: str) -> str:
    """A fresh API token with a limit no benchmark reaches."""
    from crawler.store import portal
    from crawler.store.session import make_engine, session_factory

    engine = make_engine(url)
    with session_factory(engine)() as session:
        portal.revoke_token(session, "bench")
        token, _ = portal.add_token(session, "bench", rate_limit_per_minute=10_000_000)
        session.commit()
    engine.dispose()
    return token


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve(url: str, port: int) -> subprocess.Popen[bytes]:
    """uvicorn with the app factory on 127.0.0.1:`port`; waits until it answers."""
    env = {**os.environ, "EWSI_DATABASE_URL": url, "PYTHONPATH": str(ROOT)}
    cmd = [
        sys.executable,
        "-m",
        "uvicorn",
        "--factory",
        "crawler.web.app:create_app",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--log-level",
        "warning",
        "--no-access-log",
    ]
    proc = subprocess.Popen(cmd, env=env, cwd=ROOT)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return proc
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise RuntimeError("uvicorn did not start")


def measure(client: httpx.Client, path: str, requests: int) -> list[float]:
    """Milliseconds of `requests` sequential GETs of `path` (after 20 warm-up requests)."""
    for _ in range(20):
        client.get(path).raise_for_status()
    times = []
    for _ in range(requests):
        started = time.perf_counter()
        response = client.get(path)
        times.append((time.perf_counter() - started) * 1000)
        response.raise_for_status()
    return times


def pct(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--admin-url", default=os.environ.get("EWSI_TEST_POSTGRES_URL") or ADMIN_URL)
    parser.add_argument("--items", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--reuse", action="store_true", help="keep the existing bench database")
    args = parser.parse_args(argv)
    if args.reuse:
        url = create_engine(args.admin_url).url.set(database=DB_NAME).render_as_string(hide_password=False)
    else:
        url = prepare(args.admin_url, args.items)
    token = make_token(url)
    port = free_port()
    proc = serve(url, port)
    failed = False
    try:
        headers = {"Authorization": f"Bearer {token}"}
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", headers=headers, timeout=30) as client:
            # a deep page: the cursor of page 50 of the unfiltered listing
            path = "/api/v1/items?limit=50"
            for _ in range(50):
                cursor = client.get(path).json()["next_cursor"]
                path = f"/api/v1/items?limit=50&cursor={cursor}"
            scenarios = [*API_SCENARIOS, ("items page 51 (cursor)", path)]
            print(f"{'scenario':<28}{'p50':>8}{'p95':>8}{'p99':>8}{'max':>8}  (ms, {args.requests} requests)")
            for group, limit in ((scenarios, 50.0), (FEED_SCENARIOS, 100.0)):
                for name, target in group:
                    times = measure(client, target, args.requests)
                    p95 = pct(times, 95)
                    mark = "" if p95 < limit else f"  OVER {limit:.0f} ms"
                    failed |= p95 >= limit
                    cells = f"{pct(times, 50):8.1f}{p95:8.1f}{pct(times, 99):8.1f}{max(times):8.1f}"
                    print(f"{name:<28}{cells}{mark}")
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
