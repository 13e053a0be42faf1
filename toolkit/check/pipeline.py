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

from pbcfg.check.references import check_cross_file, check_references
from pbcfg.check.schema import check_schema
from pbcfg.diagnostics import Diagnostic, Severity
from pbcfg.source.document import Document
from pbcfg.source.files import Source, directory_of, expand_paths, read_source
from pbcfg.source.jsonparse import parse_json

__all__ = ["CLEAN_PATH_MAX_CHARS", "CheckResult", "check_paths", "check_sources", "parse_source", "schema_findings"]

# Past this size the generated check (pure Python, about 3x slower per model) would cost more than
# importing jsonschema-rs saves: bench/RESULTS.md ("Clean path") measures the break-even, and `make bench`
# fails if this limit ever lies past it.
CLEAN_PATH_MAX_CHARS = 1024 * 1024


class CheckResult:
    """What was read, what parsed, and every finding."""

    def __init__(self, sources: list[Source]) -> None:
        self.sources = sources
        self.documents: list[Document] = []
        self.diagnostics: list[Diagnostic] = []

    @property
    def files(self) -> list[str]:
        return [source.name for source in self.sources]

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity is Severity.ERROR]

    @property
    def failed(self) -> bool:
        """True when any error was found: PonyBunny would ignore or refuse a file."""
        return any(d.severity is Severity.ERROR for d in self.diagnostics)

    def by_directory(self) -> dict[str, dict[str, Document]]:
        """The parsed documents of each config directory, by kind (the first of each kind)."""
        groups: dict[str, dict[str, Document]] = {}
        for document in self.documents:
            groups.setdefault(directory_of(document.source.path), {}).setdefault(document.kind, document)
        return groups


def parse_source(source: Source) -> tuple[Document | None, list[Diagnostic]]:
    if source.is_yaml:
        from pbcfg.source.yamlparse import parse_yaml

        parsed = parse_yaml(source.text, source.name, source.kind)
        if not parsed.readable:
            return None, parsed.diagnostics
        return Document(source, parsed.data, None, parsed.locator), parsed.diagnostics
    parsed = parse_json(source.text, source.name, source.kind)
    if not parsed.readable:
        return None, parsed.diagnostics
    return Document(source, parsed.data, parsed.strict_text), parsed.diagnostics


def schema_findings(document: Document) -> list[Diagnostic]:
    """What the schema says of ``document``: nothing when the generated check finds it certainly valid
    (jsonschema-rs is then never imported), else jsonschema-rs's findings, explained."""
    if len(document.source.text) <= CLEAN_PATH_MAX_CHARS:
        from pbcfg.generated.validators import CERTAINLY_VALID

        if CERTAINLY_VALID[document.kind](document.data):
            return []
    return check_schema(document)


def check_sources(sources: list[Source]) -> CheckResult:
    result = CheckResult(list(sources))
    for source in sources:
        document, diagnostics = parse_source(source)
        result.diagnostics.extend(diagnostics)
        if document is None:
            continue
        result.documents.append(document)
        result.diagnostics.extend(schema_findings(document))
        if document.kind == "llm-config":
            result.diagnostics.extend(check_references(document))
    for pair in result.by_directory().values():
        if len(pair) == 2:
            result.diagnostics.extend(check_cross_file(pair["credentials"], pair["llm-config"]))
    order = {source.name: index for index, source in enumerate(sources)}
    result.diagnostics.sort(key=lambda d: (order.get(d.file, len(order)),) + d.sort_key())
    return result


def check_paths(paths: list[str], *, config_dir: str, kind: str | None = None) -> CheckResult:
    """Check files, or the PonyBunny files in directories; no paths means ``config_dir``."""
    seen: set[str] = set()
    sources = []
    for path in expand_paths(paths, config_dir):
        if os.path.realpath(path) not in seen:
            seen.add(os.path.realpath(path))
            sources.append(read_source(path, kind))
    return check_sources(sources)
