"""Lint from start to end: validate, run every selected rule per directory, apply settings, fix."""

from __future__ import annotations

import os
from typing import NamedTuple

from pbcfg.catalog import RULES
from pbcfg.check.pipeline import CheckResult, check_sources, report_order
from pbcfg.check.supersede import supersede
from pbcfg.diagnostics import MAX_DIAGNOSTICS, Diagnostic, Severity, hidden_severities, plural
from pbcfg.lint.context import LintContext
from pbcfg.lint.fixes import SetMode, WriteFile, select_fixes
from pbcfg.lint.registry import CHECKS, Finding
from pbcfg.lint.settings import Settings
from pbcfg.source.commands import pbcfg_on
from pbcfg.source.edits import Edit, OverlappingEdits
from pbcfg.source.reading import Source
from pbcfg.util.pointer import split

__all__ = ["FixOutcome", "LintResult", "apply_fixes", "fix_paths", "lint_paths", "lint_sources"]


class LintResult(NamedTuple):
    check: CheckResult
    findings: list[Finding]
    files: list[str]  # the files asked for (a partner read for context is not one of them)
    notes: list[str]  # facts folded into the summary line, one line each
    skipped: list[str]  # per file lint left alone because it does not validate: what is wrong with it
    hidden: dict = {}  # file -> severity -> count of the findings past the cap on diagnostics per file
    fixable: tuple[int, int] = (
        0,
        0,
    )  # findings ``--fix`` fixes, and those only ``--unsafe-fixes`` does: all, shown or not

    @property
    def diagnostics(self) -> list[Diagnostic]:
        return [finding.diagnostic for finding in self.findings]


def _validation_findings(result: CheckResult, shown: set[str]) -> list[Finding]:
    """Validate's diagnostics on the files asked for, each with the fix its rule declares when that fix is a
    removal of what the diagnostic's pointer names."""
    documents = {document.name: document for document in result.documents}
    findings = []
    for diagnostic in result.diagnostics:
        if diagnostic.file not in shown:
            continue
        fix, op, document = None, RULES[diagnostic.rule].fix, documents.get(diagnostic.file)
        if (
            op in ("remove-item", "remove-member")
            and document is not None
            and not document.source.is_yaml
            and diagnostic.pointer
        ):
            fix = Edit(op, split(diagnostic.pointer), file=document.source.path)
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


def _partners(paths: list[str]) -> list[str]:
    """The other file of each pair, beside a file asked for alone: lint judges a pair, never half of one.

    pre-commit passes only the files that changed, and credentials.json means little without the
    llm-config.json that says which endpoints are enabled."""
    from pbcfg.source.reading import KINDS, SUFFIXES

    given = {os.path.realpath(path) for path in paths}
    found = []
    for path in paths:
        name = os.path.basename(path)
        kind = next((k for k in KINDS if name.startswith(k) and name.endswith(SUFFIXES)), None)
        if kind is None or name.endswith(".schema.json"):
            continue
        other = KINDS[1 - KINDS.index(kind)]
        suffix = os.path.splitext(name)[1]
        for candidate in (other + suffix,) + tuple(other + s for s in SUFFIXES if s != suffix):
            candidate_path = os.path.join(os.path.dirname(path), candidate)
            if os.path.isfile(candidate_path):
                if os.path.realpath(candidate_path) not in given:
                    given.add(os.path.realpath(candidate_path))
                    found.append(candidate_path)
                break
    return found


def _skipped(result: CheckResult, invalid: set[str]) -> list[str]:
    """One line per file that does not validate: lint's rules, so its fixes, did not run on it."""
    lines = []
    for name in sorted(invalid, key=result.files.index):
        errors = [d for d in result.errors if d.file == name]
        rules = ", ".join(dict.fromkeys(d.rule for d in errors))
        advice = (
            f"; `{pbcfg_on(os.path.dirname(name), 'migrate', '--only', 'strict-json')}` removes comments and "
            "trailing commas"
            if any(d.rule in ("json.comment", "json.trailing-comma") for d in errors)
            else "; fix those by hand"
        )
        lines.append(
            f"{name}: not fixed: it does not validate ({len(errors)} error{'s' if len(errors) > 1 else ''}: "
            f"{rules}), so lint's rules and their fixes did not run on it{advice}"
        )
    return lines


