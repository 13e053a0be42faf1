"""Options shared by several commands: the config directory, and the report options that
:func:`pbcfg.reporters.emit` handles."""

from __future__ import annotations

import click

from pbcfg.reporters import FORMATS

__all__ = ["SECONDS", "config_dir_argument", "config_dir_option", "report_options"]


class _Seconds(click.ParamType):
    """A positive, finite number of seconds: 0, a negative number or NaN is a usage error (exit 2)."""

    name = "seconds"

    def convert(self, value, param, ctx):
        try:
            number = float(value)
        except (TypeError, ValueError):
            self.fail(f"{value!r} is not a number of seconds", param, ctx)
        if not 0 < number < float("inf"):
            self.fail(f"{value!r}: give a positive number of seconds", param, ctx)
        return number


SECONDS = _Seconds()


def config_dir_option(command):
    return click.option(
        "--config-dir",
        type=click.Path(file_okay=False),
        default=None,
        help="PonyBunny config directory (default: $PONYBUNNY_CONFIG_DIR, "
        "$XDG_CONFIG_HOME/ponybunny, ~/.config/ponybunny).",
    )(command)


def config_dir_argument(command):
    """``[DIR]`` and ``--config-dir DIR``, as ``validate DIR`` and ``lint DIR`` take the directory; the command
    gets both (``directory``, ``config_dir``) and hands them to :func:`pbcfg.cli.config_dirs.chosen_config_dir`."""
    command = config_dir_option(command)
    return click.argument("directory", required=False, metavar="[DIR]", type=click.Path(file_okay=False))(command)


def report_options(command):
    options = [
        click.option(
            "--format",
            "fmt",
            type=click.Choice(FORMATS),
            default=None,
            help="Output format (default: github when GITHUB_ACTIONS=true, else text).",
        ),
        click.option(
            "--output",
            type=click.Path(dir_okay=False),
            default=None,
            help="Write the report to this file (atomically); the summary still goes to the terminal.",
        ),
        click.option(
            "--fail-on",
            type=click.Choice(["error", "warning", "info"]),
            default="error",
            show_default=True,
            help="Lowest severity that makes the exit code 1.",
        ),
        click.option(
            "--color/--no-color",
            default=None,
            help="Colour the text output (default: when a terminal; NO_COLOR disables).",
        ),
    ]
    for option in reversed(options):
        command = option(command)
    return command
