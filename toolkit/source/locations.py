"""Where PonyBunny's files live: the first match wins."""

from __future__ import annotations

import os

__all__ = ["CONFIG_FILES", "config_dir", "config_dir_origin"]

CONFIG_FILES = ("credentials.json", "llm-config.json")


def config_dir(override: str | os.PathLike | None = None, env: dict | None = None) -> str:
    """``--config-dir``, then ``$PONYBUNNY_CONFIG_DIR``, then ``$XDG_CONFIG_HOME/ponybunny``, then ``~/.config/ponybunny``."""
    environ = os.environ if env is None else env
    if override:
        return os.path.expanduser(os.fspath(override))
    if environ.get("PONYBUNNY_CONFIG_DIR", "").strip():
        return os.path.expanduser(environ["PONYBUNNY_CONFIG_DIR"])
    if environ.get("XDG_CONFIG_HOME", "").strip():
        return os.path.join(os.path.expanduser(environ["XDG_CONFIG_HOME"]), "ponybunny")
    return os.path.expanduser("~/.config/ponybunny")


def config_dir_origin(override: str | os.PathLike | None = None, env: dict | None = None) -> str:
    """What chose :func:`config_dir`'s answer, as a user would set it: for messages about that directory."""
    environ = os.environ if env is None else env
    if override:
        return "--config-dir"
    if environ.get("PONYBUNNY_CONFIG_DIR", "").strip():
        return "$PONYBUNNY_CONFIG_DIR"
    if environ.get("XDG_CONFIG_HOME", "").strip():
        return "$XDG_CONFIG_HOME/ponybunny"
    return "the default, ~/.config/ponybunny"
