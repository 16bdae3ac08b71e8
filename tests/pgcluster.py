"""A throwaway PostgreSQL cluster for the database-outage tests (RELIABILITY.md §3 "PostgreSQL", T33, T34).

`PgCluster` runs ``initdb`` into a fresh temporary directory and serves it with ``pg_ctl`` on
``127.0.0.1:<free port>`` (no other address), trust authentication, its Unix socket inside that
directory. ``initdb`` refuses to run as root, and CI runs as root: every server command runs as
the ``postgres`` system user through ``runuser -u postgres --`` when the test process is root.
Tests may restart or stop it at will (`restart`, `stop`, `start`): it is theirs alone. A PostgreSQL
server already running on the machine (the shared one on port 5432) is never touched.

`throwaway_cluster` (the body of a fixture) skips with the reason when the server binaries
(``/usr/lib/postgresql/*/bin`` or ``pg_ctl`` on PATH) or ``runuser`` are missing, except under
``CI=true`` where that is a failure. The cluster is stopped (immediate mode) and its directory
removed at teardown.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

SERVER_USER = "postgres"
START_TIMEOUT_S = 60
"""``pg_ctl -t``: how long start, stop and restart may wait for the server (crash recovery included)."""


def find_bindir() -> Path | None:
    """The directory holding ``initdb`` and ``pg_ctl``: the newest ``/usr/lib/postgresql/*/bin``,
    else the directory of ``pg_ctl`` on PATH; None when neither exists."""
    candidates = sorted(
        glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(Path(p).parent.name or 0), reverse=True
    )
    for candidate in candidates:
        if (Path(candidate) / "initdb").exists() and (Path(candidate) / "pg_ctl").exists():
            return Path(candidate)
    on_path = shutil.which("pg_ctl")
    if on_path and (Path(on_path).resolve().parent / "initdb").exists():
        return Path(on_path).resolve().parent
    return None


def unavailable_reason() -> str | None:
    """Why no throwaway cluster can be made here (missing binaries, runuser or user), else None."""
    if find_bindir() is None:
        return "PostgreSQL server binaries (initdb, pg_ctl) not found in /usr/lib/postgresql/*/bin or PATH"
    if os.geteuid() == 0:
        if shutil.which("runuser") is None:
            return "runuser not found: initdb cannot run as root and needs it to switch to 'postgres'"
        try:
            pwd.getpwnam(SERVER_USER)
        except KeyError:
            return f"no system user {SERVER_USER!r} to run initdb and the server as"
    return None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class PgCluster:
    """One private PostgreSQL cluster (see the module docstring). Use `create()`, then `start()`."""

    def __init__(self, bindir: Path, root: Path, port: int):
        self.bindir = bindir
        self.root = root
        self.port = port
        self.datadir = root / "data"
        self.logfile = root / "server.log"
        self.running = False

    # --- commands ---------------------------------------------------------------------------

    def _argv(self, tool: str, *args: str) -> list[str]:
        argv = [str(self.bindir / tool), *args]
        if os.geteuid() == 0:
            return ["runuser", "-u", SERVER_USER, "--", *argv]
        return argv

    def _run(self, tool: str, *args: str, timeout: float = START_TIMEOUT_S + 30) -> str:
        proc = subprocess.run(
            self._argv(tool, *args),
            capture_output=True,
            text=True,
            timeout=timeout,
            cwd=self.root,
            stdin=subprocess.DEVNULL,
        )
        if proc.returncode != 0:
            raise RuntimeError(
                f"{tool} {' '.join(args)} failed ({proc.returncode}): {proc.stdout}{proc.stderr}\n"
                f"server log:\n{self.server_log()[-3000:]}"
            )
        return proc.stdout

    def create(self) -> PgCluster:
        """``initdb`` (trust auth, UTF-8) and write the server settings; the cluster is not started."""
        self._run(
            "initdb",
            "-D",
            str(self.datadir),
            "-U",
            "postgres",
            "--auth=trust",
            "--encoding=UTF8",
            "--locale=C",
            "--no-sync",
        )
        settings = {
            "listen_addresses": "'127.0.0.1'",
            "port": str(self.port),
            "unix_socket_directories": f"'{self.root}'",
            "max_connections": "50",
            "shared_buffers": "'16MB'",
            "fsync": "off",  # the machine does not crash in these tests; the server does (WAL replay)
            "full_page_writes": "off",
            "log_min_messages": "'warning'",
        }
        with open(self.datadir / "postgresql.conf", "a", encoding="utf-8") as conf:
            conf.write("\n# throwaway test cluster (tests/pgcluster.py)\n")
            for name, value in settings.items():
                conf.write(f"{name} = {value}\n")
        return self

    def start(self) -> None:
        """Start the server and wait until it accepts connections (crash recovery included)."""
        wait = ("-w", "-t", str(START_TIMEOUT_S))
        self._run("pg_ctl", "start", "-D", str(self.datadir), "-l", str(self.logfile), *wait)
        self.running = True

    def stop(self, mode: str = "fast") -> None:
        """``pg_ctl stop -m MODE``: ``fast`` (administrator shutdown) or ``immediate`` (a crash)."""
        self._run("pg_ctl", "stop", "-D", str(self.datadir), "-m", mode, "-w", "-t", str(START_TIMEOUT_S))
        self.running = False

    def restart(self, mode: str = "fast") -> None:
        """``pg_ctl restart -m MODE``; returns once the server accepts connections again."""
        self._run(
            "pg_ctl",
            "restart",
            "-D",
            str(self.datadir),
            "-m",
            mode,
            "-l",
            str(self.logfile),
            "-w",
            "-t",
            str(START_TIMEOUT_S),
        )
        self.running = True

    def crash_then_start(self, down_s: float = 5.0) -> float:
        """``pg_ctl stop -m immediate``, wait `down_s` seconds, start; returns the time.monotonic() at
        which the server accepted connections again."""
        self.stop("immediate")
        time.sleep(down_s)
        self.start()
        return time.monotonic()

    def accepting(self) -> bool:
        """True when the server accepts connections (``pg_isready``)."""
        proc = subprocess.run(
            [str(self.bindir / "pg_isready"), "-h", "127.0.0.1", "-p", str(self.port), "-t", "2"],
            capture_output=True,
            timeout=10,
        )
        return proc.returncode == 0

    # --- databases ----------------------------------------------------------------------------

    def url(self, database: str = "postgres") -> str:
        """SQLAlchemy URL of `database` on this cluster (user postgres, trust)."""
        return f"postgresql+psycopg2://postgres@127.0.0.1:{self.port}/{database}"

    def create_database(self, name: str = "ewsi") -> str:
        """CREATE DATABASE `name`; returns its URL."""
        from sqlalchemy import create_engine, text
        from sqlalchemy.pool import NullPool

        admin = create_engine(self.url(), isolation_level="AUTOCOMMIT", poolclass=NullPool)
        try:
            with admin.connect() as conn:
                conn.execute(text(f'CREATE DATABASE "{name}"'))
        finally:
            admin.dispose()
        return self.url(name)

    def server_log(self) -> str:
        """The server's log so far (empty when none)."""
        try:
            return self.logfile.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""

    def destroy(self) -> None:
        """Stop the server (immediate) if it runs and remove the cluster's directory."""
        if self.running or (self.datadir / "postmaster.pid").exists():
            with contextlib.suppress(RuntimeError, subprocess.TimeoutExpired):  # already down
                self._run("pg_ctl", "stop", "-D", str(self.datadir), "-m", "immediate", "-w", "-t", "30")
            self.running = False
        shutil.rmtree(self.root, ignore_errors=True)


def make_cluster() -> PgCluster:
    """Create (not start) a cluster in a new directory under the system temp dir, owned by the server
    user when we are root (pytest's own tmp dirs are private to root, so not used)."""
    bindir = find_bindir()
    assert bindir is not None
    root = Path(tempfile.mkdtemp(prefix="ewsi-pg-"))
    if os.geteuid() == 0:
        user = pwd.getpwnam(SERVER_USER)
        os.chown(root, user.pw_uid, user.pw_gid)
    os.chmod(root, 0o700)
    return PgCluster(bindir, root, _free_port()).create()


def throwaway_cluster() -> Iterator[PgCluster]:
    """Yield a started throwaway cluster (module docstring) and remove it afterwards; the body of a
    test module's fixture (``yield from throwaway_cluster()``). Skips, or fails under ``CI=true``,
    when no cluster can be made here (`unavailable_reason`)."""
    reason = unavailable_reason()
    if reason is not None:
        if os.environ.get("CI") == "true":
            pytest.fail(f"throwaway PostgreSQL cluster unavailable: {reason}")
        pytest.skip(f"throwaway PostgreSQL cluster unavailable: {reason}")
    cluster = make_cluster()
    try:
        cluster.start()
        yield cluster
    finally:
        cluster.destroy()
