"""The §5 figures of the fault tests (../shared/RELIABILITY.md T31-T39), kept in a JSON file.

Each fault test calls `record_fault` once per back end with what it measured; the file
tests/artifacts/fault_figures.json maps ``"<test> <backend>"`` to those values plus ``passed``
(the test records only after its assertions held) and the time it was written, so a full run
leaves one table of every scenario that ran. Later runs replace the entries they repeat.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

FIGURES_FILE = Path(__file__).resolve().parent / "artifacts" / "fault_figures.json"


def backend_of(db_url: str) -> str:
    """``sqlite`` or ``postgresql`` from a SQLAlchemy URL (``postgresql+psycopg2://...``)."""
    return db_url.split(":", 1)[0].split("+", 1)[0]


def record_fault(test_id: str, db_url: str, **values: Any) -> dict[str, Any]:
    """Merge one scenario's figures into `FIGURES_FILE` and return the entry written.

    `values` must be JSON-serialisable (numbers, strings, lists, dicts); a corrupt or missing
    file is started afresh rather than failing the test that measured something.
    """
    try:
        figures = json.loads(FIGURES_FILE.read_text(encoding="utf-8"))
        if not isinstance(figures, dict):
            figures = {}
    except (OSError, ValueError):
        figures = {}
    entry = {"passed": True, "written_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), **values}
    figures[f"{test_id} {backend_of(db_url)}"] = entry
    FIGURES_FILE.parent.mkdir(parents=True, exist_ok=True)
    FIGURES_FILE.write_text(json.dumps(figures, indent=1, sort_keys=True, default=str), encoding="utf-8")
    return entry
