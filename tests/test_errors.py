"""crawler.errors: every project exception lives there, names who raises it, and is raised."""

from __future__ import annotations

import ast
import inspect
from pathlib import Path

import pytest

from crawler import errors

ROOT = Path(__file__).resolve().parents[1]
CODE = [
    p
    for top in ("crawler", "pipelines", "spiders", "classifier")
    for p in sorted((ROOT / top).rglob("*.py"))
    if "migrations" not in p.parts and p.name != "errors.py"
]
EXCEPTIONS = [
    cls
    for _, cls in inspect.getmembers(errors, inspect.isclass)
    if issubclass(cls, BaseException) and cls.__module__ == errors.__name__
]


def _raised_names() -> set[str]:
    names: set[str] = set()
    for path in CODE:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Raise) and node.exc is not None:
                target = node.exc.func if isinstance(node.exc, ast.Call) else node.exc
                if isinstance(target, ast.Name):
                    names.add(target.id)
                elif isinstance(target, ast.Attribute):
                    names.add(target.attr)
    return names


RAISED = _raised_names()


@pytest.mark.parametrize(
    "cls", [c for c in EXCEPTIONS if c is not errors.EwsiError], ids=lambda c: c.__name__
)
def test_every_exception_is_raised_and_says_by_whom(cls: type) -> None:
    assert cls.__name__ in RAISED, f"{cls.__name__} is never raised: delete it"
    assert (cls.__doc__ or "").startswith("Raised by "), f"{cls.__name__}: say who raises it"


def test_no_project_exception_is_defined_elsewhere() -> None:
    """Classes deriving from Exception (or ValueError, LookupError) outside crawler.errors: only the
    Scrapy IgnoreRequest subclasses next to their middleware and private helpers."""
    found = []
    for path in CODE:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.ClassDef) or node.name.startswith("_"):
                continue
            bases = {b.id if isinstance(b, ast.Name) else getattr(b, "attr", "") for b in node.bases}
            if bases & {"Exception", "ValueError", "LookupError", "RuntimeError", "EwsiError"}:
                found.append(f"{path.relative_to(ROOT)}:{node.name}")
    assert found == []


@pytest.mark.parametrize(
    ("cls", "key"),
    [
        (errors.ConfigError, "config.invalid"),
        (errors.DatabaseUnavailable, "store.db_error"),
        (errors.BlockedAddress, "fetch.blocked_address"),
        (errors.BlockedScheme, "fetch.blocked_scheme"),
        (errors.UsageError, "usage"),
    ],
)
def test_keys_of_recorded_errors(cls: type[errors.EwsiError], key: str) -> None:
    exc = cls(["x"]) if cls is errors.ConfigError else cls("x")
    assert errors.error_key_for(exc) == key


def test_moved_exceptions_keep_their_old_names() -> None:
    """Modules that raised them still offer them under the same name (one class, not a copy)."""
    from classifier.model import ModelFileError
    from classifier.themes import ThemesConfigError
    from crawler.fetch import addresses
    from crawler.store import queue
    from crawler.web import auth

    assert addresses.BlockedAddress is errors.BlockedAddress and queue.ClaimRefused is errors.ClaimRefused
    assert ModelFileError is errors.ModelFileError and ThemesConfigError is errors.ThemesConfigError
    assert auth.LoginRequired is errors.LoginRequired
    assert issubclass(errors.GrantRefused, ValueError) and issubclass(errors.NotFound, LookupError)


@pytest.mark.parametrize(
    ("name", "known", "expected"),
    [
        ("folow", ["follow", "feed", "fields"], "follow"),
        ("contry", ["country", "language", "theme"], "country"),
        ("LANGUAGES", ["languages", "urls"], "languages"),  # a difference of case
        ("max_item", ["max_items", "max_pages"], "max_items"),
        ("--hepl", ["--help"], "--help"),
        ("colour", ["follow", "feed", "urls"], None),  # close to nothing
        ("x", [], None),
    ],
)
def test_closest_name_is_the_one_did_you_mean(name, known, expected) -> None:
    from crawler.errors import closest_name

    assert closest_name(name, known) == expected


