"""One log record, one line: control characters from user input are escaped (OWASP ASVS 4.0.3 7.3.1).

Titles of harvested items, user names typed at login, rejection reasons and request paths reach the
logs. A newline in one of them would start a forged line (``"\\n2026-01-01 INFO admin logged in"``),
a carriage return would overwrite a line on a terminal and an ANSI escape (ESC ``[``) would recolour
or erase it. Two layers:

- `ControlCharFilter`, attached to the web app's own loggers (`protect`), replaces each record's
  message by its escaped text, so every handler (also pytest's caplog) gets one line;
- `EscapingFormatter` (and `EscapingAccessFormatter` for uvicorn's access log), installed by
  `logging_config` for ``ewsi serve``, escapes the whole formatted record, tracebacks included, for
  every logger of the process (uvicorn, SQLAlchemy, the crawler).

Escapes: ``\\n``, ``\\r``, ``\\t``; other C0 and C1 controls, DEL, the Unicode line and paragraph
separators (U+2028, U+2029) and the bidirectional controls (`crawler.text.BIDI_CONTROLS`: U+200E, U+200F,
U+061C, U+202A-U+202E, U+2066-U+2069, which can make a terminal or log viewer show a line's text
in another order than it was written, "Trojan Source", CVE-2021-42574) as ``\\xNN`` or
``\\uNNNN``. Printable text, including right-to-left scripts, is kept as it is.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from uvicorn.logging import AccessFormatter

from crawler.text import BIDI_CONTROLS

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]|" + BIDI_CONTROLS.pattern)
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
LOG_FORMAT = "%(asctime)s %(name)s %(levelname)s %(message)s"
"""Line format of ``ewsi serve`` (the same fields as the crawl log)."""
ACCESS_FORMAT = '%(asctime)s %(name)s %(levelname)s %(client_addr)s "%(request_line)s" %(status_code)s'
"""Line format of uvicorn's access log (``ewsi serve --log-level debug``)."""


def _escape_one(match: re.Match[str]) -> str:
    char = match.group(0)
    named = _NAMED.get(char)
    if named:
        return named
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def escape_controls(text: str) -> str:
    """`text` with every control character escaped (module docstring); the result has no line break
    and no bidirectional control."""
    return _CONTROL.sub(_escape_one, text)


class ControlCharFilter(logging.Filter):
    """A logging filter that renders the record's message (``msg % args``), escapes it and stores it
    back with no args, so any formatter downstream prints it on one line. Never drops a record."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a bad format string: leave it to the handler's error reporting
            return True
        record.msg = escape_controls(message)
        record.args = None
        return True


def protect(logger: logging.Logger) -> logging.Logger:
    """Attach one `ControlCharFilter` to `logger` (idempotent) and return it."""
    if not any(isinstance(f, ControlCharFilter) for f in logger.filters):
        logger.addFilter(ControlCharFilter())
    return logger


class EscapingFormatter(logging.Formatter):
    """`logging.Formatter` whose whole output (message, exception, stack) is one escaped line."""

    def format(self, record: logging.LogRecord) -> str:
        return escape_controls(super().format(record))


class EscapingAccessFormatter(AccessFormatter):
    """uvicorn's access-log formatter, escaped like `EscapingFormatter` (request paths are user input:
    uvicorn logs them percent-decoded, so ``%0A`` would otherwise be a line break)."""

    def format(self, record: logging.LogRecord) -> str:
        return escape_controls(super().format(record))


def logging_config(level: str = "info") -> dict[str, Any]:
    """A `logging.config.dictConfig` dict for ``ewsi serve`` (passed to uvicorn as ``log_config``):
    one stderr handler for the root logger and uvicorn's loggers with `EscapingFormatter`, and
    uvicorn's access log with `EscapingAccessFormatter`. `level`: debug, info, warning or error."""
    level_name = level.upper()
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {
            "default": {"()": f"{__name__}.EscapingFormatter", "fmt": LOG_FORMAT},
            "access": {
                "()": f"{__name__}.EscapingAccessFormatter",
                "fmt": ACCESS_FORMAT,
                "use_colors": False,
            },
        },
        "handlers": {
            "default": {
                "class": "logging.StreamHandler",
                "formatter": "default",
                "stream": "ext://sys.stderr",
            },
            "access": {"class": "logging.StreamHandler", "formatter": "access", "stream": "ext://sys.stderr"},
        },
        "root": {"handlers": ["default"], "level": level_name},
        "loggers": {
            "uvicorn": {"handlers": ["default"], "level": level_name, "propagate": False},
            "uvicorn.error": {"handlers": ["default"], "level": level_name, "propagate": False},
            "uvicorn.access": {"handlers": ["access"], "level": level_name, "propagate": False},
        },
    }
