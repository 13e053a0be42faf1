"""The lint rule functions, by rule id.

A rule module decorates each function with ``@check("group.name")``; the
linter (:mod:`pbcfg.lint.linter`) imports the rule modules, which registers them. What a rule is
(severity, summary, explanation, its fix, what it supersedes) is data in :mod:`pbcfg.catalog`, so
this module holds only the code that finds it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

from pbcfg.catalog import RULES
from pbcfg.diagnostics import Diagnostic

__all__ = ["CHECKS", "Check", "Finding", "check"]


class Finding(NamedTuple):
    diagnostic: Diagnostic
    fix: object = None  # an Edit of pbcfg.source.edits, or a SetMode or WriteFile of pbcfg.lint.fixes
    unsafe: bool = False  # the fix guesses: applied only with --unsafe-fixes (ruff's name)


class Check(NamedTuple):
    rule_id: str
    function: Callable  # (LintContext) -> Iterable[Finding | None]; None: a place in a file that does not exist
    any_shape: bool  # safe to run on a file with schema errors
    reads: tuple[str, ...]  # the kinds of file it reads: it runs when each of them validates (or is absent)


CHECKS: dict[str, Check] = {}


def check(rule_id: str, *, any_shape: bool = False, reads: tuple[str, ...] = ("credentials", "llm-config")):
    """Register the decorated ``function(context) -> Iterable[Finding]`` as the check of ``rule_id``."""
    if rule_id not in RULES:
        raise KeyError(f"{rule_id} is not in pbcfg.catalog")

    def register(function: Callable) -> Callable:
        CHECKS[rule_id] = Check(rule_id, function, any_shape, reads)
        return function

    return register
