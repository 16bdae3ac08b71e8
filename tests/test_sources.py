"""Operator config validation: every bad input gives file, line and field path."""

from __future__ import annotations

from pathlib import Path

import pytest

from crawler.errors import ConfigError
from crawler.sources import check_cron, load_sources

GOOD = """\
sources:
- id: ep-press
  name: EP press
  publisher: European Parliament
  country: EU
  languages: [en]
  content_type: news
  kind: feed
  urls: [https://www.europarl.europa.eu/rss/doc/press-releases/en.xml]
  schedule: "0 */6 * * *"
- id: ewsi-news
  name: EWSI news
  publisher: European Commission
  kind: listing
  urls: [https://migrant-integration.ec.europa.eu/news_en]
  listing:
    links: "ul.documents a::attr(href)"
"""


def problems(text: str) -> list[str]:
    with pytest.raises(ConfigError) as info:
        load_sources("sources.yaml", text=text)
    return info.value.problems


def test_good_config_loads_with_defaults() -> None:
    config = load_sources("sources.yaml", text=GOOD)
    assert [s.id for s in config.sources] == ["ep-press", "ewsi-news"]
    listing = config.sources[1]
    assert listing.timezone == "UTC" and listing.enabled and listing.max_items == 500
    assert listing.listing is not None and listing.listing.links == "ul.documents a::attr(href)"


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            'schedule: "0 */6 * * *"',
            'schedule: "0 */6 * * * *"',
            "sources.yaml:10: sources[0].schedule: expected 5 cron fields, got 6",
        ),
        (
            'schedule: "0 */6 * * *"',
            'schedule: "61 * * * *"',
            "sources.yaml:10: sources[0].schedule: cron minute value 61 outside 0-59",
        ),
        (
            "  country: EU\n",
            "  country: EU\n  colour: blue\n",
            "sources.yaml:6: sources[0].colour: unknown field",
        ),
        (
            "country: EU",
            "country: Germany",
            "sources.yaml:5: sources[0].country: expected `EU` or an ISO 3166-1",
        ),
        (
            "languages: [en]",
            "languages: [english]",
            "sources.yaml:6: sources[0].languages: 'english' is not an ISO 639-1",
        ),
        (
            "kind: feed",
            "kind: torrent",
            "sources.yaml:8: sources[0].kind: expected one of feed, listing, sitemap, api or ical, got"
            " 'torrent'",
        ),
        (
            "urls: [https://www.europarl",
            "urls: [file:///etc/passwd, https://www.europarl",
            "sources.yaml:9: sources[0].urls[0]: 'file:///etc/passwd': only absolute http",
        ),
        (
            '    links: "ul.documents a::attr(href)"\n',
            "    next_page: x\n",
            "sources.yaml:17: sources[1].listing.links: required field missing (expected a CSS or XPath"
            " selector of item links)",
        ),
        (
            '    links: "ul.documents a::attr(href)"',
            '    links: "ul[[["',
            "sources.yaml:17: sources[1].listing.links: invalid selector",
        ),
        ("- id: ewsi-news", "- id: ep-press", "sources.yaml:11: sources[1].id: duplicate id 'ep-press'"),
        (  # 30 February: a valid-looking cron that never fires
            'schedule: "0 */6 * * *"',
            'schedule: "0 0 30 2 *"',
            "sources.yaml:10: sources[0].schedule: cron '0 0 30 2 *' never fires: "
            "no date has day of month 30 in month 2",
        ),
        (
            'schedule: "0 */6 * * *"',
            'schedule: "0 6 31 4,6,9,11 1-5"',
            "sources.yaml:10: sources[0].schedule: cron '0 6 31 4,6,9,11 1-5' never fires",
        ),
        (  # ranges the scheduler cannot read were let through before and refused only at load
            'schedule: "0 */6 * * *"',
            'schedule: "30-10 * * * *"',
            "sources.yaml:10: sources[0].schedule: cron '30-10 * * * *' cannot be read: "
            "The minimum value in a range must not be higher than the maximum",
        ),
        (
            'schedule: "0 */6 * * *"',
            'schedule: "*/0 * * * *"',
            "sources.yaml:10: sources[0].schedule: cron '*/0 * * * *' cannot be read",
        ),
        # a country code must be a real one (coverage rows are the 27 member states + EU)
        ("country: EU", "country: XX", "sources.yaml:5: sources[0].country: expected `EU`"),
        ("country: EU", "country: EL", "sources.yaml:5: sources[0].country: expected `EU`"),
        ("country: EU", "country: ZZ", "sources.yaml:5: sources[0].country: expected `EU`"),
        ("country: EU", "country: de", "sources.yaml:5: sources[0].country: expected `EU`"),
        # names are shown in the desk, the digest and logs: plain text only
        ("name: EP press", 'name: "EP \\u202Epress"', "sources.yaml:3: sources[0].name: must be plain"),
        ("name: EP press", 'name: "EP\\u200Bpress"', "sources.yaml:3: sources[0].name: must be plain"),
        ("name: EP press", 'name: "EP\\tpress"', "sources.yaml:3: sources[0].name: must be plain"),
        ("name: EP press", 'name: " "', "sources.yaml:3: sources[0].name: must be plain"),
        (
            "name: EP press",
            "name: " + "N" * 301,
            "sources.yaml:3: sources[0].name: expected at most 300 characters, got 301",
        ),
        (
            "publisher: European Parliament",
            'publisher: "European \\u2066Parliament"',
            "sources.yaml:4: sources[0].publisher: must be plain",
        ),
    ],
)
def test_bad_config_names_file_line_and_field(old: str, new: str, expected: str) -> None:
    assert old in GOOD
    found = problems(GOOD.replace(old, new))
    assert any(p.startswith(expected) for p in found), found


