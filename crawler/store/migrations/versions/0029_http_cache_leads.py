"""Whether a URL's last read answer led to other documents (conditional GET of walks).

Revision ID: 0029_http_cache_leads
Revises: 0028_source_moved
Create Date: 2027-01-24

``http_cache.leads``: true when the last answer read for the URL led the spider to other documents
of the source (a sitemap index's child sitemaps, a listing's or an API's next page), so the next
run asks for it without validators and reads it even when unchanged (crawler.fetch.conditional_get,
"walks"). NULL or false: a leaf, asked with validators (a 304 ends it cheaply).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0029_http_cache_leads"
down_revision: str | None = "0028_source_moved"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("http_cache") as batch:
        batch.add_column(sa.Column("leads", sa.Boolean(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("http_cache") as batch:
        batch.drop_column("leads")
