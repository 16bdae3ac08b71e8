"""An interrupted `ewsi crawl` holds nothing against its sources (crawler.runner `ShutdownGuard`).

Rule: a run stopped by SIGINT or SIGTERM, at any moment (while the crawlers are being built, while
their requests hang, a second signal forcing the stop), records no failure or back-off against any
source, leaves no run ``running``, and exits 130. Each case is a real `ewsi crawl` child process
against a loopback server that answers nothing in time; SQLite. Nor is an interruption a strike
against a page (crawler.worker): a Ctrl-C to the crawl's whole process group while a page is being
extracted leaves the quarantine empty, and the terminal gets one line and no traceback.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest
from sqlalchemy import select

from crawler.sources import load_sources
from crawler.store.schema import CrawlRun, SourceRow
from crawler.store.sources import sync_sources
from tests.lab import LabServer
from tests.test_cases import LAB_HOST, ROOT, migrate, session, write_config

SOURCES = ("slow-a", "slow-b", "slow-c")
EARLIER_BACKOFF = datetime(2026, 1, 2, 3, 0, tzinfo=UTC)
"""The back-off slow-c carries from an earlier real failure (long past: it does not stop a run)."""


def _hang(handler: BaseHTTPRequestHandler) -> None:
    """Answer nothing for longer than the tests' download timeout (3 s), then an empty 200."""
    time.sleep(8)
    try:
        handler.send_response(200)
        handler.send_header("Content-Length", "0")
        handler.end_headers()
    except OSError:
        pass


def _as_a_terminal_starts_it() -> None:
    """Start a crawl child with SIGINT and SIGHUP at their defaults, as a terminal starts a command:
    the test's own runner may have them ignored (``nohup``, a test worker), and an ignored SIGHUP is
    rightly kept ignored by the crawl (crawler.exitsignals `answered`)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.signal(signal.SIGHUP, signal.SIG_DFL)


def _log_says(path: Path, words: str) -> bool:
    return path.exists() and words in path.read_text(encoding="utf-8", errors="replace")


def _building(lab: LabServer, log: Path) -> bool:
    """The crawl process started Scrapy and is building its crawlers (the classifier loads)."""
    return _log_says(log, "Scrapy ") and not _log_says(log, "Spider opened")


def _hanging(lab: LabServer, log: Path) -> bool:
    """Every source's feed request is waiting for its answer."""
    return all(f"/{sid}.xml" in lab.paths() for sid in SOURCES)


# (case, when to send, the signals sent one after another)
CASES: list[tuple[str, Callable[[LabServer, Path], bool], tuple[signal.Signals, ...]]] = [
    ("SIGINT while the crawlers are built", _building, (signal.SIGINT,)),
    ("SIGINT while the requests hang", _hanging, (signal.SIGINT,)),
    ("SIGTERM while the requests hang", _hanging, (signal.SIGTERM,)),
    ("SIGINT twice: a forced stop", _hanging, (signal.SIGINT, signal.SIGINT)),
    ("SIGINT twice while the crawlers are built", _building, (signal.SIGINT, signal.SIGINT)),
    ("SIGHUP while the crawlers are built", _building, (signal.SIGHUP,)),
]
SLOW_CASES = {"SIGINT while the requests hang", "SIGTERM while the requests hang"}
"""Cases that wait for the graceful close of hanging requests (up to a minute on a loaded machine)
and already held before the start-up rule: `make test-slow` runs them, `make test` the others."""


def _health(db_url: str) -> list[tuple[str, str | None, int, datetime | None]]:
    with session(db_url) as s:
        rows = s.scalars(select(SourceRow).where(SourceRow.id.in_(SOURCES)).order_by(SourceRow.id))
        return [(r.id, r.state, r.consecutive_failures, r.backoff_until) for r in rows]


