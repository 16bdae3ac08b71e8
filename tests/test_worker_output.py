"""What a worker child's libraries say goes to the crawl log, never to the terminal
(crawler.workeroutput, crawler.worker).

Rule under test: log records of INFO and above, ``warnings.warn``, ``print`` and bytes written to file
descriptor 1 or 2 in the child come back with the call's answer and are logged in the calling process
under their logger name and level, prefixed by the call's label, each on one line, at most
`MAX_RECORDS` per call and a count of the rest. Through ``ewsi crawl``: a cut PDF and a file with a
PDF header and junk leave their pypdf warnings and the extract stage's ``PDF unreadable`` in the crawl
log with the page's URL; the terminal shows the summary only; the items are flagged
``extract.pdf_failed``.
"""

from __future__ import annotations

import logging
import subprocess
import sys
from pathlib import Path

import pytest

from crawler.worker import BoundedWorker
from crawler.workeroutput import MAX_RECORDS, OUTPUT_LOGGER
from tests.desklab import SQLITE_ONLY
from tests.fetchlab import migrate, write_config
from tests.lab import LabServer, Route
from tests.test_attachments import REPORT_EN, tiny_pdf
from tests.test_cases import items
from tests.test_runner_logging import ROOT, run_env

W = logging.WARNING
# (what the child runs, the records the caller logs: (logger, level, message))
SAYINGS: list[tuple[str, list[tuple[str, int, str]]]] = [
    ("import logging; logging.getLogger('pypdf._reader').warning('EOF marker not found')",
     [("pypdf._reader", W, "page-1: EOF marker not found")]),
    ("import logging; logging.getLogger('lib').info('read %d pages', 3)",
     [("lib", logging.INFO, "page-1: read 3 pages")]),
    ("import logging; logging.getLogger('lib').debug('too fine to keep')", []),
    ("import logging; logging.getLogger('lib').error('two\\n  lines')",
     [("lib", logging.ERROR, "page-1: two lines")]),
    ("print('printed on stdout')", [(OUTPUT_LOGGER, W, "page-1: printed on stdout")]),
    ("import sys; sys.stderr.write('written on stderr\\n')",
     [(OUTPUT_LOGGER, W, "page-1: written on stderr")]),
    ("import os; os.write(2, b'from C on fd 2\\n'); os.write(1, b'from C on fd 1\\n')",
     [(OUTPUT_LOGGER, W, "page-1: from C on fd 2"), (OUTPUT_LOGGER, W, "page-1: from C on fd 1")]),
    ("pass", []),
]  # fmt: skip


@pytest.mark.parametrize(("code", "expected"), SAYINGS)
def test_what_the_child_says_is_logged_by_the_caller_not_printed(
    code: str,
    expected: list[tuple[str, int, str]],
    caplog: pytest.LogCaptureFixture,
    capfd: pytest.CaptureFixture[str],
) -> None:
    with BoundedWorker("builtins:exec") as worker, caplog.at_level(logging.INFO):
        worker.ensure_started()
        caplog.clear()
        result = worker.call(code, timeout=20, label="page-1")
        again = worker.call("pass", timeout=20, label="page-2")  # each call hands back its own
    assert (result.error, again.error) == (None, None)
    assert [(r.name, r.levelno, r.getMessage()) for r in caplog.records] == expected
    out, err = capfd.readouterr()
    assert (out, err) == ("", "")


def test_a_warning_is_logged_and_a_flood_is_cut(
    caplog: pytest.LogCaptureFixture, capfd: pytest.CaptureFixture[str]
) -> None:
    flood = "import logging\nfor n in range(30): logging.getLogger('lib').warning('broken page %d', n)"
    with BoundedWorker("builtins:exec") as worker, caplog.at_level(logging.INFO):
        worker.ensure_started()
        caplog.clear()
        worker.call(
            "import warnings; warnings.warn('an old call', DeprecationWarning)", timeout=20, label="u"
        )
        [warned] = caplog.records
        assert warned.name == "py.warnings" and "u: " in warned.getMessage()
        assert "DeprecationWarning: an old call" in warned.getMessage()
        caplog.clear()
        result = worker.call(flood + "\n1/0", timeout=20, label="u")  # the call fails after saying it
    assert result.error == "error" and result.detail == "ZeroDivisionError: division by zero"
    messages = [r.getMessage() for r in caplog.records]
    assert messages[:MAX_RECORDS] == [f"u: broken page {n}" for n in range(MAX_RECORDS)]
    assert messages[MAX_RECORDS:] == [f"u: {30 - MAX_RECORDS} more records or lines not kept"]
    assert capfd.readouterr() == ("", "")


def _cut(pdf: bytes) -> bytes:
    return pdf[: len(pdf) // 2]


@pytest.mark.slow
@SQLITE_ONLY
def test_a_corrupt_pdf_leaves_the_terminal_alone_and_the_log_says_it(db_url: str, tmp_path: Path) -> None:
    migrate(db_url)
    log_file = tmp_path / "crawl.log"
    good = tiny_pdf(REPORT_EN, "Integration report 2025")
    pdfs = {"cut.pdf": _cut(good), "junk.pdf": b"%PDF-1.7\n" + bytes(range(256)) * 8, "good.pdf": good}
    with LabServer("127.0.0.2") as lab:
        links = "".join(f'<a href="/docs/{name}">{name}</a>' for name in pdfs)
        lab.routes["/docs/"] = Route(
            f"<html><body><ul class='docs'>{links}</ul></body></html>".encode(),
            headers={"Content-Type": "text/html; charset=utf-8"},
        )
        for name, body in pdfs.items():
            lab.routes[f"/docs/{name}"] = Route(body, headers={"Content-Type": "application/pdf"})
        config = write_config(
            tmp_path / "sources.yaml",
            [{"id": "pdf-corrupt", "kind": "listing", "urls": [lab.url("/docs/")], "follow": True,
              "listing": {"links": "ul.docs a::attr(href)"}}],
        )  # fmt: skip
        command = ["crawl", "--config", str(config), "--log-file", str(log_file)]
        proc = subprocess.run([sys.executable, "-m", "crawler.cli", *command], cwd=ROOT, env=run_env(db_url),
                              capture_output=True, text=True, timeout=200)  # fmt: skip
        cut_url, junk_url = lab.url("/docs/cut.pdf"), lab.url("/docs/junk.pdf")
    assert proc.returncode == 0, proc.stderr[-3000:]
    terminal = proc.stdout + proc.stderr
    for said in ("EOF marker", "PDF unreadable", "startxref", "pypdf", "Stream has ended"):
        assert said not in terminal, terminal
    assert "Harvest summary" in proc.stdout and proc.stderr.strip() == f"crawl log: {log_file}"
    log = log_file.read_text(encoding="utf-8")
    assert f"[pypdf._reader] WARNING: {cut_url}: EOF marker not found" in log
    assert f"[pipelines.formats] WARNING: {cut_url}: PDF unreadable: " in log
    assert f"[pipelines.formats] WARNING: {junk_url}: PDF unreadable: " in log
    rows = {row.url.rsplit("/", 1)[-1]: row for row in items(db_url)}
    assert sorted(rows) == ["cut.pdf", "good.pdf", "junk.pdf"]
    assert "extract.pdf_failed" in rows["cut.pdf"].flags and "extract.pdf_failed" in rows["junk.pdf"].flags
    assert (
        "housing advice" in (rows["good.pdf"].text or "")
        and "extract.pdf_failed" not in rows["good.pdf"].flags
    )
