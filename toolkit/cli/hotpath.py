"""The hot path: ``pbcfg validate|lint [PATH ...]`` without importing Click.

pre-commit runs ``pbcfg validate FILE...`` on every commit, and importing
Click (with ``inspect``, ``typing`` and ``uuid`` behind it) costs more than
checking both files. So :func:`pbcfg.cli.entry` offers the command line here
first: a hot command followed only by operands, none starting with ``-``,
runs its function with every option at its default. Anything else, ``--help``
and every option included, goes to Click, which owns the command line. The
functions' defaults are the Click options' defaults; ``tests/cli/test_hotpath.py``
holds them equal and compares the two paths' output.
"""

from __future__ import annotations

import sys

__all__ = ["HOT", "run_hot"]

# command name -> "module:function"; the function takes the operands and returns the exit code
HOT = {"validate": "pbcfg.cli.actions:run_validate", "lint": "pbcfg.cli.actions:run_lint"}


def run_hot(args: list[str]) -> int | None:
    """The exit code of a hot command line, or None when Click must parse ``args``."""
    if not args or args[0] not in HOT or any(arg.startswith("-") for arg in args[1:]):
        return None
    module, function = HOT[args[0]].split(":")
    __import__(module)  # not importlib.import_module: importing importlib (and warnings) costs more
    return getattr(sys.modules[module], function)(args[1:])
