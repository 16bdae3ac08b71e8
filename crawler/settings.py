"""Scrapy settings for every crawl, built once per process by `build_settings`.

Values follow ../shared/RELIABILITY.md §2 (guard rails): bounded sizes and timeouts, five redirects,
no `file:`/`data:`/`ftp:`/`s3:` handlers, robots.txt obeyed, retries only for timeouts, 429 and 5xx.
Replay mode answers from a WARC archive, so delays are dropped there.

No remote access to a running crawl: the telnet console is off, and so is Scrapy 2.19's
``RemoteControl`` extension (on by default there: an HTTP server on localhost that runs the Python
code posted to it, with a token file per crawl under ``~/.local/state/scrapy/job_files/``), both
by its setting ``REMOTE_CONTROL_ENABLED`` and by removing it from ``EXTENSIONS``.
Logging: one line per record. `crawler.extensions.OneLineLogFormatter` logs scraped and dropped
items by URL and reason instead of dumping the whole item, and a dropped item is logged at INFO
(a drop is an expected outcome, counted per reason in the run's ``dropped``; Scrapy's default is
WARNING).

Fetch guard rails live in crawler.fetch, one component per module (SSRF guard with a pinning
resolver, per-host gate shared by all sources of the process, polite retries, strict
decompression, conditional GET, WARC replay and record, and the raw archive of each run:
``EWSI_ARCHIVE_URL`` set and not replaying, crawler.fetch.run_archive writes the run's own WARC).
Runtime settings (crawler.config, read at the entry point and passed as `runtime`): download
timeout, delay and retry back-off become Scrapy's values; the allowlist of non-public hosts, the
classifier model, the extraction worker's limit and the frozen clock are handed to the components
as ``EWSI_*`` Scrapy settings.

With a PostgreSQL store and `shared_host_budget` on (default), the host gate spaces the requests of
every process through the database (crawler.fetch.shared_gate): it then owns the delay
(``EWSI_HOST_DELAY``), and Scrapy's own per-slot delay and AutoThrottle are off, because a delay
applied after the gate would shift a request past its reserved start and shorten the gap before
another process's request.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from crawler.archive import parse_target
from crawler.config import Settings as RuntimeSettings

MIB = 1024 * 1024
DOWNLOAD_MAXSIZE = 16 * MIB
"""Bytes a body may have after decoding, in a crawl and in a one-shot fetch (crawler.fetch.oneshot)."""
REDIRECT_MAX_TIMES = 5
"""Redirects followed, in a crawl and in a one-shot fetch."""
LOG_FORMAT = "%(asctime)s [%(name)s] %(levelname)s: %(message)s"
"""Format of every crawl log line (``ewsi crawl``'s log file, the scheduler's crawl children)."""
DEFAULT_CONTACT = "ewsi-harvester operators <harvester@ewsi.invalid>"
PRODUCT = "ewsi-harvester"
PRODUCT_URL = "https://github.com/ewsi/ewsi-harvester"
DEFAULT_USER_AGENT = PRODUCT + "/{version} (+" + PRODUCT_URL + "; {contact})"
"""The User-Agent of every request: the product, its version, where to read about it and who to
write to (the bot-identification convention of RFC 9110 10.1.5 and of the major crawlers)."""


def product_version() -> str:
    """The installed package's version (``0.1.0``); ``0`` when it is not installed."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(PRODUCT)
    except PackageNotFoundError:
        return "0"


def user_agent_for(contact: str | None = None, user_agent: str | None = None) -> str:
    """The User-Agent of every fetch (crawls, ``ewsi sources add`` and ``check``).

    `user_agent`: the operator YAML's ``user_agent:``, used as written (crawler.sources checks that
    it names a contact); else `DEFAULT_USER_AGENT` with the product's version and `contact` (the
    YAML's ``contact:``, else `DEFAULT_CONTACT`). Example:
    ``ewsi-harvester/0.1.0 (+https://github.com/ewsi/ewsi-harvester; Ops <ops@example.eu>)``.
    """
    if user_agent:
        return user_agent
    return DEFAULT_USER_AGENT.format(version=product_version(), contact=contact or DEFAULT_CONTACT)


