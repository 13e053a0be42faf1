"""The click-free functions behind ``validate`` and ``lint``: the Click commands and the hot path
(:mod:`pbcfg.cli.hotpath`) both call them, so the two paths cannot drift apart."""

from __future__ import annotations

import os
import sys

from pbcfg.diagnostics import MAX_DIAGNOSTICS

__all__ = ["is_present", "run_lint", "run_validate"]


def run_validate(
    paths: list[str],
    *,
    config_dir: str | None = None,
    kind: str | None = None,
    fmt: str | None = None,
    output: str | None = None,
    fail_on: str = "error",
    color: bool | None = None,
    max_diagnostics: int = MAX_DIAGNOSTICS,
) -> int:
    """Check ``paths`` (files, config directories, ``-`` for stdin; none: the config directory) and report;
    the exit code."""
    from pbcfg.check.pipeline import check_paths, check_sources
    from pbcfg.diagnostics import hidden_severities
    from pbcfg.reporters import emit

    if "-" in paths:
        from pbcfg.source.reading import expand_paths, read_source

        others = [path for path in paths if path != "-"]
        files = [read_source(path, kind) for path in expand_paths(others, "")] if others else []
        result = check_sources([_stdin(kind)] + files, max_diagnostics=max_diagnostics)
    else:
        legacy = _legacy(paths, config_dir, ignored=True)
        if legacy is not None and legacy.only:
            return emit(
                "validate", legacy.files, legacy.diagnostics, fmt=fmt, fail_on=fail_on, color=color, output=output
            )
        result = _checked(
            "validate",
            paths,
            config_dir,
            lambda directory: check_paths(
                list(paths), config_dir=directory, kind=kind, max_diagnostics=max_diagnostics
            ),
        )
        if legacy is not None:
            result.diagnostics[:0] = legacy.diagnostics
    return emit(
        "validate",
        result.files,
        result.diagnostics,
        fmt=fmt,
        fail_on=fail_on,
        color=color,
        output=output,
        hidden=hidden_severities(result.hidden, _catalog_severity) if result.hidden else None,
    )


def _catalog_severity(rule: str):
    from pbcfg.catalog import RULES

    return RULES[rule].severity


def run_lint(
    paths: list[str],
    *,
    config_dir: str | None = None,
    kind: str | None = None,
    fix: bool = False,
    diff: bool = False,
    unsafe_fixes: bool = False,
    no_backup: bool = False,
    select: tuple[str, ...] = (),
    ignore: tuple[str, ...] = (),
    quiet: bool = False,
    fmt: str | None = None,
    output: str | None = None,
    fail_on: str = "error",
    color: bool | None = None,
    max_diagnostics: int = MAX_DIAGNOSTICS,
) -> int:
    """Lint ``paths`` (none: the config directory), apply or show the safe fixes, report; the exit code."""
    from pbcfg.lint.linter import LintResult, fix_paths, lint_paths
    from pbcfg.lint.settings import find_settings
    from pbcfg.reporters import default_format, emit
    from pbcfg.reporters.report import Fixes
    from pbcfg.source.locations import config_dir as resolve_config_dir

    directory = resolve_config_dir(config_dir)
    settings = find_settings(paths[0] if paths else directory)
    if select or ignore:
        settings = settings.with_command_line(select, ignore)
    env, home = dict(os.environ), os.path.expanduser("~")
    legacy = _legacy(paths, config_dir, ignored=False)
    if legacy is not None:  # lint's settings (select, ignore, severity) apply to these too
        legacy.diagnostics = [settings.apply(d) for d in legacy.diagnostics if settings.keeps(d)]
    if legacy is not None and legacy.only:
        return emit(
            "lint", legacy.files, legacy.diagnostics, fmt=fmt, fail_on=fail_on, color=color, output=output, quiet=quiet
        )
    shown = None  # with --diff, what --fix would change: printed before a text report, inside any other
    if "-" in paths:
        result: LintResult = _lint_stdin(paths, fix=fix or diff, kind=kind, settings=settings, env=env, home=home)
    elif fix or diff:  # --diff shows what --fix would write, and writes nothing; the report is the fix's own lint
        outcome = _checked(
            "lint",
            paths,
            config_dir,
            lambda directory: fix_paths(
                list(paths),
                config_dir=directory,
                kind=kind,
                settings=settings,
                env=env,
                home=home,
                dry_run=diff,
                backup=not no_backup,
                unsafe=unsafe_fixes,
                max_diagnostics=max_diagnostics,
            ),
        )
        if diff:
            shown = {"changes": outcome.applied, "diffs": outcome.diffs}
            # a diff line never starts with "::", so GitHub reads the annotations after it as before
            if output is not None or (fmt or default_format()) in ("text", "github"):
                sys.stdout.writelines(outcome.diffs)
        sys.stdout.flush()
        if not quiet:
            sys.stderr.writelines(("would " if diff else "fixed: ") + line + "\n" for line in outcome.applied)
        sys.stderr.writelines(line + "\n" for line in outcome.refused)
        result = outcome.result
    else:
        result = _checked(
            "lint",
            paths,
            config_dir,
            lambda directory: lint_paths(
                list(paths),
                config_dir=directory,
                kind=kind,
                settings=settings,
                env=env,
                home=home,
                max_diagnostics=max_diagnostics,
            ),
        )
    if legacy is not None:  # a file PonyBunny has yet to move in beside the config's other one
        from pbcfg.lint.registry import Finding

        result.findings[:0] = [Finding(d) for d in legacy.diagnostics]
    return emit(
        "lint",
        result.files,
        result.diagnostics,
        fmt=fmt,
        fail_on=fail_on,
        color=color,
        output=output,
        notes=result.notes,
        quiet=quiet,
        hidden=result.hidden,
        fixes=None if fix or "-" in paths else Fixes(*result.fixable, _fix_command(paths, config_dir, select, ignore)),
        extra=shown,
    )


