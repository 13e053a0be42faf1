"""Lint from start to end: validate, run every selected rule per directory, apply settings, fix."""

from __future__ import annotations

import os
import sys
from typing import NamedTuple

from pbcfg.check.pipeline import CheckResult, check_sources, report_order
from pbcfg.diagnostics import MAX_DIAGNOSTICS, Diagnostic, hidden_severities, plural
from pbcfg.lint.context import LintContext
from pbcfg.lint.fixes import SetMode, TextEdit, WriteFile, apply_edits, edit_remove_item, select_fixes
from pbcfg.lint.registry import CHECKS, Finding
from pbcfg.lint.settings import Settings
from pbcfg.source.files import Source
from pbcfg.util.pointer import split

__all__ = ["FixOutcome", "LintResult", "apply_fixes", "fix_paths", "lint_paths", "lint_sources"]


class LintResult(NamedTuple):
    check: CheckResult
    findings: list[Finding]
    files: list[str]  # the files asked for (a partner read for context is not one of them)
    notes: list[str]  # facts folded into the summary line, one line each
    skipped: list[str]  # per file lint left alone because it does not validate: what is wrong with it
    hidden: dict = {}  # file -> severity -> count of the findings past the cap on diagnostics per file
    fixable: tuple[int, int] = (0, 0)  # findings ``--fix`` fixes, and those only ``--unsafe-fixes`` does: all, shown or not

    @property
    def diagnostics(self) -> list[Diagnostic]:
        return [finding.diagnostic for finding in self.findings]



def _validation_findings(result: CheckResult, shown: set[str]) -> list[Finding]:
    """Validate's diagnostics on the files asked for, with its one safe fix: dropping a repeated fallback."""
    documents = {document.name: document for document in result.documents}
    findings = []
    for diagnostic in result.diagnostics:
        if diagnostic.file not in shown:
            continue
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


def _partners(paths: list[str]) -> list[str]:
    """The other file of each pair, beside a file asked for alone: lint judges a pair, never half of one.

    pre-commit passes only the files that changed, and credentials.json means little without the
    llm-config.json that says which endpoints are enabled."""
    from pbcfg.source.files import KINDS, SUFFIXES

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
        advice = ("; `pbcfg migrate --only strict-json` removes comments and trailing commas"
                  if any(d.rule in ("json.comment", "json.trailing-comma") for d in errors)
                  else "; fix those by hand")
        lines.append(f"{name}: not fixed: it does not validate ({len(errors)} error{'s' if len(errors) > 1 else ''}: "
                     f"{rules}), so lint's rules and their fixes did not run on it{advice}")
    return lines


def lint_paths(paths: list[str], *, config_dir: str, kind: str | None, settings: Settings, env: dict,
               home: str, max_diagnostics: int | None = MAX_DIAGNOSTICS) -> LintResult:
    """Validate ``paths`` (none: ``config_dir``), then run every selected rule on each directory's files;
    at most ``max_diagnostics`` findings per file (None or 0: all), the others counted.

    A rule runs when each file it reads validates (or is absent), so an error in one file of a pair
    does not silence the rules about the other."""
    from pbcfg.check.pipeline import interrupted_writes

    sources, shown = _read(paths, config_dir=config_dir, kind=kind)
    return _lint(sources, shown, settings=settings, env=env, home=home, before=interrupted_writes(sources),
                 max_diagnostics=max_diagnostics)


def lint_sources(sources: list[Source], *, settings: Settings, env: dict, home: str) -> LintResult:
    """Lint ``sources`` read elsewhere (standard input among them), every one reported on."""
    return _lint(sources, {source.name for source in sources}, settings=settings, env=env, home=home)


def _read(paths: list[str], *, config_dir: str, kind: str | None) -> tuple[list[Source], set[str]]:
    """The files asked for, each once, then their partners; and the names of those asked for."""
    from pbcfg.errors import InputError
    from pbcfg.source.files import expand_paths, read_source

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