@pytest.mark.parametrize(
    ("case", "when", "signals"),
    [pytest.param(*c, id=c[0], marks=[pytest.mark.slow] if c[0] in SLOW_CASES else []) for c in CASES],
)
def test_an_interrupted_crawl_leaves_every_source_health_as_it_was(
    tmp_path: Path, case: str, when: Callable[[LabServer, Path], bool], signals: tuple[signal.Signals, ...]
) -> None:
    db_url = f"sqlite:///{tmp_path / 'ewsi.sqlite'}"
    migrate(db_url)
    log = tmp_path / "crawl.log"
    with LabServer(LAB_HOST, {f"/{sid}.xml": _hang for sid in SOURCES}) as lab:
        config = write_config(
            tmp_path, [{"id": sid, "kind": "feed", "urls": [lab.url(f"/{sid}.xml")]} for sid in SOURCES]
        )
        with session(db_url) as s:  # slow-c failed once before: that failure and back-off stay
            sync_sources(s, load_sources(config).sources)
            row = s.get(SourceRow, "slow-c")
            row.state, row.consecutive_failures, row.backoff_until = "failing", 1, EARLIER_BACKOFF
            row.last_error_key = "fetch.http_5xx"
            s.commit()
        before = _health(db_url)
        args = [sys.executable, "-m", "crawler.cli", "crawl", "--config", str(config), "--log-file", str(log)]
        env = {**os.environ, "EWSI_DATABASE_URL": db_url, "EWSI_ALLOW_PRIVATE": LAB_HOST}
        child = subprocess.Popen(
            args,
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            preexec_fn=_as_a_terminal_starts_it,
        )
        deadline = time.monotonic() + 60
        while not when(lab, log) and child.poll() is None and time.monotonic() < deadline:
            time.sleep(0.02)
        assert child.poll() is None, "the crawl ended before it could be interrupted"
        for n, sig in enumerate(signals):
            if n:
                time.sleep(0.5)
            child.send_signal(sig)
        out, _ = child.communicate(timeout=120)
    assert child.returncode == 130, out
    assert _health(db_url) == before
    assert before == [
        ("slow-a", "new", 0, None),
        ("slow-b", "new", 0, None),
        ("slow-c", "failing", 1, EARLIER_BACKOFF),
    ]
    with session(db_url) as s:
        runs = s.execute(select(CrawlRun.source_id, CrawlRun.status, CrawlRun.error_key)).all()
    assert {tuple(r) for r in runs} <= {(sid, "interrupted", "crawl.interrupted") for sid in SOURCES}
    table = [
        line.split() for line in out.splitlines() if line.split()[:1] in (["slow-a"], ["slow-b"], ["slow-c"])
    ]
    assert sorted((row[0], row[1], row[-1]) for row in table) == [
        (sid, "interrupted", "crawl.interrupted") for sid in SOURCES
    ]


def test_the_report_of_a_source_whose_run_did_not_close() -> None:
    """Without a signal such a source crashed (a failure, as before); after one it was interrupted."""
    from crawler.runner import ShutdownGuard
    from crawler.sources import Source

    guard = ShutdownGuard()
    source = Source(id="quiet", name="Q", publisher="P", kind="feed", urls=["https://x.example.eu/f"])
    assert (guard.report_for(source, None).status, guard.report_for(source, None).error_key) == (
        "failed",
        "crawl.crashed",
    )
    guard.signum = signal.SIGINT
    report = guard.report_for(source, None)
    assert (report.status, report.error_key) == ("interrupted", "crawl.interrupted")
    assert report.error == "stopped by SIGINT before the run closed"
    assert timedelta(0) <= datetime.now(UTC) - report.started_at < timedelta(seconds=5)


FEED_WITH_ONE_PAGE = """<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>T</title>
<link>{base}</link><description>d</description>
<item><title>Integration report</title><link>{base}/report.html</link><guid>r1</guid>
<pubDate>Mon, 01 Dec 2026 10:00:00 GMT</pubDate><description>Language courses.</description></item>
</channel></rss>"""


def _slow_page() -> bytes:
    """A 1.6 MB table: seconds of extraction in the worker, well inside its 20 s limit."""
    row = "<tr>" + "".join(f"<td>cell {i}</td>" for i in range(50)) + "</tr>"
    head = "<html><head><title>Integration report</title></head>"
    return f"{head}<body><table>{row * 2000}</table></body></html>".encode()


def _crawl_child(tmp_path: Path, db_url: str, config: Path, log: Path) -> subprocess.Popen[str]:
    """`ewsi crawl` in a session (and process group) of its own, as a terminal's foreground job."""
    args = [sys.executable, "-m", "crawler.cli", "crawl", "--config", str(config), "--log-file", str(log)]
    env = {
        **os.environ,
        "EWSI_DATABASE_URL": db_url,
        "EWSI_ALLOW_PRIVATE": LAB_HOST,
        "EWSI_CLASSIFIER_MODEL": "",
    }
    return subprocess.Popen(
        args,
        cwd=ROOT,
        env=env,
        preexec_fn=_as_a_terminal_starts_it,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )


