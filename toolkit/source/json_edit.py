"""Editing JSON text in place: change members and values, keep every other byte.

Used by ``pbcfg add``, ``rename``, ``remove``, ``migrate`` and lint's fixes (anything
that must change a user's file without reformatting it): a new member takes
the indentation of its siblings, or the file's indentation step one level
deeper, and compact one-line objects stay on one line. Positions come from one
:class:`~pbcfg.source.jsonindex.JsonIndex` of the text, and each edit is a span
of the text and its replacement, so :func:`apply_edits` makes 10,000 edits in
one pass over the file, not 10,000.
"""

from __future__ import annotations

import json
import re

from pbcfg.source.edits import Edit, splice
from pbcfg.source.jsonindex import JsonIndex

__all__ = ["apply_edits", "remove_item", "remove_member", "rename_key", "replace_value", "set_member"]

_INDENT = re.compile(r"\n([ \t]+)\S")
_LINE_INDENT = re.compile(r"[ \t]*")


def _indent_unit(text: str) -> str:
    match = _INDENT.search(text)
    return match.group(1) if match else "  "


def _line_indent(text: str, offset: int) -> str:
    start = text.rfind("\n", 0, offset) + 1
    match = _LINE_INDENT.match(text, start)
    assert match is not None  # the pattern matches the empty string
    return match.group(0)


def _dumps(value: object, **options) -> str:
    return json.dumps(value, ensure_ascii=False, **options)


def set_member(text: str, path: list, key: str, value: object) -> str:
    """``text`` with ``value`` at ``path + [key]``; objects missing on ``path`` are created."""
    index = JsonIndex(text)
    for depth in range(len(path) + 1):
        pos = index.offset(path[:depth])
        if text[pos] != "{":
            raise ValueError(f"not an object at {path[:depth]}")
        members, by_key = index.members(pos)
        assert by_key is not None  # an object's members, keyed
        token = path[depth] if depth < len(path) else key
        if token not in by_key:  # build what is missing as one new member of the deepest object that exists
            inner = value
            for name in reversed(path[depth + 1 :] + ([key] if depth < len(path) else [])):
                inner = {name: inner}
            return _insert_member(text, index, pos, members, token, inner)
    start, end = index.value_span(path + [key])  # the member exists: replace its value where it stands
    return text[:start] + _render_value(text, start, end, value, multiline=True) + text[end:]


def _insert_member(text: str, index: JsonIndex, start: int, members: list, key: str, value: object) -> str:
    unit = _indent_unit(text)
    end = index.value_end(start)
    close = end - 1
    body_end = start + 1 + len(text[start + 1 : close].rstrip())
    if "\n" not in text[start:end]:  # a one-line object stays on one line
        rendered = _dumps({key: value})[1:-1]
        return text[:body_end] + (", " if members else "") + rendered + text[body_end:]
    if members:
        member_indent = _line_indent(text, members[-1].key_at)
        prefix = ",\n" + member_indent
    else:
        member_indent = _line_indent(text, start) + unit
        prefix = "\n" + member_indent
    rendered = _dumps(value, indent=unit).replace("\n", "\n" + member_indent)
    suffix = "" if members else "\n" + _line_indent(text, start)
    return text[:body_end] + prefix + _dumps(key) + ": " + rendered + suffix + text[body_end:]


def _render_value(text: str, start: int, end: int, value: object, multiline: bool = False) -> str:
    """``value`` written in the style of the one it replaces: on one line if that was, else indented like it."""
    if not multiline and "\n" not in text[start:end]:
        return _dumps(value)
    return _dumps(value, indent=_indent_unit(text)).replace("\n", "\n" + _line_indent(text, start))


