"""Classification throughput in documents per second per core (issue 4 target: >= 500 docs/s on 5 KB).

Texts are built from the titles and summaries of ../shared/data/themes_dev.jsonl, shuffled and joined
to `--size` characters each, so every document is different and its vocabulary realistic and
multilingual. Runs in one process (one core). Usage:
    .venv/bin/python bench/classify.py [--docs 2000] [--size 5000] [--model FILE]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import classifier  # noqa: E402

SHARED = Path(os.environ.get("EWSI_SHARED") or ROOT / ".." / "shared")


def make_docs(n: int, size: int, seed: int = 0) -> list[tuple[str, str, str]]:
    """(title, ~size-character text, language) tuples built from the dev set's sentences."""
    rows = [json.loads(line) for line in (SHARED / "data" / "themes_dev.jsonl").open(encoding="utf-8")]
    rng = random.Random(seed)
    docs = []
    for i in range(n):
        head = rows[i % len(rows)]
        parts: list[str] = []
        while sum(len(p) + 1 for p in parts) < size:
            r = rng.choice(rows)
            parts.append(f"{r['title']}. {r['summary']}")
        docs.append((head["title"], " ".join(parts)[:size], head["lang"]))
    return docs


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--docs", type=int, default=2000)
    parser.add_argument("--size", type=int, default=5000, help="characters per document")
    parser.add_argument("--model", help="learned model file to blend in")
    args = parser.parse_args()
    clf = classifier.load_default(model_path=args.model)
    docs = make_docs(args.docs, args.size)
    clf.classify(*docs[0])  # build caches outside the timing, as a long-running pipeline would
    start_cpu, start = time.process_time(), time.perf_counter()
    relevant = sum(clf.classify(t, x, lang).relevant for t, x, lang in docs)
    cpu, wall = time.process_time() - start_cpu, time.perf_counter() - start
    print(
        f"{clf.version}: {args.docs} docs x {args.size} chars: {args.docs / cpu:.0f} docs/s/core (CPU), "
        f"{args.docs / wall:.0f} docs/s wall, {relevant} relevant"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
