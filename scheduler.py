"""Scheduled harvesting (APScheduler 3.x): ``python scheduler.py [options]``, the same as ``ewsi schedule``.

The command is crawler.commands.schedule, run through crawler.cli (its exit codes); nothing imports
this file.
"""

from __future__ import annotations

import sys

from crawler.cli import main

if __name__ == "__main__":
    sys.exit(main(["schedule", *sys.argv[1:]]))
