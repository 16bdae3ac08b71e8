"""crawler.config: the typed table of runtime settings, its parsing rules and the README's list."""

from __future__ import annotations

import dataclasses
import re
import subprocess
from pathlib import Path

import pytest

from crawler.config import TABLE, Settings, markdown_table

ROOT = Path(__file__).resolve().parents[1]


def test_config_is_a_leaf() -> None:
    """Only the standard library: the table's rules are tested from plain data."""
    import ast
    import sys

    tree = ast.parse((ROOT / "crawler" / "config.py").read_text(encoding="utf-8"))
    imported = {
        alias.name if isinstance(node, ast.Import) else node.module or ""
        for node in ast.walk(tree)
        if isinstance(node, ast.Import | ast.ImportFrom)
        for alias in node.names
    }
    assert {name.split(".")[0] for name in imported} <= set(sys.stdlib_module_names) | {"__future__"}


def test_the_table_is_the_settings_schema() -> None:
    """One row per field of Settings, in order, with the field's default; environment names unique."""
    fields = dataclasses.fields(Settings)
    assert [f.name for f in fields] == [s.field for s in TABLE]
    assert [f.default for f in fields] == [s.default for s in TABLE]
    assert len({s.env for s in TABLE}) == len(TABLE)
    assert all(s.env.startswith("EWSI_") and s.description and "\n" not in s.description for s in TABLE)
    assert Settings.from_env({}) == Settings()


def test_every_variable_the_code_names_is_in_the_table() -> None:
    """An ``EWSI_*`` name in the code is a runtime setting of the table or a Scrapy setting of
    crawler.settings (set per crawl, never read from the environment)."""
    scrapy_only = {
        "EWSI_REPLAY",
        "EWSI_RECORD",
        "EWSI_RUN_ID",
        "EWSI_NO_RUN_RECORD",
        "EWSI_RETRY_AFTER_MAX",
        "EWSI_CONDITIONAL_GET",
        "EWSI_LANGUAGE_REFINE_SHORT",
        "EWSI_HOST_DELAY",
    }
    named: set[str] = set()
    for top in ("crawler", "pipelines", "spiders", "classifier"):
        for path in (ROOT / top).rglob("*.py"):
            named |= set(re.findall(r"\bEWSI_[A-Z0-9_]*[A-Z0-9]\b", path.read_text(encoding="utf-8")))
    assert named - scrapy_only - {s.env for s in TABLE} == set()