def lint_paths(
    paths: list[str],
    *,
    config_dir: str,
    kind: str | None,
    settings: Settings,
    env: dict,
    home: str,
    max_diagnostics: int | None = MAX_DIAGNOSTICS,
) -> LintResult:
    """Validate ``paths`` (none: ``config_dir``), then run every selected rule on each directory's files;
    at most ``max_diagnostics`` findings per file (None or 0: all), the others counted.

    A rule runs when each file it reads validates (or is absent), so an error in one file of a pair
    does not silence the rules about the other."""
    from pbcfg.check.pipeline import interrupted_writes

    sources, shown = _read(paths, config_dir=config_dir, kind=kind)
    return _lint(
        sources,
        shown,
        settings=settings,
        env=env,
        home=home,
        before=interrupted_writes(sources),
        max_diagnostics=max_diagnostics,
    )


def lint_sources(sources: list[Source], *, settings: Settings, env: dict, home: str) -> LintResult:
    """Lint ``sources`` read elsewhere (standard input among them), every one reported on."""
    return _lint(sources, {source.name for source in sources}, settings=settings, env=env, home=home)


def _read(paths: list[str], *, config_dir: str, kind: str | None) -> tuple[list[Source], set[str]]:
    """The files asked for, each once, then their partners; and the names of those asked for."""
    from pbcfg.errors import InputError
    from pbcfg.source.reading import expand_paths, read_source

    requested, seen = [], set()
    for path in expand_paths(paths, config_dir):  # each file once, as check_paths reads them
        if os.path.realpath(path) not in seen:
            seen.add(os.path.realpath(path))
            requested.append(path)
    sources = [read_source(path, kind) for path in requested]
    shown = {source.name for source in sources}
    for path in _partners(requested):
        try:
            sources.append(read_source(path, kind))
        except InputError:
            pass  # a partner that cannot be read is left out; validate the directory to hear why
    return sources, shown


def _lint(
    sources: list[Source],
    shown: set[str],
    *,
    settings: Settings,
    env: dict,
    home: str,
    before: list[Diagnostic] | tuple[Diagnostic, ...] = (),
    max_diagnostics: int | None = None,
) -> LintResult:
    """Lint ``sources`` as they are (on disk, or fixed in memory); ``before``: findings reported first;
    ``max_diagnostics``: the cap per file (None: every finding, as ``--fix`` needs)."""
    from pbcfg.lint.reach import skipped_note

    _register_rules()
    result = check_sources(sources, max_diagnostics=max_diagnostics, trim=False)
    result.diagnostics[:0] = before
    findings = _validation_findings(result, shown)
    invalid = {d.file for d in result.errors}
    notes = []
    for directory, documents in result.by_directory():
        invalid_kinds = frozenset(kind for kind, document in documents.items() if document.name in invalid)
        context = LintContext(directory, documents, env, home, invalid=invalid_kinds, environment=settings.environment)
        for check in CHECKS.values():
            if settings.enabled(check.rule_id) and (check.any_shape or not invalid_kinds & set(check.reads)):
                findings.extend(finding for finding in check.function(context) if finding is not None)
        if context.judges_machine and settings.enabled("env.missing-credential"):
            notes.extend(skipped_note(context))
    # a partner read for context is not reported on; files outside the pair (schema files, legacy copies) are
    findings = [f for f in findings if f.diagnostic.file in shown or f.diagnostic.file not in result.files]
    findings = supersede(findings, lambda f: f.diagnostic)
    kept = [f._replace(diagnostic=settings.apply(f.diagnostic)) for f in findings if settings.keeps(f.diagnostic)]
    kept.extend(Finding(problem) for problem in settings.problems)
    in_order = report_order(result.sources)
    kept.sort(key=lambda f: in_order(f.diagnostic))
    fixed = [finding.unsafe for finding in kept if finding.fix is not None]
    hidden = {name: rules for name, rules in result.hidden.items() if name in shown}
    found = LintResult(
        result,
        kept,
        [name for name in result.files if name in shown],
        notes,
        _skipped(result, invalid & shown),
        {},
        (fixed.count(False), fixed.count(True)),
    )
    return capped(found, max_diagnostics, settings, hidden)