def test_missing_selector_block_for_listing() -> None:
    text = GOOD.split("  listing:")[0]
    found = problems(text)
    assert found == ["sources.yaml:11: sources[1]: kind listing needs `listing: {links: <selector>}`"]


def test_yaml_syntax_error_names_line() -> None:
    found = problems(GOOD.replace("  name: EWSI news", "  name: [EWSI news"))
    assert len(found) == 1 and found[0].startswith("sources.yaml:13:12: YAML syntax error")


def test_python_tags_are_refused(tmp_path: Path) -> None:
    canary = tmp_path / "canary"
    text = f'sources: !!python/object/apply:os.system ["touch {canary}"]\n'
    found = problems(text)
    assert "YAML syntax error" in found[0] or "could not determine a constructor" in found[0]
    assert not canary.exists()


def test_cron_check() -> None:
    assert check_cron(" 0  */6 * * 1-5 ") == "0 */6 * * 1-5"
    with pytest.raises(ValueError, match="day of week value 9"):
        check_cron("0 0 * * 9")
    # rare is not never: 29 February fires in leap years, 31 December every year
    assert check_cron("0 0 29 2 *") == "0 0 29 2 *"
    assert check_cron("59 23 31 12 *") == "59 23 31 12 *"
    for never in ("0 0 30 2 *", "0 0 31 2 *", "0 0 31 4 *", "15 8 31 6,9 *"):
        with pytest.raises(ValueError, match="never fires"):
            check_cron(never)


