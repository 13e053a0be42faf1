"""Where PonyBunny's files live (SPEC §1): first match wins."""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["CONFIG_FILES", "LEGACY_DIR", "config_dir"]

CONFIG_FILES = ("credentials.json", "llm-config.json")
LEGACY_DIR = Path("~/.ponybunny")


def config_dir(override: str | os.PathLike | None = None, env: dict | None = None) -> Path:
    """``--config-dir``, then ``$PONYBUNNY_CONFIG_DIR``, then ``$XDG_CONFIG_HOME/ponybunny``, then ``~/.config/ponybunny``."""
    env = os.environ if env is None else env
    if override:
        return Path(override).expanduser()
    if env.get("PONYBUNNY_CONFIG_DIR", "").strip():
        return Path(env["PONYBUNNY_CONFIG_DIR"]).expanduser()
    if env.get("XDG_CONFIG_HOME", "").strip():
        return Path(env["XDG_CONFIG_HOME"]).expanduser() / "ponybunny"
    return Path("~/.config/ponybunny").expanduser()
