"""Title score: how many of the 55 recorded HTML pages of ../shared/corpus and corpus2 get the headline
an editor reads (tests/data/corpus_headlines.yaml) as their title, and the extraction CPU time per page
(the cheapest of --repeat runs, so that other load on the machine counts less).

Usage: .venv/bin/python bench/title_score.py [--shared DIR] [--json] [--show]
Run it on another checkout (PYTHONPATH=that checkout) with this file to compare before and after.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import time
import unicodedata
from pathlib import Path

import yaml

from pipelines.extract import extract_document

ROOT = Path(__file__).resolve().parents[1]
HEADLINES = Path(__file__).resolve().parents[1] / "tests" / "data" / "corpus_headlines.yaml"
_QUOTES = str.maketrans({c: "'" for c in "‘’‚‛′`´"} | {c: '"' for c in "“”„‟«»″"})


def fold(value: str) -> str:
    value = unicodedata.normalize("NFKC", value).translate(_QUOTES).casefold()
    return " ".join(value.replace("\u00ad", "").split()).strip(" .:;,")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", default=os.environ.get("EWSI_SHARED") or str(ROOT.parent / "shared"))
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--repeat", type=int, default=3, help="runs per page; the cheapest CPU time counts")
    parser.add_argument("--show", action="store_true", help="print the pages whose title is wrong")
    args = parser.parse_args()
    headlines = yaml.safe_load(HEADLINES.read_text("utf-8"))
    right = total = 0
    seconds = 0.0
    for corpus in ("corpus", "corpus2"):
        manifest = yaml.safe_load((Path(args.shared) / corpus / "MANIFEST.yaml").read_text("utf-8"))
        for entry in manifest["files"]:
            path = entry["path"]
            if not (path.startswith("html/") and path.endswith((".html", ".html.gz"))):
                continue
            body = (Path(args.shared) / corpus / path).read_bytes()
            body = gzip.decompress(body) if path.endswith(".gz") else body
            costs = []
            for _ in range(args.repeat):
                started = time.process_time()
                title = extract_document(body, entry["original_url"], "text/html").title or ""
                costs.append(time.process_time() - started)
            seconds += min(costs)
            total += 1
            ok = fold(title) in {fold(h) for h in headlines[Path(path).name]}
            right += ok
            if args.show and not ok:
                print(f"  {Path(path).name}: {title!r}")
    print(f"titles right: {right}/{total}; extraction {1000 * seconds / max(total, 1):.0f} ms CPU/page")
    if args.json:
        print(
            json.dumps({"right": right, "pages": total, "ms_per_page": round(1000 * seconds / max(total, 1))})
        )


if __name__ == "__main__":
    main()