def _lint(sources: list[Source], shown: set[str], *, settings: Settings, env: dict, home: str,
          before: list[Diagnostic] = (), max_diagnostics: int | None = None) -> LintResult:
    """Lint ``sources`` as they are (on disk, or fixed in memory); ``before``: findings reported first;
    ``max_diagnostics``: the cap per file (None: every finding, as ``--fix`` needs)."""
    from pbcfg.lint.reach import skipped_note

    _register_rules()
    result = check_sources(sources, max_diagnostics=max_diagnostics, trim=False)
    result.diagnostics[:0] = before
    findings = _validation_findings(result, shown)
    invalid = {d.file for d in result.errors}
    notes = []
    for directory, documents in result.by_directory().items():
        invalid_kinds = frozenset(kind for kind, document in documents.items() if document.name in invalid)
        context = LintContext(directory, documents, env, home, invalid=invalid_kinds,
                              environment=settings.environment)
        for check in CHECKS.values():
            if settings.enabled(check.rule_id) and (check.any_shape or not invalid_kinds & set(check.reads)):
                findings.extend(finding for finding in check.function(context) if finding is not None)
        if context.judges_machine and settings.enabled("env.missing-credential"):
            notes.extend(skipped_note(context))
    # a partner read for context is not reported on; files outside the pair (schema files, legacy copies) are
    findings = [f for f in findings if f.diagnostic.file in shown or f.diagnostic.file not in result.files]
    if "pbcfg.check.public_secrets" in sys.modules:  # a key in a public place: no url.* finding repeats its value
        findings = sys.modules["pbcfg.check.public_secrets"].supersede(findings, lambda f: f.diagnostic)
    covered = {f.diagnostic.pointer for f in findings if f.diagnostic.rule == "secrets.credential-in-llm-config"}
    kept = [f._replace(diagnostic=settings.apply(f.diagnostic)) for f in findings
            if settings.keeps(f.diagnostic)
            and not (f.diagnostic.rule == "schema.additionalProperties" and f.diagnostic.pointer in covered)]
    kept.extend(Finding(problem) for problem in settings.problems)
    in_order = report_order(result.sources)
    kept.sort(key=lambda f: in_order(f.diagnostic))
    hidden: dict[str, dict[str, int]] = {name: rules for name, rules in result.hidden.items() if name in shown}
    fixed = [finding.unsafe for finding in kept if finding.fix is not None]
    if max_diagnostics:
        counted: dict[str, int] = {}
        capped = []
        for finding in kept:
            name = finding.diagnostic.file
            counted[name] = counted.get(name, 0) + 1
            if counted[name] <= max_diagnostics:
                capped.append(finding)
            else:
                rules = hidden.setdefault(name, {})
                rules[finding.diagnostic.rule] = rules.get(finding.diagnostic.rule, 0) + 1
        kept = capped
    return LintResult(result, kept, [name for name in result.files if name in shown], notes,
                      _skipped(result, invalid & shown), hidden_severities(hidden, _severity_under(settings)),
                      (fixed.count(False), fixed.count(True)))


def _severity_under(settings: Settings):
    """rule -> the severity ``settings`` report it at, or None when they turn it off."""
    from pbcfg.rules import diagnostic

    def severity_of(rule: str):
        placeholder = diagnostic(rule, "", "")
        return settings.apply(placeholder).severity if settings.keeps(placeholder) else None

    return severity_of


class FixOutcome(NamedTuple):
    applied: list[str]  # one line per change made (or, with dry_run, that would be made)
    refused: list[str]  # one line per file left alone, and why
    diffs: list[str]


class _Pass(NamedTuple):
    texts: dict[str, str]  # path -> the text with this pass's edits
    edits: dict[str, int]  # path -> how many edits
    modes: list[SetMode]
    files: list[WriteFile]
    refused: list[str]


def _one_pass(findings: list[Finding]) -> _Pass:
    """Every safe fix of ``findings``, in memory; a file's edits are kept only if it stays at least as valid."""
    step = _Pass({}, {}, [], [], [])
    edits: dict[str, list[TextEdit]] = {}
    for finding in findings:
        fix = finding.fix
        if isinstance(fix, TextEdit):
            edits.setdefault(fix.document.source.path, []).append(fix)
        elif isinstance(fix, SetMode):
            step.modes.append(fix)
        elif isinstance(fix, WriteFile):
            step.files.append(fix)
    for path, file_edits in edits.items():
        source = file_edits[0].document.source
        new_text = apply_edits(source.text, file_edits)
        before = _errors(source, source.text)
        after = _errors(source, new_text)
        if after > before:
            step.refused.append(f"{path}: not fixed, the result would have {plural(after, 'error')} instead of {before}")
            continue
        step.texts[path] = new_text
        step.edits[path] = len(file_edits)
    return step