def test_a_ctrl_c_to_the_process_group_during_an_extraction_is_no_strike_against_the_page(
    tmp_path: Path,
) -> None:
    """Rule (crawler.worker, interruptions): SIGINT to the crawl's whole process group, the extraction
    worker included, while a page is being extracted: the worker ignores it and finishes the page,
    the quarantine stays empty, the terminal gets one line and no traceback, exit 130."""
    from crawler.runner import ShutdownGuard
    from crawler.store.schema import Item, QuarantinedUrl
    from tests.lab import Route

    db_url = f"sqlite:///{tmp_path / 'ewsi.sqlite'}"
    migrate(db_url)
    log = tmp_path / "crawl.log"
    with LabServer(LAB_HOST) as lab:
        lab.routes["/feed.xml"] = Route(
            FEED_WITH_ONE_PAGE.format(base=lab.url("")).encode(),
            headers={"Content-Type": "application/rss+xml"},
        )
        lab.routes["/report.html"] = Route(_slow_page(), headers={"Content-Type": "text/html; charset=utf-8"})
        config = write_config(
            tmp_path, [{"id": "reports", "kind": "feed", "urls": [lab.url("/feed.xml")], "follow": True}]
        )
        child = _crawl_child(tmp_path, db_url, config, log)
        deadline = time.monotonic() + 60
        while "/report.html" not in lab.paths() and child.poll() is None and time.monotonic() < deadline:
            time.sleep(0.02)
        time.sleep(1.0)  # the page is in the worker, seconds from done
        assert child.poll() is None, "the crawl ended before it could be interrupted"
        os.killpg(child.pid, signal.SIGINT)
        out, err = child.communicate(timeout=60)
    assert child.returncode == 130, out + err
    with session(db_url) as s:
        assert s.scalars(select(QuarantinedUrl)).all() == []
        stored = s.execute(select(Item.url, Item.text)).all()
    assert [(url.rsplit("/", 1)[-1], "cell 49" in (text or "")) for url, text in stored] == [
        ("report.html", True)
    ]
    assert err.count(ShutdownGuard.FIRST_SIGNAL_LINE) == 1, err
    assert "Traceback" not in err and "KeyboardInterrupt" not in err, err


