"""Command-line argument types and the parser every ``ewsi`` command builds (stdlib and
crawler.errors only).

Rule: every number a command takes is checked when the command line is read, never later and never
silently corrected: a count, a limit, a number of workers or of folds is a whole number at least its
minimum (1, or 2 for cross-validation folds), a duration is a positive number of seconds (a grace
period may be 0), a year or an id is at least 1. A value out of range refuses the command with exit
code 2 and one line on standard error (``ewsi worker: error: argument --concurrency: must be at
least 1, got 0``), before any work starts. An option that takes one value, given twice, is refused
the same way, never read as its last value (`_StoreOnce`).
"""

from __future__ import annotations

import argparse
import math
import re
import sys
from collections.abc import Callable
from typing import Any, NoReturn

from crawler.errors import closest_name


class Parser(argparse.ArgumentParser):
    """`argparse.ArgumentParser` whose usage errors are one line (``PROG: error: MESSAGE``), exit 2.

    ``--help`` still prints the full help; sub-parsers (`add_subparsers`) are of this class too.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.register("action", None, _StoreOnce)  # an option with no action named is a store
        self.register("action", "store", _StoreOnce)

    def error(self, message: str) -> NoReturn:
        """Print ``PROG: error: MESSAGE`` on one line and exit with code 2; an invalid choice names the
        closest one (``ewsi sources: error: unknown command 'valdate' (choose from 'validate', ...);
        did you mean validate?``), a command by that word, not by its internal name."""
        message = " ".join(message.split())
        pickers = self.command_choices()
        match = _INVALID_CHOICE.fullmatch(message)
        if match is not None:
            dest, given, choices = match.groups()
            names = re.findall(r"'([^']*)'", choices)
            close = closest_name(given, names)
            what = "unknown command" if dest in pickers else f"argument {dest}: invalid choice:"
            message = f"{what} {given!r} (choose from {choices})" + (
                f"; did you mean {close}?" if close else ""
            )
        missing = _REQUIRED.fullmatch(message)
        if missing is not None:
            message = missing_command_message(missing.group(1).split(", "), pickers, self.prog)
        print(f"{self.prog}: error: {message}", file=sys.stderr)
        sys.exit(2)

    def command_choices(self) -> dict[str, list[str]]:
        """The arguments of this parser that pick a command (its sub-parsers, or a positional argument
        with choices: ``ewsi db upgrade``), by the name argparse gives them in its messages (their
        internal ``dest``), each with the commands it takes, in order."""
        pickers: dict[str, list[str]] = {}
        for action in self._actions:
            if action.option_strings or action.choices is None:
                continue
            name = argparse._get_action_name(action)
            if name is not None:
                pickers[name] = [str(choice) for choice in dict.fromkeys(action.choices)]
        return pickers

    def add_shared_argument(self, *flags: str, **kwargs: Any) -> None:
        """Add an option to this parser and to each of its commands' sub-parsers (call it after
        they are made), so it may follow the command as the README says options do (``ewsi users
        list --database-url URL``) or come before it (``ewsi users --database-url URL list``)."""
        self.add_argument(*flags, **kwargs)
        for action in self._actions:
            if isinstance(action, argparse._SubParsersAction):
                for command in dict.fromkeys(action.choices.values()):
                    command.add_argument(*flags, **{**kwargs, "default": argparse.SUPPRESS})

    def parse_known_args(self, args: Any = None, namespace: Any = None) -> tuple[Any, list[str]]:
        """As argparse's, noting in the namespace the innermost parser that read the command line
        (a command's sub-parser), so an unknown option is named against that command's options."""
        known, extras = super().parse_known_args(args, namespace)
        if getattr(known, _LEAF, None) is None:
            setattr(known, _LEAF, self)
        return known, extras

    def parse_args(self, args: Any = None, namespace: Any = None) -> Any:
        """As argparse's; an unknown option is refused by the command that was given it, with the
        closest of its options (``ewsi queue: error: unrecognized arguments: --lmit 3; did you mean
        --limit?``)."""
        known, extras = self.parse_known_args(args, namespace)
        leaf = vars(known).pop(_LEAF, None) or self
        vars(known).pop(_GIVEN, None)
        extras = [e for e in extras if e != "--"]  # a bare separator ends the options: nothing unknown
        if extras:
            message = f"unrecognized arguments: {' '.join(extras)}"
            unknown = next((e.split("=", 1)[0] for e in extras if e.startswith("--") and e != "--"), None)
            # compared without their dashes, which would make any two options look alike
            names = [o[2:] for o in getattr(leaf, "_option_string_actions", {}) if o.startswith("--")]
            close = closest_name(unknown.lstrip("-"), names) if unknown else None
            leaf.error(message + (f"; did you mean --{close}?" if close else ""))
        return known


class _StoreOnce(argparse._StoreAction):
    """argparse's ``store`` for an option that takes one value: given twice on one command line
    (``ewsi reprocess --source a --source b``), the command is refused, exit 2, rather than the
    first value silently dropped; an option that takes several says so in its help and uses
    ``append`` (``ewsi crawl --source a --source b``)."""

    def __call__(self, parser: Any, namespace: Any, values: Any, option_string: str | None = None) -> None:
        given = vars(namespace).setdefault(_GIVEN, set())
        if option_string is not None and self.dest in given:
            parser.error(f"argument {'/'.join(self.option_strings)}: given twice; it takes one value")
        given.add(self.dest)
        super().__call__(parser, namespace, values, option_string)


_GIVEN = "_ewsi_options_given"
"""Namespace attribute `_StoreOnce` keeps; `Parser.parse_args` removes it."""

_INVALID_CHOICE = re.compile(r"argument ([^:]+): invalid choice: '(.*)' \(choose from (.*)\)")
"""argparse's message for a value outside an argument's choices (a command's sub-command too)."""
_REQUIRED = re.compile(r"the following arguments are required: (.*)")
"""argparse's message for missing positional arguments (a command not given, too)."""
_LEAF = "_ewsi_command_parser"
"""Namespace attribute `Parser.parse_known_args` sets; `Parser.parse_args` removes it."""


def missing_command_message(missing: list[str], pickers: dict[str, list[str]], prog: str) -> str:
    """The usage error of a command group given without its command (``ewsi db``): it names the
    group's commands and where their help is, never the argument's internal name (``db_command``):
    ``missing command; the commands: upgrade, check, grant-app-role (ewsi db --help)``. Other missing
    arguments (`missing` names them as argparse does) keep argparse's message."""
    commands = [name for name in missing if name in pickers]
    others = [name for name in missing if name not in pickers]
    if not commands:
        return f"the following arguments are required: {', '.join(missing)}"
    message = f"missing command; the commands: {', '.join(pickers[commands[0]])} ({prog} --help)"
    if others:
        message += f"; also required: {', '.join(others)}"
    return message


def int_at_least(minimum: int, maximum: int | None = None) -> Callable[[str], int]:
    """argparse type: a whole number from `minimum` (to `maximum` when given)."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
        if maximum is not None and not minimum <= value <= maximum:
            raise argparse.ArgumentTypeError(f"must be {minimum} to {maximum:,}, got {value}")
        if value < minimum:
            raise argparse.ArgumentTypeError(f"must be at least {minimum}, got {value}")
        return value

    parse.__name__ = "whole number"
    return parse


def seconds(*, zero: bool = False) -> Callable[[str], float]:
    """argparse type: a finite number of seconds above 0 (at least 0 when `zero`)."""

    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}") from None
        if not math.isfinite(value) or value < 0 or (value == 0 and not zero):
            bound = "at least 0" if zero else "above 0"
            raise argparse.ArgumentTypeError(f"must be {bound} seconds, got {text}")
        return value

    parse.__name__ = "seconds"
    return parse


positive_int = int_at_least(1)
"""argparse type: a whole number at least 1 (counts, limits, workers, ids)."""
