"""Lint configuration: ``[tool.pbcfg.lint]`` in pyproject.toml, or ``[lint]`` in .pbcfg.toml.

Found by walking up from the first checked file. JSON has no comments, so
suppressions live here: by rule or group, per file (glob) and per pointer.
``--select`` and ``--ignore`` on the command line combine with them as ruff's do
(:meth:`Settings.enabled`).

    [tool.pbcfg.lint]
    select = ["secrets", "routing", "url.missing-v1"]    # default: every rule
    ignore = ["merge.changed-default"]
    severity = { "routing.unused-endpoint" = "info" }
    per-file-ignores = { "examples/*.json" = ["secrets.placeholder-key"] }
    per-pointer-ignores = { "/endpoints/openai-compatible/baseUrl" = ["url.missing-v1"] }
    environment = "check"    # judge this process's environment and file modes (default: not in a git work tree)
"""

from __future__ import annotations

import fnmatch
import os
from typing import NamedTuple

from pbcfg.catalog import diagnostic
from pbcfg.diagnostics import Diagnostic, Severity
from pbcfg.util.suggest import did_you_mean

__all__ = ["Settings", "find_settings"]

_KEYS = ("select", "ignore", "severity", "per-file-ignores", "per-pointer-ignores", "environment")
ENVIRONMENT = ("check", "summary", "ignore")  # see pbcfg.lint.context


class Settings(NamedTuple):
    path: str | None = None
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    severity: dict = {}
    per_file_ignores: dict = {}
    per_pointer_ignores: dict = {}
    problems: tuple[Diagnostic, ...] = ()
    environment: str | None = None  # one of ENVIRONMENT; None: by where the files are
    command_line: tuple[tuple[str, ...], tuple[str, ...]] = ((), ())  # --select, --ignore

    def enabled(self, rule_id: str) -> bool:
        """Ruff's resolution: the settings file, then the command line. A layer with a ``select`` starts
        over (what it does not select is off, the file's ``ignore`` included); a layer without one only
        adjusts. Within a layer the most specific selector (a rule over its group) decides, and ``ignore``
        wins a tie."""
        enabled = True  # no select anywhere: every rule
        for select, ignore in ((self.select, self.ignore), self.command_line):
            verdict = _verdict(rule_id, select, ignore)
            if select:
                enabled = verdict is True
            elif verdict is not None:
                enabled = verdict
        return enabled

    def with_command_line(self, select: tuple[str, ...], ignore: tuple[str, ...]) -> "Settings":
        """These settings under ``--select`` and ``--ignore`` (rule ids or groups, repeated or comma-separated);
        an unknown name is a usage error."""
        return self._replace(command_line=(_names("--select", select), _names("--ignore", ignore)))

    def keeps(self, diagnostic: Diagnostic) -> bool:
        if not self.enabled(diagnostic.rule):
            return False
        group = diagnostic.rule.split(".", 1)[0]
        if self.per_file_ignores:
            base = os.path.dirname(self.path) if self.path else os.getcwd()
            relative = os.path.relpath(os.path.abspath(diagnostic.file), base)
        for pattern, rules in self.per_file_ignores.items():
            if (fnmatch.fnmatch(relative, pattern) or fnmatch.fnmatch(diagnostic.file, pattern)) and (
                diagnostic.rule in rules or group in rules
            ):
                return False
        rules = self.per_pointer_ignores.get(diagnostic.pointer or "", ())
        return diagnostic.rule not in rules and group not in rules

    def apply(self, diagnostic: Diagnostic) -> Diagnostic:
        level = self.severity.get(diagnostic.rule)
        return diagnostic._replace(severity=Severity.parse(level)) if level else diagnostic


def _verdict(rule_id: str, select: tuple[str, ...], ignore: tuple[str, ...]) -> bool | None:
    """True or False when the rule or its group is named in one layer, the rule itself first; else None."""
    for selector in (rule_id, rule_id.split(".", 1)[0]):
        if selector in ignore:
            return False
        if selector in select:
            return True
    return None


