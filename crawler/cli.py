"""The `ewsi` command: builds the argument tree from crawler.commands, dispatches, maps errors.

``ewsi NAME ARGS...`` reads the runtime settings once (`crawler.config.load`) and calls
``crawler.commands.<module>.main(ARGS, settings)``. Errors become exit codes here and nowhere else:
ConfigError 2 (``invalid config:`` and one indented line per problem; also for a runtime setting
that is not of its type), DatabaseUnavailable 2
(``database unavailable: <reason>``, one line), UsageError 2 (``ewsi NAME: error: <reason>``, as
argparse says it, one such line per line of the reason; ``ewsi NAME SUB: error:`` when the error
names its `prog`; a missing or unreadable file: ``FILE: cannot read: <reason>``),
KeyboardInterrupt 130, a closed standard output (``ewsi queue --json | head``) 0. Commands return
0 done, 1 refused or nothing to do, 2 bad arguments, 130 stopped. An option before any command
(``ewsi --bogus``) and an unknown command are usage errors naming them and the closest known name
(`crawler.errors.closest_name`), exit 2. ``ewsi --version`` prints the installed version, exit 0.

Rule (``ewsi crawl`` interrupted): SIGTERM and SIGHUP are answered as SIGINT (KeyboardInterrupt, exit
130, no traceback) from the first line of this module on, before its imports, so a SIGTERM while the
crawl starts is a stop like a Ctrl-C (crawler.runner.ShutdownGuard takes over once the crawlers are
built). Once the command is stopped or done, a later signal exits 130 at once, up to the process's
end (crawler.exitsignals): a second Ctrl-C while the process exits, or one after the summary.
Before this module runs (the interpreter's own start-up) SIGTERM has the OS default (143), and a
SIGINT during Python's import of its site packages ends it with Python's own fatal error (exit 1).
"""

from __future__ import annotations

import signal
import sys

from crawler import exitsignals

CRAWL = sys.argv[1:2] == ["crawl"]
if CRAWL:  # the earliest moment the crawl command is known (module docstring)
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    if signal.getsignal(signal.SIGHUP) != signal.SIG_IGN:  # ``nohup ewsi crawl``: a hang-up stays ignored
        signal.signal(signal.SIGHUP, signal.default_int_handler)

try:
    import argparse
    import importlib
    import os
    from collections.abc import Sequence

    from crawler import config
    from crawler.argtypes import Parser
    from crawler.errors import ConfigError, DatabaseUnavailable, UsageError, closest_name
    from crawler.settings import product_version
except KeyboardInterrupt:  # stopped while the command loads: exit 130 as a stop, no traceback
    if CRAWL:
        exitsignals.on_exit_signal()
    raise SystemExit(130) from None

COMMANDS: dict[str, tuple[str, str]] = {
    "crawl": ("crawler.commands.crawl", "harvest the enabled sources into the review queue"),
    "queue": ("crawler.commands.queue", "list the review queue"),
    "db": ("crawler.commands.db", "database schema"),
    "sources": ("crawler.commands.sources", "operator config and source health"),
    "classify": ("crawler.commands.classify", "classifier: eval, train, diff, reprocess"),
    "schedule": ("crawler.commands.schedule", "run the scheduler (or --list the next runs)"),
    "worker": ("crawler.commands.worker", "run crawl jobs queued by `ewsi schedule --dispatch workers`"),
    "serve": ("crawler.commands.serve", "start the editors' desk and the portal API"),
    "users": ("crawler.commands.users", "manage editor and admin accounts"),
    "api-token": ("crawler.commands.api_token", "manage portal API tokens"),
    "digest": ("crawler.commands.digest", "render or send the editors' digest and the newsletter"),
    "contributors": ("crawler.commands.contributors", "report contributors or forget one's personal data"),
    "mail": ("crawler.commands.mail", "send the mails to contributors waiting in the outbox"),
    "export": ("crawler.commands.export", "export the curated store as JSON Lines or CSV"),
    "reprocess": ("crawler.commands.reprocess", "re-extract stored items from their kept raw bodies"),
}
"""Subcommand -> (module, help line). The help lines equal each module's ``HELP`` (a test checks)."""

TOP_OPTIONS = ("--help", "--version")
"""The options ``ewsi`` takes before any command; ``--version`` prints ``ewsi VERSION`` (the installed
package's version, `crawler.settings.product_version`) and exits 0."""


def build_parser() -> argparse.ArgumentParser:
    """The top of the argument tree (``ewsi --help``); each subcommand parses its own arguments."""
    parser = Parser(prog="ewsi", description="ewsi-harvester: harvest, review queue, portal feeds")
    parser.add_argument("--version", action="version", version=f"ewsi {product_version()}")
    sub = parser.add_subparsers(dest="command", required=True)
    for name, (_, help_text) in COMMANDS.items():
        sub.add_parser(name, help=help_text, add_help=False)
    return parser


def unknown_option_message(option: str) -> str:
    """The usage error of an option given before any command (``ewsi --bogus``): it names the
    option, the closest option ``ewsi`` takes, and where options go (after the command)."""
    name = option.split("=", 1)[0]
    # compared without their dashes, which would make any two options look alike
    close = closest_name(name.lstrip("-"), [option.lstrip("-") for option in TOP_OPTIONS])
    hint = f"did you mean --{close}? " if close else ""
    return f"unrecognized option {name}; {hint}ewsi takes a command first, its options after it (ewsi --help)"


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `ewsi` console script; returns the exit code (see the module docstring)."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] not in COMMANDS:
        parser = build_parser()
        if argv and argv[0].startswith("-") and argv[0] not in ("-h", *TOP_OPTIONS):
            parser.error(unknown_option_message(argv[0]))  # exits 2
        if argv and not argv[0].startswith("-"):
            close = closest_name(argv[0], COMMANDS)
            hint = f"did you mean {close}? " if close else ""
            parser.error(f"unknown command {argv[0]!r}; {hint}the commands: {', '.join(COMMANDS)}")
        parser.parse_args(argv)  # --help, or a usage error: exits
        return 2
    try:
        return _dispatch(argv)
    finally:
        if CRAWL and argv[:1] == ["crawl"]:  # the crawl process reports and exits: rule above
            exitsignals.on_exit_signal()


def _dispatch(argv: list[str]) -> int:
    """Run command ``argv[0]`` with the rest of `argv`, errors mapped to exit codes (module docstring)."""
    try:
        module = importlib.import_module(COMMANDS[argv[0]][0])
        try:
            settings = config.load()
        except ValueError as exc:  # a setting not of its type
            raise ConfigError(str(exc).splitlines()) from None
        return int(module.main(argv[1:], settings) or 0)
    except ConfigError as exc:
        print("invalid config:", file=sys.stderr)
        for problem in exc.problems:
            print(f"  {problem}", file=sys.stderr)
        return 2
    except DatabaseUnavailable as exc:
        print(f"database unavailable: {exc}", file=sys.stderr)
        return 2
    except UsageError as exc:
        prog = exc.prog or f"ewsi {argv[0]}"
        for line in str(exc).splitlines() or [""]:  # argparse's form: ``ewsi queue: error: ...``
            print(f"{prog}: error: {line}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # the reader left, nothing to report
        # what stdout still buffers would fail again at exit (exit 120): send it nowhere
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.stderr.close()
        return 0


if __name__ == "__main__":
    sys.exit(main())
