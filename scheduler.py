"""Scheduled harvesting (APScheduler 3.x): one job per enabled source.

Placeholder entry point until the scheduler lands: it validates the config and lists the sources
with their schedules, so operators can check what would run.
"""

from __future__ import annotations

import sys

from crawler.errors import ConfigError
from crawler.sources import load_sources


def main(argv: list[str] | None = None) -> int:
    """Print each enabled source's id and cron schedule; exit 2 on an invalid config."""
    args = sys.argv[1:] if argv is None else argv
    try:
        config = load_sources(args[0] if args else None)
    except ConfigError as exc:
        print(exc, file=sys.stderr)
        return 2
    for source in config.sources:
        if source.enabled:
            print(f"{source.id}\t{source.schedule}\t{source.timezone}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
