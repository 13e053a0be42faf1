"""Safe fixes. A fix to a JSON file is a text edit at offsets the locator found,
so key order, indentation and every byte outside the edit stay as they were.
Other fixes set a file's mode or write a file.
"""

from __future__ import annotations

import json
import os
from typing import NamedTuple

from pbcfg.source.document import Document

__all__ = ["TextEdit", "SetMode", "WriteFile", "apply_edits", "edit_remove_item", "edit_value"]


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


def mode_of(path: str) -> int | None:
    try:
        return os.stat(path).st_mode & 0o777
    except OSError:
        return None
