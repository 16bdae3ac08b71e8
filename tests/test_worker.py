"""The bounded extraction worker (crawler.worker, pipelines.extract.extract_bounded): limits hold,
the worker is reused and restarted, and hostile pages and PDFs cost one item's text at most
(RELIABILITY.md T13, T15, T16, T17; T13 and T14 through real crawls are in test_health_runs.py).

Figures of RELIABILITY.md §5 measured here go to tests/artifacts/reliability-content.json.
"""

from __future__ import annotations

import gzip
import io
import json
import pickle
import time
import zipfile
import zlib
from pathlib import Path
from typing import Any

import pytest

from crawler.worker import MIB, BoundedWorker
from pipelines.extract import (
    HTML_TIMEOUT_S,
    MAX_OUTPUT_BYTES,
    PDF_TIMEOUT_S,
    ExtractPipeline,
    extract_bounded,
    shared_worker,
)

ARTIFACT = Path(__file__).resolve().parent / "artifacts" / "reliability-content.json"
BAD_INPUTS: list[dict[str, Any]] = []


def merge_figures(section: str, value: Any) -> None:
    """Merge one section into the §5 figures file (several test modules write to it)."""
    ARTIFACT.parent.mkdir(parents=True, exist_ok=True)
    data = json.loads(ARTIFACT.read_text()) if ARTIFACT.exists() else {}
    data[section] = value
    ARTIFACT.write_text(json.dumps(data, indent=2, sort_keys=True))


@pytest.fixture(scope="module", autouse=True)
def _figures():
    yield
    if BAD_INPUTS:
        contained = [b for b in BAD_INPUTS if b["contained"]]
        merge_figures(
            "worker",
            {
                "bad_inputs_tried": len(BAD_INPUTS),
                "bad_inputs_contained": len(contained),
                "by_family": {
                    fam: sum(1 for b in BAD_INPUTS if b["family"] == fam)
                    for fam in sorted({b["family"] for b in BAD_INPUTS})
                },
                "worst_wall_s": round(max(b["seconds"] for b in BAD_INPUTS), 2),
                "worker_peak_rss_mb": round(max((b["peak_rss"] or 0) for b in BAD_INPUTS) / MIB, 1),
                "inputs": BAD_INPUTS,
            },
        )


def record(name: str, family: str, outcome: Any, key: str | None, seconds: float) -> None:
    BAD_INPUTS.append(
        {
            "name": name,
            "family": family,
            "key": key,
            "contained": key is not None and seconds < 30,
            "seconds": round(seconds, 2),
            "peak_rss": outcome.peak_rss_bytes,
        }
    )


# --- the worker itself ---------------------------------------------------------------------------


def test_worker_is_reused_and_answers() -> None:
    with BoundedWorker("os:getpid") as worker:
        first = worker.call(timeout=10)
        second = worker.call(timeout=10)
        assert first.error is None and first.value == second.value == worker.pid
        assert worker.restarts == 0 and worker.calls == 2
        assert 0 < (first.peak_rss_bytes or 0) < 200 * MIB


def test_timeout_kills_and_the_next_call_gets_a_fresh_worker() -> None:
    with BoundedWorker("time:sleep") as worker:
        started = time.monotonic()
        result = worker.call(30, timeout=0.5)
        assert result.error == "timeout" and time.monotonic() - started < 5
        assert worker.pid is None and worker.restarts == 1
        assert worker.call(0, timeout=10).error is None


def test_memory_limit_is_enforced_in_the_child() -> None:
    with BoundedWorker("builtins:bytearray", memory_bytes=256 * MIB) as worker:
        assert worker.call(1 * MIB, timeout=10).error is None
        result = worker.call(1024 * MIB, timeout=10)
        assert result.error == "memory"
        assert len(worker.call(10, timeout=10).value) == 10  # restarted


def test_an_exception_in_the_target_is_an_error_not_a_crash() -> None:
    with BoundedWorker("builtins:int") as worker:
        result = worker.call("x", timeout=10)
        assert result.error == "error" and "ValueError" in (result.detail or "")
        assert worker.call("7", timeout=10).value == 7 and worker.restarts == 0


def test_limits_match_the_guard_rails() -> None:
    assert (HTML_TIMEOUT_S, PDF_TIMEOUT_S, MAX_OUTPUT_BYTES) == (20.0, 30.0, 1_000_000)
    assert shared_worker().memory_bytes == 768 * MIB


def test_pipeline_flags_a_killed_extraction_and_keeps_the_item(monkeypatch) -> None:
    from crawler.types import HarvestedItem

    slow = BoundedWorker("time:sleep")
    monkeypatch.setattr("pipelines.extract.shared_worker", lambda: slow)
    monkeypatch.setattr("pipelines.extract.HTML_TIMEOUT_S", 0.5)
    # the worker target is time.sleep: a body that makes it wait stands in for a slow page
    monkeypatch.setattr(slow, "call", _sleeping_call(slow))
    item = HarvestedItem(source_id="s", url="https://x.eu/a", title="Feed title", summary="Feed summary")
    item.body, item.media_type = b"<html><body><p>x</p></body></html>", "text/html"
    try:
        ExtractPipeline().process_item(item)
    finally:
        slow.close()
    assert item.title == "Feed title" and item.summary == "Feed summary" and item.text is None
    assert "extract.timeout" in item.flags and "extract.html_failed" in item.flags
    assert item.ewsi_worker_kills == 1  # type: ignore[attr-defined]


