"""Every command that takes ``--source ID`` refuses an unknown id (exit 2, ``unknown source id``)
instead of answering with nothing; an empty labelled-data file is refused (exit 2, ``no labelled items
in FILE``); ``ewsi queue --language`` may be repeated and then lists items in any of the codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from crawler.cli import main as ewsi
from crawler.store.schema import Item, SourceRow, sha256_hex


def _exit(argv: list[str]) -> int:
    try:
        return ewsi(argv)
    except SystemExit as exc:
        return int(exc.code or 0)


@pytest.fixture
def seeded(db_engine, db_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    from crawler.store.session import session_factory

    with session_factory(db_engine)() as session:
        session.add(SourceRow(id="src-a", name="A"))
        session.flush()
        for n, language in enumerate(["de", "fr", "it", "de", "en"]):
            session.add(
                Item(
                    identity=f"test:{n}",
                    identity_hash=sha256_hex(f"test:{n}"),
                    source_id="src-a",
                    url=f"https://example.org/{n}",
                    title=f"Item {n}",
                    text="Refugees find homes in social housing.",
                    language=language,
                    status="pending",
                )
            )
        session.commit()
    monkeypatch.setenv("EWSI_DATABASE_URL", db_url)
    return db_url


UNKNOWN = [
    ["queue", "--source", "nope"],
    ["reprocess", "--source", "nope"],
    ["reprocess", "--source", "nope", "--dry-run"],
    ["classify", "train", "--source", "nope"],
    ["classify", "diff", "--source", "nope"],
    ["classify", "reprocess", "--source", "nope", "--dry-run"],
]


@pytest.mark.parametrize("argv", UNKNOWN)
def test_an_unknown_source_id_is_refused(argv: list[str], seeded: str, capsys) -> None:
    assert _exit(argv) == 2
    err = capsys.readouterr().err
    assert "unknown source id 'nope'" in err
    assert len(err.strip().splitlines()) == 1, err


@pytest.mark.parametrize(
    "argv",
    [["queue", "--source", "src-a", "--json"], ["classify", "reprocess", "--source", "src-a", "--dry-run"]],
)
def test_a_known_source_id_is_accepted(argv: list[str], seeded: str, capsys) -> None:
    assert _exit(argv) == 0
    assert "unknown source id" not in capsys.readouterr().err


def test_sources_check_refuses_an_unknown_id(tmp_path: Path, capsys) -> None:
    config = tmp_path / "sources.yaml"
    config.write_text("sources: []\n", encoding="utf-8")
    assert _exit(["sources", "check", "--source", "nope", "--config", str(config)]) == 2
    assert "unknown source id 'nope'" in capsys.readouterr().err


@pytest.mark.parametrize("content", ["", "\n\n", "   \n"])
@pytest.mark.parametrize("command", [["classify", "eval"], ["classify", "eval", "--cv", "3"]])
def test_an_empty_labelled_file_is_refused(
    content: str, command: list[str], tmp_path: Path, capsys, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("EWSI_DATABASE_URL", f"sqlite:///{tmp_path / 'none.sqlite'}")
    data = tmp_path / "empty.jsonl"
    data.write_text(content, encoding="utf-8")
    assert _exit([*command, "--data", str(data)]) == 2
    err = capsys.readouterr().err
    assert f"no labelled items in {data}" in err


def test_train_refuses_an_empty_labelled_file(seeded: str, tmp_path: Path, capsys) -> None:
    data = tmp_path / "empty.jsonl"
    data.write_text("", encoding="utf-8")
    assert _exit(["classify", "train", "--data", str(data), "--output", str(tmp_path / "m.json")]) == 2
    assert f"no labelled items in {data}" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("languages", "expected"),
    [
        (["de"], ["de", "de"]),
        (["de", "fr"], ["de", "de", "fr"]),
        (["FR", "it"], ["fr", "it"]),
        (["de", "fr", "en"], ["de", "de", "en", "fr"]),
        (["pl"], []),
    ],
)
def test_queue_language_repeats_filter_on_any(
    languages: list[str], expected: list[str], seeded: str, capsys
) -> None:
    argv = ["queue", "--json", "--limit", "100"]
    for code in languages:
        argv += ["--language", code]
    assert _exit(argv) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.strip()]
    assert sorted(row["language"] for row in rows) == expected


@pytest.mark.parametrize(
    ("argv", "hint"),
    [
        (["queue", "--source", "src-b"], "did you mean 'src-a'?"),
        (["queue", "--source", "SRC-A"], "did you mean 'src-a'?"),
        (["reprocess", "--source", "zzz"], "known ids: src-a"),
    ],
)
def test_an_unknown_source_id_gets_a_hint(argv: list[str], hint: str, seeded: str, capsys) -> None:
    assert _exit(argv) == 2
    assert hint in capsys.readouterr().err


def test_crawl_names_the_close_id_of_each_unknown_one(tmp_path: Path, capsys) -> None:
    config = tmp_path / "sources.yaml"
    config.write_text("sources: []\n", encoding="utf-8")
    assert _exit(["crawl", "--config", str(config), "--source", "a", "--source", "b"]) == 2
    err = capsys.readouterr().err.splitlines()
    assert [line.split("; ")[0] for line in err] == [
        "ewsi crawl: error: unknown source id 'a'",
        "ewsi crawl: error: unknown source id 'b'",
    ]


@pytest.mark.parametrize(
    ("argv", "prog", "name"),
    [
        (["classify", "eval", "--data", "{missing}"], "ewsi classify eval", "{missing}"),
        (["classify", "eval", "--data", "{folder}"], "ewsi classify eval", "{folder}"),
        (["classify", "eval", "--data", "{data}", "--model", "{missing}"], "ewsi classify eval", "{missing}"),
        (["classify", "train", "--data", "{missing}"], "ewsi classify train", "{missing}"),
        (["classify", "diff", "--model", "{missing}"], "ewsi classify diff", "{missing}"),
        (["crawl", "--replay", "{missing}", "--config", "{config}"], "ewsi crawl", "{missing}"),
        (["sources", "add", "https://example.org/", "--config", "{missing}"], "ewsi sources", "{missing}"),
    ],
)
def test_a_missing_or_unreadable_file_is_a_usage_error(
    argv: list[str], prog: str, name: str, seeded: str, tmp_path: Path, capsys
) -> None:
    """Rule: every command names a file it cannot read in argparse's form, one line, exit 2:
    ``ewsi classify eval: error: FILE: cannot read: No such file or directory``."""
    data = tmp_path / "data.jsonl"
    data.write_text('{"title": "t", "text": "x", "language": "en", "relevant": true}\n', encoding="utf-8")
    config = tmp_path / "sources.yaml"
    config.write_text(
        "sources:\n- {id: src-s, name: S, publisher: P, kind: feed, urls: ['https://s.eu/f']}\n"
    )
    paths = {"missing": tmp_path / "nope.file", "folder": tmp_path, "data": data, "config": config}
    filled = [arg.format(**paths) for arg in argv]
    assert _exit(filled) == 2
    err = capsys.readouterr().err
    said = f"{prog}: error: {name.format(**paths)}: cannot read"
    assert err.startswith(said) and "[Errno" not in err and len(err.splitlines()) == 1, err


@pytest.mark.parametrize(
    ("argv", "title", "more"),
    [
        (
            ["--limit", "2"],
            "Review queue (pending, 2 of 5 shown)",
            "3 more match; a larger --limit lists them.",
        ),
        (["--limit", "5"], "Review queue (pending, all 5 shown)", None),
        (["--language", "de", "--limit", "1"], "Review queue (pending, 1 of 2 shown)", "1 more match"),
        (["--language", "fr"], "Review queue (pending, 1 shown)", None),
        (["--status", "approved"], "Review queue (approved, 0 shown)", None),
    ],
)
def test_queue_says_how_many_match_beyond_the_limit(
    argv: list[str], title: str, more: str | None, seeded: str, capsys, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "200")
    assert _exit(["queue", *argv]) == 0
    out = capsys.readouterr().out
    assert title in out
    assert ("more match" in out) == (more is not None)
    if more is not None:
        assert more in out


@pytest.mark.parametrize(
    ("url", "said"),
    [
        ("not-a-url", "not an http or https URL: 'not-a-url'"),
        (
            "example.eu/news",
            "not an http or https URL: 'example.eu/news' (did you mean https://example.eu/news?)",
        ),
        ("www.integration.gv.at", "(did you mean https://www.integration.gv.at?)"),
        ("ftp://files.example.eu/feed.xml", "not an http or https URL: 'ftp://files.example.eu/feed.xml'"),
        ("javascript:alert(1)", "not an http or https URL: 'javascript:alert(1)'"),
        ("http://", "not an http or https URL: 'http://'"),
        ("https://[::1", "not an http or https URL: 'https://[::1'"),
        ("file:///etc/passwd", "not an http or https URL: 'file:///etc/passwd'"),
        ("   ", "give the URL to add"),
    ],
)
def test_sources_add_refuses_what_is_not_a_web_address(url: str, said: str, tmp_path: Path, capsys) -> None:
    """Rule: `ewsi sources add` takes an http or https address with a host; anything else is a usage
    error (one line, exit 2) before any fetch, and the config file is left as it was."""
    config = tmp_path / "sources.yaml"
    before = "sources:\n- {id: src-s, name: S, publisher: P, kind: feed, urls: ['https://s.eu/f']}\n"
    config.write_text(before)
    assert _exit(["sources", "add", url, "--config", str(config)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("ewsi sources: error: ") and said in err and len(err.splitlines()) == 1, err
    assert config.read_text() == before
