"""Lint from start to end: validate, run every selected rule per directory, apply settings, fix."""

from __future__ import annotations

import os
from typing import NamedTuple

from pbcfg.check.pipeline import CheckResult, check_paths, check_sources
from pbcfg.diagnostics import Diagnostic, Severity
from pbcfg.lint.context import LintContext
from pbcfg.lint.fixes import SetMode, TextEdit, WriteFile, apply_edits, edit_remove_item
from pbcfg.lint.registry import CHECKS, Finding
from pbcfg.lint.settings import Settings
from pbcfg.util.pointer import split

__all__ = ["LintResult", "apply_fixes", "lint_paths"]


class LintResult(NamedTuple):
    check: CheckResult
    findings: list[Finding]

    @property
    def diagnostics(self) -> list[Diagnostic]:
        return [finding.diagnostic for finding in self.findings]


def _validation_findings(result: CheckResult) -> list[Finding]:
    """Validate's diagnostics, with the one safe fix among them: dropping a repeated fallback."""
    documents = {document.name: document for document in result.documents}
    findings = []
    for diagnostic in result.diagnostics:
        fix = None
        if diagnostic.rule == "ref.fallback-repeat" and diagnostic.file in documents:
            tokens = [int(t) if t.isascii() and t.isdigit() and i == 3 else t for i, t in enumerate(split(diagnostic.pointer))]
            fix = edit_remove_item(documents[diagnostic.file], tokens)
        findings.append(Finding(diagnostic, fix))
    return findings


def _register_rules() -> None:
    """Import every module of :mod:`pbcfg.lint.rules`, in name order; each registers its checks as it loads.

    The folder is listed directly: ``pkgutil.iter_modules`` imports ``inspect``, 7 ms of every lint run.
    """
    import importlib

    from pbcfg.lint import rules

    for folder in rules.__path__:
        for name in sorted(os.listdir(folder)):
            if name.endswith(".py") and name != "__init__.py":
                importlib.import_module(f"{rules.__name__}.{name[:-3]}")


def lint_paths(paths: list[str], *, config_dir: str, kind: str | None, settings: Settings, env: dict,
               home: str) -> LintResult:
    """Validate ``paths`` (none: ``config_dir``), then run every selected rule on each directory's files."""
    _register_rules()
    result = check_paths(paths, config_dir=config_dir, kind=kind)
    findings = _validation_findings(result)
    invalid = {d.file for d in result.diagnostics if d.severity is Severity.ERROR}
    for directory, documents in result.by_directory().items():
        # most rules assume a valid shape: on a file with errors only the shape-agnostic ones run
        valid = not any(document.name in invalid for document in documents.values())
        context = LintContext(directory, documents, env, home, valid=valid)
        for check in CHECKS.values():
            if settings.enabled(check.rule_id) and (valid or check.any_shape):
                findings.extend(check.function(context))
    covered = {f.diagnostic.pointer for f in findings if f.diagnostic.rule == "secrets.credential-in-llm-config"}
    kept = [Finding(settings.apply(f.diagnostic), f.fix) for f in findings
            if settings.keeps(f.diagnostic)
            and not (f.diagnostic.rule == "schema.additionalProperties" and f.diagnostic.pointer in covered)]
    kept.extend(Finding(problem) for problem in settings.problems)
    order = {source.name: index for index, source in enumerate(result.sources)}
    kept.sort(key=lambda f: (order.get(f.diagnostic.file, len(order)),) + f.diagnostic.sort_key())
    return LintResult(result, kept)


class FixOutcome(NamedTuple):
    applied: list[str]  # one line per change made (or, with dry_run, that would be made)
    refused: list[str]  # one line per file left alone, and why
    diffs: list[str]


def apply_fixes(findings: list[Finding], *, dry_run: bool, backup: bool) -> FixOutcome:
    """Apply every safe fix; a file is rewritten only if it stays at least as valid."""
    from pbcfg.util.atomic import write_atomic

    applied, refused, diffs = [], [], []
    edits: dict[str, list[TextEdit]] = {}
    for finding in findings:
        fix = finding.fix
        if isinstance(fix, TextEdit):
            edits.setdefault(fix.document.source.path, []).append(fix)
        elif isinstance(fix, SetMode):
            if not dry_run:
                os.chmod(fix.path, fix.mode)
            applied.append(f"chmod {fix.mode:o} {fix.path}")
        elif isinstance(fix, WriteFile):
            if not dry_run:
                write_atomic(fix.path, fix.content, backup=backup)
            applied.append(f"write {fix.path}")
    for path, file_edits in edits.items():
        source = file_edits[0].document.source
        new_text = apply_edits(source.text, file_edits)
        before = _errors(source, source.text)
        after = _errors(source, new_text)
        if after > before:
            refused.append(f"{path}: not fixed, the result would have {after} error(s) instead of {before}")
            continue
        diffs.append(_diff(source, new_text))
        if not dry_run:
            write_atomic(path, new_text, backup=backup)
        applied.append(f"edit {path} ({len(file_edits)} fix{'es' if len(file_edits) > 1 else ''})")
    return FixOutcome(applied, refused, diffs)


def _errors(source, text: str) -> int:
    result = check_sources([source._replace(text=text)])
    return sum(d.severity is Severity.ERROR for d in result.diagnostics)


def _diff(source, new_text: str) -> str:
    import difflib

    from pbcfg.util.masking import redact

    old, new = redact(source.text, source.kind), redact(new_text, source.kind)
    return "".join(difflib.unified_diff(old.splitlines(keepends=True), new.splitlines(keepends=True),
                                        f"{source.name} (before)", f"{source.name} (after)"))
