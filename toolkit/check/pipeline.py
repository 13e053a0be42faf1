"""``pbcfg validate`` as a function: paths in, documents and diagnostics out.

Each file is read, parsed strictly, checked against its schema and for
references; files of one directory are then checked against each other.
Lint and the runtime start from the same :func:`check_paths`.

The schema check has a clean path (:func:`schema_findings`): the check
generated from the schemas answers first, and jsonschema-rs is imported only
when it is not sure.
"""

from __future__ import annotations

import os

from pbcfg.check.cross_references import check_cross_file, check_references
from pbcfg.check.loader_findings import ROOT_CAUSES, check_loading
from pbcfg.check.prototype_ids import check_prototype_ids
from pbcfg.diagnostics import MAX_DIAGNOSTICS, Diagnostic, Severity
from pbcfg.secrets.known import may_hold_key, note_credentials
from pbcfg.source.document import Document
from pbcfg.source.jsonparse import parse_json
from pbcfg.source.reading import Source, directory_of, expand_paths, is_backup, read_source

__all__ = [
    "CLEAN_PATH_MAX_CHARS",
    "CheckResult",
    "cap_per_file",
    "check_paths",
    "check_sources",
    "interrupted_writes",
    "parse_source",
    "report_order",
    "schema_findings",
]

# Past this size the generated check (pure Python, about 3x slower per model) would cost more than
# importing jsonschema-rs saves: bench/RESULTS.md ("Clean path") measures the break-even, and `make bench`
# fails if this limit ever lies past it.
CLEAN_PATH_MAX_CHARS = 1024 * 1024


class CheckResult:
    """What was read, what parsed, and every finding; past the cap on diagnostics per file, only counts of
    what was found (``hidden``: file -> rule -> count); ``secrets``: every secret value the files hold, for the
    caller to register (:func:`pbcfg.secrets.known.register`) before it shows anything of them."""

    def __init__(self, sources: list[Source]) -> None:
        self.sources = sources
        self.documents: list[Document] = []
        self.diagnostics: list[Diagnostic] = []
        self.hidden: dict[str, dict[str, int]] = {}

    @property
    def files(self) -> list[str]:
        return [source.name for source in self.sources]

    @property
    def secrets(self) -> list:
        from pbcfg.secrets.known import credentials_secrets, source_secrets

        found = [secret for source in self.sources for secret in source_secrets(source)]
        return found + [
            secret
            for document in self.documents
            if document.kind == "credentials"
            for secret in credentials_secrets(document.data)
        ]

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity is Severity.ERROR]

    @property
    def error_count(self) -> int:
        """Every error found, shown or past the cap."""
        from pbcfg.catalog import RULES

        hidden = sum(
            count
            for rules in self.hidden.values()
            for rule, count in rules.items()
            if RULES[rule].severity is Severity.ERROR
        )
        return len(self.errors) + hidden

    @property
    def failed(self) -> bool:
        """True when any error was found: PonyBunny would ignore or refuse a file."""
        if any(d.severity is Severity.ERROR for d in self.diagnostics):
            return True
        return bool(self.hidden) and self.error_count > 0

    def by_directory(self) -> list[tuple[str, dict[str, Document]]]:
        """The parsed documents of each config directory, by kind (the first of each kind); a backup is judged
        alone, in a group of its own: it is no partner of the files beside it, and its keys are as real."""
        groups: dict[tuple[str, str], dict[str, Document]] = {}
        for document in self.documents:
            path = document.source.path
            alone = path if is_backup(path) else ""
            groups.setdefault((directory_of(path), alone), {}).setdefault(document.kind, document)
        return [(directory, documents) for (directory, _), documents in groups.items()]


def parse_source(source: Source) -> tuple[Document | None, list[Diagnostic]]:
    if source.is_yaml:
        from pbcfg.source.yamlparse import parse_yaml

        from_yaml = parse_yaml(source.text, source.name, source.kind)
        if not from_yaml.readable:
            return None, from_yaml.diagnostics
        return Document(source, from_yaml.data, None, from_yaml.locator), from_yaml.diagnostics
    parsed = parse_json(source.text, source.name, source.kind)
    if not parsed.readable:
        return None, parsed.diagnostics
    document = Document(source, parsed.data, parsed.strict_text)
    document.unique_keys = not any(d.rule == "json.duplicate-key" for d in parsed.diagnostics)
    return document, parsed.diagnostics


def schema_findings(document: Document) -> list[Diagnostic]:
    """What the schema says of ``document``: nothing when the generated check finds it certainly valid
    (jsonschema-rs is then never imported), else jsonschema-rs's findings, explained."""
    if len(document.source.text) <= CLEAN_PATH_MAX_CHARS:
        from pbcfg.generated.validators import CERTAINLY_VALID

        if CERTAINLY_VALID[document.kind](document.data):
            return []
    from pbcfg.check.schema_errors import check_schema  # jsonschema-rs, and the explanations of its errors

    return check_schema(document)


