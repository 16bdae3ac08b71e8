"""Extraction output dump and profile over every recorded document of ../shared/corpus and corpus2.

Runs `pipelines.extract.extract_document` (in process) and `pipelines.language.detect_language` on each
response body of both corpora's ``snapshot.warc.gz`` that routes to HTML, PDF or XML, with the
recorded Content-Type (and its charset), and writes one JSON record per document: url, title,
raw_title, headline, sha256 of the text, text length, published (and where from), modified, author,
the page's declared language, the detected language (language, confidence, method, languages
found), method, page count and warnings. Two dumps taken before and after a change must be
identical when the change is meant to keep the output.

It also prints the extraction and language CPU time per document (the cheapest of --repeat runs)
and, with --profile N, the N most expensive functions of one extraction pass (cProfile, cumulative).

Usage: .venv/bin/python bench/extract_profile.py [--shared DIR] [--out dump.json] [--repeat 3]
       [--profile 40] [--sort cumulative|tottime]
Compare: diff <(python -m json.tool before.json) <(python -m json.tool after.json)
"""

from __future__ import annotations

import argparse
import cProfile
import hashlib
import json
import os
import pstats
import sys
import time
from pathlib import Path
from typing import Any

from warcio.archiveiterator import ArchiveIterator

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pipelines.extract import extract_document, route  # noqa: E402
from pipelines.language import detect_language  # noqa: E402


def recorded(shared: Path) -> list[tuple[str, bytes, str | None]]:
    """(url, body, Content-Type) of every HTML, PDF or XML response of both corpora, in WARC order."""
    found = []
    for corpus in ("corpus", "corpus2"):
        with (shared / corpus / "snapshot.warc.gz").open("rb") as fh:
            for record in ArchiveIterator(fh):
                if record.rec_type != "response" or record.http_headers is None:
                    continue
                url = record.rec_headers.get_header("WARC-Target-URI")
                media_type = record.http_headers.get_header("Content-Type")
                body = record.content_stream().read()
                if route(body, media_type) in ("html", "pdf", "xml"):
                    found.append((url, body, media_type))
    return found


def dump_one(url: str, body: bytes, media_type: str | None) -> dict[str, Any]:
    document = extract_document(body, url, media_type, media_type)
    language = detect_language(document.text, title=document.title, page_language=document.language)
    text = document.text or ""
    return {
        "url": url,
        "title": document.title,
        "raw_title": document.raw_title,
        "headline": document.headline,
        "text_sha256": hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest(),
        "text_chars": len(text),
        "published": document.published,
        "published_from": document.published_from,
        "modified": document.modified,
        "author": document.author,
        "declared_language": document.language,
        "language": [language.language, language.confidence, language.method, list(language.languages_found)],
        "method": document.method,
        "page_count": document.page_count,
        "warnings": list(document.warnings),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", default=os.environ.get("EWSI_SHARED") or str(ROOT.parent / "shared"))
    parser.add_argument("--out", help="write the dump here (JSON)")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs per document (cheapest counts)")
    parser.add_argument("--profile", type=int, default=0, help="print the N costliest functions")
    parser.add_argument("--sort", default="cumulative", choices=("cumulative", "tottime"))
    args = parser.parse_args()
    docs = recorded(Path(args.shared))
    records = [dump_one(url, body, media_type) for url, body, media_type in docs]  # also warms up
    if args.out:
        Path(args.out).write_text(json.dumps(records, indent=1, ensure_ascii=False) + "\n", "utf-8")
    extract_s = language_s = 0.0
    for url, body, media_type in docs:
        costs, lang_costs = [], []
        for _ in range(args.repeat):
            started = time.process_time()
            document = extract_document(body, url, media_type, media_type)
            middle = time.process_time()
            detect_language(document.text, title=document.title, page_language=document.language)
            costs.append(middle - started)
            lang_costs.append(time.process_time() - middle)
        extract_s += min(costs)
        language_s += min(lang_costs)
    n = max(len(docs), 1)
    print(
        f"{len(docs)} documents; CPU ms/document: extract {1000 * extract_s / n:.1f}, "
        f"language {1000 * language_s / n:.1f}"
    )
    if args.profile:
        profiler = cProfile.Profile()
        profiler.enable()
        for url, body, media_type in docs:
            document = extract_document(body, url, media_type, media_type)
            detect_language(document.text, title=document.title, page_language=document.language)
        profiler.disable()
        pstats.Stats(profiler).sort_stats(args.sort).print_stats(args.profile)
    return 0


if __name__ == "__main__":
    sys.exit(main())
