"""One module per ``ewsi`` subcommand (crawler.cli builds the command line from them).

Contract of a command module: ``HELP`` (one line for ``ewsi --help``) and
``main(argv, settings) -> int``, where `argv` is the command line after the subcommand's name and
`settings` the process's `crawler.config.Settings`; it returns the exit code and raises the
project's errors (crawler.errors), which crawler.cli maps to exit codes in one place.
"""
