"""Which config directory a runtime command reads (``resolve``, ``status``, ``chat``, ``doctor``), and the line
that says so."""

from __future__ import annotations

import os
from typing import NamedTuple

__all__ = ["ConfigDir", "chosen_config_dir"]


class ConfigDir(NamedTuple):
    """The config directory a runtime command reads, and what chose it."""

    path: str
    origin: str  # argument, --config-dir, $PONYBUNNY_CONFIG_DIR, $XDG_CONFIG_HOME or default
    note: str | None = None  # config files in the working directory that are not read

    def header(self) -> str:
        """The first line of the command's text output."""
        return f"config: {self.path} ({self.origin})\n" + (f"note: {self.note}\n" if self.note else "")


def chosen_config_dir(argument: str | None, option: str | None, command: list[str]) -> ConfigDir:
    """The directory ``[DIR]`` or ``--config-dir`` names, else the one PonyBunny would read. Unnamed, it must
    not be read silently instead of the config files in the working directory: when it holds no config and
    the working directory does, the error says how to read those (as ``validate`` does); when both hold one,
    the note does. ``command`` is this run as words after ``pbcfg`` (the directory left out)."""
    from pbcfg.cli.actions import is_present
    from pbcfg.errors import InputError, UsageError
    from pbcfg.source.commands import pbcfg_command
    from pbcfg.source.locations import CONFIG_FILES, config_dir

    if argument is not None and option is not None and argument != option:
        raise UsageError(f"the directory {argument!r} and --config-dir {option!r} differ: give one of them")
    if argument is not None:
        return ConfigDir(argument, "argument")
    if option is not None:
        return ConfigDir(option, "--config-dir")
    directory = config_dir()
    origin = next(
        (f"${name}" for name in ("PONYBUNNY_CONFIG_DIR", "XDG_CONFIG_HOME") if os.environ.get(name, "").strip()),
        "default",
    )
    here = [name for name in CONFIG_FILES if os.path.isfile(name)]
    if not here or os.path.realpath(directory) == os.path.realpath("."):
        return ConfigDir(directory, origin)
    pasted = pbcfg_command(command[0], ".", *command[1:])
    if not any(is_present(os.path.join(directory, name)) for name in CONFIG_FILES):
        raise InputError(
            f"{directory}: no {' or '.join(CONFIG_FILES)} in the config directory (from "
            f"{'the default' if origin == 'default' else origin}); "
            f"to use the {' and '.join(here)} here, run `{pasted}`"
        )
    return ConfigDir(
        directory,
        origin,
        f"the {' and '.join(here)} here {'are' if len(here) > 1 else 'is'} not "
        f"read; `{pasted}` reads {'them' if len(here) > 1 else 'it'}",
    )
