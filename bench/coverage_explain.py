"""The coverage queries (crawler.store.coverage) on PostgreSQL with 100,000 generated items, without
and with the indexes of migration 0025_coverage_index.

Usage::

    .venv/bin/python bench/coverage_explain.py [--items 100000] [--fresh] [--json]
        [--admin-url postgresql+psycopg2://postgres@127.0.0.1:5432/postgres]

1. Creates the database ``ewsi_bench_coverage`` (``--fresh`` drops it first), migrates it and
   generates the items in SQL (skipped when it already holds `--items` items): 28 country codes
   (27 member states + EU, a tenth without a country), 12 languages, first seen over two years,
   40 % judged relevant, status 30 % pending / 40 % approved (approved a day after first seen) /
   25 % rejected / 5 % deferred, one assigned theme per item and one more unassigned or assigned.
2. Drops the three indexes of 0025, runs ANALYZE, then for the theme and the language axis: EXPLAIN
   (ANALYZE, BUFFERS) of the current-period count of relevant items and of approved items (plan
   shape, execution time, shared blocks) and the wall time of the whole report
   (crawler.web.coverage.report: 7 + 1 + 1 queries for 30 days and 6 periods), best of 3.
3. Creates the indexes again (as the migration does) and repeats step 2.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

DB_NAME = "ewsi_bench_coverage"
COUNTRIES = (
    "ARRAY['AT','BE','BG','HR','CY','CZ','DK','EE','FI','FR','DE','GR','HU','IE','IT','LV','LT','LU',"
    "'MT','NL','PL','PT','RO','SK','SI','ES','SE','EU']"
)
LANGS = "ARRAY['de','fr','en','it','es','nl','pl','pt','sv','el','cs','ro']"
THEMES = (
    "ARRAY['Active Citizenship','Economic Participation','Social Cohesion','Education and Culture',"
    "'Anti-discrimination and Equality','Tools and Techniques']"
)
INDEXES = ("ix_items_coverage_seen", "ix_items_coverage_approved", "ix_item_themes_coverage")


def _generate(engine: Any, n: int) -> float:
    started = time.perf_counter()
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO sources (id, name, kind, content_type, enabled, state, consecutive_failures, "
                "created_at, updated_at) SELECT 'src-' || g, 'Source ' || g, 'feed', 'news', true, "
                "'healthy', 0, now(), now() FROM generate_series(1, 40) g ON CONFLICT DO NOTHING"
            )
        )
        conn.execute(
            text(
                "INSERT INTO items (identity, identity_hash, source_id, url, title, language, country, "
                "first_seen_at, last_seen_at, relevant, relevance, status, approved_at, version, revision) "
                "SELECT 'https://cov.example/' || g, md5('i' || g) || md5('j' || g), "
                "'src-' || (1 + g % 40), 'https://cov.example/' || g, 'Item ' || g, "
                f"({LANGS})[1 + floor(r1 * 12)::int], "
                f"CASE WHEN r2 < 0.1 THEN NULL ELSE ({COUNTRIES})[1 + floor(r3 * 28)::int] END, "
                "seen, seen, r4 < 0.4, r4, "
                "CASE WHEN r5 < 0.30 THEN 'pending' WHEN r5 < 0.70 THEN 'approved' "
                "WHEN r5 < 0.95 THEN 'rejected' ELSE 'deferred' END, "
                "CASE WHEN r5 >= 0.30 AND r5 < 0.70 THEN seen + interval '1 day' END, 1, 1 "
                "FROM (SELECT g, random() r1, random() r2, random() r3, random() r4, random() r5, "
                "now() - random() * interval '730 days' seen FROM generate_series(1, :n) g) x"
            ),
            {"n": n},
        )
        conn.execute(
            text(
                "INSERT INTO item_themes (item_id, theme, score, assigned) "
                f"SELECT id, ({THEMES})[1 + id % 6], 0.8, true FROM items "
                f"UNION ALL SELECT id, ({THEMES})[1 + (id / 7) % 6], 0.3, (id % 3 = 0) FROM items "
                "WHERE (id / 7) % 6 <> id % 6"
            )
        )
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE items"))
        conn.execute(text("VACUUM ANALYZE item_themes"))
    return time.perf_counter() - started


def _explain(engine: Any, stmt: Any) -> dict[str, Any]:
    compiled = stmt.compile(engine, compile_kwargs={"literal_binds": True})
    with engine.connect() as conn:
        lines = [r[0] for r in conn.execute(text(f"EXPLAIN (ANALYZE, BUFFERS) {compiled}"))]
    plan = "\n".join(lines)
    scans = re.findall(
        r"((?:Parallel )?(?:Seq|Index|Index Only|Bitmap Heap|Bitmap Index) Scan)(?: using (\w+))? on (\w+)",
        plan,
    )
    ms = float(re.search(r"Execution Time: ([\d.]+) ms", plan).group(1))  # type: ignore[union-attr]
    hit = sum(int(x) for x in re.findall(r"shared hit=(\d+)", lines[0]))
    read = sum(int(x) for x in re.findall(r"read=(\d+)", lines[0]))
    return {
        "ms": ms,
        "scans": sorted({f"{s[0]} {s[1] or ''} on {s[2]}".replace("  ", " ") for s in scans}),
        "hit": hit,
        "read": read,
        "plan": plan,
    }


def _measure(engine: Any, now: datetime) -> dict[str, Any]:
    from sqlalchemy.orm import Session

    from crawler.store.coverage import _query
    from crawler.web.coverage import report

    out: dict[str, Any] = {}
    since = now - timedelta(days=30)
    for axis in ("theme", "language"):
        for measure in ("relevant", "approved"):
            out[f"{axis}/{measure}"] = _explain(engine, _query(axis, measure, since, now, False))  # type: ignore[arg-type]
        walls = []
        for _ in range(3):
            with Session(engine) as session:
                started = time.perf_counter()
                report(session, now, axis, 30, 6)
                walls.append(time.perf_counter() - started)
        out[f"{axis}/report_ms"] = min(walls) * 1000
    return out


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    p.add_argument("--items", type=int, default=100_000)
    p.add_argument("--fresh", action="store_true")
    p.add_argument("--json", action="store_true")
    p.add_argument("--admin-url", default="postgresql+psycopg2://postgres@127.0.0.1:5432/postgres")
    args = p.parse_args(argv)

    from crawler.store.migrate import upgrade
    from crawler.store.schema import Item, ItemTheme

    admin = create_engine(args.admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        if args.fresh:
            conn.execute(text(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)"))
        if not conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :d"), {"d": DB_NAME}).first():
            conn.execute(text(f"CREATE DATABASE {DB_NAME}"))
    admin.dispose()
    url = args.admin_url.rsplit("/", 1)[0] + f"/{DB_NAME}"
    upgrade(url)  # to the head: 0025 included
    engine = create_engine(url)
    with engine.connect() as conn:
        have = conn.execute(text("SELECT count(*) FROM items")).scalar_one()
    if have < args.items:
        print(f"generating {args.items:,} items ...", flush=True)
        print(f"  done in {_generate(engine, args.items - have):.0f} s", flush=True)
    now = datetime.now(UTC)
    every = [*Item.__table__.indexes, *ItemTheme.__table__.indexes]
    indexes = {ix.name: ix for ix in every if ix.name in INDEXES}
    results: dict[str, Any] = {}
    for phase in ("before", "after"):
        with engine.begin() as conn:
            for name, ix in indexes.items():
                conn.execute(text(f"DROP INDEX IF EXISTS {name}"))
                if phase == "after":
                    ix.create(conn)
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE items"))
            conn.execute(text("VACUUM ANALYZE item_themes"))
        _measure(engine, now)  # warm the caches once, then measure
        results[phase] = _measure(engine, now)
    engine.dispose()
    print(f"{'query':<20} {'before ms':>10} {'after ms':>10}  plan after (before)")
    for key in results["before"]:
        b, a = results["before"][key], results["after"][key]
        if key.endswith("report_ms"):
            print(f"{key:<20} {b:>10.1f} {a:>10.1f}  whole report, best of 3")
        else:
            print(
                f"{key:<20} {b['ms']:>10.1f} {a['ms']:>10.1f}  "
                f"{'; '.join(a['scans'])} ({'; '.join(b['scans'])})"
            )
    if args.json:
        print(
            json.dumps(
                {
                    p: {
                        k: (v if isinstance(v, float) else {x: y for x, y in v.items() if x != "plan"})
                        for k, v in r.items()
                    }
                    for p, r in results.items()
                }
            )
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
