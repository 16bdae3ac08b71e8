"""Classification throughput in documents per second per core (issue 4 target: >= 500 docs/s on 5 KB).

Synthetic mode (default): texts are built from the titles and summaries of
../shared/data/themes_dev.jsonl, shuffled and joined to `--size` characters each, so every document
is different and its vocabulary realistic and multilingual.

Corpus mode (``--corpus``): the recorded HTML, PDF and XML documents of ../shared/corpus are extracted
once with pipelines.extract.extract_document (timed too, for comparison: extraction is the stage
before), cut to the classify stage's limit (pipelines.classify.MAX_CLASSIFY_CHARS) and classified
`--repeat` times with a cold match cache each round. Language: the one MANIFEST.yaml gives.

Runs in one process (one core); CPU time is reported. Usage:
    .venv/bin/python bench/classify.py [--docs 2000] [--size 5000] [--model FILE]
    .venv/bin/python bench/classify.py --corpus [--repeat 20] [--model FILE]
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


def corpus_docs() -> tuple[list[tuple[str, str, str | None]], float, int]:
    """(title, text, language) of every extractable corpus document, extraction CPU seconds, bytes."""
    import yaml

    from pipelines.classify import MAX_CLASSIFY_CHARS
    from pipelines.extract import extract_document

    root = SHARED / "corpus"
    manifest = yaml.safe_load((root / "MANIFEST.yaml").read_text(encoding="utf-8"))
    languages = {f["path"]: (f.get("languages") or [None])[0] for f in manifest["files"]}
    kinds = {".html": "text/html", ".htm": "text/html", ".pdf": "application/pdf", ".xml": "application/xml"}
    paths = [
        p
        for folder in ("html", "pdf", "documents")
        for p in sorted((root / folder).rglob("*"))
        if p.suffix.lower() in kinds
    ]
    docs: list[tuple[str, str, str | None]] = []
    cpu, size = 0.0, 0
    for path in paths:
        body = path.read_bytes()
        size += len(body)
        start = time.process_time()
        doc = extract_document(body, f"https://example.org/{path.name}", kinds[path.suffix.lower()])
        cpu += time.process_time() - start
        if doc.text:
            lang = languages.get(str(path.relative_to(root)))
            docs.append((doc.title or "", doc.text[:MAX_CLASSIFY_CHARS], None if lang == "mul" else lang))
    return docs, cpu, size


def bench_corpus(clf: classifier.Classifier, repeat: int) -> None:
    """Print extraction and classification throughput on the recorded corpus."""
    docs, extract_cpu, size = corpus_docs()
    chars = sum(len(t) + len(x) for t, x, _ in docs)
    cache = getattr(clf, "_cache", None) or getattr(getattr(clf, "engine", None), "_cache", None)
    cpu, relevant = 0.0, 0
    for _ in range(repeat):
        if cache is not None:
            cache.clear()  # every round pays for the vocabulary again, as a fresh harvest process would
        start = time.process_time()
        relevant = sum(clf.classify(t, x, lang).relevant for t, x, lang in docs)
        cpu += time.process_time() - start
    n = len(docs) * repeat
    print(
        f"{clf.version}: corpus {len(docs)} documents ({size / 1e6:.1f} MB recorded, "
        f"{chars / len(docs) / 1000:.1f} K characters classified per document on average), "
        f"{relevant} relevant"
    )
    print(f"extract  {len(docs) / extract_cpu:8.1f} docs/s/core (CPU, one pass)")
    print(f"classify {n / cpu:8.1f} docs/s/core (CPU, {repeat} passes)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--docs", type=int, default=2000)
    parser.add_argument("--size", type=int, default=5000, help="characters per document")
    parser.add_argument("--model", help="learned model file to blend in")
    parser.add_argument("--corpus", action="store_true", help="classify the recorded corpus' documents")
    parser.add_argument("--repeat", type=int, default=20, help="passes over the corpus (--corpus)")
    args = parser.parse_args()
    clf = classifier.load_default(model_path=args.model)
    if args.corpus:
        bench_corpus(clf, max(1, args.repeat))
        return 0
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
