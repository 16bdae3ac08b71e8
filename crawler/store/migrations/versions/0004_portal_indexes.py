"""Indexes of the portal read API, feeds and sync (crawler.store.portal).

Revision ID: 0004_portal_indexes
Revises: 0003_review_indexes
Create Date: 2026-11-29

Partial indexes over published items only (status approved or changed, a minority of the rows),
each ending in the listing key (coalesce(published_at, first_seen_at), id) so a filtered page is
read in order and stops after `limit` rows (keyset pagination):
- ix_items_published_sort: the unfiltered listing and the Atom feeds;
- ix_items_published_country / _ctype: the public (editor-corrected) country and content type;
- ix_items_published_language / _source: language and source filters;
- ix_items_published_deadline: the iCalendar feed of open funding calls;
- ix_items_sync: the ``updated_since`` sync over everything ever approved, by (modified_at, id);
- ix_item_themes_assigned: (theme, item_id) of assigned themes, for theme filters;
- ix_items_published_fts (PostgreSQL only): GIN over to_tsvector('simple', title || summary), the
  exact expression `crawler.store.portal.FTS_DOCUMENT` queries;
- st_items_fts, st_items_sort_date (PostgreSQL only): expression statistics, because the planner
  ignores the statistics of partial indexes; with them it scans the listing index in order for a
  common word and uses the GIN index for a rare one (bench/api.py: 250 ms -> 2 ms for a word in 17 %
  of the items).
The expressions must stay identical to those in crawler.store.portal, or the planner ignores them.
The migration builds them inside its transaction (a write lock on items while it runs: on a large
production table, run it in a quiet hour).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004_portal_indexes"
down_revision: str | None = "0003_review_indexes"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PUBLISHED = "status IN ('approved', 'changed')"
SORT_DATE = "coalesce(published_at, first_seen_at)"
FTS = (
    "to_tsvector('simple'::regconfig, (COALESCE(editor_title, title, ''::text) || ' '::text) || "
    "COALESCE(editor_summary, summary, ''::text))"
)

ITEM_INDEXES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("ix_items_published_sort", (SORT_DATE, "id")),
    ("ix_items_published_country", ("coalesce(editor_country, country)", SORT_DATE, "id")),
    ("ix_items_published_ctype", ("coalesce(editor_content_type, content_type)", SORT_DATE, "id")),
    ("ix_items_published_language", ("language", SORT_DATE, "id")),
    ("ix_items_published_source", ("source_id", SORT_DATE, "id")),
    ("ix_items_published_deadline", ("deadline",)),
)


def _where(condition: str) -> dict[str, sa.TextClause]:
    return {"postgresql_where": sa.text(condition), "sqlite_where": sa.text(condition)}


def upgrade() -> None:
    for name, columns in ITEM_INDEXES:
        op.create_index(name, "items", [sa.text(c) if "(" in c else c for c in columns], **_where(PUBLISHED))  # type: ignore[arg-type]
    op.create_index("ix_items_sync", "items", ["modified_at", "id"], **_where("approved_at IS NOT NULL"))  # type: ignore[arg-type]
    op.create_index("ix_item_themes_assigned", "item_themes", ["theme", "item_id"], **_where("assigned"))  # type: ignore[arg-type]
    if op.get_bind().dialect.name == "postgresql":
        op.create_index(
            "ix_items_published_fts",
            "items",
            [sa.text(FTS)],
            postgresql_using="gin",
            postgresql_where=sa.text(PUBLISHED),
        )
        # the planner ignores statistics of partial indexes: expression statistics tell it how common
        # a word is (ordered scan for common words, the GIN index for rare ones) and how wide a date range
        op.execute(f"CREATE STATISTICS st_items_fts ON ({FTS}) FROM items")
        op.execute(f"CREATE STATISTICS st_items_sort_date ON ({SORT_DATE}) FROM items")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP STATISTICS IF EXISTS st_items_sort_date")
        op.execute("DROP STATISTICS IF EXISTS st_items_fts")
        op.drop_index("ix_items_published_fts", table_name="items")
    op.drop_index("ix_item_themes_assigned", table_name="item_themes")
    op.drop_index("ix_items_sync", table_name="items")
    for name, _ in reversed(ITEM_INDEXES):
        op.drop_index(name, table_name="items")
