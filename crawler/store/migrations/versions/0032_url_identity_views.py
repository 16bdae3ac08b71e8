"""Stored URL identities re-keyed after the AMP and print views became their page's identity.

Revision ID: 0032_url_identity_views
Revises: 0031_priority_fetch_time
Create Date: 2026-12-07

pipelines.urls.identity_url drops the AMP and print views of a page asked for by a query parameter
(``?amp=1``, ``?outputType=amp``, ``?print=1``, ...): without re-keying, a page stored under its AMP
link would be inserted again when the feed or sitemap gives the page itself. The rule and its limits
are those of 0027_url_identity_rekey (`rekey`): never a change of host or port, never two stored rows
merged, a tombstone copied to the new identity.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType

revision: str = "0032_url_identity_views"
down_revision: str | None = "0031_priority_fetch_time"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _rekey_migration() -> ModuleType:
    path = Path(__file__).with_name("0027_url_identity_rekey.py")
    spec = importlib.util.spec_from_file_location("ewsi_migration_0027", path)
    if spec is None or spec.loader is None:
        raise RuntimeError(f"migration not found: {path}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def upgrade() -> None:
    _rekey_migration().upgrade()


def downgrade() -> None:
    """Nothing to undo: the new keys stay (the old rule's keys cannot be recomputed)."""