def test_the_crawl_command_answers_sigterm_as_a_stop_before_its_heavy_imports() -> None:
    """Rule (crawler.cli): for ``ewsi crawl`` SIGTERM raises KeyboardInterrupt (exit 130) from the
    CLI module's first lines, before the command and Scrapy are imported."""
    probe = (
        "import signal, sys; sys.argv = ['ewsi', 'crawl']; import crawler.cli; "
        "print(signal.getsignal(signal.SIGTERM) is signal.default_int_handler, "
        "'crawler.commands.crawl' in sys.modules, 'scrapy' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["True", "False", "False"]


def _catches_sigterm(pid: int) -> bool:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
    caught = next(line.split()[1] for line in status.splitlines() if line.startswith("SigCgt:"))
    return bool(int(caught, 16) & (1 << (signal.SIGTERM - 1)))


def test_a_sigterm_as_the_crawl_starts_exits_130_without_a_traceback(tmp_path: Path) -> None:
    db_url = f"sqlite:///{tmp_path / 'ewsi.sqlite'}"
    migrate(db_url)
    config = write_config(tmp_path, [{"id": "quiet", "kind": "feed", "urls": [f"http://{LAB_HOST}:9/f.xml"]}])
    child = _crawl_child(tmp_path, db_url, config, tmp_path / "crawl.log")
    deadline = time.monotonic() + 30
    while not _catches_sigterm(child.pid) and child.poll() is None and time.monotonic() < deadline:
        time.sleep(0.005)
    child.send_signal(signal.SIGTERM)
    out, err = child.communicate(timeout=60)
    assert child.returncode == 130, out + err
    assert "Traceback" not in err, err
    with session(db_url) as s:
        runs = s.execute(select(CrawlRun.source_id, CrawlRun.status)).all()
    assert {tuple(r) for r in runs} <= {("quiet", "interrupted")}


LAUNCHER = """
import os, runpy, signal, sys
from scrapy import crawler as scrapy_crawler

SIGNALS = [signal.Signals[name] for name in sys.argv[1].split(",")]
original = scrapy_crawler.Crawler._apply_settings

def first_start(self):
    if self._init_reactor:  # the first crawler, just before it installs the crawl's reactor
        for n, sig in enumerate(SIGNALS):
            os.kill(os.getpid(), sig)  # the handler runs before os.kill returns
        print("reactor imported by the handler:", "twisted.internet.reactor" in sys.modules, flush=True)
    return original(self)

scrapy_crawler.Crawler._apply_settings = first_start
sys.argv = ["ewsi", *sys.argv[2:]]
runpy.run_module("crawler.cli", run_name="__main__", alter_sys=True)
"""
"""Runs `ewsi crawl` with the signals (argv[1], comma-separated names) delivered in the window
before the first crawler installs its reactor: the moment a handler importing the reactor broke."""


@pytest.mark.parametrize(
    "signals",
    [("SIGINT",), ("SIGTERM",), ("SIGINT", "SIGINT"), ("SIGTERM", "SIGINT"), ("SIGINT", "SIGTERM")],
    ids=lambda names: "+".join(names),
)
def test_signals_before_the_reactor_is_installed_stop_the_crawl_without_a_failure(
    tmp_path: Path, signals: tuple[str, ...]
) -> None:
    """Rule (crawler.runner `ShutdownGuard`): a signal that comes before any reactor is installed
    installs none (importing ``twisted.internet.reactor`` would install Twisted's default one, and
    every crawler then failed on "the installed reactor does not match"); the stop it asks for is
    queued once the crawl's reactor is in. The crawl exits 130, with every source interrupted and
    its health untouched, whichever signals and however many."""
    db_url = f"sqlite:///{tmp_path / 'ewsi.sqlite'}"
    migrate(db_url)
    launcher = tmp_path / "launch.py"
    launcher.write_text(LAUNCHER, encoding="utf-8")
    with LabServer(LAB_HOST, {f"/{sid}.xml": _hang for sid in SOURCES}) as lab:
        config = write_config(
            tmp_path, [{"id": sid, "kind": "feed", "urls": [lab.url(f"/{sid}.xml")]} for sid in SOURCES]
        )
        with session(db_url) as s:
            sync_sources(s, load_sources(config).sources)
            s.commit()
        before = _health(db_url)
        args = [sys.executable, str(launcher), ",".join(signals), "crawl", "--config", str(config)]
        env = {**os.environ, "EWSI_DATABASE_URL": db_url, "EWSI_ALLOW_PRIVATE": LAB_HOST}
        started = time.monotonic()
        done = subprocess.run(
            args,
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
            preexec_fn=_as_a_terminal_starts_it,
        )
        took = time.monotonic() - started
    out = done.stdout + done.stderr
    assert "reactor imported by the handler: False" in out
    assert "does not match" not in out and "Traceback" not in out, out
    assert done.returncode == 130, out
    assert _health(db_url) == before == [(sid, "new", 0, None) for sid in SOURCES]
    with session(db_url) as s:
        runs = s.execute(select(CrawlRun.source_id, CrawlRun.status, CrawlRun.error_key)).all()
    assert {tuple(r) for r in runs} <= {(sid, "interrupted", "crawl.interrupted") for sid in SOURCES}
    assert took < 60, f"the stop waited {took:.0f} s"


def _launch_quiet_crawl(
    tmp_path: Path, launcher_code: str, launcher_args: list[str]
) -> tuple[str, subprocess.CompletedProcess[str]]:
    """Run `launcher_code` with `launcher_args` and then ``crawl`` of one feed source, ``quiet``, whose
    host refuses connections (port 9), on a fresh SQLite database; (database URL, finished process)."""
    db_url = f"sqlite:///{tmp_path / 'ewsi.sqlite'}"
    migrate(db_url)
    launcher = tmp_path / "launch.py"
    launcher.write_text(launcher_code, encoding="utf-8")
    config = write_config(tmp_path, [{"id": "quiet", "kind": "feed", "urls": [f"http://{LAB_HOST}:9/f.xml"]}])
    args = [sys.executable, str(launcher), *launcher_args, "crawl", "--config", str(config)]
    args += ["--log-file", str(tmp_path / "crawl.log")]
    env = {**os.environ, "EWSI_DATABASE_URL": db_url, "EWSI_ALLOW_PRIVATE": LAB_HOST}
    done = subprocess.run(
        args,
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        preexec_fn=_as_a_terminal_starts_it,
    )
    return db_url, done


LATE_LAUNCHER = """
import atexit, os, runpy, signal, sys, threading, time
from scrapy import crawler as scrapy_crawler
from crawler.commands import crawl as crawl_command

WHEN = sys.argv[1]
LATE = signal.Signals[sys.argv[2]]
STOP = sys.argv[3] == "stop"
original_start = scrapy_crawler.Crawler._apply_settings
original_summary = crawl_command._print_summary

def first_start(self):
    if self._init_reactor and STOP:  # the stop: one SIGINT as the first crawler starts
        os.kill(os.getpid(), signal.SIGINT)
    return original_start(self)

def summary(*args, **kwargs):
    if WHEN == "summary":
        os.kill(os.getpid(), LATE)
    return original_summary(*args, **kwargs)

def at_exit():  # registered first, so it runs after every exit hook of the crawl
    if WHEN == "exit":
        print("at exit SIGINT ignored:", signal.getsignal(signal.SIGINT) is signal.SIG_IGN, flush=True)
        os.kill(os.getpid(), LATE)

def at_join():  # a thread still running when the main thread ends: the interpreter joins it
    while threading.main_thread().is_alive():
        time.sleep(0.01)
    os.kill(os.getpid(), LATE)
    time.sleep(1)

atexit.register(at_exit)
if WHEN == "join":
    threading.Thread(target=at_join).start()
scrapy_crawler.Crawler._apply_settings = first_start
crawl_command._print_summary = summary
sys.argv = ["ewsi", *sys.argv[4:]]
runpy.run_module("crawler.cli", run_name="__main__", alter_sys=True)
"""
"""Runs `ewsi crawl`, stopped by one SIGINT as its first crawler starts (argv[3] ``stop``) or let run
to its end (``done``), and sends a signal (argv[2]) once the crawl closed (argv[1]): while the summary
prints, while the interpreter joins the threads left, or in its exit hooks."""


@pytest.mark.parametrize(
    ("when", "late", "stop"),
    [
        ("summary", "SIGINT", "stop"),
        ("summary", "SIGTERM", "stop"),
        ("join", "SIGINT", "stop"),
        ("join", "SIGTERM", "stop"),
        ("exit", "SIGINT", "stop"),
        ("exit", "SIGTERM", "stop"),
        ("exit", "SIGHUP", "stop"),
        ("summary", "SIGTERM", "done"),
        ("join", "SIGINT", "done"),
        ("join", "SIGHUP", "done"),
        ("exit", "SIGINT", "done"),
        ("exit", "SIGTERM", "done"),
    ],
    ids=lambda v: v,
)
def test_a_signal_after_the_crawl_closed_still_exits_130(
    tmp_path: Path, when: str, late: str, stop: str
) -> None:
    """Rule (crawler.exitsignals): once a signal stopped the crawl, or the crawl ran to its end, a
    later SIGINT, SIGTERM or SIGHUP, whenever it lands up to the process's end, exits 130 with no
    traceback (in the exit hooks it is ignored: a finished crawl keeps its 0); what the crawl stored
    stays. A Ctrl-C that landed in the interpreter's finalisation
    killed the process by the signal (-2, SIGTERM 143), one that landed in its exit hooks or while
    it joined threads printed a traceback."""
    db_url, done = _launch_quiet_crawl(tmp_path, LATE_LAUNCHER, [when, late, stop])
    out = done.stdout + done.stderr
    # in the exit hooks the signal is ignored: a finished crawl keeps its own exit status (0)
    assert done.returncode == (0 if (when, stop) == ("exit", "done") else 130), out
    assert "Traceback" not in out and "Exception ignored" not in out, out
    if when == "exit":
        assert "at exit SIGINT ignored: True" in out
    with session(db_url) as s:
        runs = s.execute(select(CrawlRun.source_id, CrawlRun.status, CrawlRun.error_key)).all()
        health = s.get(SourceRow, "quiet")
        assert health is not None
        assert (health.state, health.consecutive_failures) == (
            ("new", 0) if stop == "stop" else ("failing", 1)
        )
    if stop == "stop":
        assert {tuple(r) for r in runs} <= {("quiet", "interrupted", "crawl.interrupted")}
    else:  # the run closed as it ended: failed (nothing listens at port 9), never left running
        assert [(r[0], r[1]) for r in runs] == [("quiet", "failed")]


LOAD_LAUNCHER = """
import importlib.abc, os, runpy, signal, sys, threading, time

FIRST, SECOND = (signal.Signals[name] for name in sys.argv[1].split(","))
# as a terminal starts a command: Ctrl-C answered (a test runner's worker may pass SIGINT on ignored)
signal.signal(signal.SIGINT, signal.default_int_handler)

def second():  # a non-daemon thread: the interpreter joins it as the process exits
    time.sleep(0.3)
    os.kill(os.getpid(), SECOND)
    time.sleep(1)

class Interrupt(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name == "crawler.argtypes":  # imported while the command loads (crawler.cli)
            sys.meta_path.remove(self)
            threading.Thread(target=second).start()
            os.kill(os.getpid(), FIRST)
        return None

sys.meta_path.insert(0, Interrupt())
sys.argv = ["ewsi", *sys.argv[2:]]
runpy.run_module("crawler.cli", run_name="__main__", alter_sys=True)
"""
"""Runs `ewsi crawl` and sends it a signal (argv[1], first name) while the command loads, and a second
one (second name) 0.3 s later, as the process exits."""


@pytest.mark.parametrize("signals", ["SIGTERM,SIGTERM", "SIGINT,SIGINT", "SIGHUP,SIGINT"])
def test_two_signals_while_the_command_loads_exit_130(tmp_path: Path, signals: str) -> None:
    """Rule (crawler.cli, crawler.exitsignals): a signal while the crawl command loads stops it (130);
    a second one while the process exits still gives 130 and no traceback. It killed the process by
    the signal (143, -2) when it landed after Python had put its handlers back."""
    launcher = tmp_path / "launch.py"
    launcher.write_text(LOAD_LAUNCHER, encoding="utf-8")
    args = [sys.executable, str(launcher), signals, "crawl", "--config", str(tmp_path / "none.yaml")]
    done = subprocess.run(
        args,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        preexec_fn=_as_a_terminal_starts_it,
    )
    out = done.stdout + done.stderr
    assert done.returncode == 130, out
    assert "Traceback" not in out and "Exception ignored" not in out, out


NOHUP_LAUNCHER = """
import os, runpy, signal, sys
from scrapy import crawler as scrapy_crawler

signal.signal(signal.SIGHUP, signal.SIG_IGN)  # what nohup does before it starts the command
original_start = scrapy_crawler.Crawler._apply_settings

def first_start(self):
    if self._init_reactor:  # a hang-up as the first crawler starts
        os.kill(os.getpid(), signal.SIGHUP)
    return original_start(self)

def summary_hangup():
    os.kill(os.getpid(), signal.SIGHUP)

import atexit
atexit.register(summary_hangup)
scrapy_crawler.Crawler._apply_settings = first_start
sys.argv = ["ewsi", *sys.argv[1:]]
runpy.run_module("crawler.cli", run_name="__main__", alter_sys=True)
"""
"""Runs `ewsi crawl` with SIGHUP ignored from the start (``nohup``) and sends it SIGHUP as the first
crawler starts and at its exit."""


def test_a_hang_up_under_nohup_stops_nothing(tmp_path: Path) -> None:
    """Rule (crawler.exitsignals `answered`): a SIGHUP the process was started to ignore stays
    ignored: the crawl runs to its end (the source fails at a closed port: exit 0, the run
    ``failed``, not ``interrupted``). It stopped the crawl (130) once SIGHUP stopped crawls."""
    db_url, done = _launch_quiet_crawl(tmp_path, NOHUP_LAUNCHER, [])
    out = done.stdout + done.stderr
    assert done.returncode == 0, out
    assert "Traceback" not in out, out
    with session(db_url) as s:
        runs = s.execute(select(CrawlRun.source_id, CrawlRun.status)).all()
    assert [tuple(r) for r in runs] == [("quiet", "failed")]
