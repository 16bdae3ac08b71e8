"""``ewsi contributors``: credit contributors, erase their personal data on request.

    ewsi contributors report --year 2026 [--csv]   one line per contributor (by email address) with
                                                   contributions in that year (UTC): name,
                                                   organisation, country, consent, submitted,
                                                   published; a table, or CSV with a header
    ewsi contributors forget EMAIL                 null the name, organisation and email of every
                                                   contribution of EMAIL; the items stay

Email addresses are never printed. Exit codes: 0 done, 1 nothing to forget, 2 bad arguments.
"""

from __future__ import annotations

import argparse
import csv
import sys
from collections.abc import Sequence

from crawler.argtypes import Parser, int_at_least
from crawler.config import Settings
from crawler.errors import UsageError
from crawler.store import submissions
from crawler.store.migrate import ensure_ready
from crawler.store.session import session_scope
from crawler.web.logsafe import escape_controls

HELP = "report contributors or forget one's personal data"
COLUMNS = ("name", "organisation", "country", "consent", "submitted", "published")


def build_parser() -> argparse.ArgumentParser:
    """Arguments of ``ewsi contributors``."""
    parser = Parser(prog="ewsi contributors", description=HELP)
    sub = parser.add_subparsers(dest="action", required=True)
    report = sub.add_parser("report", help="contributors of a year with their counts")
    report.add_argument("--year", type=int_at_least(1, 9999), required=True)
    report.add_argument("--csv", action="store_true", help="CSV instead of a table")
    forget = sub.add_parser("forget", help="erase a contributor's personal data")
    forget.add_argument("email")
    parser.add_shared_argument("--database-url", help="SQLAlchemy URL (default EWSI_DATABASE_URL or SQLite)")
    return parser


def main(argv: Sequence[str], settings: Settings) -> int:
    """Entry point of ``ewsi contributors`` (see the module docstring)."""
    args = build_parser().parse_args(list(argv))
    url = args.database_url or settings.database_url
    ensure_ready(url)
    with session_scope(url) as session:
        if args.action == "forget":
            count = submissions.forget(session, args.email)
            if not count:
                print("no contribution from this address", file=sys.stderr)
                return 1
            print(f"personal data of {count} contribution(s) erased", file=sys.stderr)
            return 0
        if not 1990 <= args.year <= 9999:
            raise UsageError("--year must be 1990 to 9999")
        rows = submissions.contributors_report(session, args.year)
    if args.csv:
        writer = csv.DictWriter(sys.stdout, fieldnames=COLUMNS, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
        return 0
    cells = [[escape_controls(str(r[c] if r[c] is not None else "-")) for c in COLUMNS] for r in rows]
    widths = [max([len(c), *(len(row[i]) for row in cells)]) for i, c in enumerate(COLUMNS)]
    print("  ".join(c.ljust(w) for c, w in zip(COLUMNS, widths, strict=True)))
    for row in cells:
        print("  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)))
    return 0
