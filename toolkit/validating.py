"""Validation from paths to a report: the ``validate`` command and the hot path both call it."""

from __future__ import annotations

__all__ = ["validate"]


def validate(paths: list[str], *, config_dir: str | None = None, kind: str | None = None, fmt: str | None = None,
             output: str | None = None, fail_on: str = "error", color: bool | None = None) -> int:
    """Check ``paths`` (files or config directories; none: the config directory) and report; the exit code."""
    from .check import check_paths
    from .locations import config_dir as resolve_config_dir
    from .reporters import emit

    result = check_paths(list(paths), config_dir=resolve_config_dir(config_dir), kind=kind)
    return emit("validate", result.files, result.diagnostics, fmt=fmt, fail_on=fail_on, color=color, output=output)
