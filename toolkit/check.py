"""``pbcfg validate`` as a function: paths in, documents and diagnostics out.

Each file is read, parsed strictly, checked against its schema and for
references; files of one directory are then checked against each other.
Lint and the runtime start from the same :func:`check_paths`.
"""

from __future__ import annotations

import os

from .diagnostics import Diagnostic
from .document import Document
from .integrity import check_cross_file, check_references
from .jsonparse import parse_json
from .schema_check import check_schema
from .sources import Source, expand_paths, read_source

__all__ = ["CheckResult", "check_paths", "check_sources", "parse_source"]


class CheckResult:
    """What was read, what parsed, and every finding."""

    def __init__(self, sources: list[Source]) -> None:
        self.sources = sources
        self.documents: list[Document] = []
        self.diagnostics: list[Diagnostic] = []

    @property
    def files(self) -> list[str]:
        return [source.name for source in self.sources]


def parse_source(source: Source) -> tuple[Document | None, list[Diagnostic]]:
    if source.is_yaml:
        from .yamlparse import parse_yaml

        parsed = parse_yaml(source.text, source.name, source.kind)
        if not parsed.readable:
            return None, parsed.diagnostics
        return Document(source, parsed.data, None, parsed.locator), parsed.diagnostics
    parsed = parse_json(source.text, source.name, source.kind)
    if not parsed.readable:
        return None, parsed.diagnostics
    return Document(source, parsed.data, parsed.strict_text), parsed.diagnostics


def check_sources(sources: list[Source]) -> CheckResult:
    result = CheckResult(list(sources))
    for source in sources:
        document, diagnostics = parse_source(source)
        result.diagnostics.extend(diagnostics)
        if document is None:
            continue
        result.documents.append(document)
        result.diagnostics.extend(check_schema(document))
        if document.kind == "llm-config":
            result.diagnostics.extend(check_references(document))
    result.diagnostics.extend(_cross_file(result.documents))
    order = {source.name: index for index, source in enumerate(sources)}
    result.diagnostics.sort(key=lambda d: (order.get(d.file, len(order)),) + d.sort_key())
    return result


def _cross_file(documents: list[Document]) -> list[Diagnostic]:
    by_dir: dict[str, dict[str, Document]] = {}
    for document in documents:
        by_dir.setdefault(os.path.dirname(os.path.realpath(document.source.path)), {}).setdefault(document.kind, document)
    found = []
    for pair in by_dir.values():
        if len(pair) == 2:
            found.extend(check_cross_file(pair["credentials"], pair["llm-config"]))
    return found


def check_paths(paths: list[str], *, config_dir: str, kind: str | None = None) -> CheckResult:
    """Check files, or the PonyBunny files in directories; no paths means ``config_dir``."""
    seen: set[str] = set()
    sources = []
    for path in expand_paths(paths, config_dir):
        if os.path.realpath(path) not in seen:
            seen.add(os.path.realpath(path))
            sources.append(read_source(path, kind))
    return check_sources(sources)
