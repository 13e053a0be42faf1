"""Options shared by every command that reports diagnostics, and their handling."""

from __future__ import annotations

import os
import sys

import click

from ..diagnostics import Diagnostic, Severity
from ..errors import InputError
from ..reporters import FORMATS, Report, render
from ..report import exit_code

__all__ = ["config_dir_option", "emit", "report_options"]


def config_dir_option(command):
    return click.option("--config-dir", type=click.Path(file_okay=False), default=None,
                        help="PonyBunny config directory (default: $PONYBUNNY_CONFIG_DIR, "
                             "$XDG_CONFIG_HOME/ponybunny, ~/.config/ponybunny).")(command)


def report_options(command):
    options = [
        click.option("--format", "fmt", type=click.Choice(FORMATS), default=None,
                     help="Output format (default: github when GITHUB_ACTIONS=true, else text)."),
        click.option("--output", type=click.Path(dir_okay=False), default=None,
                     help="Write the report to this file (atomically); the summary still goes to the terminal."),
        click.option("--fail-on", type=click.Choice(["error", "warning", "info"]), default="error",
                     show_default=True, help="Lowest severity that makes the exit code 1."),
        click.option("--color/--no-color", default=None,
                     help="Colour the text output (default: when a terminal; NO_COLOR disables)."),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def _use_color(flag: bool | None) -> bool:
    if flag is not None:
        return flag
    return sys.stdout.isatty() and not os.environ.get("NO_COLOR")


def emit(tool: str, files: list[str], diagnostics: list[Diagnostic], *, fmt: str | None, fail_on: str,
         color: bool | None, output: str | None = None) -> int:
    """Print (or, with ``output``, write) the report in ``fmt`` and return the exit code."""
    if fmt is None:
        fmt = "github" if os.environ.get("GITHUB_ACTIONS") == "true" else "text"
    report = Report(tool, files, diagnostics, color=_use_color(color) and fmt == "text" and output is None)
    if output is None:
        click.echo(render(fmt, report), nl=False, color=report.color)
    else:
        from ..atomic import write_atomic

        try:
            write_atomic(output, render(fmt, report))
        except OSError as error:
            raise InputError(f"{output}: cannot write the report: {error.strerror or error}") from None
        click.echo(f"{report.summary.sentence()}; report written to {output}")
    return exit_code(diagnostics, Severity.parse(fail_on))
