"""Runtime settings: one typed table (`TABLE`) of every environment variable the project reads.

Each `Setting` names its environment variable, its type, its default and what it does in one line.
`Settings.from_env(environ)` is called at entry points only (``ewsi`` commands, the crawl child,
the scheduler, the web app factory) and the value is passed down; library modules take parameters.
Rules: an unset or empty variable means the default; ``bool`` reads 1/true/yes/on (any case) as
true; ``list`` is comma separated, blanks dropped; a value that is not a number where one is
expected raises ValueError with one line per such variable, naming it (``lenient`` settings fall
back to the default); entry points report it as a ConfigError (exit 2).
`markdown_table()` renders the README's settings list (tests keep the two in sync).
This module imports only the standard library (a leaf: its rules are tested from plain data).
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

DEFAULT_PUBLIC_URL = "http://127.0.0.1:8000"


@dataclass(frozen=True)
class Setting:
    """One row of the table: `field` of `Settings`, read from `env` as `type`."""

    field: str
    env: str
    type: str  # "str", "int", "float", "bool", "list", "url" or "datetime" (ISO 8601, kept as text)
    default: Any
    description: str
    lenient: bool = False  # an unreadable value means the default instead of an error
    minimum: float | None = None  # numbers below it are raised to it
    keep_empty: bool = False  # an empty value is a value, not "unset"


TABLE: tuple[Setting, ...] = (
    Setting(
        "database_url",
        "EWSI_DATABASE_URL",
        "str",
        None,
        "review-queue database (SQLAlchemy URL); unset: `sqlite:///var/ewsi.sqlite`",
    ),
    Setting(
        "db_retry_seconds",
        "EWSI_DB_RETRY_SECONDS",
        "float",
        30.0,
        "seconds a write retries while the database is unreachable before `store.db_error`",
        lenient=True,
        minimum=0.0,
    ),
    Setting(
        "secret_key",
        "EWSI_SECRET_KEY",
        "str",
        None,
        "key of the desk's CSRF tokens (32+ characters); unset: one kept in the database",
    ),
    Setting(
        "trusted_origins",
        "EWSI_TRUSTED_ORIGINS",
        "list",
        (),
        "origins accepted by the desk besides its own (behind a reverse proxy), comma separated",
    ),
    Setting(
        "public_url",
        "EWSI_PUBLIC_URL",
        "url",
        DEFAULT_PUBLIC_URL,
        "absolute base of links in feeds, exports and digests",
    ),
    Setting(
        "api_rate_anon",
        "EWSI_API_RATE_ANON",
        "int",
        60,
        "portal API requests per minute for a client without a token",
        minimum=1,
    ),
    Setting(
        "allow_private",
        "EWSI_ALLOW_PRIVATE",
        "str",
        None,
        "`host[:port],...` that may be fetched although non-public (intranet sources, tests)",
    ),
    Setting(
        "download_timeout", "EWSI_DOWNLOAD_TIMEOUT", "float", 30.0, "seconds a download may take", minimum=0.0
    ),
    Setting(
        "download_delay",
        "EWSI_DOWNLOAD_DELAY",
        "float",
        1.0,
        "seconds between two requests to one host",
        minimum=0.0,
    ),
    Setting(
        "retry_backoff",
        "EWSI_RETRY_BACKOFF",
        "float",
        2.0,
        "base seconds of the jittered exponential retry back-off",
        minimum=0.0,
    ),
    Setting(
        "shared_host_budget",
        "EWSI_SHARED_HOST_BUDGET",
        "bool",
        True,
        "PostgreSQL: one politeness budget per host for every crawl process (off: per process)",
    ),
    Setting(
        "classifier_model",
        "EWSI_CLASSIFIER_MODEL",
        "str",
        None,
        "model file of the classifier (harvest and `ewsi classify`); empty or `none` for the rules alone; "
        "unset: var/classifier-model.json if present, else the shipped classifier/model-themes-train.json.gz",
        keep_empty=True,
    ),
    Setting(
        "worker_memory_mb",
        "EWSI_WORKER_MEMORY_MB",
        "int",
        0,
        "memory limit of the extraction worker in MiB; 0: the built-in limit",
    ),
    Setting(
        "extract_in_process",
        "EWSI_EXTRACT_IN_PROCESS",
        "bool",
        False,
        "extract in the crawl process instead of the bounded worker (debugging)",
    ),
    Setting(
        "archive_url",
        "EWSI_ARCHIVE_URL",
        "str",
        None,
        "raw archive: each run's responses in its own WARC file in `file:///dir` or `s3://bucket[/prefix]`",
    ),
    Setting(
        "archive_endpoint",
        "EWSI_ARCHIVE_ENDPOINT",
        "str",
        None,
        "endpoint URL of the S3-compatible store of `EWSI_ARCHIVE_URL`; unset: AWS",
    ),
    Setting(
        "cpu_slots",
        "EWSI_CPU_SLOTS",
        "int",
        0,
        "extractions running at once on this machine, every crawl process together; 0: one per CPU",
        minimum=0,
    ),
    Setting("smtp_host", "EWSI_SMTP_HOST", "str", None, "SMTP server of digests (required to send)"),
    Setting("smtp_port", "EWSI_SMTP_PORT", "int", None, "SMTP port; unset: 587 with STARTTLS, else 25"),
    Setting("smtp_user", "EWSI_SMTP_USER", "str", None, "SMTP login (with the password)"),
    Setting("smtp_password", "EWSI_SMTP_PASSWORD", "str", None, "SMTP password (with the login)"),
    Setting("smtp_from", "EWSI_SMTP_FROM", "str", "ewsi@localhost", "sender address of digests"),
    Setting("smtp_starttls", "EWSI_SMTP_STARTTLS", "bool", False, "use STARTTLS"),
    Setting("digest_to", "EWSI_DIGEST_TO", "list", (), "digest recipients, comma separated"),
    Setting(
        "sources_config",
        "EWSI_SOURCES_CONFIG",
        "str",
        None,
        "operator YAML read by the desk's sources page (schedule, next run); unset: `config/sources.yaml`",
    ),
    Setting("now", "EWSI_NOW", "datetime", None, "test hook: a frozen clock (ISO 8601) for harvested items"),
    Setting(
        "schedule_interval_seconds",
        "EWSI_SCHEDULE_INTERVAL_SECONDS",
        "float",
        None,
        "test hook: every source every N seconds instead of its cron",
        lenient=True,
    ),
    Setting(
        "scheduler_child_cmd",
        "EWSI_SCHEDULER_CHILD_CMD",
        "str",
        None,
        "test hook: the command of the scheduler's crawl child",
    ),
    Setting(
        "fault_kill_after_item_row",
        "EWSI_FAULT_KILL_AFTER_ITEM_ROW",
        "int",
        0,
        "test hook: the crawl process kills itself after writing this many item rows",
    ),
)
"""Every runtime setting, in the order of the README's list."""

