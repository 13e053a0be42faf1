"""pbcfg: check, generate, migrate and run PonyBunny's LLM configuration.

The package imports nothing heavy at start-up: ``pbcfg validate`` runs in
every pre-commit, so each command loads only what it uses.
"""

from __future__ import annotations

__version__ = "0.1.0"
__all__ = ["__version__", "load"]


def __getattr__(name: str):
    if name == "load":
        from pbcfg.loading import load

        return load
    raise AttributeError(f"module 'pbcfg' has no attribute {name!r}")
