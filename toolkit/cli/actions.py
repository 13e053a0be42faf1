"""The click-free functions behind ``validate`` and ``lint``: the Click commands and the hot path
(:mod:`pbcfg.cli.hotpath`) both call them, so the two paths cannot drift apart."""

from __future__ import annotations

import os
import sys

__all__ = ["run_lint", "run_validate"]


def run_validate(paths: list[str], *, config_dir: str | None = None, kind: str | None = None,
                 fmt: str | None = None, output: str | None = None, fail_on: str = "error",
                 color: bool | None = None) -> int:
    """Check ``paths`` (files or config directories; none: the config directory) and report; the exit code."""
    from pbcfg.check.pipeline import check_paths
    from pbcfg.reporters import emit
    from pbcfg.source.locations import config_dir as resolve_config_dir

    result = check_paths(list(paths), config_dir=resolve_config_dir(config_dir), kind=kind)
    return emit("validate", result.files, result.diagnostics, fmt=fmt, fail_on=fail_on, color=color, output=output)


def run_lint(paths: list[str], *, config_dir: str | None = None, kind: str | None = None, fix: bool = False,
             diff: bool = False, no_backup: bool = False, fmt: str | None = None, output: str | None = None,
             fail_on: str = "error", color: bool | None = None) -> int:
    """Lint ``paths`` (none: the config directory), apply or show the safe fixes, report; the exit code."""
    from pbcfg.lint.engine import fix_paths, lint_paths
    from pbcfg.lint.settings import find_settings
    from pbcfg.reporters import emit
    from pbcfg.source.locations import config_dir as resolve_config_dir

    directory = resolve_config_dir(config_dir)
    settings = find_settings(paths[0] if paths else directory)
    context = {"config_dir": directory, "kind": kind, "settings": settings, "env": dict(os.environ),
               "home": os.path.expanduser("~")}
    if fix or diff:  # --diff shows what --fix would write, and writes nothing
        outcome = fix_paths(list(paths), **context, dry_run=diff, backup=not no_backup)
        if diff:
            sys.stdout.writelines(outcome.diffs)
        sys.stdout.flush()
        sys.stderr.writelines(("would " if diff else "fixed: ") + line + "\n" for line in outcome.applied)
        sys.stderr.writelines(line + "\n" for line in outcome.refused)
    result = lint_paths(list(paths), **context)
    return emit("lint", result.check.files, result.diagnostics, fmt=fmt, fail_on=fail_on, color=color,
                output=output)
