"""The HTML decoding rules live in `crawler.encoding` (shared with the feed spider); re-exported here."""

from crawler.encoding import decode_html

__all__ = ["decode_html"]