def _sleeping_call(worker: BoundedWorker) -> Any:
    original = worker.call

    def call(*_args: Any, timeout: float, label: str | None = None) -> Any:
        return original(30, timeout=timeout)

    return call


# --- hostile pages -------------------------------------------------------------------------------


def _table_page(rows: int = 20_000, cols: int = 50) -> bytes:
    row = "<tr>" + "".join(f"<td>cell {i}</td>" for i in range(cols)) + "</tr>"
    return f"<html><body><table>{row * rows}</table></body></html>".encode()


@pytest.mark.heavy
@pytest.mark.slow
def test_t13_pathological_html_is_truncated_and_bounded() -> None:
    """T13 (a) 10 MB table, (b) 11 MB of <p>: cut to 2 MiB, extracted (or stopped) within limits."""
    pages = {"table": _table_page(), "paragraphs": b"<html><body>" + b"<p>word word</p>" * 700_000}
    for name, body in pages.items():
        assert len(body) > 10_000_000
        started = time.monotonic()
        outcome = extract_bounded(body, f"https://x.eu/{name}", "text/html")
        seconds = time.monotonic() - started
        flags = outcome.document.warnings
        assert "input_truncated" in flags
        assert seconds < HTML_TIMEOUT_S + 5
        assert outcome.kill in (None, "timeout", "memory")
        if outcome.kill is None:
            assert len((outcome.document.text or "").encode()) <= MAX_OUTPUT_BYTES
        assert (outcome.peak_rss_bytes or 0) < 768 * MIB
        record(f"T13 {name}", "HTML", outcome, "input_truncated", seconds)


def test_t17_content_type_confusion_routes_by_magic_bytes() -> None:
    html = b"<!doctype html><html><head><title>Report</title><script>steal()</script></head><body>" + (
        b"<article><p>" + b"The integration report describes language courses. " * 20 + b"</p></article>"
        b"</body></html>"
    )
    as_pdf_url = extract_bounded(html, "https://x.eu/report.pdf", "application/pdf")
    assert as_pdf_url.document.method == "html"
    assert "steal" not in (as_pdf_url.document.text or "") and "language courses" in as_pdf_url.document.text

    pdf = make_pdf(b"BT /F1 12 Tf 72 712 Td (Integration plan) Tj ET")
    as_html_url = extract_bounded(pdf, "https://x.eu/page.html", "text/html")
    assert as_html_url.document.method == "pdf" and "Integration plan" in (as_html_url.document.text or "")

    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("bomb.xml", b"<a>" + b"<b>lol</b>" * 2_000_000 + b"</a>")
    started = time.monotonic()
    zipped = extract_bounded(archive.getvalue(), "https://x.eu/data", "application/octet-stream")
    seconds = time.monotonic() - started
    assert zipped.document.method == "unsupported" and zipped.document.text is None
    assert zipped.document.warnings == ("extract.unsupported_type",)
    assert zipped.peak_rss_bytes is None  # never handed to a parser
    record("T17 zip with XML bomb", "compression", zipped, "extract.unsupported_type", seconds)


# --- PDFs ----------------------------------------------------------------------------------------


