"""Every number an ``ewsi`` command takes is checked when the command line is read (crawler.argtypes):
a zero or negative count, limit, number of workers or folds, a non-positive duration, is refused
with exit 2 and one line on standard error before any work starts."""

from __future__ import annotations

from pathlib import Path

import pytest

from crawler import cli, runner
from crawler.commands import classify, contributors, crawl, mail, queue, reprocess, schedule, worker


def _exit(argv: list[str]) -> int:
    try:
        return cli.main(argv)
    except SystemExit as exc:
        return int(exc.code or 0)


REFUSED = [
    (["worker", "--concurrency", "0"], "--concurrency", "must be at least 1, got 0"),
    (["worker", "--concurrency", "-1"], "--concurrency", "must be at least 1, got -1"),
    (["worker", "--concurrency", "two"], "--concurrency", "not a whole number: 'two'"),
    (["worker", "--time-limit", "0"], "--time-limit", "must be above 0 seconds"),
    (["worker", "--time-limit", "nan"], "--time-limit", "must be above 0 seconds"),
    (["schedule", "--workers", "0"], "--workers", "must be at least 1, got 0"),
    (["schedule", "--time-limit", "-5"], "--time-limit", "must be above 0 seconds"),
    (["schedule", "--stop-grace", "-1"], "--stop-grace", "must be at least 0 seconds"),
    (["schedule", "--leader-poll", "0"], "--leader-poll", "must be above 0 seconds"),
    (["schedule", "--config-poll", "inf"], "--config-poll", "must be above 0 seconds"),
    (["reprocess", "--workers", "0"], "--workers", "must be at least 1, got 0"),
    (["reprocess", "--workers", "-2"], "--workers", "must be at least 1, got -2"),
    (["queue", "--limit", "-1"], "--limit", "must be 1 to 1,000,000, got -1"),
    (["queue", "--limit", "0"], "--limit", "must be 1 to 1,000,000, got 0"),
    (["classify", "eval", "--data", "x.jsonl", "--cv", "0"], "--cv", "must be at least 2, got 0"),
    (["classify", "eval", "--data", "x.jsonl", "--cv", "1"], "--cv", "must be at least 2, got 1"),
    (["classify", "eval", "--data", "x.jsonl", "--cv", "-3"], "--cv", "must be at least 2, got -3"),
    (["classify", "train", "--min-labels", "0"], "--min-labels", "must be at least 1, got 0"),
    (["classify", "diff", "--limit", "-1"], "--limit", "must be at least 1, got -1"),
    (["classify", "reprocess", "--batch", "0"], "--batch", "must be at least 1, got 0"),
    (["mail", "send", "--limit", "0"], "--limit", "must be at least 1, got 0"),
    (["contributors", "report", "--year", "0"], "--year", "must be 1 to 9,999, got 0"),
    (["contributors", "report", "--year", "-2025"], "--year", "must be 1 to 9,999, got -2025"),
    (["crawl", "--replay-run", "0"], "--replay-run", "must be at least 1, got 0"),
    (["serve", "--port", "0"], "--port", "a port is 1 to 65535, got 0"),
    (["api-token", "add", "x", "--rate", "0"], "--rate", ""),
]


@pytest.mark.parametrize(("argv", "option", "message"), REFUSED)
def test_out_of_range_numbers_are_refused_in_one_line(
    argv: list[str], option: str, message: str, capsys, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("EWSI_DATABASE_URL", f"sqlite:///{tmp_path / 'none.sqlite'}")
    assert _exit(argv) == 2
    err = capsys.readouterr().err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert option in lines[0] and message in lines[0]
    assert lines[0].startswith("ewsi ")


def test_the_runner_refuses_a_run_id_below_1(capsys) -> None:
    with pytest.raises(SystemExit) as info:
        runner.main(["some-source", "--run-id", "0"])
    assert info.value.code == 2
    assert "--run-id: must be at least 1, got 0" in capsys.readouterr().err


ACCEPTED = [
    (worker.build_parser(), ["--concurrency", "1"], "concurrency", 1),
    (worker.build_parser(), ["--time-limit", "0.5"], "time_limit", 0.5),
    (schedule.build_parser(), ["--workers", "3"], "workers", 3),
    (schedule.build_parser(), ["--stop-grace", "0"], "stop_grace", 0.0),
    (reprocess.build_parser(), ["--workers", "1"], "workers", 1),
    (queue.build_parser(), ["--limit", "1000000"], "limit", 1_000_000),
    (mail.build_parser(), ["send", "--limit", "1"], "limit", 1),
    (contributors.build_parser(), ["report", "--year", "2025"], "year", 2025),
    (crawl.build_parser(), ["--replay-run", "7"], "replay_run", 7),
]


@pytest.mark.parametrize(("parser", "argv", "name", "value"), ACCEPTED)
def test_numbers_in_range_are_read(parser, argv: list[str], name: str, value: float) -> None:
    assert getattr(parser.parse_args(argv), name) == value


def test_classify_module_keeps_its_subcommands() -> None:
    assert set(classify.COMMANDS) == {"train", "diff", "reprocess"}
