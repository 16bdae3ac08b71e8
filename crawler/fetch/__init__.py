"""Downloader components of every crawl, one per module (Scrapy ``DOWNLOADER_MIDDLEWARES``).

Order in the chain (process_request runs low to high, process_response high to low):

====  ============================================  ====================================================
  40  ssrf.GuardMiddleware                          scheme + address check before anything (robots.txt)
 100  robots.RfcRobotsTxtMiddleware                 robots.txt per RFC 9309 (status classes, reasons)
 101  warc.ReplayMiddleware (replay mode only)      answers from a WARC file, after robots: a
                                                    recorded robots.txt applies as live
 550  retry.PoliteRetryMiddleware                   timeouts, 429, 5xx; Retry-After; jittered back-off
 585  conditional_get.ConditionalGetMiddleware      validators on the source's own URLs
 590  compression.StrictCompressionMiddleware       bounded decompression; corrupt stream = data loss;
                                                    a gzip body not declared gunzipped, a plain body
                                                    declared compressed read as is
 600  redirects.LoopAwareRedirectMiddleware         Scrapy's redirects; a loop is fetch.redirect_limit
 950  warc.RecordMiddleware (record mode only)      appends each live response to a WARC file
 960  shared_gate.SharedHostGateMiddleware          per-host concurrency and delay, process-wide; on
                                                    PostgreSQL for every process (budget: the client)
====  ============================================  ====================================================

`addresses` holds the pure SSRF rules (stdlib only); `refusals` the IgnoreRequest subclasses the
components raise. crawler.settings wires them; nothing else imports a component by path.
"""
