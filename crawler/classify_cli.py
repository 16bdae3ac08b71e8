"""`ewsi classify ...`: evaluate the classifier on labelled data (more subcommands come with the
learned model: train, diff, reprocess)."""

from __future__ import annotations

import sys
from collections.abc import Sequence

USAGE = """usage: ewsi classify eval --data FILE.jsonl [--json] [--themes PATH] [--model FILE] [--cv K]

  eval   relevance and theme precision, recall and F1 on a labelled JSON Lines file
"""


def main(argv: Sequence[str]) -> int:
    """Dispatch `ewsi classify SUBCOMMAND ...`; returns the exit code (2 for bad usage)."""
    argv = list(argv)
    if not argv or argv[0] in ("-h", "--help"):
        print(USAGE)
        return 0 if argv else 2
    if argv[0] == "eval":
        from classifier import evaluate

        return int(evaluate.main(argv[1:]) or 0)
    print(f"unknown classify command {argv[0]!r}\n{USAGE}", file=sys.stderr)
    return 2
