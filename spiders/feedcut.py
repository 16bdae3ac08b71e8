"""A feed document cut short: which of its entries closed before the cut.

A feed can arrive whole at the HTTP level and still end early: a server that stopped writing (a PHP
time or memory limit, a full disk), a cache that kept part of it, a Content-Length that names fewer
bytes than the document has. feedparser then reports it malformed ("no element found", "unclosed
token") and still returns every entry it had begun, the last one with whatever fields came before
the cut: a title cut in the middle, no date (the item was dated by the fetch time, and a stored
item keeps its first publication date), a summary cut short.

Rule: a document whose root element (``rss``, ``feed``, ``rdf:RDF``, any prefix) is not closed at
its end is cut short; its entries are read in document order, and only as many as there are entry
end tags (``</item>``, ``</entry>``, any prefix) are complete. The entries after them were cut and
are not harvested (counted ``ewsi/feed/entry_cut``); the next run, given the whole document, reads
them. A document whose root is closed is never cut, whatever else is wrong with it.
"""

from __future__ import annotations

import re

_ROOT_END = re.compile(r"</(?:[A-Za-z_][\w.-]*:)?(?:rss|feed|rdf)\s*>\s*$", re.IGNORECASE)
_ENTRY_END = re.compile(r"</(?:[A-Za-z_][\w.-]*:)?(?:item|entry)\s*>", re.IGNORECASE)


def complete_entries(text: str) -> int | None:
    """None when the document's root is closed; else how many entries closed before the cut."""
    if _ROOT_END.search(_without_trailer(text)):
        return None
    return len(_ENTRY_END.findall(text))


def _without_trailer(text: str) -> str:
    """The document without the blanks, comments and processing instructions after its root."""
    tail = text[-65_536:].rstrip()
    for _ in range(100):
        for end, start in (("-->", "<!--"), ("?>", "<?")):
            if tail.endswith(end) and (at := tail.rfind(start)) >= 0:
                tail = tail[:at].rstrip()
                break
        else:
            return tail
    return tail
