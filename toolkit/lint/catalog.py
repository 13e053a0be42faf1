"""The lint rule registry: each rule is an id, a group, a default severity, a
one-line summary, a paragraph of explanation, whether a safe fix exists, and
the function that finds it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

from ..diagnostics import Diagnostic, Severity

__all__ = ["GROUPS", "RULES", "Finding", "Rule", "all_rules", "rule"]

GROUPS = {
    "json": "JSON syntax, as PonyBunny's JSON.parse reads it",
    "schema": "the JSON Schemas",
    "ref": "references between entries and files",
    "secrets": "keys where they should not be, placeholders, file modes",
    "env": "credentials file against the environment",
    "url": "base URLs",
    "routing": "whether requests can reach a model",
    "merge": "surprises of PonyBunny's merge over its defaults",
    "files": "files and locations",
}


class Finding(NamedTuple):
    diagnostic: Diagnostic
    fix: object = None  # a pbcfg.lint.fixes fix, when one is safe


class Rule(NamedTuple):
    id: str
    severity: Severity
    summary: str
    explanation: str
    fixable: bool
    check: Callable | None  # None for validate's own rules, which lint runs through check_sources
    any_shape: bool = False  # safe to run on a file with schema errors

    @property
    def group(self) -> str:
        return self.id.split(".", 1)[0]


RULES: dict[str, Rule] = {}


def rule(rule_id: str, severity: Severity, summary: str, explanation: str, *, fixable: bool = False,
         any_shape: bool = False):
    """Register the decorated ``check(context) -> Iterable[Finding]`` under ``rule_id``."""

    def register(check: Callable) -> Callable:
        RULES[rule_id] = Rule(rule_id, severity, summary, " ".join(explanation.split()), fixable, check, any_shape)
        return check

    return register


def all_rules() -> dict[str, Rule]:
    """Validate's rules and every lint rule, by id."""
    from ..rules import RULES as VALIDATE_RULES
    from . import environment, files, merging, routing, secrets, urls  # noqa: F401  (they register)

    catalog = {rule_id: Rule(rule_id, Severity.parse(severity), summary, help_text,
                             rule_id == "ref.fallback-repeat", None)
               for rule_id, (severity, summary, help_text) in VALIDATE_RULES.items()}
    catalog.update(RULES)
    return catalog
