"""The User-Agent names the product, its version and a contact from the operator config."""

from __future__ import annotations

from pathlib import Path

import pytest

from crawler.errors import ConfigError
from crawler.settings import PRODUCT_URL, build_settings, product_version, user_agent_for
from crawler.sources import load_sources

ROOT = Path(__file__).resolve().parents[1]
ENTRY = """\
sources:
- {id: src-a, name: A, publisher: P, country: DE, languages: [de], content_type: news, kind: feed,
   urls: ["https://example.org/feed.xml"], schedule: "0 6 * * *", timezone: Europe/Berlin}
"""


def test_version_is_the_installed_package() -> None:
    from importlib.metadata import version

    assert product_version() == version("ewsi-harvester") and product_version()[0].isdigit()


@pytest.mark.parametrize(
    ("contact", "agent", "expected"),
    [
        (None, None, "ewsi-harvester/{v} (+{url}; ewsi-harvester operators <harvester@ewsi.invalid>)"),
        ("Ops <ops@example.org>", None, "ewsi-harvester/{v} (+{url}; Ops <ops@example.org>)"),
        ("https://example.org/contact", None, "ewsi-harvester/{v} (+{url}; https://example.org/contact)"),
        (
            "ignored@example.org",
            "MyCrawler/2 (+https://example.org/bot)",
            "MyCrawler/2 (+https://example.org/bot)",
        ),
    ],
)
def test_user_agent_for(contact: str | None, agent: str | None, expected: str) -> None:
    want = expected.format(v=product_version(), url=PRODUCT_URL)
    assert user_agent_for(contact, agent) == want
    settings = build_settings(contact=contact, user_agent=agent, database_url="sqlite://")
    assert settings["USER_AGENT"] == want and settings["ROBOTSTXT_USER_AGENT"] == "ewsi-harvester"


def test_shipped_config_names_a_contact() -> None:
    config = load_sources(ROOT / "config" / "sources.yaml")
    agent = user_agent_for(config.contact, config.user_agent)
    assert agent.startswith(f"ewsi-harvester/{product_version()} (+{PRODUCT_URL}; ")
    assert config.contact and config.contact in agent and "@" in config.contact


@pytest.mark.parametrize(
    ("line", "error"),
    [
        ('contact: "Ops <ops@example.org>"', None),
        ("contact: https://example.org/about/crawler", None),
        ("contact: mailto:crawler-ops@sub.example.eu", None),
        ('user_agent: "OrgBot/1.0 (+https://example.org/bot)"', None),
        ('contact: "Ops team"', "e-mail address or an http(s) URL"),
        ('contact: "ops at example dot org"', "e-mail address or an http(s) URL"),
        ('contact: "ops@localhost"', "e-mail address or an http(s) URL"),
        ('contact: "ops@example.org\\r\\nX-Injected: 1"', "one line of printable ASCII"),
        ('contact: "Zoë <zoe@example.org>"', "one line of printable ASCII"),
        ('contact: ""', "one line of printable ASCII"),
        (f'contact: "{"x" * 190}@example.org"', "one line of printable ASCII"),
        ('user_agent: "MyBot/1.0"', "e-mail address or an http(s) URL"),
    ],
)
def test_contact_must_reach_the_operators(line: str, error: str | None) -> None:
    text = f"{line}\n{ENTRY}"
    if error is None:
        load_sources("sources.yaml", text=text)
        return
    with pytest.raises(ConfigError) as info:
        load_sources("sources.yaml", text=text)
    assert any(p.startswith("sources.yaml:1: ") and error in p for p in info.value.problems), (
        info.value.problems
    )
