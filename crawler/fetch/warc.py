"""Replay from and record to WARC archives (the web archiving standard).

Settings read: ``EWSI_REPLAY`` (path of the WARC file to answer every request from; unset: the
replay component is off) and ``EWSI_RECORD`` (path of the WARC file live responses are appended
to; unset: off). `ReplayMiddleware` looks a request up by URL (fragment ignored, then the
canonical form of the URL, w3lib ``canonicalize_url``); a URL absent from the archive gets a 404
flagged ``absent``, so a harvest is reproduced exactly and offline. A record cut short is no
recorded answer (`WarcIndex`): its URL is answered as absent, flagged ``truncated`` too, with a
warning naming the archive and the URL, never served as a short page. `RecordMiddleware` writes
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
    Rule: a record cut short is not a recorded answer: its block shorter than its WARC
    Content-Length (or without one), or its gzip member ending before the gzip trailer (a cut
    archive, a download stopped early). It is left out of the index (a whole record of the same
    URL elsewhere in the file still answers), kept in `truncated` and logged as a warning naming
    the archive and the URL; bytes after the last whole record that warcio cannot read as a record
    (WARC headers cut before the URL) are logged too. Every whole record before a cut still answers.
    Raises FileNotFoundError for a missing file and ValueError for a file that is not a WARC.
    """

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self._offsets: dict[str, int] = {}
        self._canonical: dict[str, int] = {}
        self.truncated: dict[str, int] = {}
        """URL (fragment dropped) -> offset of a record of it cut short, when no whole record has it."""
        size = self.path.stat().st_size
        end = 0  # where the last record warcio read ends
        with self.path.open("rb") as fh:
            # records are not parsed here (their HTTP headers may be cut): each block is read whole
            iterator = ArchiveIterator(fh, no_record_parse=True)
            try:
                for record in iterator:
                    block = 0
                    while chunk := record.raw_stream.read(65536):
                        block += len(chunk)
                    iterator.read_to_end(record)
                    offset, length = iterator.get_record_offset(), iterator.get_record_length()
                    uri = record.rec_headers.get_header("WARC-Target-URI")
                    decompressor = getattr(iterator.reader, "decompressor", None)
                    whole = (
                        record.length is not None
                        and block >= record.length
                        and (decompressor is None or bool(getattr(decompressor, "eof", True)))
                    )
                    end = offset + length
                    if record.rec_type != "response" or not uri:
                        continue
                    if not whole:
                        self._cut_short(uri, offset)
                        continue
                    self._offsets.setdefault(_url_key(uri), offset)
                    self._canonical.setdefault(canonicalize_url(uri), offset)
            except Exception as exc:  # warcio raises ArchiveLoadFailed and others
                # the cause's class only: warcio quotes the file's first line (any file's content)
                raise ValueError(f"{self.path}: not a readable WARC file ({type(exc).__name__})") from exc
        for key in self._offsets:
            self.truncated.pop(key, None)
        if end < size and (self._offsets or self.truncated):
            # a record whose WARC headers were cut before its URL: warcio yields nothing for it
            logger.warning(
                "replay archive %s ends with %d bytes of a record cut short at byte %d; "
                "not a recorded answer",
                self.path,
                size - end,
                end,
            )
        self._lock = threading.Lock()

    def _cut_short(self, uri: str, offset: int) -> None:
        """Note a record of `uri` cut short at `offset`: its URL is answered as not recorded."""
        logger.warning(
            "replay archive %s: the record of %s at byte %d is cut short; "
            "not a recorded answer, its URL is answered as not in the archive",
            self.path,
            uri,
            offset,
        )
        self.truncated.setdefault(_url_key(uri), offset)

    def __len__(self) -> int:
        return len(self._offsets)

    @classmethod
    def shared(cls, path: str | Path) -> WarcIndex:
        """The index of `path`, built once per process while the file keeps its size and mtime (a
        crawl builds one crawler per source, each with its replay component, over one archive)."""
        resolved = Path(path).resolve()
        stat = resolved.stat()  # FileNotFoundError for a missing file, as the constructor
        return _shared_index(resolved, stat.st_size, stat.st_mtime_ns)

    def is_truncated(self, url: str) -> bool:
        """Whether `url`'s only record in the archive is cut short (so `lookup` gives None)."""
        return _url_key(url) in self.truncated or any(
            canonicalize_url(key) == canonicalize_url(url) for key in self.truncated
        )

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
            flags = ["replay", "absent"]
            if self.index.is_truncated(request.url):
                flags.append("truncated")
                logger.warning(
                    "replay archive %s holds %s only cut short: answered as not in the archive",
                    self.index.path,
                    request.url,
                )
            return Response(url=request.url, status=404, body=b"", request=request, flags=flags)
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
