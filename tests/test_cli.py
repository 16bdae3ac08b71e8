"""crawler.cli: the argument tree comes from crawler.commands, errors become exit codes in one place."""

from __future__ import annotations

import argparse
import importlib
import importlib.metadata
import subprocess
import sys
import types
from pathlib import Path

import pytest

from crawler import cli
from crawler.argtypes import Parser, missing_command_message
from crawler.errors import ConfigError, DatabaseUnavailable, UsageError

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("name", sorted(cli.COMMANDS))
def test_every_command_module_keeps_the_contract(name: str) -> None:
    module_name, help_text = cli.COMMANDS[name]
    module = importlib.import_module(module_name)
    assert help_text == module.HELP and callable(module.main)
    assert module_name.startswith("crawler.commands.")


def test_one_module_per_command_and_no_other() -> None:
    modules = {p.stem for p in (ROOT / "crawler" / "commands").glob("*.py") if p.stem != "__init__"}
    assert modules == {m.rsplit(".", 1)[1] for m, _ in cli.COMMANDS.values()}


def _raising(exc: BaseException) -> types.ModuleType:
    module = types.ModuleType("crawler.commands._probe")
    module.HELP = "probe"  # type: ignore[attr-defined]

    def main(argv: list[str], settings: object) -> int:
        raise exc

    module.main = main  # type: ignore[attr-defined]
    return module


@pytest.mark.parametrize(
    ("exc", "code", "stderr"),
    [
        (DatabaseUnavailable("cannot connect to sqlite:///x: no such file"), 2,
         "database unavailable: cannot connect to sqlite:///x: no such file\n"),
        (ConfigError(["s.yaml:3: sources[0].id: required", "s.yaml:9: sources[1].urls: empty"]), 2,
         "invalid config:\n  s.yaml:3: sources[0].id: required\n  s.yaml:9: sources[1].urls: empty\n"),
        (UsageError("unknown status bogus"), 2, "ewsi probe: error: unknown status bogus\n"),
        (KeyboardInterrupt(), 130, ""),
    ],
)  # fmt: skip
def test_project_errors_become_exit_codes_once(
    exc: BaseException, code: int, stderr: str, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    monkeypatch.setitem(sys.modules, "crawler.commands._probe", _raising(exc))
    monkeypatch.setitem(cli.COMMANDS, "probe", ("crawler.commands._probe", "probe"))
    assert cli.main(["probe", "--any", "args"]) == code
    captured = capsys.readouterr()
    assert (captured.out, captured.err) == ("", stderr)


def test_other_errors_are_not_hidden(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "crawler.commands._probe", _raising(RuntimeError("a bug")))
    monkeypatch.setitem(cli.COMMANDS, "probe", ("crawler.commands._probe", "probe"))
    with pytest.raises(RuntimeError, match="a bug"):
        cli.main(["probe"])


def test_the_command_gets_its_arguments_and_the_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[tuple[list[str], object]] = []
    module = types.ModuleType("crawler.commands._probe")
    module.main = lambda argv, settings: seen.append((argv, settings)) or 7  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "crawler.commands._probe", module)
    monkeypatch.setitem(cli.COMMANDS, "probe", ("crawler.commands._probe", "probe"))
    monkeypatch.setenv("EWSI_PUBLIC_URL", "https://portal.example.eu")
    assert cli.main(["probe", "--json", "x"]) == 7
    assert seen[0][0] == ["--json", "x"] and seen[0][1].public_url == "https://portal.example.eu"


