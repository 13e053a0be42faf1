"""Options shared by several commands: the config directory, and the report options that
:func:`pbcfg.reporters.emit` handles."""

from __future__ import annotations

import click

from pbcfg.reporters import FORMATS

__all__ = ["config_dir_option", "report_options"]


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