@pytest.mark.parametrize(
    ("error", "expected", "known", "sentence"),
    [
        (
            {"type": "list_type", "input": "de"},
            "a list of language codes",
            (),
            "expected a list of language codes, got 'de'",
        ),
        ({"type": "list_type", "input": None}, None, (), "expected a list, got nothing"),
        ({"type": "string_type", "input": 5}, None, (), "expected text, got the number 5"),
        ({"type": "int_parsing", "input": "x"}, None, (), "expected a whole number, got 'x'"),
        ({"type": "float_parsing", "input": "x"}, None, (), "expected a number, got 'x'"),
        ({"type": "int_parsing", "input": "x" * 31}, None, (), "expected a whole number, got a string"),
        ({"type": "int_parsing", "input": ""}, None, (), "expected a whole number, got a string"),
        ({"type": "bool_parsing", "input": "maybe"}, None, (), "expected true or false, got 'maybe'"),
        ({"type": "model_type", "input": [1]}, None, (), "expected a mapping of fields, got a list"),
        (
            {"type": "greater_than_equal", "input": 0, "ctx": {"ge": 1}},
            None,
            (),
            "expected a whole number at least 1, got 0",
        ),
        (
            {"type": "greater_than", "input": "0", "ctx": {"gt": 0.5}},
            None,
            (),
            "expected a number above 0.5, got 0",
        ),
        (
            {"type": "less_than_equal", "input": 101, "ctx": {"le": 100}},
            None,
            (),
            "expected a whole number at most 100, got 101",
        ),
        (
            {"type": "less_than", "input": 9, "ctx": {"lt": 5}},
            None,
            (),
            "expected a whole number below 5, got 9",
        ),
        (
            {"type": "string_too_long", "input": "abc", "ctx": {"max_length": 2}},
            None,
            (),
            "expected at most 2 characters, got 3",
        ),
        (
            {"type": "string_too_short", "input": "", "ctx": {"min_length": 1}},
            None,
            (),
            "expected at least 1 character, got none",
        ),
        (
            {"type": "too_short", "input": [], "ctx": {"min_length": 1, "actual_length": 0}},
            None,
            (),
            "expected at least 1 item, got none",
        ),
        (
            {"type": "too_long", "input": [1, 2, 3], "ctx": {"max_length": 2, "actual_length": 3}},
            None,
            (),
            "expected at most 2 items, got 3",
        ),
        (
            {"type": "literal_error", "input": "PUT", "ctx": {"expected": "'GET' or 'POST'"}},
            None,
            (),
            "expected one of GET or POST, got 'PUT'",
        ),
        (
            {"type": "enum", "input": "x", "ctx": {"expected": "'a', 'b' or 'c'"}},
            None,
            (),
            "expected one of a, b or c, got 'x'",
        ),
        ({"type": "missing", "input": {}}, None, (), "required field missing"),
        (
            {"type": "missing", "input": {}},
            "a list of sources",
            (),
            "required field missing (expected a list of sources)",
        ),
        (
            {
                "type": "extra_forbidden",
                "loc": ("sources", 0, "folow"),
                "msg": "Extra inputs are not permitted",
            },
            None,
            ("follow", "feed"),
            "unknown field; did you mean follow?",
        ),
        (
            {"type": "extra_forbidden", "loc": ("zzz",), "msg": "Extra inputs are not permitted"},
            None,
            ("follow",),
            "unknown field",
        ),
        (
            {"type": "extra_forbidden", "loc": ("q", "x"), "msg": "unknown parameter; did you mean y?"},
            None,
            (),
            "unknown parameter; did you mean y?",
        ),
        ({"type": "value_error", "msg": "Value error, selector is empty"}, None, (), "selector is empty"),
        (
            {"type": "datetime_from_date_parsing", "input": "x"},
            None,
            (),
            "expected an ISO 8601 date (2026-01-31) or date-time (2026-01-31T08:00:00Z)",
        ),
    ],
)
def test_validation_sentence_for_every_error_type(error, expected, known, sentence) -> None:
    from crawler.errors import validation_sentence

    assert validation_sentence(error, expected=expected, known=known) == sentence
