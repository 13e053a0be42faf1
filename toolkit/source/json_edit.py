"""Editing JSON text in place: set one member of an object, keep every other byte.

Used by ``pbcfg add`` (and anything else that must change a user's file without
reformatting it): the new member takes the indentation of its siblings, or the
file's indentation step one level deeper, and compact one-line objects stay
on one line.
"""

from __future__ import annotations

import json
import re

from pbcfg.source.positions import JsonLocator

__all__ = ["remove_item", "remove_member", "rename_key", "replace_value", "set_member"]

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


def replace_value(text: str, tokens: list, value: object) -> str:
    """``text`` with the value at ``tokens`` (which exists) replaced, in the file's style."""
    start, end = JsonLocator(text).value_span(tokens)
    one_line = "\n" not in text[start:end]
    rendered = json.dumps(value, ensure_ascii=False) if one_line else \
        json.dumps(value, indent=_indent_unit(text), ensure_ascii=False).replace("\n", "\n" + _line_indent(text, start))
    return text[:start] + rendered + text[end:]


def rename_key(text: str, tokens: list, new_key: str) -> str:
    """``text`` with the last key of ``tokens`` renamed where it stands."""
    locator = JsonLocator(text)
    start = locator.offset(tokens, key=True)
    _, end = json.decoder.scanstring(text, start + 1)
    return text[:start] + json.dumps(new_key, ensure_ascii=False) + text[end:]


def remove_member(text: str, tokens: list) -> str:
    """``text`` without the member at ``tokens``, its comma and its line if it had one to itself."""
    locator = JsonLocator(text)
    key_start = locator.offset(tokens, key=True)
    _, value_end = locator.value_span(tokens)
    after = locator._skip_ws(value_end)
    if text[after] == ",":
        end = locator._skip_ws(after + 1)
        start = key_start
        line_start = text.rfind("\n", 0, start) + 1
        if not text[line_start:start].strip():  # the member had its own line: take the line
            start, end = line_start, text.rfind("\n", 0, end) + 1 if "\n" in text[after:end] else end
        return text[:start] + text[end:]
    previous = key_start - 1
    while previous >= 0 and text[previous] in " \t\r\n":
        previous -= 1
    if text[previous] == ",":  # the last member: take the comma before it
        return text[:previous] + text[value_end:]
    return text[:key_start] + text[value_end:]  # the only member


def remove_item(text: str, tokens: list) -> str:
    """``text`` without array item ``tokens[-1]`` and the comma that joined it; an array left empty is ``[]``."""
    locator = JsonLocator(text)
    start, end = locator.value_span(tokens[:-1])
    if len(json.loads(text[start:end])) == 1:
        return text[:start] + "[]" + text[end:]
    cut_start, cut_end = locator.item_removal_span(tokens)
    return text[:cut_start] + text[cut_end:]