@pytest.mark.parametrize(
    ("env", "field", "expected"),
    [
        ({"EWSI_DOWNLOAD_TIMEOUT": "3"}, "download_timeout", 3.0),
        ({"EWSI_DOWNLOAD_TIMEOUT": " 2.5 "}, "download_timeout", 2.5),
        ({"EWSI_DOWNLOAD_DELAY": "-1"}, "download_delay", 0.0),  # raised to the minimum
        ({"EWSI_DOWNLOAD_DELAY": ""}, "download_delay", 1.0),  # empty = unset
        ({"EWSI_DOWNLOAD_DELAY": "   "}, "download_delay", 1.0),
        ({"EWSI_API_RATE_ANON": "120"}, "api_rate_anon", 120),
        ({"EWSI_API_RATE_ANON": "-1"}, "api_rate_anon", 1),  # raised to the minimum: never locked
        ({"EWSI_NOW": "2026-03-29T01:30:00+01:00"}, "now", "2026-03-29T01:30:00+01:00"),
        ({"EWSI_PUBLIC_URL": "https://portal.example.eu/"}, "public_url", "https://portal.example.eu/"),
        ({"EWSI_SMTP_PORT": "2525"}, "smtp_port", 2525),
        ({"EWSI_SMTP_STARTTLS": "YES"}, "smtp_starttls", True),
        ({"EWSI_SMTP_STARTTLS": "on"}, "smtp_starttls", True),
        ({"EWSI_SMTP_STARTTLS": "1"}, "smtp_starttls", True),
        ({"EWSI_SMTP_STARTTLS": "0"}, "smtp_starttls", False),
        ({"EWSI_SMTP_STARTTLS": "no"}, "smtp_starttls", False),
        ({"EWSI_EXTRACT_IN_PROCESS": "true"}, "extract_in_process", True),
        ({"EWSI_DIGEST_TO": "a@x.eu, ,b@x.eu,"}, "digest_to", ("a@x.eu", "b@x.eu")),
        ({"EWSI_TRUSTED_ORIGINS": "https://desk.eu"}, "trusted_origins", ("https://desk.eu",)),
        ({"EWSI_DATABASE_URL": "sqlite:///x.sqlite"}, "database_url", "sqlite:///x.sqlite"),
        ({"EWSI_DATABASE_URL": ""}, "database_url", None),
        ({"EWSI_CLASSIFIER_MODEL": ""}, "classifier_model", ""),  # empty is a value: the rules alone
        ({"EWSI_CLASSIFIER_MODEL": "none"}, "classifier_model", "none"),
        ({"EWSI_DB_RETRY_SECONDS": "5"}, "db_retry_seconds", 5.0),
        ({"EWSI_DB_RETRY_SECONDS": "soon"}, "db_retry_seconds", 30.0),  # lenient: the default
        ({"EWSI_DB_RETRY_SECONDS": "-3"}, "db_retry_seconds", 0.0),
        ({"EWSI_SCHEDULE_INTERVAL_SECONDS": "x"}, "schedule_interval_seconds", None),  # lenient
        ({"EWSI_SCHEDULE_INTERVAL_SECONDS": "2"}, "schedule_interval_seconds", 2.0),
        ({"EWSI_FAULT_KILL_AFTER_ITEM_ROW": "3"}, "fault_kill_after_item_row", 3),
        ({"UNRELATED": "1"}, "download_timeout", 30.0),
    ],
)
def test_values_are_read_by_type(env: dict[str, str], field: str, expected: object) -> None:
    assert getattr(Settings.from_env(env), field) == expected


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"EWSI_DOWNLOAD_TIMEOUT": "soon"}, "EWSI_DOWNLOAD_TIMEOUT='soon': expected a number"),
        ({"EWSI_DOWNLOAD_TIMEOUT": "nan"}, "EWSI_DOWNLOAD_TIMEOUT='nan': expected a number"),
        ({"EWSI_DOWNLOAD_DELAY": "inf"}, "EWSI_DOWNLOAD_DELAY='inf': expected a number"),
        ({"EWSI_SMTP_PORT": "smtp"}, "EWSI_SMTP_PORT='smtp': expected a whole number"),
        ({"EWSI_API_RATE_ANON": "1.5"}, "EWSI_API_RATE_ANON='1.5': expected a whole number"),
        ({"EWSI_WORKER_MEMORY_MB": "320MB"}, "EWSI_WORKER_MEMORY_MB='320MB': expected a whole number"),
        ({"EWSI_NOW": "garbage"}, "EWSI_NOW='garbage': expected an ISO 8601 date and time"),
        ({"EWSI_NOW": "2026-13-01"}, "EWSI_NOW='2026-13-01': expected an ISO 8601 date and time"),
        (
            {"EWSI_PUBLIC_URL": "javascript:alert(1)//"},
            "EWSI_PUBLIC_URL='javascript:alert(1)//': expected an absolute http(s) URL",
        ),
        (
            {"EWSI_PUBLIC_URL": "portal.example.eu"},
            "EWSI_PUBLIC_URL='portal.example.eu': expected an absolute http(s) URL",
        ),
        (
            {"EWSI_PUBLIC_URL": "https://a b.eu"},
            "EWSI_PUBLIC_URL='https://a b.eu': expected an absolute http(s) URL",
        ),
    ],
)
def test_a_value_not_of_its_type_is_an_error_naming_the_variable(env: dict[str, str], message: str) -> None:
    with pytest.raises(ValueError) as info:
        Settings.from_env(env)
    assert str(info.value) == message


def test_all_bad_values_are_reported_at_once() -> None:
    with pytest.raises(ValueError) as info:
        Settings.from_env({"EWSI_SMTP_PORT": "x", "EWSI_RETRY_BACKOFF": "y"})
    assert [p.split("=")[0] for p in str(info.value).splitlines()] == ["EWSI_RETRY_BACKOFF", "EWSI_SMTP_PORT"]


def test_readme_lists_the_settings_of_the_table() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert markdown_table() in readme, (
        "regenerate README.md's settings table from crawler.config.markdown_table()"
    )
    assert markdown_table().count("\n") == len(TABLE) + 2


def test_only_entry_points_read_the_environment() -> None:
    """Library modules take parameters; the environment is read by crawler.config (and handed to
    the scheduler's child processes)."""
    found = subprocess.run(
        ["grep", "-rnE", r"os\.environ|getenv", "crawler", "pipelines", "spiders", "classifier"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    ).stdout.splitlines()
    files = {line.split(":", 1)[0] for line in found if "/migrations/" not in line}
    assert files <= {"crawler/config.py", "crawler/scheduling/service.py"}, found


def test_a_bad_setting_stops_a_command_with_exit_2(monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    from crawler.cli import main

    monkeypatch.setenv("EWSI_SMTP_PORT", "twenty-five")
    assert main(["export", "--since", "2026-01-01"]) == 2
    assert (
        capsys.readouterr().err
        == "invalid config:\n  EWSI_SMTP_PORT='twenty-five': expected a whole number\n"
    )
