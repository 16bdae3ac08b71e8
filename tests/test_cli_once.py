"""An option that takes one value, given twice on one command line, refuses the command (exit 2)
rather than silently keeping the last value (crawler.argtypes `_StoreOnce`); options that take
several (``crawl --source``) still repeat."""

from __future__ import annotations

import pytest

from crawler.argtypes import Parser


def parser() -> Parser:
    p = Parser(prog="ewsi test")
    p.add_argument("--source")
    p.add_argument("--limit", type=int, action="store")
    p.add_argument("--only", action="append")
    p.add_argument("--flag", action="store_true")
    return p


@pytest.mark.parametrize(
    ("argv", "refused"),
    [
        (["--source", "a", "--source", "b"], "--source"),
        (["--source=a", "--source=b"], "--source"),
        (["--limit", "1", "--limit", "2"], "--limit"),
        (["--source", "a", "--limit", "2"], None),
        (["--only", "a", "--only", "b"], None),
        (["--flag", "--flag"], None),
    ],
)
def test_a_one_value_option_given_twice_is_refused(
    argv: list[str], refused: str | None, capsys: pytest.CaptureFixture[str]
) -> None:
    if refused is None:
        args = parser().parse_args(argv)
        assert not hasattr(args, "_ewsi_options_given")
        return
    with pytest.raises(SystemExit) as info:
        parser().parse_args(argv)
    assert info.value.code == 2
    assert f"argument {refused}: given twice; it takes one value" in capsys.readouterr().err


def test_the_reprocess_command_refuses_two_sources(capsys: pytest.CaptureFixture[str]) -> None:
    from crawler.commands.reprocess import build_parser

    with pytest.raises(SystemExit):
        build_parser().parse_args(["--source", "rel-dates", "--source", "f-real"])
    assert "ewsi reprocess: error: argument --source: given twice" in capsys.readouterr().err