def _removal_cuts(text: str, index: JsonIndex, parent: int, removed: set[int]) -> list[tuple[int, int, str]]:
    """The text to cut to remove some members of one object and keep it valid, tidy JSON.

    A member with a member after it goes with its comma and the space up to the
    next key (its whole line, when it had one to itself); members after the last
    one kept go with the comma that preceded them.
    """
    members, _ = index.members(parent)
    kept = [i for i in range(len(members)) if i not in removed]
    last_kept = kept[-1] if kept else -1
    cuts = []
    for i in sorted(removed):
        member = members[i]
        if i > last_kept:  # the trailing run: from the comma after the last member kept to the last value
            if i == last_kept + 1:
                start = text.index(",", members[last_kept].value_end) if kept else member.key_at
                cuts.append((start, members[-1].value_end, ""))
            continue
        start, end = member.key_at, members[i + 1].key_at
        line_start = start  # back over the blanks before the key only: a one-line file is not read again per cut
        while line_start > 0 and text[line_start - 1] in " \t\r\f\v":
            line_start -= 1
        if line_start == 0 or text[line_start - 1] == "\n":  # the member had its own line: take the line
            after = text.index(",", member.value_end)
            start = line_start
            if "\n" in text[after:end]:
                end = text.rfind("\n", 0, end) + 1
        cuts.append((start, end, ""))
    return cuts


def _item_removal_cuts(index: JsonIndex, array: list, removed: set[int]) -> list[tuple[int, int, str]]:
    """The text to cut to remove some items of one array: each run of removed items goes with the comma
    before it (the comma after it, for a run from the first item); an array left empty is ``[]``."""
    items, _ = index.members(index.offset(array))
    if len(removed) == len(items):
        return [(*index.value_span(array), "[]")]
    cuts, run_start = [], None
    for i in range(len(items)):
        if i in removed and run_start is None:
            run_start = i
        if run_start is not None and (i + 1 == len(items) or i + 1 not in removed):
            if run_start == 0:
                cuts.append((items[0].value_at, items[i + 1].value_at, ""))
            else:
                cuts.append((items[run_start - 1].value_end, items[i].value_end, ""))
            run_start = None
    return cuts


def _cuts(text: str, index: JsonIndex, edits) -> list[tuple[int, int, str]]:
    """Each edit as (start, end, replacement); the removals from one object or one array become one set of cuts."""
    cuts: list[tuple[int, int, str]] = []
    removed: dict[int, set[int]] = {}  # object offset -> indices of the members to remove
    items: dict[tuple, set[int]] = {}  # array tokens -> indices of the items to remove
    for edit in edits:
        if edit.op == "remove-member":
            parent = index.offset(edit.tokens[:-1])
            by_key = index.members(parent)[1]
            assert by_key is not None  # a member's parent is an object
            removed.setdefault(parent, set()).add(by_key[str(edit.tokens[-1])])
        elif edit.op == "rename-key":
            cuts.append((*index.key_span(edit.tokens), _dumps(edit.value)))
        elif edit.op == "set-value":
            start, end = index.value_span(edit.tokens)
            cuts.append((start, end, _render_value(text, start, end, edit.value)))
        elif edit.op == "remove-item":
            items.setdefault(tuple(edit.tokens[:-1]), set()).add(int(edit.tokens[-1]))
        else:
            raise ValueError(f"unknown edit {edit.op!r}")
    for parent, members in removed.items():
        cuts.extend(_removal_cuts(text, index, parent, members))
    for array, indices in items.items():
        cuts.extend(_item_removal_cuts(index, list(array), indices))
    return cuts


def replace_value(text: str, tokens: list, value: object) -> str:
    """``text`` with the value at ``tokens`` (which exists) replaced, in the file's style."""
    return apply_edits(text, [Edit("set-value", tokens, value)])


def rename_key(text: str, tokens: list, new_key: str) -> str:
    """``text`` with the last key of ``tokens`` renamed where it stands."""
    return apply_edits(text, [Edit("rename-key", tokens, new_key)])


def remove_member(text: str, tokens: list) -> str:
    """``text`` without the member at ``tokens``, its comma and its line if it had one to itself."""
    return apply_edits(text, [Edit("remove-member", tokens)])


def remove_item(text: str, tokens: list) -> str:
    """``text`` without array item ``tokens[-1]`` and the comma that joined it; an array left empty is ``[]``."""
    return apply_edits(text, [Edit("remove-item", tokens)])


def apply_edits(text: str, edits, index: JsonIndex | None = None) -> str:
    """``text`` with every :class:`~pbcfg.source.edits.Edit` (set-value, rename-key, remove-member or remove-item,
    ``.tokens`` into ``text`` as it is) made. All are located in one index of the text (``index``, when the
    caller has one) and made at once, so ten thousand edits cost about one; overlapping edits are refused
    (:class:`~pbcfg.source.edits.OverlappingEdits`)."""
    return splice(text, _cuts(text, index or JsonIndex(text), edits))
