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
             diff: bool = False, unsafe_fixes: bool = False, no_backup: bool = False, fmt: str | None = None,
             output: str | None = None, fail_on: str = "error", color: bool | None = None) -> int:
    """Lint ``paths`` (none: the config directory), apply or show the safe fixes, report; the exit code."""
    from pbcfg.lint.engine import apply_fixes, lint_paths
    from pbcfg.lint.fixes import select_fixes
    from pbcfg.lint.settings import find_settings
    from pbcfg.reporters import emit
    from pbcfg.source.locations import config_dir as resolve_config_dir

    directory = resolve_config_dir(config_dir)
    settings = find_settings(paths[0] if paths else directory)

    def run():
        return lint_paths(list(paths), config_dir=directory, kind=kind, settings=settings, env=dict(os.environ),
                          home=os.path.expanduser("~"))

    result = run()
    if fix or diff:
        chosen, hidden = select_fixes(result.findings, unsafe=unsafe_fixes)
        outcome = apply_fixes(chosen, dry_run=diff, backup=not no_backup)
        if diff:
            sys.stdout.writelines(outcome.diffs)
        sys.stdout.flush()
        sys.stderr.writelines(("would " if diff else "fixed: ") + line + "\n" for line in outcome.applied)
        sys.stderr.writelines(line + "\n" for line in outcome.refused + result.skipped + hidden)
        if fix:  # a fix can uncover or unblock another (two removals in one array): go again, a few times
            for _ in range(4):
                result = run()
                if not apply_fixes(select_fixes(result.findings, unsafe=unsafe_fixes)[0], dry_run=False,
                                   backup=False).applied:
                    break
            result = run()
    return emit("lint", result.files, result.diagnostics, fmt=fmt, fail_on=fail_on, color=color,
                output=output, notes=result.notes)