def _apply(originals: dict, texts: dict[str, str], modes: list[SetMode], files: list[WriteFile], *,
           backup: bool) -> None:
    """chmod first (it only ever narrows access, and a refused link stops everything before a byte is written),
    then every file as one unit, each checked to be unchanged since it was read."""
    from pbcfg.util.atomic import Write, set_mode, write_files

    for fix in modes:
        set_mode(fix.path, fix.mode)
    write_files([Write(path, text, backup, expected=originals[path].text) for path, text in texts.items()]
                + [Write(fix.path, fix.content, backup) for fix in files])


def _lines(edits: dict[str, int], modes: list[SetMode], files: list[WriteFile]) -> list[str]:
    return ([f"chmod {fix.mode:o} {fix.path}" for fix in modes] + [f"write {fix.path}" for fix in files]
            + [f"edit {path} ({count} fix{'es' if count > 1 else ''})" for path, count in edits.items()])


def apply_fixes(findings: list[Finding], *, dry_run: bool, backup: bool) -> FixOutcome:
    """Apply every safe fix of ``findings`` (one pass); a file is rewritten only if it stays at least as valid."""
    step = _one_pass(findings)
    originals = {finding.fix.document.source.path: finding.fix.document.source for finding in findings
                 if isinstance(finding.fix, TextEdit)}
    if not dry_run:
        _apply(originals, step.texts, step.modes, step.files, backup=backup)
    return FixOutcome(_lines(step.edits, step.modes, step.files), step.refused,
                      [_diff(originals[path], text) for path, text in step.texts.items()])


def fix_paths(paths: list[str], *, config_dir: str, kind: str | None, settings: Settings, env: dict, home: str,
              dry_run: bool, backup: bool, unsafe: bool = False) -> FixOutcome:
    """``lint --fix`` (or, with ``dry_run``, ``--diff``): holding the lock of every directory, read, fix again
    and again in memory while a fix uncovers another (two removals in one array), then write once.

    ``refused`` also says, from the first pass, which files lint left alone and which unsafe fixes were not
    applied (``unsafe`` applies them)."""
    import contextlib

    from pbcfg.source.files import directory_of, expand_paths
    from pbcfg.util.dirlock import lock_directories

    directories = {directory_of(path) for path in expand_paths(paths, config_dir)}
    with contextlib.nullcontext() if dry_run else lock_directories(directories):
        sources, shown = _read(paths, config_dir=config_dir, kind=kind)
        originals = {source.path: source for source in sources}
        edits: dict[str, int] = {}
        modes: dict[str, SetMode] = {}
        files: dict[str, WriteFile] = {}
        refused: dict[str, None] = {}  # each line once, in order: 8,000 refused fixes are 8,000 lines to compare
        for number in range(5):
            result = _lint(sources, shown, settings=settings, env=env, home=home)
            chosen, hidden = select_fixes(result.findings, unsafe=unsafe)
            step = _one_pass(chosen)
            modes.update({fix.path: fix for fix in step.modes})
            files.update({fix.path: fix for fix in step.files})
            refused.update(dict.fromkeys(step.refused + (result.skipped + hidden if number == 0 else [])))
            for path, count in step.edits.items():
                edits[path] = edits.get(path, 0) + count
            if not step.texts:
                break
            sources = [source._replace(text=step.texts.get(source.path, source.text)) for source in sources]
        texts = {source.path: source.text for source in sources if source.text != originals[source.path].text}
        if not dry_run:
            _apply(originals, texts, list(modes.values()), list(files.values()), backup=backup)
    return FixOutcome(_lines({path: edits[path] for path in texts}, list(modes.values()), list(files.values())),
                      list(refused), [_diff(originals[path], text) for path, text in texts.items()])


def _errors(source, text: str) -> int:
    return check_sources([source._replace(text=text)]).error_count


def _diff(source, new_text: str) -> str:
    from pbcfg.secrets.masking import masked_diff

    return masked_diff(source.text, new_text, kind=source.kind, yaml=source.is_yaml,
                       old_label=f"{source.name} (before)", new_label=f"{source.name} (after)")
