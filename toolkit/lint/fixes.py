"""Safe fixes. A fix to a JSON file is an :class:`~pbcfg.source.edits.Edit` of the place its finding names,
made by :mod:`pbcfg.source.json_edit` like every other edit pbcfg makes, so key order, indentation and every byte
outside the edit stay as they were. Other fixes set a file's mode or write a file.
"""

from __future__ import annotations

import json
import os
from typing import NamedTuple

from pbcfg.source.document import Document
from pbcfg.source.edits import Edit

__all__ = ["SetMode", "WriteFile", "edit_remove_item", "edit_value", "select_fixes"]


class SetMode(NamedTuple):
    path: str
    mode: int


class WriteFile(NamedTuple):
    path: str
    content: str


def edit_value(document: Document, tokens: list, value: object) -> Edit | None:
    if document.source.is_yaml:
        return None  # text edits are for JSON; YAML sources are fixed by hand
    return Edit("set-value", list(tokens), value, file=document.source.path)


def edit_remove_item(document: Document, tokens: list) -> Edit | None:
    if document.source.is_yaml:
        return None
    return Edit("remove-item", list(tokens), file=document.source.path)


def _same_place(one: Edit, other: Edit) -> bool:
    """True when the two edit one file at one place, or one inside the other."""
    shorter = min(len(one.tokens), len(other.tokens))
    return one.file == other.file and [str(t) for t in one.tokens[:shorter]] == [str(t) for t in other.tokens[:shorter]]


def select_fixes(findings: list, *, unsafe: bool) -> tuple[list, list[str]]:
    """(the findings whose fixes to apply, one line per unsafe fix left out).

    An unsafe fix applies only when asked for; then it wins over a safe fix of the same place, which it
    was written to include (a trailing slash dropped and /v1 added are one edit of one URL)."""
    chosen = [f for f in findings if f.fix is not None and (unsafe or not f.unsafe)]
    taken = [f.fix for f in chosen if f.unsafe and isinstance(f.fix, Edit)]
    chosen = [
        f
        for f in chosen
        if f.unsafe or not isinstance(f.fix, Edit) or not any(_same_place(f.fix, edit) for edit in taken)
    ]
    hidden = [f for f in findings if f.fix is not None and f.unsafe and not unsafe]
    lines = [
        f"{f.diagnostic.file}:{f.diagnostic.line}: {f.diagnostic.rule}: not fixed: an unsafe fix would write "
        f"{json.dumps(f.fix.value, ensure_ascii=False)}; pass --unsafe-fixes to apply it"
        for f in hidden
        if isinstance(f.fix, Edit)
    ]
    return chosen, lines


def mode_of(path: str) -> int | None:
    try:
        return os.stat(path).st_mode & 0o777
    except OSError:
        return None