def _names(option: str, values: tuple[str, ...]) -> tuple[str, ...]:
    from pbcfg.catalog import RULES
    from pbcfg.errors import UsageError

    known = list(RULES) + sorted({rule_id.split(".", 1)[0] for rule_id in RULES})
    names = tuple(name.strip() for value in values for name in value.split(",") if name.strip())
    for name in names:
        if name not in known:
            guess = did_you_mean(name, known)
            raise UsageError(
                f"{option} {name}: no such rule or group"
                + (f"; did you mean {guess!r}?" if guess else "; see `pbcfg lint --list-rules`")
            )
    return names


def find_settings(start: str) -> Settings:
    """The nearest .pbcfg.toml or pyproject.toml with a lint table, walking up from ``start``."""
    directory = os.path.abspath(start if os.path.isdir(start) else os.path.dirname(start) or ".")
    while True:
        for name, table_path in ((".pbcfg.toml", ("lint",)), ("pyproject.toml", ("tool", "pbcfg", "lint"))):
            path = os.path.join(directory, name)
            if os.path.isfile(path):
                table = _table(path, table_path)
                if table is not None:
                    return _settings(path, table)
        parent = os.path.dirname(directory)
        if parent == directory:
            return Settings()
        directory = parent


def _table(path: str, keys: tuple[str, ...]):
    import tomllib

    from pbcfg.errors import InputError

    try:
        with open(path, "rb") as handle:
            data: object = tomllib.load(handle)
    except tomllib.TOMLDecodeError as error:
        raise InputError(f"{path}: not valid TOML: {error}") from None
    except OSError as error:
        raise InputError(f"{path}: cannot read: {error.strerror or error}") from None
    for key in keys:
        data = data.get(key) if isinstance(data, dict) else None
    return data if isinstance(data, dict) else None


def _settings(path: str, table: dict) -> Settings:
    from pbcfg.catalog import RULES as known_rules

    with open(path, encoding="utf-8") as handle:
        text = handle.read()
    problems: list[Diagnostic] = []
    groups = {rule_id.split(".", 1)[0] for rule_id in known_rules}

    def problem(word: str, message: str, choices) -> None:
        from pbcfg.source.positions import line_col

        offset = text.find(word)
        guess = did_you_mean(word, choices)
        problems.append(
            diagnostic(
                "config.unknown",
                path,
                message,
                f"did you mean {guess!r}?" if guess else None,
                span=line_col(text, offset) if offset >= 0 else None,
            )
        )

    for key in table:
        if key not in _KEYS:
            problem(key, f"unknown lint setting {key!r}", _KEYS)

    def rules_of(value, where: str) -> tuple[str, ...]:
        names = tuple(value) if isinstance(value, list) else ()
        for name in names:
            if name not in known_rules and name not in groups:
                problem(name, f"unknown rule or group {name!r} in {where}", list(known_rules) + sorted(groups))
        return names

    severity = {}
    for rule_id, level in (table.get("severity") or {}).items():
        if rule_id not in known_rules:
            problem(rule_id, f"unknown rule {rule_id!r} in severity", known_rules)
        elif level not in ("error", "warning", "info"):
            problem(
                str(level),
                f"severity of {rule_id} must be error, warning or info, not {level!r}",
                ("error", "warning", "info"),
            )
        else:
            severity[rule_id] = level
    environment = table.get("environment")
    if environment is not None and environment not in ENVIRONMENT:
        problem(
            str(environment), f"environment must be one of {', '.join(ENVIRONMENT)}, not {environment!r}", ENVIRONMENT
        )
        environment = None
    return Settings(
        path,
        rules_of(table.get("select"), "select"),
        rules_of(table.get("ignore"), "ignore"),
        severity,
        {
            pattern: rules_of(rules, "per-file-ignores")
            for pattern, rules in (table.get("per-file-ignores") or {}).items()
        },
        {
            pointer: rules_of(rules, "per-pointer-ignores")
            for pointer, rules in (table.get("per-pointer-ignores") or {}).items()
        },
        tuple(problems),
        environment,
    )
