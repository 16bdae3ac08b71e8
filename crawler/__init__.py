"""ewsi-harvester core: source config, Scrapy wiring, the review-queue store and the `ewsi` command."""

__version__ = "0.1.0"