def test_never_firing_schedule_fails_sources_validate(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`ewsi sources validate` refuses it with file, line and field (exit 2), so `ewsi schedule --list`
    can no longer show an enabled source whose next run is "disabled"."""
    from crawler.cli import main

    path = tmp_path / "sources.yaml"
    path.write_text(GOOD.replace('schedule: "0 */6 * * *"', 'schedule: "0 0 30 2 *"'), encoding="utf-8")
    assert main(["sources", "validate", "--config", str(path)]) == 2
    assert f"{path}:10: sources[0].schedule: cron '0 0 30 2 *' never fires" in capsys.readouterr().err


def test_shipped_config_is_valid() -> None:
    config = load_sources()
    assert len(config.sources) >= 15
    assert all(s.verified for s in config.sources), "every shipped source says what was verified"


def test_corpus_config_is_valid(shared: Path) -> None:
    config = load_sources(shared / "corpus" / "sources.yaml")
    assert {s.kind for s in config.sources} == {"feed", "listing", "sitemap", "api"}
    eci = next(s for s in config.sources if s.id == "eci-register")
    assert eci.timezone == "Europe/Brussels" and eci.api is not None and eci.api.link_template


def test_config_readme_documents_every_field() -> None:
    from crawler.sources import field_reference

    readme = (Path(__file__).resolve().parents[1] / "config" / "README.md").read_text(encoding="utf-8")
    assert field_reference() in readme, "regenerate config/README.md from crawler.sources.field_reference()"


def _source(source_id: str, *extra: str, kind: str = "feed") -> str:
    """One source entry of a sources file (7 lines, plus `extra` lines)."""
    lines = [
        f"- id: {source_id}",
        "  name: A source",
        "  publisher: A publisher",
        f"  kind: {kind}",
        f"  urls: [https://{source_id.lower().replace('_', '-')}.example.org/feed]",
        *extra,
    ]
    return "\n".join(lines) + "\n"


# files mixing field errors and errors across sources -> every problem, in file order, in one pass
ALL_ERRORS_CASES = [
    pytest.param(
        "sources:\n"
        + _source("alpha")  # lines 2-6
        + _source("beta", "  country: Germany")  # lines 7-12
        + _source("alpha", '  schedule: "61 * * * *"'),  # lines 13-18
        [
            "s.yaml:12: sources[1].country: expected `EU` or an ISO 3166-1 alpha-2 code such as `DE`"
            " (Greece is `GR`)",
            "s.yaml:13: sources[2].id: duplicate id 'alpha' (first at sources[0], line 2)",
            "s.yaml:18: sources[2].schedule: cron minute value 61 outside 0-59",
        ],
        id="field-errors-and-a-duplicate",
    ),
    pytest.param(
        "sources:\n"
        + _source("alpha")  # 2-6
        + _source("beta")  # 7-11
        + _source("alpha")  # 12-16
        + _source("beta", "  colour: blue")  # 17-22
        + _source("alpha"),  # 23-27
        [
            "s.yaml:12: sources[2].id: duplicate id 'alpha' (first at sources[0], line 2)",
            "s.yaml:17: sources[3].id: duplicate id 'beta' (first at sources[1], line 7)",
            "s.yaml:22: sources[3].colour: unknown field; did you mean country?",
            "s.yaml:23: sources[4].id: duplicate id 'alpha' (first at sources[0], line 2)",
        ],
        id="two-duplicates",
    ),
    pytest.param(
        "sources:\n"
        + _source("alpha", kind="torrent")  # 2-6: invalid
        + _source("Bad_Id")  # 7-11: invalid id
        + _source("alpha")  # 12-16: valid, but a duplicate of the invalid source
        + _source("Bad_Id", "  languages: [english]"),  # 17-22
        [
            "s.yaml:5: sources[0].kind: expected one of feed, listing, sitemap, api or ical, got 'torrent'",
            "s.yaml:7: sources[1].id: must be a slug of lowercase letters, digits and '-' (2-63 characters)",
            "s.yaml:12: sources[2].id: duplicate id 'alpha' (first at sources[0], line 2)",
            "s.yaml:17: sources[3].id: must be a slug of lowercase letters, digits and '-' (2-63 characters)",
            "s.yaml:17: sources[3].id: duplicate id 'Bad_Id' (first at sources[1], line 7)",
            "s.yaml:22: sources[3].languages: 'english' is not an ISO 639-1 code (two lowercase letters)",
        ],
        id="duplicates-of-invalid-sources",
    ),
]


@pytest.mark.parametrize(("text", "expected"), ALL_ERRORS_CASES)
def test_every_error_of_a_file_in_one_pass(text: str, expected: list[str]) -> None:
    with pytest.raises(ConfigError) as info:
        load_sources("s.yaml", text=text)
    assert info.value.problems == expected


@pytest.mark.parametrize(
    ("languages", "expected"),
    [
        ("[xx]", "sources.yaml:6: sources[0].languages: 'xx' is not an ISO 639-1 language code"),
        ("[en, zz]", "sources.yaml:6: sources[0].languages: 'zz' is not an ISO 639-1 language code"),
        ("[qq]", "sources.yaml:6: sources[0].languages: 'qq' is not an ISO 639-1 language code"),
        ("[EN]", "sources.yaml:6: sources[0].languages: 'EN' is not an ISO 639-1 code (two lowercase"),
        ("[deu]", "sources.yaml:6: sources[0].languages: 'deu' is not an ISO 639-1 code (two lowercase"),
        ("[en-GB]", "sources.yaml:6: sources[0].languages: 'en-GB' is not an ISO 639-1 code"),
    ],
)
def test_languages_must_be_iso_639_1_codes(languages: str, expected: str) -> None:
    found = problems(GOOD.replace("languages: [en]", f"languages: {languages}"))
    assert len(found) == 1 and found[0].startswith(expected), found


@pytest.mark.parametrize(
    "languages",
    [
        "[bg, cs, da, de, el, en, es, et, fi, fr, ga, hr, hu, it, lt, lv, mt, nl, pl, pt, ro, sk, sl, sv]",
        "[uk, ru, ar, tr]",  # not EU languages, but ISO 639-1 codes
        "[lb, sq, sr, mk, bs]",
        "[]",
    ],
)
def test_iso_639_1_languages_pass(languages: str) -> None:
    config = load_sources("sources.yaml", text=GOOD.replace("languages: [en]", f"languages: {languages}"))
    assert config.sources[0].languages == [c.strip() for c in languages.strip("[]").split(",") if c.strip()]


# Rule: every validation message is a plain sentence naming the field and what it expects; never
# pydantic's own words ("Input should be ...", "Field required", "Extra inputs are not permitted").
PLAIN_MESSAGES = [
    # wrong types
    (
        "languages: [en]",
        "languages: en",
        "sources.yaml:6: sources[0].languages: expected a list of language codes, got 'en'",
    ),
    (
        "languages: [en]",
        "languages: 7",
        "sources.yaml:6: sources[0].languages: expected a list of language codes, got the number 7",
    ),
    (
        "languages: [en]",
        "languages: [7]",
        "sources.yaml:6: sources[0].languages[0]: expected a language code, got the number 7",
    ),
    (
        "urls: [https://www.europarl.europa.eu/rss/doc/press-releases/en.xml]",
        "urls: {a: b}",
        "sources.yaml:9: sources[0].urls: expected a list of URLs, got a mapping",
    ),
    (
        "kind: feed",
        "kind: feed\n  follow: maybe",
        "sources.yaml:9: sources[0].follow: expected true or false, got 'maybe'",
    ),
    (
        "kind: feed",
        "kind: feed\n  max_items: many",
        "sources.yaml:9: sources[0].max_items: expected a whole number, got 'many'",
    ),
    (
        "kind: feed",
        "kind: feed\n  max_items: 2.5",
        "sources.yaml:9: sources[0].max_items: expected a whole number, got the number 2.5",
    ),
    (
        "name: EP press",
        "name: [EP, press]",
        "sources.yaml:3: sources[0].name: expected the source's name as text, got a list",
    ),
    (
        '    links: "ul.documents a::attr(href)"',
        "    links: [a, b]",
        "sources.yaml:17: sources[1].listing.links: expected a CSS or XPath selector of item links, got a"
        " list",
    ),
    # bounds and lengths
    (
        "kind: feed",
        "kind: feed\n  max_items: 0",
        "sources.yaml:9: sources[0].max_items: expected a whole number at least 1, got 0",
    ),
    (
        "kind: feed",
        "kind: feed\n  max_items: 100001",
        "sources.yaml:9: sources[0].max_items: expected a whole number at most 100000, got 100001",
    ),
    (
        "urls: [https://www.europarl.europa.eu/rss/doc/press-releases/en.xml]",
        "urls: []",
        "sources.yaml:9: sources[0].urls: expected at least 1 item, got none",
    ),
    # choices (literal)
    (
        "content_type: news",
        "content_type: blog",
        "sources.yaml:7: sources[0].content_type: expected one of news, document, legislation, funding,"
        " event or good_practice, got 'blog'",
    ),
    (
        "kind: feed",
        "kind: rss",
        "sources.yaml:8: sources[0].kind: expected one of feed, listing, sitemap, api or ical, got 'rss'",
    ),
    # a country as the EU institutions write it: the ISO code is suggested
    (
        "country: EU",
        "country: UK",
        "sources.yaml:5: sources[0].country: expected `EU` or an ISO 3166-1 alpha-2 code such as"
        " `DE` (Greece is `GR`); did you mean GB?",
    ),
    (
        "country: EU",
        "country: EL",
        "sources.yaml:5: sources[0].country: expected `EU` or an ISO 3166-1 alpha-2 code such as"
        " `DE` (Greece is `GR`); did you mean GR?",
    ),
    (
        "country: EU",
        "country: el",
        "sources.yaml:5: sources[0].country: expected `EU` or an ISO 3166-1 alpha-2 code such as"
        " `DE` (Greece is `GR`); did you mean GR?",
    ),
    (
        "country: EU",
        "country: XX",
        "sources.yaml:5: sources[0].country: expected `EU` or an ISO 3166-1 alpha-2 code such as"
        " `DE` (Greece is `GR`)",
    ),
    # missing
    (
        "  name: EP press\n",
        "",
        "sources.yaml:2: sources[0].name: required field missing (expected the source's name as text)",
    ),
    (
        "  kind: feed\n",
        "",
        "sources.yaml:2: sources[0].kind: required field missing (expected one of feed, listing, sitemap,"
        " api or ical)",
    ),
    # unknown fields: the closest known name of that place is suggested
    (
        "kind: feed",
        "kind: feed\n  folow: true",
        "sources.yaml:9: sources[0].folow: unknown field; did you mean follow?",
    ),
    (
        "kind: feed",
        "kind: feed\n  max_item: 5",
        "sources.yaml:9: sources[0].max_item: unknown field; did you mean max_items?",
    ),
    (
        "kind: feed",
        "kind: feed\n  Languages: [de]",
        "sources.yaml:9: sources[0].Languages: unknown field; did you mean languages?",
    ),
    (
        "    links:",
        "    max_page: 3\n    links:",
        "sources.yaml:17: sources[1].listing.max_page: unknown field; did you mean max_pages?",
    ),
    (
        "    links:",
        "    nextpage: a\n    links:",
        "sources.yaml:17: sources[1].listing.nextpage: unknown field; did you mean next_page?",
    ),
    (
        "sources:",
        "contcat: a@b.eu\nsources:",
        "sources.yaml:1: contcat: unknown field; did you mean contact?",
    ),
    ("kind: feed", "kind: feed\n  zzz: 1", "sources.yaml:9: sources[0].zzz: unknown field"),
]


@pytest.mark.parametrize(("old", "new", "expected"), PLAIN_MESSAGES)
def test_config_messages_are_plain_sentences_naming_what_is_expected(
    old: str, new: str, expected: str
) -> None:
    assert old in GOOD
    found = problems(GOOD.replace(old, new, 1))
    assert expected in found, found
    for problem in found:
        assert (
            "Input should" not in problem
            and "Field required" not in problem
            and "Extra inputs" not in problem
        )