def make_pdf(
    content: bytes,
    *,
    filters: str = "",
    trailer_extra: bytes = b"",
    root: bool = True,
    font: bytes = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
) -> bytes:
    """A one-page PDF whose page content stream is `content` (already encoded for `filters`)."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R"
        b" /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d %s >>\nstream\n" % (len(content), filters.encode()) + content + b"\nendstream",
        font,
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    root_ref = b"/Root 1 0 R " if root else b""
    out.write(b"trailer\n<< /Size %d %s%s>>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, root_ref,
                                                                      trailer_extra, xref))  # fmt: skip
    return out.getvalue()


def _deflate_stream(total_mib: int) -> bytes:
    """zlib data inflating to `total_mib` MiB of spaces, built without compressing them all: after a
    full flush every 1 MiB block of spaces compresses to the same bytes, so the stream is the first
    block, the steady block repeated, the final block and the Adler-32 of the whole."""
    chunk = b" " * MIB
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    first = compressor.compress(chunk) + compressor.flush(zlib.Z_FULL_FLUSH)
    steady = compressor.compress(chunk) + compressor.flush(zlib.Z_FULL_FLUSH)
    assert compressor.compress(chunk) + compressor.flush(zlib.Z_FULL_FLUSH) == steady
    tail = compressor.flush()
    adler = 1
    for _ in range(total_mib):
        adler = zlib.adler32(chunk, adler)
    return b"\x78\xda" + first + steady * (total_mib - 1) + tail + adler.to_bytes(4, "big")


@pytest.fixture(scope="session")
def pdf_bomb(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """T15: page content /Filter [/FlateDecode /FlateDecode] that inflates to 1 GiB (cached)."""
    path = tmp_path_factory.getbasetemp() / "double-flate-bomb.pdf"
    if not path.exists():
        inner = _deflate_stream(1024)
        path.write_bytes(make_pdf(zlib.compress(inner, 9), filters="/Filter [/FlateDecode /FlateDecode]"))
    return path.read_bytes()


def test_t15_pdf_double_flate_bomb_costs_the_text_only(pdf_bomb: bytes) -> None:
    assert len(pdf_bomb) < 10_000
    started = time.monotonic()
    outcome = extract_bounded(pdf_bomb, "https://x.eu/bomb.pdf", "application/pdf")
    seconds = time.monotonic() - started
    assert outcome.document.method == "pdf" and not outcome.document.text
    assert "extract.pdf_failed" in outcome.document.warnings
    assert seconds < PDF_TIMEOUT_S
    assert outcome.kill is not None or (outcome.peak_rss_bytes or 0) < 768 * MIB
    record("T15 PDF double-Flate bomb", "PDF", outcome, "extract.pdf_failed", seconds)


def _lzw_run(byte: int, length: int) -> bytes:
    """PDF LZWDecode data (EarlyChange 1) for `length` repeats of `byte`, written code by code: a run
    of one byte encodes as byte, 258, 259, ... (each code one longer), with a Clear at 4094 entries."""
    codes: list[int] = [256]
    produced, next_code = 0, 258
    first = True
    while produced < length:
        if first:
            codes.append(byte)
            produced += 1
            first = False
            continue
        codes.append(next_code)
        produced += next_code - 256
        next_code += 1
        if next_code >= 4094:
            codes.append(256)
            next_code, first = 258, True
    codes.append(257)
    # widths as the decoder sees them: it adds an entry after every code but the first after a Clear,
    # and widens one code early (EarlyChange 1)
    bits, nbits, out, width, size, after_clear = 0, 0, bytearray(), 9, 258, True
    for code in codes:
        bits = (bits << width) | code
        nbits += width
        while nbits >= 8:
            nbits -= 8
            out.append((bits >> nbits) & 0xFF)
        bits &= (1 << nbits) - 1
        if code == 256:
            width, size, after_clear = 9, 258, True
            continue
        if after_clear:
            after_clear = False
            continue
        size += 1
        if size + 1 >= 1 << width and width < 12:
            width += 1
    if nbits:
        out.append((bits << (8 - nbits)) & 0xFF)
    return bytes(out)


def test_t16_malformed_pdfs_end_bounded_and_create_no_canary(tmp_path: Path) -> None:
    canary = tmp_path / "canary-created"
    evil = tmp_path / "evil"

    class Canary:
        def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
            return (open, (str(canary), "w"))

    evil.mkdir()
    for name in ("evil.pickle.gz", "evil-H.pickle.gz"):
        (evil / name).write_bytes(gzip.compress(pickle.dumps(Canary())))
    (tmp_path / "evil.pickle.gz").write_bytes(gzip.compress(pickle.dumps(Canary())))
    text = b"BT /F1 12 Tf 72 712 Td (Hello) Tj ET"
    cases = {
        "a huge /Size, no /Root": make_pdf(text, root=False, trailer_extra=b"/Size 1000000000 "),
        "inline DCT image without EOF": make_pdf(
            b"q BI /W 100 /H 100 /CS /RGB /BPC 8 /F /DCT ID \xff\xd8\xff\xe0" + b"\x00" * 4000 + b" Q"
        ),
        "LZW stream expanding to ~1 GB": make_pdf(
            _lzw_run(0x20, 1_000_000_000), filters="/Filter /LZWDecode"
        ),
        "CMap path to a pickle": make_pdf(
            text,
            font=b"<< /Type /Font /Subtype /Type0 /BaseFont /X /Encoding /%s"
            b" /DescendantFonts [] >>" % str(evil / "evil").encode(),
        ),
    }
    for name, body in cases.items():
        started = time.monotonic()
        outcome = extract_bounded(body, "https://x.eu/doc.pdf", "application/pdf")
        seconds = time.monotonic() - started
        assert seconds < PDF_TIMEOUT_S + 2, name
        assert outcome.document.method == "pdf", name
        assert (outcome.peak_rss_bytes or 0) < 768 * MIB, name
        flags = set(outcome.document.warnings)
        key = next(iter(sorted(flags & {"extract.pdf_failed", "extract.pdf_page_failed",
                                         "extract.timeout", "extract.memory"})), None)  # fmt: skip
        # a file pypdf reads despite the fault is contained too: it ended bounded with text or a flag
        record(f"T16 {name}", "PDF", outcome, key or "extract.ok_bounded", seconds)
    assert not canary.exists()