def _fix_command(paths: list[str], config_dir: str | None, select: tuple[str, ...], ignore: tuple[str, ...]) -> str:
    """``pbcfg lint --fix`` with this run's directory, rule choice and paths: it fixes what this run found."""
    import shlex

    words = ["pbcfg", "lint", "--fix"] + (["--config-dir", config_dir] if config_dir else [])
    words += [word for rules in select for word in ("--select", rules)]
    words += [word for rules in ignore for word in ("--ignore", rules)]
    return shlex.join(words + list(paths))


class _Legacy:
    """What the legacy directory ~/.ponybunny means for the config directory; ``only``: the config is
    there and nowhere else."""

    def __init__(self, diagnostics: list, only: bool) -> None:
        self.diagnostics, self.only = diagnostics, only
        self.files = [d.file for d in diagnostics] if only else []


def _legacy(paths: list[str], config_dir: str | None, *, ignored: bool) -> _Legacy | None:
    """Findings on ``~/.ponybunny`` when the config directory is checked (no paths); ``ignored``: also
    the copies PonyBunny ignores (lint's files.legacy-copy rule reports those itself)."""
    if paths:
        return None
    from pbcfg.check.loader_findings import legacy_findings
    from pbcfg.source.locations import CONFIG_FILES
    from pbcfg.source.locations import config_dir as resolve_config_dir

    directory = resolve_config_dir(config_dir)
    found = legacy_findings(directory, os.path.expanduser("~"), config_dir, ignored=ignored)
    if not found:
        return None
    return _Legacy(found, not any(is_present(os.path.join(directory, name)) for name in CONFIG_FILES))


def is_present(path: str) -> bool:
    """A file, or anything but a directory, under this name (a pipe under a config file's name counts)."""
    return os.path.lexists(path) and not os.path.isdir(path)


def _checked(command: str, paths: list[str], config_dir: str | None, check):
    """``check(directory)`` on the config directory; when no path was given and that directory holds no
    config, say which directory it was, what chose it, and how to check the files here instead."""
    from pbcfg.errors import InputError
    from pbcfg.source.locations import config_dir as resolve_config_dir

    directory = resolve_config_dir(config_dir)
    try:
        return check(directory)
    except InputError:
        from pbcfg.source.locations import CONFIG_FILES, config_dir_origin
        from pbcfg.source.reading import SOURCE_FILES

        names = CONFIG_FILES + SOURCE_FILES
        if paths or any(is_present(os.path.join(directory, name)) for name in names):
            raise  # a file is there (a pipe under a config file's name too): its own error says more
        here = [name for name in names if os.path.isfile(name)]
        advice = (
            f"to check the {' and '.join(here)} here, run `pbcfg {command} .`"
            if here
            else "pass the files, or point --config-dir at your PonyBunny config directory"
        )
        raise InputError(
            f"{directory}: no {' or '.join(CONFIG_FILES)} in the config directory (from "
            f"{config_dir_origin(config_dir)}); {advice}"
        ) from None


def _lint_stdin(paths: list[str], *, fix: bool, kind: str | None, **context):
    """``lint -``: the config on standard input, with any files given beside it, as ``validate -`` reads them."""
    from pbcfg.lint.linter import lint_sources
    from pbcfg.source.reading import expand_paths, read_source

    if fix:
        from pbcfg.errors import UsageError

        raise UsageError("--fix and --diff change files, and - (stdin) is none: pass the file's path instead")
    others = [path for path in paths if path != "-"]
    files = [read_source(path, kind) for path in expand_paths(others, "")] if others else []
    return lint_sources([_stdin(kind)] + files, **context)


def _stdin(kind: str | None):
    """``-``: the config on standard input, which has no name to tell its kind by."""
    from pbcfg.errors import UsageError
    from pbcfg.source.limits import MAX_BYTES
    from pbcfg.source.reading import decode_source

    if kind is None:
        raise UsageError("- reads the config from stdin: pass --kind credentials or --kind llm-config")
    if sys.stdin is None:
        raise UsageError("- reads the config from stdin, which is closed: pipe the config in, or pass its path")
    try:
        data = sys.stdin.buffer.read(MAX_BYTES + 1)
    except OSError as error:
        from pbcfg.errors import InputError

        raise InputError(
            f"<stdin>: cannot read: {error.strerror or error}; pipe the config in, or pass its path"
        ) from None
    return decode_source("<stdin>", data, kind)