def capped(result: LintResult, most: int | None, settings: Settings, hidden: dict | None = None) -> LintResult:
    """``result`` with at most ``most`` findings per file (None or 0: all), the others counted by severity;
    ``hidden``: file -> rule -> count of those already past the cap."""
    hidden = {name: dict(rules) for name, rules in (hidden or {}).items()}
    kept = result.findings
    if most:
        counted: dict[str, int] = {}
        kept = []
        for finding in result.findings:
            name = finding.diagnostic.file
            counted[name] = counted.get(name, 0) + 1
            if counted[name] <= most:
                kept.append(finding)
            else:
                rules = hidden.setdefault(name, {})
                rules[finding.diagnostic.rule] = rules.get(finding.diagnostic.rule, 0) + 1
    return result._replace(findings=kept, hidden=hidden_severities(hidden, _severity_under(settings)))


def _severity_under(settings: Settings):
    """rule -> the severity ``settings`` report it at, or None when they turn it off."""
    from pbcfg.catalog import diagnostic

    def severity_of(rule: str):
        placeholder = diagnostic(rule, "", "")
        return settings.apply(placeholder).severity if settings.keeps(placeholder) else None

    return severity_of


class FixOutcome(NamedTuple):
    applied: list[str]  # one line per change made (or, with dry_run, that would be made)
    refused: list[str]  # one line per file left alone, and why
    diffs: list[str]
    result: LintResult | None = None  # the lint of the files as they are now (with dry_run: as they were)


class _Fixed(NamedTuple):
    texts: dict[str, str]  # path -> the text with its fixes, for each file that keeps them
    edits: dict[str, int]  # path -> how many fixes
    modes: list[SetMode]
    files: list[WriteFile]
    refused: list[str]


def _fix(findings: list[Finding], sources: list[Source], before: CheckResult, recheck):
    """Every fix of ``findings``, made in memory: (what was fixed, ``recheck``'s result on the fixed files).

    ``recheck(sources) -> (CheckResult, result)`` checks the fixed files once; a file that would have more
    errors than ``before`` keeps its text, and only then are the files checked a second time."""
    edits: dict[str, list[Edit]] = {}
    modes, files = [], []
    for finding in findings:
        fix = finding.fix
        if isinstance(fix, Edit):
            assert fix.file is not None  # a finding's edit names its file (lint/fixes.py)
            edits.setdefault(fix.file, []).append(fix)
        elif isinstance(fix, SetMode):
            modes.append(fix)
        elif isinstance(fix, WriteFile):
            files.append(fix)
    by_path = {source.path: source for source in sources}
    documents = {document.source.path: document for document in before.documents}
    texts, refused = {}, []
    for path, file_edits in edits.items():
        try:
            texts[path] = _edited(by_path[path], documents.get(path), file_edits)
        except OverlappingEdits:
            refused.append(f"{path}: not fixed: two fixes change the same text; fix it by hand")
    texts = {path: text for path, text in texts.items() if text != by_path[path].text}
    fixed = _Fixed(texts, {path: len(edits[path]) for path in texts}, modes, files, refused)
    if not texts:
        return fixed, None
    after = recheck([source._replace(text=texts.get(source.path, source.text)) for source in sources])
    worse = []
    for path in texts:
        name = by_path[path].name
        was, now = _errors_in(before, name), _errors_in(after[0], name)
        if now > was:
            fixed.refused.append(f"{path}: not fixed, the result would have {plural(now, 'error')} instead of {was}")
            worse.append(path)
    for path in worse:
        del texts[path], fixed.edits[path]
    if worse:
        after = (
            recheck([source._replace(text=texts.get(source.path, source.text)) for source in sources])
            if texts
            else None
        )
    return fixed, after


def _edited(source: Source, document, edits: list[Edit]) -> str:
    """``source``'s text with ``edits`` made, located in the index validate built when it still fits the text."""
    from pbcfg.source.json_edit import apply_edits

    index = document.index if document is not None and document.strict_text == source.text else None
    return apply_edits(source.text, edits, index)


def _errors_in(result: CheckResult, name: str) -> int:
    return sum(1 for d in result.errors if d.file == name) + sum(
        count for rule, count in result.hidden.get(name, {}).items() if RULES[rule].severity is Severity.ERROR
    )