PIPELINES = {
    "pipelines.normalize.NormalizePipeline": 100,
    "pipelines.extract_background.BackgroundExtractPipeline": 200,
    "pipelines.attachments.AttachmentsPipeline": 250,
    "pipelines.language.LanguagePipeline": 300,
    "pipelines.funding.FundingPipeline": 350,
    "pipelines.events.EventsPipeline": 360,
    "pipelines.dedup.DedupPipeline": 400,
    "pipelines.classify.ClassifyPipeline": 500,
    "pipelines.store.StorePipeline": 600,
}


GUARD_MIDDLEWARES = {
    "crawler.fetch.ssrf.GuardMiddleware": 40,
    "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,
    "crawler.fetch.robots.RfcRobotsTxtMiddleware": 100,
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "crawler.fetch.retry.PoliteRetryMiddleware": 550,
    "crawler.fetch.shield.ShieldMiddleware": 570,
    "crawler.fetch.conditional_get.ConditionalGetMiddleware": 585,
    "scrapy.downloadermiddlewares.redirect.RedirectMiddleware": None,
    "crawler.fetch.redirects.LoopAwareRedirectMiddleware": 600,
    "scrapy.downloadermiddlewares.redirect.MetaRefreshMiddleware": None,
    "crawler.fetch.redirects.LoopAwareMetaRefreshMiddleware": 580,
    "scrapy.downloadermiddlewares.httpcompression.HttpCompressionMiddleware": None,
    "crawler.fetch.compression.StrictCompressionMiddleware": 590,
    "crawler.fetch.shared_gate.SharedHostGateMiddleware": 960,
}
"""Downloader middlewares of every crawl (see crawler.fetch for their order)."""

RETRY_EXCEPTIONS = [
    "scrapy.exceptions.DownloadTimeoutError",
    "twisted.internet.defer.TimeoutError",
    "twisted.internet.error.TimeoutError",
    "twisted.internet.error.TCPTimedOutError",
]
"""Only timeouts are retried among download exceptions (plus RETRY_HTTP_CODES: 408, 429, 5xx)."""


