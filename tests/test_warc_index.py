"""The replay archive's index (crawler.fetch.warc.WarcIndex): lookups by URL and one index per file
per process while the file is unchanged. Archives made here with warcio."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from crawler.fetch.warc import WarcIndex


def write_archive(path: Path, pages: dict[str, bytes], mode: str = "wb") -> None:
    with path.open(mode) as fh:
        writer = WARCWriter(fh, gzip=True)
        for url, body in pages.items():
            http = StatusAndHeaders("200 OK", [("Content-Type", "text/html")], protocol="HTTP/1.1")
            writer.write_record(
                writer.create_warc_record(url, "response", payload=io.BytesIO(body), http_headers=http)
            )


def test_lookup_by_url_fragment_and_canonical_form(tmp_path: Path) -> None:
    archive = tmp_path / "a.warc.gz"
    write_archive(archive, {"https://x.example/p?b=2&a=1": b"<p>one</p>", "https://x.example/q": b"two"})
    index = WarcIndex(archive)
    assert len(index) == 2
    assert index.lookup("https://x.example/q#top")[2] == b"two"  # type: ignore[index]
    assert index.lookup("https://x.example/p?a=1&b=2")[2] == b"<p>one</p>"  # type: ignore[index]
    assert index.lookup("https://x.example/none") is None


def test_one_shared_index_per_unchanged_file(tmp_path: Path) -> None:
    archive = tmp_path / "a.warc.gz"
    write_archive(archive, {"https://x.example/1": b"one"})
    first = WarcIndex.shared(archive)
    assert WarcIndex.shared(str(archive)) is first
    assert WarcIndex.shared(tmp_path / "." / "a.warc.gz") is first
    write_archive(archive, {"https://x.example/2": b"two"}, mode="ab")  # grown: a new index
    stat = archive.stat()
    os.utime(archive, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))
    second = WarcIndex.shared(archive)
    assert second is not first
    assert len(second) == 2 and second.lookup("https://x.example/2")[2] == b"two"  # type: ignore[index]


def test_missing_or_unreadable_archive_is_refused_every_time(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        WarcIndex.shared(tmp_path / "none.warc.gz")
    bad = tmp_path / "bad.warc.gz"
    bad.write_bytes(b"\x1f\x8b\x08\x00" + b"\xff" * 40)  # a gzip header, then no stream
    for _ in range(2):
        with pytest.raises(ValueError, match="not a readable WARC"):
            WarcIndex.shared(bad)


def test_a_file_that_is_not_an_archive_is_refused_without_quoting_it(tmp_path: Path) -> None:
    other = tmp_path / "passwd"
    other.write_text("root:x:0:0:secret-line:/root:/bin/bash\n" * 3, encoding="utf-8")
    with pytest.raises(ValueError, match="not a readable WARC file") as raised:
        WarcIndex(other)
    assert "secret-line" not in str(raised.value) and "root:x" not in str(raised.value)


CUT_PAGES = {f"https://x.example/{i}": b"<p>page %d</p>" % i * 200 for i in range(3)}


def _member_offsets(path: Path) -> list[int]:
    from warcio.archiveiterator import ArchiveIterator

    with path.open("rb") as fh:
        iterator = ArchiveIterator(fh)
        return [iterator.get_record_offset() for _ in iterator]


@pytest.mark.parametrize(
    ("where", "served"),
    [
        ("in the gzip header of the last record", 2),
        ("in the WARC headers of the last record", 2),
        ("in the body of the last record", 2),
        ("in the gzip trailer of the last record", 2),
        ("right after the second record", 2),
        ("in the body of the second record", 1),
        ("right after the last record", 3),
    ],
)
def test_an_archive_cut_short_serves_whole_records_only(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, where: str, served: int
) -> None:
    whole = tmp_path / "whole.warc.gz"
    write_archive(whole, CUT_PAGES)
    data = whole.read_bytes()
    starts = [*_member_offsets(whole), len(data)]
    cut = {
        "in the gzip header of the last record": starts[2] + 5,
        "in the WARC headers of the last record": starts[2] + 60,
        "in the body of the last record": (starts[2] + starts[3]) // 2 + 40,
        "in the gzip trailer of the last record": len(data) - 4,
        "right after the second record": starts[2],
        "in the body of the second record": (starts[1] + starts[2]) // 2 + 40,
        "right after the last record": len(data),
    }[where]
    archive = tmp_path / "cut.warc.gz"
    archive.write_bytes(data[:cut])
    with caplog.at_level("WARNING", logger="crawler.fetch.warc"):
        index = WarcIndex(archive)
    urls = list(CUT_PAGES)
    for url in urls[:served]:
        assert index.lookup(url)[2] == CUT_PAGES[url]  # type: ignore[index]
    for url in urls[served:]:
        assert index.lookup(url) is None
    assert len(index) == served
    if cut == len(data) or cut == starts[2]:
        assert not caplog.records
    else:
        assert caplog.records and all(str(archive) in r.getMessage() for r in caplog.records)
    if index.truncated:  # a record whose URL was read: the warning names it
        (url,) = index.truncated
        assert url == urls[served] and index.is_truncated(url)
        assert any(url in r.getMessage() for r in caplog.records)


def test_a_url_recorded_whole_and_cut_short_is_served_whole(tmp_path: Path) -> None:
    archive = tmp_path / "a.warc.gz"
    write_archive(archive, {"https://x.example/a": b"whole " * 300})
    write_archive(archive, {"https://x.example/a": b"later " * 300}, mode="ab")
    archive.write_bytes(archive.read_bytes()[:-30])
    index = WarcIndex(archive)
    assert index.lookup("https://x.example/a")[2] == b"whole " * 300  # type: ignore[index]
    assert not index.is_truncated("https://x.example/a")


def test_replay_answers_a_cut_record_as_absent(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    from scrapy import Request

    from crawler.fetch.warc import ReplayMiddleware

    archive = tmp_path / "a.warc.gz"
    write_archive(archive, CUT_PAGES)
    archive.write_bytes(archive.read_bytes()[:-100])
    middleware = ReplayMiddleware(str(archive))
    with caplog.at_level("WARNING", logger="crawler.fetch.warc"):
        response = middleware.process_request(Request("https://x.example/2"))
    assert response.status == 404 and response.body == b""
    assert {"absent", "truncated"} <= set(response.flags)
    messages = [r.getMessage() for r in caplog.records]
    assert any("https://x.example/2" in m and str(archive) in m for m in messages)
    assert middleware.process_request(Request("https://x.example/1")).status == 200
