"""Options shared by several commands: the config directory, and the report options that
:func:`pbcfg.reporters.emit` handles."""

from __future__ import annotations

import functools

import click

from pbcfg.reporters import FORMATS

__all__ = ["SECONDS", "config_dir_argument", "config_dir_option", "old_spellings", "report_options"]


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
    return click.option("--config-dir", type=click.Path(file_okay=False), default=None,
                        help="PonyBunny config directory (default: $PONYBUNNY_CONFIG_DIR, "
                             "$XDG_CONFIG_HOME/ponybunny, ~/.config/ponybunny).")(command)


def config_dir_argument(command):
    """``[DIR]`` and ``--config-dir DIR``, as ``validate DIR`` and ``lint DIR`` take the directory; the command
    gets both (``directory``, ``config_dir``) and hands them to :func:`pbcfg.cli.actions.chosen_config_dir`."""
    command = config_dir_option(command)
    return click.argument("directory", required=False, metavar="[DIR]", type=click.Path(file_okay=False))(command)


def old_spellings(*names: str):
    """Hidden options that still set ``--config-dir`` under an older name (``init --dir``, ``render --out``):
    one name on every command, and no script that used the old one breaks."""

    def parameter(name: str) -> str:
        return "old_" + name.lstrip("-").replace("-", "_")

    def decorate(function):
        @functools.wraps(function)
        def merged(*args, **kwargs):
            for name in names:
                value = kwargs.pop(parameter(name))
                if value is not None and kwargs.get("config_dir") not in (None, value):
                    from pbcfg.errors import UsageError

                    raise UsageError(f"{name} is the old spelling of --config-dir: give one of them")
                if value is not None:
                    kwargs["config_dir"] = value
            return function(*args, **kwargs)

        for name in names:
            merged = click.option(name, parameter(name), hidden=True, type=click.Path(file_okay=False),
                                  default=None)(merged)
        return merged

    return decorate


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
