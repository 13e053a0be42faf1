"""Editing JSON text in place: set one member of an object, keep every other byte.

Used by ``pbcfg add``, ``rename``, ``remove``, ``migrate`` and lint's fixes (anything
that must change a user's file without reformatting it): the new member takes
the indentation of its siblings, or the file's indentation step one level
deeper, and compact one-line objects stay on one line. Each edit is a span of
the text and its replacement, so :func:`apply_edits` makes many in one pass.
"""

from __future__ import annotations

import json
import re

from pbcfg.source.positions import JsonLocator

__all__ = ["apply_edits", "remove_item", "remove_member", "rename_key", "replace_value", "set_member"]

_INDENT = re.compile(r"\n([ \t]+)\S")


def _indent_unit(text: str) -> str:
    match = _INDENT.search(text)
    return match.group(1) if match else "  "


def _line_indent(text: str, offset: int) -> str:
    start = text.rfind("\n", 0, offset) + 1
    return re.match(r"[ \t]*", text[start:]).group(0)


def set_member(text: str, path: list, key: str, value: object) -> str:
    """``text`` with ``value`` at ``path + [key]``; objects missing on ``path`` are created."""
    node = json.loads(text)
    for depth, token in enumerate(path):
        if token not in node:
            inner = {key: value}
            for name in reversed(path[depth + 1 :]):
                inner = {name: inner}
            return set_member(text, path[:depth], token, inner)
        node = node[token]
    locator = JsonLocator(text)
    unit = _indent_unit(text)
    start, end = locator.value_span(path)
    if key in node:  # replace the value where it stands
        value_start, value_end = locator.value_span(path + [key])
        rendered = json.dumps(value, indent=unit, ensure_ascii=False).replace("\n", "\n" + _line_indent(text, value_start))
        return text[:value_start] + rendered + text[value_end:]
    close = end - 1
    body_end = start + 1 + len(text[start + 1 : close].rstrip())
    if "\n" not in text[start:end]:  # a one-line object stays on one line
        rendered = json.dumps({key: value}, ensure_ascii=False)[1:-1]
        return text[:body_end] + (", " if node else "") + rendered + text[body_end:]
    if node:
        member_indent = _line_indent(text, locator.offset(path + [next(reversed(node))], key=True))
        prefix = ",\n" + member_indent
    else:
        parent_indent = _line_indent(text, start)
        member_indent = parent_indent + unit
        prefix = "\n" + member_indent
    rendered = json.dumps(value, indent=unit, ensure_ascii=False).replace("\n", "\n" + member_indent)
    suffix = "" if node else "\n" + _line_indent(text, start)
    return text[:body_end] + prefix + json.dumps(key, ensure_ascii=False) + ": " + rendered + suffix + text[body_end:]


def _replace_span(locator: JsonLocator, tokens: list, value: object) -> tuple[int, int, str]:
    text = locator.text
    start, end = locator.value_span(tokens)
    one_line = "\n" not in text[start:end]
    rendered = json.dumps(value, ensure_ascii=False) if one_line else \
        json.dumps(value, indent=_indent_unit(text), ensure_ascii=False).replace("\n", "\n" + _line_indent(text, start))
    return start, end, rendered


def _rename_span(locator: JsonLocator, tokens: list, new_key: str) -> tuple[int, int, str]:
    start = locator.offset(tokens, key=True)
    _, end = json.decoder.scanstring(locator.text, start + 1)
    return start, end, json.dumps(new_key, ensure_ascii=False)


def _remove_member_span(locator: JsonLocator, tokens: list) -> tuple[int, int, str]:
    text = locator.text
    key_start = locator.offset(tokens, key=True)
    _, value_end = locator.value_span(tokens)
    after = locator._skip_ws(value_end)
    if text[after] == ",":
        end = locator._skip_ws(after + 1)
        start = key_start
        line_start = text.rfind("\n", 0, start) + 1
        if not text[line_start:start].strip():  # the member had its own line: take the line
            start, end = line_start, text.rfind("\n", 0, end) + 1 if "\n" in text[after:end] else end
        return start, end, ""
    previous = key_start - 1
    while previous >= 0 and text[previous] in " \t\r\n":
        previous -= 1
    if text[previous] == ",":  # the last member: take the comma before it
        return previous, value_end, ""
    return key_start, value_end, ""  # the only member


def _remove_item_span(locator: JsonLocator, tokens: list) -> tuple[int, int, str]:
    start, end = locator.value_span(tokens[:-1])
    if len(json.loads(locator.text[start:end])) == 1:
        return start, end, "[]"
    return (*locator.item_removal_span(tokens), "")


def _span(locator: JsonLocator, edit) -> tuple[int, int, str]:
    if edit.op == "set-value":
        return _replace_span(locator, edit.tokens, edit.value)
    if edit.op == "rename-key":
        return _rename_span(locator, edit.tokens, edit.value)
    if edit.op == "remove-member":
        return _remove_member_span(locator, edit.tokens)
    return _remove_item_span(locator, edit.tokens)


def _splice(text: str, spans: list[tuple[int, int, str]]) -> str:
    """``text`` with each (start, end, replacement), which do not overlap, made at once."""
    pieces, at = [], 0
    for start, end, replacement in sorted(spans):
        pieces += [text[at:start], replacement]
        at = end
    return "".join(pieces) + text[at:]


def replace_value(text: str, tokens: list, value: object) -> str:
    """``text`` with the value at ``tokens`` (which exists) replaced, in the file's style."""
    return _splice(text, [_replace_span(JsonLocator(text), tokens, value)])


def rename_key(text: str, tokens: list, new_key: str) -> str:
    """``text`` with the last key of ``tokens`` renamed where it stands."""
    return _splice(text, [_rename_span(JsonLocator(text), tokens, new_key)])


def remove_member(text: str, tokens: list) -> str:
    """``text`` without the member at ``tokens``, its comma and its line if it had one to itself."""
    return _splice(text, [_remove_member_span(JsonLocator(text), tokens)])


def remove_item(text: str, tokens: list) -> str:
    """``text`` without array item ``tokens[-1]`` and the comma that joined it; an array left empty is ``[]``."""
    return _splice(text, [_remove_item_span(JsonLocator(text), tokens)])


def apply_edits(text: str, edits) -> str:
    """``text`` with every edit (``.op``: set-value, rename-key, remove-member or remove-item; ``.tokens`` into
    ``text`` as it is; ``.value``) made. All are located in one reading of the text and made at once, so ten
    thousand edits cost about one; edits whose places touch are made one after the other instead."""
    locator = JsonLocator(text)
    spans = [_span(locator, edit) for edit in edits]
    ordered = sorted(spans)
    if all(left[1] <= right[0] for left, right in zip(ordered, ordered[1:])):
        return _splice(text, spans)
    for edit in edits:
        text = apply_edits(text, [edit])
    return text