def build_settings(
    *,
    database_url: str | None = None,
    replay: str | Path | None = None,
    record: str | Path | None = None,
    contact: str | None = None,
    user_agent: str | None = None,
    log_level: str = "WARNING",
    overrides: dict[str, Any] | None = None,
    runtime: RuntimeSettings | None = None,
) -> dict[str, Any]:
    """Return the Scrapy settings dict for a harvest.

    database_url: SQLAlchemy URL of the review-queue store (None: `runtime.database_url`, else SQLite).
    runtime: the process's settings (crawler.config; None: the defaults), handed to the components
    as ``EWSI_*`` Scrapy settings: timeouts, delays, back-off, allowlist, model, worker, clock.
    replay: WARC file to answer every request from (no network); record: WARC file to append every
    live response to. Both at once is a ValueError.
    """
    if replay and record:
        raise ValueError("--replay and --record cannot be combined")
    agent = user_agent_for(contact, user_agent)
    runtime = runtime or RuntimeSettings()
    timeout = runtime.download_timeout
    delay = runtime.download_delay
    settings: dict[str, Any] = {
        "BOT_NAME": "ewsi-harvester",
        "USER_AGENT": agent,
        "ROBOTSTXT_OBEY": True,
        "ROBOTSTXT_USER_AGENT": "ewsi-harvester",
        "TELNETCONSOLE_ENABLED": False,
        "REMOTE_CONTROL_ENABLED": False,
        "DOWNLOAD_HANDLERS": {"file": None, "data": None, "ftp": None, "s3": None},
        "DOWNLOAD_TIMEOUT": timeout,
        "DOWNLOAD_MAXSIZE": DOWNLOAD_MAXSIZE,
        "DOWNLOAD_WARNSIZE": 4 * MIB,
        "DOWNLOAD_FAIL_ON_DATALOSS": True,
        "REDIRECT_MAX_TIMES": REDIRECT_MAX_TIMES,
        "RETRY_ENABLED": True,
        "RETRY_TIMES": 3,
        "RETRY_HTTP_CODES": [408, 429, 500, 502, 503, 504, 522, 524],
        "RETRY_EXCEPTIONS": list(RETRY_EXCEPTIONS),
        "EWSI_RETRY_BACKOFF": runtime.retry_backoff,
        "EWSI_RETRY_AFTER_MAX": 60.0,
        "CONCURRENT_REQUESTS": 16,
        "CONCURRENT_REQUESTS_PER_DOMAIN": 2,
        "DOWNLOAD_DELAY": delay,
        # 0.5x-1.5x of DOWNLOAD_DELAY (RANDOMIZE_DOWNLOAD_DELAY is deprecated and warns in every crawl)
        "DOWNLOAD_DELAY_JITTER": 0.5,
        "AUTOTHROTTLE_ENABLED": True,
        "AUTOTHROTTLE_START_DELAY": min(1.0, delay),
        "AUTOTHROTTLE_MAX_DELAY": 60.0,
        "AUTOTHROTTLE_TARGET_CONCURRENCY": 1.0,
        "COOKIES_ENABLED": False,
        "HTTPCACHE_ENABLED": False,
        "DNS_TIMEOUT": 10,
        "TWISTED_DNS_RESOLVER": "crawler.fetch.ssrf.GuardedResolver",
        "METAREFRESH_ENABLED": True,
        "LOG_LEVEL": log_level,
        "LOG_FORMAT": LOG_FORMAT,
        "LOG_FORMATTER": "crawler.extensions.OneLineLogFormatter",
        "DEFAULT_DROPITEM_LOG_LEVEL": "INFO",
        "STATS_DUMP": False,
        "LOGSTATS_INTERVAL": 0,
        "ITEM_PIPELINES": dict(PIPELINES),
        "EXTENSIONS": {
            "scrapy.extensions.telnet.TelnetConsole": None,
            "scrapy.extensions.remote_control.RemoteControl": None,
            "crawler.extensions.RunRecorder": 100,
        },
        "DOWNLOADER_MIDDLEWARES": dict(GUARD_MIDDLEWARES),
        "EWSI_DATABASE_URL": database_url or runtime.database_url,
        "EWSI_ALLOW_PRIVATE": runtime.allow_private,
        "EWSI_CLASSIFIER_MODEL": runtime.classifier_model,
        "EWSI_WORKER_MEMORY_MB": runtime.worker_memory_mb,
        "EWSI_EXTRACT_IN_PROCESS": runtime.extract_in_process,
        "EWSI_CPU_SLOTS": runtime.cpu_slots,
        "EWSI_NOW": runtime.now,
        "FEED_EXPORTERS": {},
    }
    store_url = str(settings["EWSI_DATABASE_URL"] or "")
    if store_url.startswith("postgresql") and runtime.shared_host_budget:
        settings.update({"EWSI_HOST_DELAY": delay, "DOWNLOAD_DELAY": 0, "AUTOTHROTTLE_ENABLED": False})
    else:
        settings["EWSI_SHARED_HOST_BUDGET"] = False
    if replay:
        settings["EWSI_REPLAY"] = str(replay)
        # after the robots.txt middleware (100), so a replay applies the recorded robots.txt as live
        settings["DOWNLOADER_MIDDLEWARES"]["crawler.fetch.warc.ReplayMiddleware"] = 101
        settings.update(
            {
                "DOWNLOAD_DELAY": 0,
                "AUTOTHROTTLE_ENABLED": False,
                "RETRY_ENABLED": False,
                "CONCURRENT_REQUESTS_PER_DOMAIN": 16,
            }
        )
    if runtime.archive_url and not replay:
        parse_target(runtime.archive_url)  # a bad URL stops the crawl at start (ArchiveError)
        settings["EWSI_ARCHIVE_URL"] = runtime.archive_url
        settings["EWSI_ARCHIVE_ENDPOINT"] = runtime.archive_endpoint
        settings["DOWNLOADER_MIDDLEWARES"]["crawler.fetch.run_archive.RunArchiveMiddleware"] = 951
    if record:
        settings["EWSI_RECORD"] = str(record)
        # next to the downloader, so it sees the bytes as they came off the wire
        settings["DOWNLOADER_MIDDLEWARES"]["crawler.fetch.warc.RecordMiddleware"] = 950
    if overrides:
        settings.update(overrides)
    return settings
