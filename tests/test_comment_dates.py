"""A date in readers' comments or in a sidebar is not the page's date
(pipelines.markup.drop_comment_threads; ageitgey/node-unfluff#93). Rule: the comment containers and
asides the text extractor leaves out are removed before the dates are read; the page's html, body,
main, article and the headline's ancestors stay.
"""

from __future__ import annotations

import pytest
from lxml.html import fromstring

from pipelines.extract import extract_document
from pipelines.markup import drop_comment_threads

BODY = (
    "<p>The council presented its integration plan for refugees and migrants. It funds language "
    "courses, housing advice and mentoring for newcomers, prepared with employers and NGOs.</p>"
) * 3

THREADS = [
    '<div id="comments" class="comments-area"><ol class="comment-list"><li>Great! {d}</li></ol></div>',
    '<section class="comments"><div class="comment">Posted on {d} by Ana</div></section>',
    '<div id="disqus_thread"><p>Kommentar vom {d}</p></div>',
    '<div class="comment-list"><p>Commentaire du {d}</p></div>',
    '<div class="article-comments"><p>Reply · {d}</p></div>',
]


@pytest.mark.parametrize("thread", THREADS)
@pytest.mark.parametrize(
    ("lang", "day"), [("en", "14 March 2025"), ("de", "14. März 2025"), ("fr", "14 mars 2025")]
)
def test_a_comment_date_does_not_date_the_page(thread: str, lang: str, day: str) -> None:
    html = (
        f'<!DOCTYPE html><html lang="{lang}"><head><title>Plan</title></head><body><main><article>'
        f"<h1>Integration plan</h1>{BODY}</article>{thread.format(d=day)}</main></body></html>"
    )
    document = extract_document(html.encode(), "https://city.example.eu/plan", "text/html; charset=utf-8")
    assert document.published is None
    assert "Integration plan" in (document.text or "") or "integration plan" in (document.text or "")


@pytest.mark.parametrize("thread", THREADS)
def test_the_article_date_stays_beside_comments(thread: str) -> None:
    html = (
        '<!DOCTYPE html><html lang="en"><head><title>Plan</title></head><body><main><article>'
        '<h1>Integration plan</h1><p><time datetime="2025-03-03">3 March 2025</time></p>'
        f"{BODY}</article>{thread.format(d='14 March 2025')}</main></body></html>"
    )
    document = extract_document(html.encode(), "https://city.example.eu/plan", "text/html")
    assert (document.published or "")[:10] == "2025-03-03"


def test_containers_of_the_headline_stay() -> None:
    tree = fromstring(
        '<html><body id="comments"><div class="comment-wrapper"><h1>Head</h1><p>Text</p>'
        '<div id="comments"><p>Reply 14 March 2025</p></div></div></body></html>'
    )
    assert drop_comment_threads(tree) == 1
    assert tree.xpath("string(//h1)") == "Head"
    assert "Reply" not in tree.text_content()
    assert "Text" in tree.text_content()


@pytest.mark.parametrize(
    ("lang", "byline"),
    [
        ("it", "Pubblicato il 3 marzo 2025"),
        ("nl", "Gepubliceerd op 3 maart 2025"),
        ("pt", "Publicado em 3 de março de 2025"),
        ("fi", "Julkaistu 3. maaliskuuta 2025"),
        ("en", "Published 3 March 2025"),
    ],
)
def test_a_sidebar_date_does_not_outvote_the_byline(lang: str, byline: str) -> None:
    html = (
        f'<!DOCTYPE html><html lang="{lang}"><head><title>Plan</title></head><body><main><article>'
        f'<h1>Integration plan</h1><p class="meta">{byline}</p>{BODY}</article>'
        "<aside><h3>Related</h3><p>Language café · 17 March 2025</p></aside></main></body></html>"
    )
    document = extract_document(html.encode(), "https://city.example.eu/plan", "text/html; charset=utf-8")
    assert (document.published or "")[:10] == "2025-03-03"
