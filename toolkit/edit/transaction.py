"""One edit of a config directory, all or nothing: the guarantees of ``pbcfg add``.

The files are read and checked first (an edit starts from a valid config); each change is an
:class:`~pbcfg.source.edits.Edit` whose ``file`` is the path of the file it changes, made as a text edit
(:mod:`pbcfg.source.json_edit`, :mod:`pbcfg.source.yaml_edit`), so every other byte, and every YAML
comment, stays; the edited texts must validate together, or nothing is written and the errors are
reported; then each changed file is written atomically with a ``.bak``, or only shown as a masked diff.
"""

from __future__ import annotations

import os
from typing import NamedTuple

from pbcfg.catalog import diagnostic
from pbcfg.check.pipeline import CheckResult, check_sources
from pbcfg.diagnostics import Diagnostic
from pbcfg.errors import InputError
from pbcfg.source.document import Document
from pbcfg.source.edits import Edit
from pbcfg.source.reading import KINDS, SUFFIXES, Source, read_source
from pbcfg.util.pointer import join

__all__ = ["Config", "Outcome", "commit", "load"]


class Config(NamedTuple):
    sources: dict[str, Source]  # kind -> the file that exists (JSON, else a YAML source)
    check: CheckResult

    @property
    def documents(self) -> dict[str, Document]:
        return {document.kind: document for document in self.check.documents}

    def path(self, kind: str) -> str | None:
        """The path of the file of ``kind``; None when there is none."""
        source = self.sources.get(kind)
        return source.path if source is not None else None

    def data(self, kind: str) -> dict:
        document = self.documents.get(kind)
        return document.data if document is not None and isinstance(document.data, dict) else {}


class Outcome(NamedTuple):
    lines: list[str]  # each change, then each file written
    diagnostics: list[Diagnostic]  # why nothing was written; empty when the edit was made
    files: list[str]  # the config files read
    diffs: list[str]  # with preview: one masked unified diff per changed file


def load(directory: str) -> Config:
    """The config files in ``directory``, checked; an InputError when there is none."""
    sources = {}
    for kind in KINDS:
        for suffix in SUFFIXES:
            path = os.path.join(directory, kind + suffix)
            if os.path.lexists(path):  # what is no file (a pipe, a dangling link) is refused by read_source
                sources[kind] = read_source(path, kind)
                break
    if not sources:
        raise InputError(
            f"{directory}: no credentials.json or llm-config.json (nor a YAML source) to edit; pass --config-dir DIR"
        )
    return Config(sources, check_sources(list(sources.values())))


def _apply(source: Source, edits: list[Edit]) -> str:
    """``source``'s text with ``edits`` (each ``file`` its path) made."""
    from pbcfg.source import json_edit, yaml_edit

    return (yaml_edit if source.is_yaml else json_edit).apply_edits(source.text, edits) if edits else source.text


def commit(config: Config, edits: list[Edit], *, preview: bool, backup: bool) -> Outcome:
    """Apply ``edits``, validate, then write (or, with ``preview``, only diff) the changed files."""
    texts = {
        kind: _apply(source, [e for e in edits if e.file == source.path]) for kind, source in config.sources.items()
    }
    after = check_sources([source._replace(text=texts[kind]) for kind, source in config.sources.items()])
    if after.failed:  # the files on disk are not these texts: keep the pointer, not a position
        return Outcome(
            [],
            [
                diagnostic(
                    "edit.invalid-result", d.file, f"after the edit: {d.rule} {d.message}", d.hint, pointer=d.pointer
                )
                for d in after.errors
            ],
            config.check.files,
            [],
        )
    names = {source.path: source.name for source in config.sources.values()}
    lines = [f"{names[e.file]}: {join(e.tokens)}: {e.message}" for e in edits]
    changed = {kind: text for kind, text in texts.items() if text != config.sources[kind].text}
    if preview:
        from pbcfg.secrets.masking import masked_diff

        diffs = [
            masked_diff(
                config.sources[kind].text,
                text,
                kind=kind,
                yaml=config.sources[kind].is_yaml,
                old_label=f"{config.sources[kind].name} (before)",
                new_label=f"{config.sources[kind].name} (after)",
            )
            for kind, text in changed.items()
        ]
        return Outcome(lines, [], config.check.files, diffs)
    from pbcfg.util.atomic import Write, write_files

    # both files as one unit, each only if it still holds the text the edit was made on
    kept = write_files(
        [
            Write(config.sources[kind].path, text, backup, expected=config.sources[kind].text)
            for kind, text in changed.items()
        ]
    )
    for kind in changed:
        path = config.sources[kind].path
        lines.append(f"updated {path}" + (f" (kept {kept[path]})" if path in kept else ""))
    return Outcome(lines, [], config.check.files, [])
