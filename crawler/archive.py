"""Where run archives (WARC files) are kept: a directory or an S3-compatible bucket.

An archive URL (setting EWSI_ARCHIVE_URL) is ``file:///absolute/dir`` or ``s3://bucket[/prefix]``;
``EWSI_ARCHIVE_ENDPOINT`` names the endpoint of an S3-compatible service (MinIO, Ceph, a test
server; unset: AWS), and credentials come from boto3's usual chain (AWS_ACCESS_KEY_ID and
AWS_SECRET_ACCESS_KEY, a profile, an instance role). `ArchiveTarget.put` stores one finished local
file under a name and returns its URL (``file:///dir/NAME`` or ``s3://bucket/prefix/NAME``);
`fetch` brings such a URL back as a local path (a file:// URL is used in place, an s3:// one is
downloaded into a directory the caller owns). Every failure raises `ArchiveError` naming the URL;
the local file is left where it was, so nothing is lost.
This module imports nothing of the project but crawler.errors.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import unquote, urlsplit

from crawler.errors import ArchiveError


@dataclass(frozen=True)
class ArchiveTarget:
    """A parsed archive URL: `scheme` ``file`` (`location`: the directory) or ``s3`` (`location`:
    the bucket, `prefix`: the key prefix without slashes at either end, may be empty)."""

    scheme: str
    location: str
    prefix: str = ""
    endpoint: str | None = None

    def url_of(self, name: str) -> str:
        """The URL a file stored as `name` gets."""
        if self.scheme == "file":
            return (Path(self.location) / name).as_uri()
        key = f"{self.prefix}/{name}" if self.prefix else name
        return f"s3://{self.location}/{key}"

    def put(self, local: Path, name: str) -> str:
        """Move (directory) or upload (bucket; the local file is then deleted) `local` as `name`;
        returns its URL. ArchiveError when it cannot be stored (`local` is kept)."""
        url = self.url_of(name)
        try:
            if self.scheme == "file":
                directory = Path(self.location)
                directory.mkdir(parents=True, exist_ok=True)
                shutil.move(str(local), directory / name)
            else:
                key = url.split("/", 3)[3]
                _client(self.endpoint).upload_file(str(local), self.location, key)
                local.unlink()
        except Exception as exc:  # OSError, botocore's ClientError and connection errors
            raise ArchiveError(f"could not store {local} as {url}: {exc}") from exc
        return url


def parse_target(url: str, endpoint: str | None = None) -> ArchiveTarget:
    """The `ArchiveTarget` of archive URL `url` (see the module docstring for the two forms).

    Raises ArchiveError for any other scheme, a relative or empty file path, a file URL naming a
    host, or an s3 URL without a bucket."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    if scheme == "file":
        path = unquote(parts.path)
        if parts.netloc not in ("", "localhost") or not path.startswith("/") or path == "/":
            raise ArchiveError(f"{url!r}: expected file:///absolute/directory")
        return ArchiveTarget("file", path.rstrip("/"))
    if scheme == "s3":
        bucket = parts.netloc
        if not bucket or parts.query or parts.fragment:
            raise ArchiveError(f"{url!r}: expected s3://bucket[/prefix]")
        prefix = unquote(parts.path).strip("/")
        if prefix and any(part in ("", ".", "..") for part in prefix.split("/")):
            raise ArchiveError(f"{url!r}: the prefix must not hold empty, '.' or '..' parts")
        return ArchiveTarget("s3", bucket, prefix, endpoint or None)
    raise ArchiveError(f"{url!r}: an archive URL is file:///directory or s3://bucket[/prefix]")


def fetch(url: str, into: Path, endpoint: str | None = None) -> Path:
    """A local path holding the stored file `url` (file:// as is; s3:// downloaded into the
    directory `into`). ArchiveError when it is missing or cannot be downloaded."""
    target = parse_target(url, endpoint)
    if target.scheme == "file":
        path = Path(target.location)
        if not path.is_file():
            raise ArchiveError(f"{url}: no such archive file")
        return path
    key = target.prefix
    if not key:
        raise ArchiveError(f"{url!r}: names a bucket, not a file")
    local = into / PurePosixPath(key).name
    try:
        _client(endpoint).download_file(target.location, key, str(local))
    except Exception as exc:  # botocore's ClientError (404, 403) and connection errors
        raise ArchiveError(f"could not fetch {url}: {exc}") from exc
    return local


def _client(endpoint: str | None) -> Any:
    import boto3  # only archives in a bucket need it

    return boto3.client("s3", endpoint_url=endpoint or None)
