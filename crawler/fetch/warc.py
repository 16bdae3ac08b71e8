"""Replay from and record to WARC archives (the web archiving standard).

Settings read: ``EWSI_REPLAY`` (path of the WARC file to answer every request from; unset: the
replay component is off) and ``EWSI_RECORD`` (path of the WARC file live responses are appended
to; unset: off). `ReplayMiddleware` looks a request up by URL (fragment ignored, then the
canonical form of the URL, w3lib ``canonicalize_url``); a URL absent from the archive gets a 404
flagged ``absent``, so a harvest is reproduced exactly and offline. `RecordMiddleware` writes
each response not itself replayed, with its headers minus ``Transfer-Encoding``, gzip-compressed
(one gzip member per record), and keeps (url, offset, length, status) of each record in `written`.
"""

from __future__ import annotations

import io
import logging
import threading
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import Headers, Response
from scrapy.responsetypes import responsetypes
from w3lib.url import canonicalize_url
from warcio.archiveiterator import ArchiveIterator
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

logger = logging.getLogger(__name__)

# headers that describe the wire encoding: warcio's content_stream() has already undone them
_WIRE_HEADERS = {b"content-encoding", b"transfer-encoding", b"content-length"}


def _url_key(url: str) -> str:
    return url.split("#", 1)[0]


class WarcIndex:
    """Offsets of the `response` records of one WARC file, by target URL.

    Records are read lazily from their offset, so a large archive costs memory per URL only.
    Raises FileNotFoundError for a missing file and ValueError for a file that is not a WARC.
    """

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self._offsets: dict[str, int] = {}
        self._canonical: dict[str, int] = {}
        with self.path.open("rb") as fh:
            iterator = ArchiveIterator(fh)
            try:
                for record in iterator:
                    if record.rec_type != "response":
                        continue
                    uri = record.rec_headers.get_header("WARC-Target-URI")
                    if not uri:
                        continue
                    offset = iterator.get_record_offset()
                    self._offsets.setdefault(_url_key(uri), offset)
                    self._canonical.setdefault(canonicalize_url(uri), offset)
            except Exception as exc:  # warcio raises ArchiveLoadFailed and others
                # the cause's class only: warcio quotes the file's first line (any file's content)
                raise ValueError(f"{self.path}: not a readable WARC file ({type(exc).__name__})") from exc
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._offsets)

    @classmethod
    def shared(cls, path: str | Path) -> WarcIndex:
        """The index of `path`, built once per process while the file keeps its size and mtime (a
        crawl builds one crawler per source, each with its replay component, over one archive)."""
        resolved = Path(path).resolve()
        stat = resolved.stat()  # FileNotFoundError for a missing file, as the constructor
        return _shared_index(resolved, stat.st_size, stat.st_mtime_ns)

    def lookup(self, url: str) -> tuple[int, list[tuple[bytes, bytes]], bytes] | None:
        """(status, headers, decoded body) recorded for `url`, or None when it was not recorded."""
        offset = self._offsets.get(_url_key(url))
        if offset is None:
            offset = self._canonical.get(canonicalize_url(url))
        if offset is None:
            return None
        with self._lock, self.path.open("rb") as fh:
            fh.seek(offset)
            record = next(iter(ArchiveIterator(fh)))
            status = int(record.http_headers.get_statuscode() or 200)
            headers = [
                (k.encode("latin-1"), v.encode("latin-1", "replace"))
                for k, v in record.http_headers.headers
                if k.lower().encode() not in _WIRE_HEADERS
            ]
            body = record.content_stream().read()
        return status, headers, body


@lru_cache(maxsize=4)
def _shared_index(path: Path, _size: int, _mtime_ns: int) -> WarcIndex:
    return WarcIndex(path)


class ReplayMiddleware:
    """Answer every request from the WARC file named by the `EWSI_REPLAY` setting."""

    def __init__(self, path: str):
        self.index = WarcIndex.shared(path)
        logger.info("replaying %d recorded responses from %s", len(self.index), path)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ReplayMiddleware:
        path = crawler.settings.get("EWSI_REPLAY")
        if not path:
            raise NotConfigured("EWSI_REPLAY not set")
        return cls(path)

    def process_request(self, request: Request) -> Response:
        found = self.index.lookup(request.url)
        if found is None:
            return Response(
                url=request.url, status=404, body=b"", request=request, flags=["replay", "absent"]
            )
        status, header_list, body = found
        headers = Headers(header_list)
        cls = responsetypes.from_args(headers=headers, url=request.url, body=body)
        return cls(
            url=request.url, status=status, headers=headers, body=body, request=request, flags=["replay"]
        )


class RecordMiddleware:
    """Append each live response, as received, to the WARC file named by `EWSI_RECORD`."""

    def __init__(self, path: str):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._fh = self.path.open("ab")
        self._writer = WARCWriter(self._fh, gzip=True)
        self.count = 0
        self.written: list[tuple[str, int, int, int]] = []
        """(url, offset, length, status) of each record written, offsets in bytes of the file."""

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RecordMiddleware:
        path = crawler.settings.get("EWSI_RECORD")
        if not path:
            raise NotConfigured("EWSI_RECORD not set")

        mw = cls(path)
        crawler.signals.connect(mw.close, signal=signals.spider_closed)
        return mw

    def process_response(self, request: Request, response: Response) -> Any:
        if "replay" in response.flags:
            return response
        headers = [
            (k.decode("latin-1"), b", ".join(v).decode("latin-1"))
            for k, v in response.headers.items()
            if k.lower() not in {b"transfer-encoding"}
        ]
        reason = "OK" if response.status < 400 else "Error"
        http_headers = StatusAndHeaders(f"{response.status} {reason}", headers, protocol="HTTP/1.1")
        record = self._writer.create_warc_record(
            response.url,
            "response",
            payload=io.BytesIO(response.body),
            http_headers=http_headers,
            warc_headers_dict={"WARC-Date": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")},
        )
        offset = self._fh.tell()
        self._writer.write_record(record)
        self._fh.flush()
        self.written.append((response.url, offset, self._fh.tell() - offset, response.status))
        self.count += 1
        return response

    def close(self) -> None:
        if not self._fh.closed:
            self._fh.close()