def _apply(
    originals: dict, texts: dict[str, str], modes: list[SetMode], files: list[WriteFile], *, backup: bool
) -> None:
    """chmod first (it only ever narrows access, and a refused link stops everything before a byte is written),
    then every file as one unit, each checked to be unchanged since it was read."""
    from pbcfg.util.atomic import Write, set_mode, write_files

    for fix in modes:
        set_mode(fix.path, fix.mode)
    write_files(
        [Write(path, text, backup, expected=originals[path].text) for path, text in texts.items()]
        + [Write(fix.path, fix.content, backup) for fix in files]
    )


def _lines(edits: dict[str, int], modes: list[SetMode], files: list[WriteFile]) -> list[str]:
    return (
        [f"chmod {fix.mode:o} {fix.path}" for fix in modes]
        + [f"write {fix.path}" for fix in files]
        + [f"edit {path} ({count} fix{'es' if count > 1 else ''})" for path, count in edits.items()]
    )


def apply_fixes(findings: list[Finding], sources: list[Source], *, dry_run: bool, backup: bool) -> FixOutcome:
    """Apply every fix of ``findings`` to ``sources``; a file is rewritten only if it stays at least as valid."""
    fixed, _ = _fix(findings, sources, check_sources(sources), lambda fixed: (check_sources(fixed), None))
    originals = {source.path: source for source in sources}
    if not dry_run:
        _apply(originals, fixed.texts, fixed.modes, fixed.files, backup=backup)
    return FixOutcome(
        _lines(fixed.edits, fixed.modes, fixed.files),
        fixed.refused,
        [_diff(originals[path], text) for path, text in fixed.texts.items()],
    )


def fix_paths(
    paths: list[str],
    *,
    config_dir: str,
    kind: str | None,
    settings: Settings,
    env: dict,
    home: str,
    dry_run: bool,
    backup: bool,
    unsafe: bool = False,
    max_diagnostics: int | None = MAX_DIAGNOSTICS,
) -> FixOutcome:
    """``lint --fix`` (or, with ``dry_run``, ``--diff``): holding the lock of every directory, read and lint the
    files, make every fix in memory, lint the fixed files, then write once. Each file is parsed and checked
    twice (three times when a fix is refused for making a file less valid); ``result`` is the second lint,
    capped at ``max_diagnostics`` per file, so what is reported is what was fixed.

    ``refused`` also says which files lint left alone and which unsafe fixes were not applied (``unsafe``
    applies them)."""
    import contextlib

    from pbcfg.check.pipeline import interrupted_writes
    from pbcfg.source.reading import directory_of, expand_paths
    from pbcfg.util.dirlock import lock_directories

    def lint(fixed: list[Source]) -> tuple[CheckResult, LintResult]:
        linted = _lint(fixed, shown, settings=settings, env=env, home=home, before=interrupted)
        return linted.check, linted

    directories = {directory_of(path) for path in expand_paths(paths, config_dir)}
    with contextlib.nullcontext() if dry_run else lock_directories(directories):
        sources, shown = _read(paths, config_dir=config_dir, kind=kind)
        interrupted = interrupted_writes(sources)
        before = _lint(sources, shown, settings=settings, env=env, home=home, before=interrupted)
        chosen, hidden = select_fixes(before.findings, unsafe=unsafe)
        fixed, after = _fix(chosen, sources, before.check, lint)
        originals = {source.path: source for source in sources}
        if not dry_run:
            _apply(originals, fixed.texts, fixed.modes, fixed.files, backup=backup)
        result = before if dry_run or after is None else after[1]
        if not dry_run and (fixed.modes or fixed.files):  # fixed outside the text: those findings are gone
            done = {fix.path for fix in fixed.modes + fixed.files}
            result = result._replace(
                findings=[
                    f for f in result.findings if not (isinstance(f.fix, (SetMode, WriteFile)) and f.fix.path in done)
                ]
            )
    refused = list(dict.fromkeys(fixed.refused + before.skipped + hidden))
    return FixOutcome(
        _lines(fixed.edits, fixed.modes, fixed.files),
        refused,
        [_diff(originals[path], text) for path, text in fixed.texts.items()],
        capped(result, max_diagnostics, settings),
    )


def _diff(source, new_text: str) -> str:
    from pbcfg.secrets.masking import masked_diff

    return masked_diff(
        source.text,
        new_text,
        kind=source.kind,
        yaml=source.is_yaml,
        old_label=f"{source.name} (before)",
        new_label=f"{source.name} (after)",
    )
