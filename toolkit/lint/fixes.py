"""Safe fixes. A fix to a JSON file is a text edit at offsets the locator found,
so key order, indentation and every byte outside the edit stay as they were.
Other fixes set a file's mode or write a file.
"""

from __future__ import annotations

import json
import os
from typing import NamedTuple

from pbcfg.source.document import Document

__all__ = ["TextEdit", "SetMode", "WriteFile", "apply_edits", "edit_remove_item", "edit_value", "select_fixes"]


class TextEdit(NamedTuple):
    document: Document
    start: int
    end: int
    replacement: str


class SetMode(NamedTuple):
    path: str
    mode: int


class WriteFile(NamedTuple):
    path: str
    content: str


def edit_value(document: Document, tokens: list, value: object) -> TextEdit | None:
    if document.source.is_yaml:
        return None  # text edits are for JSON; YAML sources are fixed by hand
    start, end = document.index.value_span(tokens)
    return TextEdit(document, start, end, json.dumps(value, ensure_ascii=False))


def edit_remove_item(document: Document, tokens: list) -> TextEdit | None:
    if document.source.is_yaml:
        return None
    start, end = document.index.item_removal_span(tokens)
    return TextEdit(document, start, end, "")


def apply_edits(text: str, edits: list[TextEdit]) -> str:
    """Apply non-overlapping edits in one pass; of overlapping ones, the one starting last wins."""
    pieces, done = [], len(text)
    for edit in sorted(edits, key=lambda e: e.start, reverse=True):
        if edit.end > done:
            continue  # overlaps an edit already taken
        pieces += (text[edit.end : done], edit.replacement)
        done = edit.start
    pieces.append(text[:done])
    return "".join(reversed(pieces))


def select_fixes(findings: list, *, unsafe: bool) -> tuple[list, list[str]]:
    """(the findings whose fixes to apply, one line per unsafe fix left out).

    An unsafe fix applies only when asked for; then it wins over a safe fix of the same text, which it
    was written to include (a trailing slash dropped and /v1 added are one edit of one URL)."""
    chosen = [f for f in findings if f.fix is not None and (unsafe or not f.unsafe)]
    taken = [(f.fix.document.source.path, f.fix.start, f.fix.end) for f in chosen
             if f.unsafe and isinstance(f.fix, TextEdit)]
    chosen = [f for f in chosen if f.unsafe or not isinstance(f.fix, TextEdit) or not any(
        path == f.fix.document.source.path and start < f.fix.end and f.fix.start < end for path, start, end in taken)]
    hidden = [f for f in findings if f.fix is not None and f.unsafe and not unsafe]
    lines = [f"{f.diagnostic.file}:{f.diagnostic.line}: {f.diagnostic.rule}: not fixed: an unsafe fix would write "
             f"{f.fix.replacement}; pass --unsafe-fixes to apply it" for f in hidden if isinstance(f.fix, TextEdit)]
    return chosen, lines


def mode_of(path: str) -> int | None:
    try:
        return os.stat(path).st_mode & 0o777
    except OSError:
        return None
