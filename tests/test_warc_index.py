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
