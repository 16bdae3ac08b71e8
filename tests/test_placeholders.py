"""Placeholder addresses in configuration and templates point to no real host (RFC 2606 ``.invalid``).

Rule: a URL or email address that is not a real source's (config/sources.yaml ``urls`` and
``link_template``, whose hosts are the publishers') is a placeholder and ends in ``.invalid``; the
example domains (example.org/.com/.net/.eu, x.eu) are real, resolvable names and are not used."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE_HOSTS = re.compile(r"(?<![\w.-])(?:[\w-]+\.)*(?:example\.(?:org|com|net|eu)|x\.eu)(?![\w-])", re.I)
HOST = re.compile(r"https?://([^/\"'\s{}<>`]+)|[\w.+-]+@([\w-]+(?:\.[\w-]+)+)")
ALLOWED = (".invalid", "127.0.0.1", "localhost")
FILES = sorted(
    [
        *(ROOT / "config").glob("*.yaml"),
        ROOT / "config" / "README.md",
        ROOT / "crawler" / "sources.py",
        ROOT / "crawler" / "submissions.py",
        ROOT / "crawler" / "intake.py",
        *(ROOT / "crawler" / "web" / "templates").rglob("*.*"),
    ]
)


@pytest.mark.parametrize("path", FILES, ids=[str(p.relative_to(ROOT)) for p in FILES])
def test_no_example_domain_in_config_and_templates(path: Path) -> None:
    assert EXAMPLE_HOSTS.findall(path.read_text(encoding="utf-8")) == []


def _hosts(text: str) -> list[str]:
    return [(a or b).lower() for a, b in HOST.findall(text)]


@pytest.mark.parametrize(
    ("text", "hosts"),
    [
        ("see https://portal.ewsi.invalid/x and ana@ewsi.invalid", ["portal.ewsi.invalid", "ewsi.invalid"]),
        ('href="{{ base }}/feeds"', []),
        ("http://127.0.0.1:8000/", ["127.0.0.1:8000"]),
    ],
)
def test_host_finder(text: str, hosts: list[str]) -> None:
    assert _hosts(text) == hosts


def test_templates_and_operator_contact_use_invalid_hosts() -> None:
    templates = [p for p in (ROOT / "crawler" / "web" / "templates").rglob("*.*")]
    found = {h for p in templates for h in _hosts(p.read_text(encoding="utf-8"))}
    assert not [h for h in found if not h.split(":")[0].endswith(ALLOWED)]
    for name in ("sources.yaml",):
        contact = yaml.safe_load((ROOT / "config" / name).read_text(encoding="utf-8"))["contact"]
        assert all(h.endswith(".invalid") for h in _hosts(contact)) and _hosts(contact)
