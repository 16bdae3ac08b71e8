"""Classify stage: relevance to migrant integration and the six theme scores, with evidence.

The classifier itself is pure (`classifier`); this stage feeds it the item's best text and records
the outcome in stats (`ewsi/classify/relevant`, `ewsi/classify/not_relevant`).
"""

from __future__ import annotations

from scrapy import Spider
from scrapy.crawler import Crawler

import classifier
from crawler.types import HarvestedItem

MAX_CLASSIFY_CHARS = 20_000
"""Text beyond this many characters adds cost but rarely changes the decision."""


class ClassifyPipeline:
    """Set `item.classification` from title, summary and text."""

    def __init__(self, crawler: Crawler | None = None):
        self.crawler = crawler
        configured = crawler.settings.get("EWSI_CLASSIFIER_MODEL") if crawler is not None else None
        self.classifier = classifier.load_default(configured_model=configured)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ClassifyPipeline:
        return cls(crawler)

    def process_item(self, item: HarvestedItem, spider: Spider | None = None) -> HarvestedItem:
        body = item.text or item.summary or ""
        language = item.language if item.language and item.language != "und" else None
        item.classification = self.classifier.classify(item.title, body[:MAX_CLASSIFY_CHARS], language)
        if self.crawler is not None and self.crawler.stats is not None:
            key = "relevant" if item.classification.relevant else "not_relevant"
            self.crawler.stats.inc_value(f"ewsi/classify/{key}")
        return item
