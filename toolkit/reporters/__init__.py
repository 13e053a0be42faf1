"""Reporters: one module per output format, each a ``render(report) -> str``.

Only the chosen reporter is imported, so ``--format text`` never pays for
SARIF or XML. :func:`emit` delivers a report without Click, so the hot path
(:mod:`pbcfg.hotpath`) can use it too.
"""

import importlib
import os
import sys
from typing import NamedTuple

from pbcfg.diagnostics import Diagnostic, Severity
from pbcfg.errors import InputError
from pbcfg.reporters.report import Summary, exit_code

__all__ = ["FORMATS", "Report", "emit", "render", "use_color"]

FORMATS = ("text", "json", "github", "sarif", "junit")


class Report(NamedTuple):
    tool: str  # the command that produced it, e.g. "validate"
    files: list[str]
    diagnostics: list[Diagnostic]
    color: bool = False

    @property
    def summary(self) -> Summary:
        return Summary.of(len(self.files), self.diagnostics)


def render(fmt: str, report: Report) -> str:
    return importlib.import_module(f"{__name__}.{fmt}").render(report)


def use_color(flag: bool | None) -> bool:
    """``--color``/``--no-color`` when given, else a terminal without ``NO_COLOR``."""
    if flag is not None:
        return flag
    return sys.stdout.isatty() and not os.environ.get("NO_COLOR")


def _encodable(text: str) -> str:
    """``text`` with any half of a surrogate pair (a file name that is not UTF-8) written as a \\u escape,
    so that writing it as UTF-8 cannot fail."""
    return text if text.isascii() else text.encode("utf-8", "backslashreplace").decode("utf-8")


def emit(tool: str, files: list[str], diagnostics: list[Diagnostic], *, fmt: str | None = None,
         fail_on: str = "error", color: bool | None = None, output: str | None = None) -> int:
    """Print (or, with ``output``, write) the report in ``fmt`` and return the exit code."""
    if fmt is None:
        fmt = "github" if os.environ.get("GITHUB_ACTIONS") == "true" else "text"
    report = Report(tool, files, diagnostics, color=use_color(color) and fmt == "text" and output is None)
    if output is None:
        sys.stdout.write(_encodable(render(fmt, report)))
    else:
        from pbcfg.util.atomic import write_atomic

        try:
            write_atomic(output, _encodable(render(fmt, report)))
        except OSError as error:
            raise InputError(f"{output}: cannot write the report: {error.strerror or error}") from None
        sys.stdout.write(_encodable(f"{report.summary.sentence()}; report written to {output}\n"))
    sys.stdout.flush()
    return exit_code(diagnostics, Severity.parse(fail_on))