@pytest.mark.parametrize(
    ("argv", "code", "needle"),
    [
        ([], 2, "ewsi: error: missing command; the commands: crawl, queue, db, sources, classify,"),
        (
            ["digest", "sned"],
            2,
            "ewsi digest: error: unknown command 'sned' (choose from 'send'); did you mean send?",
        ),
        (["nonsense"], 2, "ewsi: error: unknown command 'nonsense'; the commands: crawl, queue,"),
        (["crwal"], 2, "ewsi: error: unknown command 'crwal'; did you mean crawl?"),
        (["--bogus"], 2, "ewsi: error: unrecognized option --bogus; ewsi takes a command first"),
        (["--hepl"], 2, "ewsi: error: unrecognized option --hepl; did you mean --help?"),
        (["--json=1", "queue"], 2, "ewsi: error: unrecognized option --json; ewsi takes a command first"),
        (["-x"], 2, "ewsi: error: unrecognized option -x;"),
        (["--help"], 0, "api-token"),
        (["-h"], 0, "api-token"),
        (["crawl", "--replay", "a.warc.gz", "--record", "b.warc.gz"], 2, "not allowed with argument"),
        (["queue", "--limit", "0"], 2, "must be 1 to 1,000,000, got 0"),
        (
            ["db", "drop"],
            2,
            "ewsi db: error: unknown command 'drop' (choose from 'upgrade', 'check', 'grant-app-role')",
        ),
        (["db", "upgade"], 2, "ewsi db: error: unknown command 'upgade' (choose from"),
        (["db", "upgade"], 2, "'grant-app-role'); did you mean upgrade?"),
        (
            ["sources", "valdate"],
            2,
            "ewsi sources: error: unknown command 'valdate' (choose from 'validate',",
        ),
        (["sources", "valdate"], 2, "; did you mean validate?"),
        (
            ["users", "lst"],
            2,
            "ewsi users: error: unknown command 'lst' (choose from 'add', 'list', 'set-role'); did you mean"
            " list?",
        ),
        (
            ["queue", "--order", "uncertian"],
            2,
            "ewsi queue: error: argument --order: invalid choice: 'uncertian'",
        ),
        (
            ["queue", "--order", "uncertian"],
            2,
            "(choose from 'priority', 'uncertain'); did you mean uncertain?",
        ),
        (["serve", "--port", "99999"], 2, "a port is 1 to 65535"),
        # an unknown option is refused by the command given it, with the closest of its options
        (
            ["queue", "--lmit", "3"],
            2,
            "ewsi queue: error: unrecognized arguments: --lmit 3; did you mean --limit?",
        ),
        (
            ["queue", "--limt=3"],
            2,
            "ewsi queue: error: unrecognized arguments: --limt=3; did you mean --limit?",
        ),
        (["queue", "--LIMIT", "3"], 2, "; did you mean --limit?"),
        (
            ["sources", "check", "--jsn"],
            2,
            "ewsi sources: error: unrecognized arguments: --jsn; did you mean --json?",
        ),
        (
            ["classify", "eval", "--data", "x", "--holdot"],
            2,
            "ewsi classify eval: error: unrecognized arguments: --holdot; did you mean --holdout?",
        ),
        (["queue", "--zzzzzz"], 2, "ewsi queue: error: unrecognized arguments: --zzzzzz"),
        (["queue", "extra"], 2, "ewsi queue: error: unrecognized arguments: extra"),
        # options compared without their dashes: nothing close, no suggestion
        (["sources", "status", "--lmit", "3"], 2, "ewsi sources: error: unrecognized arguments: --lmit 3\n"),
        (["sources", "status", "--it"], 2, "ewsi sources: error: unrecognized arguments: --it\n"),
        (["queue", "---limit", "3"], 2, "; did you mean --limit?"),
    ],
)
def test_usage_errors_exit_like_argparse(argv: list[str], code: int, needle: str, capsys) -> None:
    try:
        got = cli.main(argv)  # a command that reads its own arguments returns its usage error's code
    except SystemExit as exc:
        got = exc.code
    assert got == code
    captured = capsys.readouterr()
    assert needle in captured.out + captured.err
    if needle.endswith(("--zzzzzz", "extra")):
        assert "did you mean" not in captured.err


