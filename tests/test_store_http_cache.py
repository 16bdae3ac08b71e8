"""crawler.store.http_cache on SQLite and PostgreSQL: validators stored, replaced and read back."""

from __future__ import annotations

from crawler.store.http_cache import get_http_cache, put_http_cache


def test_http_cache_roundtrip(db_session):
    url = "https://x.eu/feed.xml?" + "p" * 5000
    assert get_http_cache(db_session, url) is None
    put_http_cache(db_session, url, '"v1"', "Wed, 26 Mar 2025 10:00:00 GMT", "a" * 64, 200)
    db_session.commit()
    assert get_http_cache(db_session, url)["etag"] == '"v1"'
    put_http_cache(db_session, url, '"v2"', None, "b" * 64, 200)
    db_session.commit()
    entry = get_http_cache(db_session, url)
    assert (entry["url"], entry["etag"], entry["last_modified"]) == (url, '"v2"', None)
    assert entry["body_sha256"] == "b" * 64
    assert entry["fetched_at"].tzinfo is not None


def test_validators_belong_to_the_source_that_read_them(db_session):
    """crawler.store.http_cache rule: one URL read by several sources keeps one row per source."""
    url = "https://x.eu/feed.xml"
    writes = [("src-a", '"a1"'), ("src-b", '"b1"'), (None, '"u1"'), ("src-a", '"a2"')]
    for source, etag in writes:
        put_http_cache(db_session, url, etag, None, "c" * 64, 200, source=source)
        db_session.commit()
    seen = {
        s: (get_http_cache(db_session, url, s) or {}).get("etag") for s in ("src-a", "src-b", "src-c", None)
    }
    assert seen == {"src-a": '"a2"', "src-b": '"b1"', "src-c": None, None: '"u1"'}
