"""An option of a command with sub-commands may follow the sub-command or come before it
(crawler.argtypes `Parser.add_shared_argument`): ``ewsi users list --database-url URL`` as
``ewsi users --database-url URL list``, for every command that names its database."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

COMMANDS = [
    (["users"], ["list"], "alice"),
    (["api-token"], ["list"], "portal"),
    (["mail"], ["status"], ""),
    (["contributors"], ["report", "--year", "2026"], ""),
]


def _ewsi(*args: str, env: dict[str, str] | None = None, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "crawler.cli", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env=env,
        input=stdin,
    )


@pytest.fixture(scope="module")
def database(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('shared') / 'ewsi.sqlite'}"
    import os

    done = _ewsi("db", "upgrade", env={**os.environ, "EWSI_DATABASE_URL": url})
    assert done.returncode == 0, done.stderr
    # made with the option after the sub-command: the listings below find them in that database
    password = "correct horse battery staple\n"
    added = _ewsi("users", "add", "alice", "--role", "editor", "--database-url", url, stdin=password * 2)
    assert added.returncode == 0, added.stderr
    token = _ewsi("api-token", "add", "portal", "--database-url", url)
    assert token.returncode == 0, token.stderr
    return url


@pytest.mark.parametrize(("command", "sub", "says"), COMMANDS, ids=[c[0][0] for c in COMMANDS])
def test_the_database_url_before_or_after_the_sub_command(
    database: str, command: list[str], sub: list[str], says: str
) -> None:
    before = _ewsi(*command, "--database-url", database, *sub)
    after = _ewsi(*command, *sub, "--database-url", database)
    assert before.returncode == after.returncode == 0, before.stderr + after.stderr
    assert before.stdout == after.stdout and says.lower() in after.stdout.lower()
    missing = _ewsi(*command, *sub, "--database-url", "sqlite:////nonexistent-dir/x.sqlite")
    assert missing.returncode == 2 and "does not exist" in missing.stderr