@pytest.mark.parametrize(
    ("argv", "line"),
    [
        (
            ["classify", "eval", "--data", "x.jsonl", "--holdout", "--cv", "3"],
            "ewsi classify eval: error: argument --cv: not allowed with argument --holdout",
        ),
        (
            ["classify", "eval", "--data", "x.jsonl", "--cv", "3", "--holdout"],
            "ewsi classify eval: error: argument --holdout: not allowed with argument --cv",
        ),
        (
            ["classify", "eval", "--data", "x.jsonl", "--model", "none", "--holdout"],
            "ewsi classify eval: error: argument --holdout: not allowed with argument --model",
        ),
        (
            ["classify", "eval", "--data", "x.jsonl", "--cv", "2", "--model", "m.json"],
            "ewsi classify eval: error: argument --model: not allowed with argument --cv",
        ),
        (["schedule", "--json"], "ewsi schedule: error: argument --json: only with --list"),
        (
            ["crawl", "--replay", "a.warc.gz", "--replay-run", "3"],
            "ewsi crawl: error: argument --replay-run: not allowed with argument --replay",
        ),
    ],
)
def test_options_that_cannot_go_together_are_refused_naming_both(argv: list[str], line: str, capsys) -> None:
    """Rule: an option that would be ignored beside another is refused, exit 2, one line naming both."""
    try:
        code = cli.main(argv)
    except SystemExit as exc:
        code = exc.code
    assert code == 2
    assert capsys.readouterr().err == line + "\n"


