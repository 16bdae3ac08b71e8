"""A date in the URL of something a page links or embeds (a photo's upload folder, a related article,
a PDF's file name, a script) is not the page's publication date; the page's own URL, its canonical
link and dates written in its text still are. Made-up pages, one kind of link per row."""

from __future__ import annotations

import pytest

from pipelines.extract import extract_document

BODY = (
    "<p>"
    + "Die Integration von Zugewanderten ist eine gemeinsame Aufgabe von Bund und Ländern. " * 6
    + "</p>"
)
URL = "https://www.example.de/news/kurse"


def page(top: str = "", bottom: str = "", head: str = "") -> bytes:
    return (
        f'<!doctype html><html lang="de"><head><meta charset="utf-8"><title>Kurse</title>{head}</head>'
        f"<body><main><article><h1>Kurse</h1>{top}{BODY}{bottom}</article></main>"
        '<aside><a href="/news/2016/11/30/archiv">Archiv</a></aside></body></html>'
    ).encode()


@pytest.mark.parametrize(
    ("body", "url", "expected"),
    [
        pytest.param(page('<img src="/wp-content/uploads/2019/05/foto.jpg">'), URL, None, id="img-src"),
        pytest.param(page('<img srcset="/media/2019/05/12/a-640.jpg 640w">'), URL, None, id="img-srcset"),
        pytest.param(page('<img data-src="/bilder/2019-05-12/a.jpg" alt="">'), URL, None, id="lazy-img"),
        pytest.param(page(bottom='<p><a href="/news/2018/01/02/alt">Ältere Meldung</a></p>'), URL, None,
                     id="related-article"),
        pytest.param(page(bottom='<p><a href="/files/2017-06-30_bericht.pdf">Bericht</a></p>'), URL, None,
                     id="pdf-file-name"),
        pytest.param(page(bottom='<iframe src="https://video.example/2020/02/02/clip"></iframe>'), URL, None,
                     id="iframe"),
        pytest.param(page(head='<script src="/static/2021/07/01/app.js"></script>'), URL, None, id="script"),
        # the page's own dates are still read
        pytest.param(page(), "https://www.example.de/news/2025/03/03/kurse", "2025-03-03", id="page-url"),
        pytest.param(page(head='<link rel="canonical" href="https://www.example.de/2025/03/03/kurse">'), URL,
                     "2025-03-03", id="canonical-link"),
        pytest.param(page("<p>Veröffentlicht: 03.03.2025</p>"), URL, "2025-03-03", id="numeric-byline"),
        pytest.param(page('<img src="/uploads/2019/05/foto.jpg"><p>Veröffentlicht am 3. März 2025</p>'), URL,
                     "2025-03-03", id="byline-beside-photo"),
    ],
)  # fmt: skip
def test_linked_urls_give_no_date(body: bytes, url: str, expected: str | None) -> None:
    assert extract_document(body, url, "text/html").published == expected
