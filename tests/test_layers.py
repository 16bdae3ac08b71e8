"""Imports flow one way (../shared/DESIGN.md, "Imports flow one way")."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

# module prefix -> prefixes it must not import
FORBIDDEN: dict[str, tuple[str, ...]] = {
    "crawler.types": ("crawler.", "scrapy", "sqlalchemy", "spiders", "pipelines", "classifier", "twisted"),
    "crawler.errors": ("crawler.", "scrapy", "sqlalchemy", "spiders", "pipelines", "classifier", "twisted"),
    "crawler.config": (
        "crawler.",
        "scrapy",
        "sqlalchemy",
        "spiders",
        "pipelines",
        "classifier",
        "twisted",
    ),
    "crawler.text": ("crawler.", "scrapy", "sqlalchemy", "spiders", "pipelines", "classifier"),
    "crawler.sources": ("scrapy", "sqlalchemy", "spiders", "pipelines", "crawler.web", "crawler.store"),
    "classifier": (
        "scrapy",
        "sqlalchemy",
        "spiders",
        "pipelines",
        "crawler.store",
        "crawler.web",
        "crawler.sources",
    ),
    "spiders": ("pipelines", "classifier", "crawler.store", "crawler.web", "sqlalchemy"),
    "pipelines": ("spiders", "crawler.web", "scheduler", "sqlalchemy"),
    "crawler.store": ("scrapy", "spiders", "pipelines", "classifier", "crawler.web", "twisted"),
    "crawler.web": ("scrapy", "spiders", "pipelines", "twisted"),
    "scheduler": ("scrapy", "spiders", "pipelines", "crawler.web", "twisted"),
}
ONLY_STORE_PIPELINE = "pipelines.store"


def module_name(path: Path) -> str:
    rel = path.relative_to(ROOT).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports_of(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


FILES = [
    p
    for top in ("crawler", "spiders", "pipelines", "classifier")
    for p in sorted((ROOT / top).rglob("*.py"))
    if "migrations" not in p.parts
] + [ROOT / "scheduler.py"]


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_imports_flow_one_way(path: Path) -> None:
    name = module_name(path)
    rules = [bad for prefix, bad in FORBIDDEN.items() if name == prefix or name.startswith(prefix + ".")]
    imported = imports_of(path)
    for bad in (b for rule in rules for b in rule):
        offenders = {
            i
            for i in imported
            if (i + ".").startswith(bad if bad.endswith(".") else bad + ".") and not i.startswith(name)
        }
        assert not offenders, f"{name} must not import {sorted(offenders)}"
    if name.startswith("pipelines") and name != ONLY_STORE_PIPELINE:
        assert not any(i == "crawler.store" or i.startswith("crawler.store.") for i in imported), (
            f"only {ONLY_STORE_PIPELINE} may import crawler.store"
        )


def test_sqlalchemy_only_in_store() -> None:
    for path in FILES:
        name = module_name(path)
        if name.startswith("crawler.store"):
            continue
        assert not any(
            i.split(".")[0] == "sqlalchemy" or i.split(".")[0] == "alembic" for i in imports_of(path)
        ), name


def test_only_the_command_line_imports_the_commands() -> None:
    """crawler.commands and crawler.cli sit on top: no library module imports them."""
    for path in FILES:
        name = module_name(path)
        if name in ("crawler.cli", "scheduler") or name.startswith("crawler.commands"):
            continue
        bad = {i for i in imports_of(path) if i == "crawler.cli" or i.startswith("crawler.commands")}
        assert not bad, f"{name} must not import {sorted(bad)}"
