"""Scheduled harvesting (APScheduler 3.x): ``python scheduler.py [options]``, the same as ``ewsi schedule``.

The logic lives in `crawler.scheduling`; nothing imports this file.
"""

from __future__ import annotations

import sys

from crawler.scheduling import main

if __name__ == "__main__":
    sys.exit(main())
