"""Reporters: one module per output format, each a ``render(report) -> str``.

Only the chosen reporter is imported, so ``--format text`` never pays for
SARIF or XML. :func:`emit` delivers a report without Click, so the hot path
(:mod:`pbcfg.cli.hotpath`) can use it too.
"""

import os
import sys
from collections import namedtuple

from pbcfg.diagnostics import Diagnostic, Severity
from pbcfg.reporters.report import Summary, exit_code

__all__ = ["FORMATS", "Report", "default_format", "emit", "emit_failure", "render", "use_color"]

FORMATS = ("text", "json", "github", "sarif", "junit")

_REPORTED_TO: list = []  # the stdout the last report went to: each CLI run has its own (pbcfg.secrets.boundary)


class Report(
    namedtuple(
        "Report",
        "tool files diagnostics color notes quiet extra fixes hidden failure",
        defaults=(False, (), False, None, None, None, None),
    )
):
    """``tool``: the command that produced it, e.g. "validate"; ``files``: names; ``diagnostics``; ``color``;
    ``notes``: see Summary; ``quiet``: the diagnostics and nothing else, no summary line; ``extra``: more
    top-level keys of the JSON shape, the command's data (status: "endpoints", doctor: "verdicts" and "causes",
    the rest in :mod:`pbcfg.reporters.json`); ``fixes``: lint's fixable counts
    (:class:`pbcfg.reporters.report.Fixes`); ``hidden``: file -> severity -> count of the diagnostics past the cap;
    ``failure``: why the run could not do what was asked (``message``, ``exitCode``), when it could not."""

    __slots__ = ()

    @property
    def summary(self) -> Summary:
        return Summary.of(len(self.files), self.diagnostics, self.notes, self.fixes, self.hidden, self.tool)


def render(fmt: str, report: Report) -> str:
    __import__(f"{__name__}.{fmt}")  # not importlib.import_module: importing importlib costs the hot path more
    return sys.modules[f"{__name__}.{fmt}"].render(report)


def default_format() -> str:
    """The format without ``--format``: annotations under GitHub Actions, else text."""
    return "github" if os.environ.get("GITHUB_ACTIONS") == "true" else "text"


def use_color(flag: bool | None) -> bool:
    """``--color``/``--no-color`` when given, else a terminal without ``NO_COLOR``."""
    if flag is not None:
        return flag
    return sys.stdout.isatty() and not os.environ.get("NO_COLOR")


def _encodable(text: str) -> str:
    """``text`` with any half of a surrogate pair (a file name that is not UTF-8) written as a \\u escape,
    so that writing it as UTF-8 cannot fail."""
    return text if text.isascii() else text.encode("utf-8", "backslashreplace").decode("utf-8")


def emit(
    tool: str,
    files: list[str],
    diagnostics: list[Diagnostic],
    *,
    fmt: str | None = None,
    fail_on: str = "error",
    color: bool | None = None,
    output: str | None = None,
    notes=(),
    quiet: bool = False,
    extra: dict | None = None,
    text: str | None = None,
    fixes=None,
    hidden: dict | None = None,
) -> int:
    """Print (or, with ``output``, write) the report in ``fmt`` and return the exit code; notes never fail a run.
    ``text``, when given, is the command's own human text for the text format (a status table, a plan);
    ``hidden``: file -> severity -> count of the diagnostics past the cap, counted in the summary and the code."""
    if fmt is None:
        fmt = default_format()
    report = Report(
        tool,
        files,
        diagnostics,
        color=use_color(color) and fmt == "text" and output is None,
        notes=tuple(notes),
        quiet=quiet,
        extra=extra,
        fixes=fixes,
        hidden=hidden,
    )
    rendered = text if fmt == "text" and text is not None else render(fmt, report)
    if output is None:
        sys.stdout.write(_encodable(rendered))
        _REPORTED_TO[:] = [sys.stdout]
    else:  # stdout is masked where pbcfg starts (pbcfg.cli.entry); a report file is masked here
        from pbcfg.secrets.boundary import redact
        from pbcfg.util.atomic import write_atomic

        write_atomic(
            output,
            _encodable(redact(rendered)),
            doing="cannot write the report",
            by_product_of=tuple(map(os.fspath, files)),
        )
        if not quiet:
            lines = report.summary.lines()
            lines[0] += f"; report written to {output}"
            sys.stdout.write(_encodable("".join(line + "\n" for line in lines)))
    sys.stdout.flush()
    return exit_code(diagnostics, Severity.parse(fail_on), hidden)


def emit_failure(args: list[str], message: str, code: int) -> None:
    """A run asked for ``--format json``, ``sarif`` or ``junit`` that fails (a usage error, unreadable input, a
    refusal) still prints one document, the failure in it, unless this run's stdout holds its report already (a
    refusal after the findings that explain it) or the report was to go to an ``--output`` file."""
    fmt, output = _report_options(args)
    if fmt not in ("json", "sarif", "junit") or output is not None or (_REPORTED_TO and _REPORTED_TO[0] is sys.stdout):
        return
    report = Report("pbcfg", [], [], failure={"message": message, "exitCode": code})
    sys.stdout.write(_encodable(render(fmt, report)))
    sys.stdout.flush()


def _report_options(args: list[str]) -> tuple[str | None, str | None]:
    """The ``--format`` and ``--output`` values a command line asks for (the last of each, as Click takes them),
    read without Click: a usage error may come before Click has parsed them."""
    found: dict[str, str | None] = {"--format": None, "--output": None}
    words = iter(args)
    for word in words:
        if word == "--":
            break
        name, sep, value = word.partition("=")
        if name in found:
            found[name] = value if sep else next(words, None)
    return found["--format"], found["--output"]