def check_sources(
    sources: list[Source],
    *,
    schema_files: bool = True,
    max_diagnostics: int | None = MAX_DIAGNOSTICS,
    trim: bool = True,
) -> CheckResult:
    """Check ``sources``; ``schema_files=False`` for texts not on disk: no schema file beside them is read.
    At most ``max_diagnostics`` per file are built and reported (None or 0: all); the rest are counted.
    ``trim=False`` keeps every diagnostic built (the schema's past the cap are still only counted): for lint,
    which counts the fixes of all before it caps what it reports."""
    result = CheckResult(list(sources))
    for source in sources:
        document, diagnostics = parse_source(source)
        result.diagnostics.extend(diagnostics)
        if document is None:
            continue
        document.room = max_diagnostics or None
        if document.kind == "credentials":  # every value, as parsed: a number, an escaped string
            note_credentials(document.data)
        text = source.text
        if may_hold_key(text) or document.kind != "credentials" and "://" in text and ("@" in text or "=" in text):
            from pbcfg.check.public_secrets import public_secret_findings

            result.diagnostics.extend(public_secret_findings(document))
        result.documents.append(document)
        result.diagnostics.extend(check_loading(document, schema_findings(document), beside=schema_files))
        if document.kind == "llm-config":
            result.diagnostics.extend(check_prototype_ids(document))
            result.diagnostics.extend(check_references(document))
    for _, pair in result.by_directory():
        if len(pair) == 2:
            result.diagnostics.extend(check_cross_file(pair["credentials"], pair["llm-config"]))
    if result.diagnostics:  # a finding the catalog says supersedes others at its place
        from pbcfg.check.supersede import supersede

        result.diagnostics = supersede(result.diagnostics)
    result.diagnostics.sort(key=report_order(sources))
    unbuilt = {document.name: document.unbuilt for document in result.documents if document.unbuilt}
    result.diagnostics, result.hidden = cap_per_file(result.diagnostics, max_diagnostics if trim else None, unbuilt)
    return result


def cap_per_file(
    diagnostics: list[Diagnostic], most: int | None, hidden: dict[str, dict[str, int]] | None = None
) -> tuple[list[Diagnostic], dict[str, dict[str, int]]]:
    """The first ``most`` diagnostics of each file, in the order given (None or 0: all), and the count of the
    others by file and rule, added to ``hidden``'s."""
    hidden = {name: dict(rules) for name, rules in (hidden or {}).items()}
    if not most:
        return diagnostics, hidden
    shown: dict[str, int] = {}
    kept = []
    for diagnostic in diagnostics:
        count = shown[diagnostic.file] = shown.get(diagnostic.file, 0) + 1
        if count <= most:
            kept.append(diagnostic)
        else:
            rules = hidden.setdefault(diagnostic.file, {})
            rules[diagnostic.rule] = rules.get(diagnostic.rule, 0) + 1
    return kept, hidden


def report_order(sources: list[Source]):
    """The order findings are reported in: by file as given, root causes first, then by position."""
    order = {source.name: index for index, source in enumerate(sources)}
    return lambda d: (order.get(d.file, len(order)), d.rule not in ROOT_CAUSES) + d.sort_key()


def check_paths(
    paths: list[str], *, config_dir: str, kind: str | None = None, max_diagnostics: int | None = MAX_DIAGNOSTICS
) -> CheckResult:
    """Check files, or the PonyBunny files in directories; no paths means ``config_dir``."""
    seen: set[str] = set()
    sources = []
    for path in expand_paths(paths, config_dir):
        if os.path.realpath(path) not in seen:
            seen.add(os.path.realpath(path))
            sources.append(read_source(path, kind))
    result = check_sources(sources, max_diagnostics=max_diagnostics)
    result.diagnostics[:0] = interrupted_writes(sources)
    return result


def interrupted_writes(sources: list[Source]) -> list[Diagnostic]:
    """A pbcfg write that died between its renames, in any directory checked (:mod:`pbcfg.util.journal`)."""
    from pbcfg.util.journal import JOURNAL_NAME

    directories = {directory_of(source.path): source for source in sources}
    found = []
    for directory, source in directories.items():
        if not os.path.lexists(os.path.join(directory, JOURNAL_NAME)):
            continue
        from pbcfg.catalog import diagnostic
        from pbcfg.util.journal import interrupted

        pending = interrupted(directory)
        if pending is None:
            continue
        shown = os.path.dirname(source.name)
        backups = (
            "; ".join(
                f"the previous {os.path.basename(path)} is in "
                + (
                    os.path.join(shown, os.path.basename(kept))
                    if os.path.dirname(kept) == os.path.abspath(directory)
                    else kept
                )
                for path, kept in pending.backups.items()
                if path in pending.new
            )
            or "no backup was kept"
        )
        found.append(
            diagnostic(
                "files.interrupted-write",
                os.path.join(shown, os.path.basename(pending.new[0])),
                f"newer than {', '.join(os.path.basename(path) for path in pending.old)}: a pbcfg write that began "
                f"{pending.started} replaced {', '.join(os.path.basename(path) for path in pending.new)} and was killed "
                f"before the rest, so the files may not match; {backups}",
                f"compare them (restore a backup to go back), then delete {os.path.join(shown, JOURNAL_NAME)}",
            )
        )
    return found