_TRUE = ("1", "true", "yes", "on")


def _parse(setting: Setting, raw: str) -> Any:
    """The typed value of `raw` (not empty) for `setting`; ValueError when it is not of its type."""
    if setting.type == "str":
        return raw
    if setting.type == "url":  # an absolute http(s) base, nothing else (it ends up in links)
        base = raw.strip()
        scheme, _, rest = base.partition("://")
        if (
            scheme.lower() not in ("http", "https")
            or not rest
            or any(c.isspace() or ord(c) < 32 for c in base)
        ):
            raise ValueError("not an http(s) URL")
        return base
    if setting.type == "datetime":  # ISO 8601, checked here so a typo stops the command at start
        datetime.fromisoformat(raw.strip())
        return raw.strip()
    if setting.type == "bool":
        return raw.strip().lower() in _TRUE
    if setting.type == "list":
        return tuple(part.strip() for part in raw.split(",") if part.strip())
    value: float = int(raw.strip()) if setting.type == "int" else float(raw.strip())
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError("not a finite number")
    if setting.minimum is not None:
        value = max(type(value)(setting.minimum), value)
    return value


@dataclass(frozen=True)
class Settings:
    """The runtime settings of one process (see `TABLE` for each field's variable and meaning)."""

    database_url: str | None = None
    db_retry_seconds: float = 30.0
    secret_key: str | None = None
    trusted_origins: tuple[str, ...] = ()
    public_url: str = DEFAULT_PUBLIC_URL
    api_rate_anon: int = 60
    allow_private: str | None = None
    download_timeout: float = 30.0
    download_delay: float = 1.0
    retry_backoff: float = 2.0
    shared_host_budget: bool = True
    classifier_model: str | None = None
    worker_memory_mb: int = 0
    extract_in_process: bool = False
    archive_url: str | None = None
    archive_endpoint: str | None = None
    cpu_slots: int = 0
    smtp_host: str | None = None
    smtp_port: int | None = None
    smtp_user: str | None = None
    smtp_password: str | None = None
    smtp_from: str = "ewsi@localhost"
    smtp_starttls: bool = False
    digest_to: tuple[str, ...] = ()
    sources_config: str | None = None
    now: str | None = None
    schedule_interval_seconds: float | None = None
    scheduler_child_cmd: str | None = None
    fault_kill_after_item_row: int = 0

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> Settings:
        """The settings of `environ` (pass ``os.environ`` at an entry point).

        Raises ValueError with one line per variable that is not of its type."""
        values: dict[str, Any] = {}
        problems: list[str] = []
        for setting in TABLE:
            raw = environ.get(setting.env)
            if raw is None or (not raw.strip() and not setting.keep_empty):
                continue
            try:
                values[setting.field] = _parse(setting, raw)
            except ValueError:
                if not setting.lenient:
                    problems.append(f"{setting.env}={raw!r}: expected {_KIND[setting.type]}")
        if problems:
            raise ValueError("\n".join(problems))
        return cls(**values)


_KIND = {
    "int": "a whole number",
    "float": "a number",
    "bool": "a flag",
    "list": "a list",
    "str": "text",
    "url": "an absolute http(s) URL",
    "datetime": "an ISO 8601 date and time",
}


def markdown_table() -> str:
    """The README's settings list: one row per setting (variable, type, default, meaning)."""
    lines = ["| variable | type | default | meaning |", "|---|---|---|---|"]
    for s in TABLE:
        if s.default is None or s.default == ():
            default = "-"
        elif s.type == "bool":
            default = "on" if s.default else "off"
        else:
            default = f"`{s.default}`"
        lines.append(f"| `{s.env}` | {s.type} | {default} | {s.description} |")
    return "\n".join(lines) + "\n"


def load() -> Settings:
    """The settings of this process's environment (entry points only; raises ValueError)."""
    return Settings.from_env(os.environ)