@pytest.mark.parametrize(
    ("argv", "code", "stderr_start"),
    [
        (["queue", "--theme", "XX"], 2, "ewsi queue: error: unknown theme 'XX'"),
        (
            ["queue", "--language", "xx"],
            2,
            "ewsi queue: error: --language: not a language code (ISO 639-1, or und): 'xx'",
        ),
        (["queue", "--language", "de", "--language", "german"], 2, "ewsi queue: error: --language: not a"),
        (["sources", "unquarantine"], 2, "ewsi sources: error: give either a URL or --all"),
        (["db", "grant-app-role"], 2, "ewsi db: error: grant-app-role: name the role"),
        (["classify"], 2, ""),
        (["classify", "nope"], 2, "ewsi classify: error: unknown classify command 'nope'"),
        (
            ["export", "--since", "yesterday"],
            2,
            "ewsi export: error: --since: not an ISO 8601 date: 'yesterday'",
        ),
        (["reprocess", "--since", "yesterday"], 2, "ewsi reprocess: error: --since: not an ISO 8601 date"),
    ],
)
def test_command_refusals_keep_their_messages(
    argv: list[str], code: int, stderr_start: str, capsys, tmp_path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("EWSI_DATABASE_URL", f"sqlite:///{tmp_path / 'none.sqlite'}")
    assert cli.main(argv) == code
    assert capsys.readouterr().err.startswith(stderr_start)


@pytest.mark.parametrize(
    "argv",
    [
        ["queue", "--limit", "0"],  # argparse
        ["queue", "--language", "xx"],  # the command
        ["queue", "--source", "nope", "--limit", "x"],
        ["export", "--since", "yesterday"],
        ["export", "--format", "xml"],
        ["crawl", "--replay", "missing.warc.gz"],
        ["sources", "unquarantine"],
    ],
)
def test_every_usage_error_has_one_form(argv: list[str], capsys, tmp_path, monkeypatch) -> None:
    """argparse's and the commands' own usage errors read alike: ``ewsi NAME: error: MESSAGE``, exit 2."""
    monkeypatch.setenv("EWSI_DATABASE_URL", f"sqlite:///{tmp_path / 'none.sqlite'}")
    monkeypatch.chdir(tmp_path)
    try:
        code = cli.main(argv)
    except SystemExit as exc:
        code = int(exc.code or 0)
    assert code == 2
    lines = capsys.readouterr().err.splitlines()
    assert lines and all(line.startswith(f"ewsi {argv[0]}: error: ") for line in lines), lines


UNMIGRATED = ["queue", "sources status", "api-token list", "export", "digest send --dry-run", "users list",
              "classify train", "schedule", "db check"]  # fmt: skip


@pytest.mark.slow
@pytest.mark.parametrize("command", UNMIGRATED)
def test_an_unmigrated_database_is_one_line_and_exit_2(command: str, tmp_path: Path) -> None:
    """The same last line for every command (as a user sees it: the console script's process);
    ``ewsi schedule`` logs its start at INFO before; no command leaves an empty SQLite file behind."""
    env = {"EWSI_DATABASE_URL": f"sqlite:///{tmp_path / 'empty.sqlite'}", "PATH": "/usr/bin:/bin"}
    done = subprocess.run(
        [sys.executable, "-m", "crawler.cli", *command.split()],
        cwd=tmp_path if command != "schedule" else ROOT,
        env={**env, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 2, done.stderr
    last = done.stderr.splitlines()[-1]
    assert last.startswith("database unavailable: "), done.stderr
    assert "not migrated" in last, last
    assert not (tmp_path / "empty.sqlite").exists()  # the check leaves no empty file behind
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize("limit", ["0", "-3", "99999999999999999999999", "ten", "1e3"])
def test_queue_limit_out_of_range_is_a_usage_error(limit: str, capsys) -> None:
    from crawler.cli import main as ewsi

    with pytest.raises(SystemExit) as info:
        ewsi(["queue", "--limit", limit])
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert "--limit" in err and "Traceback" not in err


@pytest.mark.parametrize("target", ["missing-folder/x.csv", "."])
def test_export_to_an_unwritable_path_is_one_line(target: str, tmp_path, monkeypatch, capsys) -> None:
    from crawler.cli import main as ewsi
    from crawler.store.migrate import upgrade

    url = f"sqlite:///{tmp_path / 'x.sqlite'}"
    upgrade(url)
    monkeypatch.chdir(tmp_path)
    assert ewsi(["export", "--format", "csv", "--output", target, "--database-url", url]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith(f"ewsi export: error: cannot write {target}:") and "\n" not in err


@pytest.mark.parametrize(
    ("value", "name"),
    [
        ("social_cohesion", "Social Cohesion"),
        ("SOCIAL_COHESION", "Social Cohesion"),
        ("Social Cohesion", "Social Cohesion"),
        ("sc", "Social Cohesion"),
        ("anti_discrimination_equality", "Anti-discrimination and Equality"),
        ("tools_techniques", "Tools and Techniques"),
        (" education_culture ", "Education and Culture"),
    ],
)
def test_queue_theme_takes_the_desks_and_apis_ids(value: str, name: str) -> None:
    from crawler.commands.queue import _theme_name

    assert _theme_name(value) == name


@pytest.mark.parametrize("limit", [8, 9, 40, 80, 119, 120, 121, 500])
@pytest.mark.parametrize(
    "note",
    [
        "loop-a: http://127.0.0.1:8765/feed.xml: loopback and reserved addresses are refused (SSRF guard);"
        " to fetch it, set EWSI_ALLOW_PRIVATE=127.0.0.1:8765",
        "short note",
        "ü" * 300,
        "ec-press: robots.txt of the host was not fetched (the name did not resolve); nothing from that"
        " host is fetched until it answers again, and the next run will try once more at its hour",
    ],
)
def test_summary_notes_keep_their_start_and_their_end(note: str, limit: int) -> None:
    from crawler.commands.crawl import middle_cut

    cut = middle_cut(note, limit)
    if len(note) <= limit:
        assert cut == note
        return
    from crawler.commands.crawl import WORD_SLACK

    assert limit - 2 * WORD_SLACK <= len(cut) <= limit
    head, _, tail = cut.partition(" … ")
    assert note.startswith(head) and note.endswith(tail) and head and tail
    words = note.split(" ")
    if limit >= 3 * WORD_SLACK and max(map(len, words)) < WORD_SLACK:  # short words: none split
        assert head.split(" ")[-1] in words and tail.split(" ")[0] in words


@pytest.mark.slow
def test_db_upgrade_says_what_it_did(tmp_path: Path) -> None:
    """A new database: "schema created"; the same again: "nothing to do" (both with the revision)."""
    from crawler.store.migrate import head_revision

    env = {
        "EWSI_DATABASE_URL": f"sqlite:///{tmp_path / 'new.sqlite'}",
        "PATH": "/usr/bin:/bin",
        "PYTHONPATH": str(ROOT),
    }
    said = []
    for _ in range(2):
        done = subprocess.run(
            [sys.executable, "-m", "crawler.cli", "db", "upgrade"],
            cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120, check=False,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        said.append(" ".join((done.stdout + done.stderr).split()))
    head = head_revision()
    assert said[0].endswith(f"schema created (revision {head})"), said
    assert said[1].endswith(f"is at the latest schema (revision {head}): nothing to do"), said


def test_db_upgrade_message_from_an_older_revision() -> None:
    from crawler.commands.db import upgrade_message

    assert upgrade_message("sqlite:///x", "0003_a", "0007_b") == (
        "database at sqlite:///x: schema upgraded from revision 0003_a to 0007_b"
    )


@pytest.mark.slow
@pytest.mark.parametrize("args", [[], ["--json"]], ids=["table", "json"])
def test_a_reader_who_leaves_early_ends_ewsi_queue_quietly_with_exit_0(
    args: list[str], tmp_path: Path
) -> None:
    """``ewsi queue | head -2``: the reader closes the pipe long before the queue is written; the
    command ends quietly with exit 0, as a plain print does (rich's own handling exited 1)."""
    from crawler.store.items import upsert_item
    from crawler.store.migrate import upgrade
    from crawler.store.session import session_scope
    from tests.storedata import classification, make_item

    db_url = f"sqlite:///{tmp_path / 'q.sqlite'}"
    upgrade(db_url)
    with session_scope(db_url) as session:
        for n in range(1, 400):  # more than a pipe's 64 KiB buffer once listed
            upsert_item(session, make_item(n, content=f"body {n}", classification=classification(0.5, ())))
    reader = subprocess.Popen(
        [sys.executable, "-m", "crawler.cli", "queue", "--limit", "400", *args],
        cwd=ROOT,
        env={"EWSI_DATABASE_URL": db_url, "PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert reader.stdout is not None and reader.stderr is not None
    reader.stdout.readline()
    reader.stdout.close()  # the reader leaves
    err = reader.stderr.read().decode()
    assert reader.wait(timeout=120) == 0, err
    assert err == ""


def _command_groups() -> list[tuple[list[str], Parser]]:
    """Every parser of the real ``ewsi`` tree that picks a command (``ewsi``, ``ewsi db``, ``ewsi
    users`` ...), each with the command line that reaches it, found by walking the tree."""
    found: list[tuple[list[str], Parser]] = []

    def walk(path: list[str], parser: argparse.ArgumentParser) -> None:
        assert isinstance(parser, Parser), path
        if parser.command_choices():
            found.append((path, parser))
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                for name, sub in action.choices.items():
                    walk([*path, name], sub)

    walk([], cli.build_parser())
    for name, (module_name, _) in cli.COMMANDS.items():
        module = importlib.import_module(module_name)
        if hasattr(module, "build_parser"):
            walk([name], module.build_parser())
    return found


GROUPS = _command_groups()


def test_the_walk_finds_every_command_group() -> None:
    paths = {" ".join(path) for path, _ in GROUPS}
    assert {"", "db", "users", "sources", "api-token", "digest", "mail", "contributors"} <= paths
    # a group reads its arguments with its module's build_parser; classify dispatches by hand
    unbuilt = {
        n for n, (m, _) in cli.COMMANDS.items() if not hasattr(importlib.import_module(m), "build_parser")
    }
    assert unbuilt == {"classify", "serve"}  # serve takes options only


def test_classify_without_its_command_lists_its_commands(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["classify"]) == 2
    out = capsys.readouterr().out
    assert all(f"\n  {name} " in out for name in ("eval", "train", "diff", "reprocess"))


@pytest.mark.parametrize(("path", "parser"), GROUPS, ids=[" ".join(p) or "ewsi" for p, _ in GROUPS])
def test_a_command_group_without_its_command_names_its_commands(
    path: list[str], parser: Parser, capsys: pytest.CaptureFixture[str]
) -> None:
    """Rule: ``ewsi GROUP`` alone is one usage line listing the group's commands, never the
    internal name of the argument that holds it (``db_command``, ``action``)."""
    prog = " ".join(["ewsi", *path])
    with pytest.raises(SystemExit) as info:
        cli.main(path)
    assert info.value.code == 2
    err = capsys.readouterr().err
    (choices,) = parser.command_choices().values()
    assert err == f"{prog}: error: missing command; the commands: {', '.join(choices)} ({prog} --help)\n"
    assert "arguments are required" not in err
    internal = {a.dest for a in parser._actions if not a.option_strings and a.choices} - {"command"}
    assert not any(dest in err for dest in internal)  # db_command, sources_command, action


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (
            ["db"],
            "ewsi db: error: missing command; the commands: upgrade, check, grant-app-role (ewsi db --help)",
        ),
        (
            ["users"],
            "ewsi users: error: missing command; the commands: add, list, set-role (ewsi users --help)",
        ),
        (["mail"], "ewsi mail: error: missing command; the commands: send, status (ewsi mail --help)"),
        (
            ["contributors"],
            "ewsi contributors: error: missing command; the commands: report, forget"
            " (ewsi contributors --help)",
        ),
        (
            ["api-token"],
            "ewsi api-token: error: missing command; the commands: add, list, revoke (ewsi api-token --help)",
        ),
    ],
)
def test_command_group_messages(argv: list[str], expected: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        cli.main(argv)
    assert info.value.code == 2
    assert capsys.readouterr().err == expected + "\n"


def test_missing_command_keeps_other_missing_arguments() -> None:
    pickers = {"action": ["send", "status"]}
    assert missing_command_message(["action"], pickers, "ewsi mail") == (
        "missing command; the commands: send, status (ewsi mail --help)"
    )
    assert missing_command_message(["action", "name"], pickers, "ewsi mail") == (
        "missing command; the commands: send, status (ewsi mail --help); also required: name"
    )
    assert (
        missing_command_message(["name"], pickers, "ewsi x") == "the following arguments are required: name"
    )


@pytest.mark.parametrize(
    ("argv", "code", "out", "err"),
    [
        (["--version"], 0, f"ewsi {importlib.metadata.version('ewsi-harvester')}\n", ""),
        (
            ["--verison"],
            2,
            "",
            "ewsi: error: unrecognized option --verison; did you mean --version? ewsi takes a command first,"
            " its options after it (ewsi --help)\n",
        ),
    ],
)
def test_version(argv: list[str], code: int, out: str, err: str, capsys: pytest.CaptureFixture[str]) -> None:
    """``ewsi --version`` prints the installed package's version (its metadata), exit 0."""
    with pytest.raises(SystemExit) as info:
        cli.main(argv)
    assert info.value.code == code
    assert capsys.readouterr() == (out, err)


def test_version_is_the_package_metadata() -> None:
    assert importlib.metadata.version("ewsi-harvester") == "0.1.0"
    assert "--version" in cli.build_parser().format_help()


def test_crawl_help_names_real_settings_and_the_exit_codes() -> None:
    """`ewsi crawl --help` names the store, private-address and clock settings, each a real setting
    (crawler.config TABLE), and the exit codes the command returns."""
    import re

    from crawler import config
    from crawler.commands import crawl

    text = crawl.build_parser().format_help()
    named = set(re.findall(r"\bEWSI_[A-Z_]+\b", text))
    assert {"EWSI_DATABASE_URL", "EWSI_ALLOW_PRIVATE", "EWSI_NOW"} <= named
    assert named <= {s.env for s in config.TABLE}
    codes = re.findall(r"^  (\d+) ", text.split("exit codes:", 1)[1], flags=re.M)
    assert codes == ["0", "2", "130"]
