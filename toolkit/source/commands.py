"""Commands a message tells the user to run, written so that pasting them runs them on the same files."""

from __future__ import annotations

import os

__all__ = ["directory_words", "pbcfg_command", "pbcfg_on"]


def pbcfg_command(*words: str) -> str:
    """``pbcfg WORD …``, each word quoted for a POSIX shell when it needs it."""
    import shlex

    return " ".join(["pbcfg", *(shlex.quote(word) for word in words if word is not None)])


def _same(one: str, other: str) -> bool:
    return os.path.realpath(one) == os.path.realpath(other)


def directory_words(directory: str) -> list[str]:
    """``[directory]``, or nothing when ``directory`` is the one a command reads without being told (this
    shell's ``$PONYBUNNY_CONFIG_DIR``, ``$XDG_CONFIG_HOME/ponybunny`` or ``~/.config/ponybunny``)."""
    from pbcfg.source.locations import config_dir

    return [] if _same(directory or ".", config_dir()) else [directory or "."]


def pbcfg_on(directory: str, command: str, *rest: str) -> str:
    """``pbcfg COMMAND [DIRECTORY] REST…``: the command run on ``directory`` (``""`` is the working directory)."""
    return pbcfg_command(command, *directory_words(directory), *rest)
