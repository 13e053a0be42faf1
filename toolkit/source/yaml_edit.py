"""Editing YAML text in place: the twin of :mod:`pbcfg.source.json_edit`, with the same functions.

A ruamel.yaml round trip rewrites the whole file (indentation, quoting) and
files a comment under the entry *before* the one it introduces, so deleting
an entry would take the next entry's comment with it. So every edit here is a
text edit at the positions ruamel's composer reports: a key or a value is
replaced where it stands, a removed entry takes its own lines and the comment
lines just above it, a new entry goes after the last line of its mapping, in
its siblings' indentation. Every other line, comment and blank stays. Each
edit is a span of the text and its replacement, so :func:`apply_edits` makes
many in one reading.
"""

from __future__ import annotations

import functools
import json
import re
from typing import Any

from pbcfg.source.edits import splice

__all__ = ["apply_edits", "is_plain", "remove_item", "remove_member", "rename_key", "replace_value", "set_member"]

# a plain scalar that reads the same in block and flow context: no indicator first, no flow punctuation,
# no comment, a colon only inside a word, no space at either end
_PLAIN = re.compile(r"[^\s\-?:,\[\]{}#&*!|>'\"%@`]([^\s,\[\]{}#:]|[ ](?=\S)|:(?=[^\s,\[\]{}]))*")
_YAML11_WORDS = {"y", "n", "yes", "no", "on", "off"}  # booleans to YAML 1.1 readers: quoted for them


def _compose(text: str):
    from ruamel.yaml import YAML

    return YAML(typ="rt").compose(text)


def _kind(node) -> str:
    from ruamel.yaml.nodes import MappingNode, SequenceNode

    return "mapping" if isinstance(node, MappingNode) else "sequence" if isinstance(node, SequenceNode) else "scalar"


class _Doc:
    """One reading of a YAML text: its composed nodes (positions), each mapping's keys read once, and the data
    when a removal must write a collection anew."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.root = _compose(text)
        self._keys: dict[int, dict] = {}
        self._data: Any = None  # the safe-loaded document, whatever shape the YAML has

    def find(self, tokens: list):
        """(key node or None, value node, parent node) at ``tokens``; KeyError when the path does not exist."""
        node, key, parent = self.root, None, None
        for token in tokens:
            parent = node
            if _kind(node) == "mapping":
                keys = self._keys.get(id(node))
                if keys is None:  # the last of a duplicated key wins, as everywhere
                    keys = self._keys[id(node)] = {k.value: (k, v) for k, v in node.value}
                key, node = keys[token]
            elif _kind(node) == "sequence" and isinstance(token, int) and 0 <= token < len(node.value):
                key, node = None, node.value[token]
            else:
                raise KeyError(token)
        return key, node, parent

    def value(self, tokens: list):
        if self._data is None:
            from ruamel.yaml import YAML

            self._data = YAML(typ="safe").load(self.text)
        node = self._data
        for token in tokens:
            node = node[token]
        return node


@functools.cache
def _loader():
    from ruamel.yaml import YAML

    return YAML(typ="rt")


def _reads_back(text: str, value: object) -> bool:
    try:
        loaded = _loader().load(f"[{text}]")
    except Exception:  # anything the parser refuses is not plain
        return False
    return len(loaded) == 1 and type(loaded[0]) is type(value) and loaded[0] == value


@functools.lru_cache(maxsize=4096)
def is_plain(value: str) -> bool:
    """Whether ``value`` can be written unquoted, in block and in flow context, and read back as itself."""
    return bool(_PLAIN.fullmatch(value)) and value.lower() not in _YAML11_WORDS and _reads_back(value, value)


def _scalar(value: object) -> str:
    """A scalar as YAML reads it back: plain where that is unambiguous, else JSON's quoting (valid YAML)."""
    if isinstance(value, str) and is_plain(value):
        return value
    return json.dumps(value, ensure_ascii=False)


def _inline(value: object) -> str:
    """A value on one line: a scalar, or a flow collection."""
    if isinstance(value, list):
        return "[" + ", ".join(_inline(item) for item in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_scalar(k)}: {_inline(v)}" for k, v in value.items()) + "}"
    return _scalar(value)


def _block(key: str, value: object, indent: int, step: int) -> list[str]:
    """``key: value`` as block lines at ``indent``: nested mappings one level per ``step``, lists inline."""
    if isinstance(value, dict) and value:
        lines = [" " * indent + f"{_scalar(key)}:"]
        for name, item in value.items():
            lines.extend(_block(name, item, indent + step, step))
        return lines
    return [" " * indent + f"{_scalar(key)}: {_inline(value)}"]


def _line_start(text: str, offset: int) -> int:
    return text.rfind("\n", 0, offset) + 1


def _line_after(text: str, offset: int) -> int:
    """The offset just past the newline ending the line that holds ``offset`` (or the text's end)."""
    end = text.find("\n", offset)
    return len(text) if end == -1 else end + 1


def _last_leaf(node):
    """The last scalar or flow collection inside ``node``: where its content ends."""
    while _kind(node) != "scalar" and not node.flow_style and node.value:
        last = node.value[-1]
        node = last[1] if _kind(node) == "mapping" else last
    return node


def _step(node, fallback: int = 2) -> int:
    """The indentation step of a block mapping: its first child's column minus its own."""
    for _, value in node.value:
        if _kind(value) == "mapping" and not value.flow_style and value.value:
            return max(1, value.value[0][0].start_mark.column - node.value[0][0].start_mark.column)
    return fallback


def _replace_span(doc: _Doc, tokens: list, value: object) -> tuple[int, int, str]:
    _, node, _ = doc.find(tokens)
    start = node.start_mark.index
    if _kind(node) == "scalar" or node.flow_style or not node.value:
        return start, node.end_mark.index, _inline(value)
    end = _last_leaf(node).end_mark.index
    column = node.start_mark.column
    if _kind(node) == "sequence" and isinstance(value, list) and value:
        return start, end, ("\n" + " " * column).join(f"- {_inline(item)}" for item in value)
    if _kind(node) == "mapping" and isinstance(value, dict) and value:
        lines = [line for name, item in value.items() for line in _block(name, item, column, _step(node))]
        return start, end, "\n".join(lines)[column:]
    return start, end, _inline(value)


def _rename_span(doc: _Doc, tokens: list, new_key: str) -> tuple[int, int, str]:
    key, _, _ = doc.find(tokens)
    return key.start_mark.index, key.end_mark.index, _scalar(new_key)


def _lines_span(text: str, first: int, last_end: int, column: int) -> tuple[int, int, str]:
    """Whole lines from the one holding ``first`` through the one holding ``last_end``, with the comment lines
    right above (they introduce the entry) and the deeper comment lines right below (they are in it)."""
    start, end = _line_start(text, first), _line_after(text, last_end)
    while start > 0:
        above = _line_start(text, start - 1)
        line = text[above : start - 1]
        if not (line.strip().startswith("#") and len(line) - len(line.lstrip()) == column):
            break
        start = above
    while end < len(text):
        line = text[end : _line_after(text, end)].rstrip("\n")
        if not (line.strip().startswith("#") and len(line) - len(line.lstrip()) > column):
            break
        end = _line_after(text, end)
    return start, end, ""


def _remove_member_span(doc: _Doc, tokens: list) -> tuple[int, int, str]:
    key, node, parent = doc.find(tokens)
    if parent.flow_style or (len(parent.value) == 1 and tokens[:-1]):  # the mapping is written anew, on its line
        return _replace_span(doc, tokens[:-1], {k: v for k, v in doc.value(tokens[:-1]).items() if k != tokens[-1]})
    return _lines_span(doc.text, key.start_mark.index, _last_leaf(node).end_mark.index, key.start_mark.column)


def _remove_item_span(doc: _Doc, tokens: list) -> tuple[int, int, str]:
    _, node, parent = doc.find(tokens)
    if parent.flow_style or len(parent.value) == 1:  # the array is written anew, on its line
        rest = [item for index, item in enumerate(doc.value(tokens[:-1])) if index != tokens[-1]]
        return _replace_span(doc, tokens[:-1], rest)
    text = doc.text
    dash = text.rindex("-", _line_start(text, node.start_mark.index), node.start_mark.index)
    return _lines_span(text, dash, _last_leaf(node).end_mark.index, dash - _line_start(text, dash))


def _spans(doc: _Doc, edits) -> list[tuple[int, int, str]]:
    """Each edit as (start, end, replacement); removals from one flow collection, or of every entry of one, are
    one rewrite of that collection."""
    spans: list[tuple[int, int, str]] = []
    removals: dict[tuple, list] = {}  # parent tokens -> the removals from it
    for edit in edits:
        if edit.op == "set-value":
            spans.append(_replace_span(doc, edit.tokens, edit.value))
        elif edit.op == "rename-key":
            spans.append(_rename_span(doc, edit.tokens, edit.value))
        elif edit.op in ("remove-member", "remove-item"):
            removals.setdefault(tuple(edit.tokens[:-1]), []).append(edit)
        else:
            raise ValueError(f"unknown edit {edit.op!r}")
    for parent_tokens, group in removals.items():
        _, parent, _ = doc.find(list(parent_tokens))
        gone = {edit.tokens[-1] for edit in group}
        if len(group) > 1 and (parent.flow_style or len(gone) == len(parent.value)):
            value = doc.value(list(parent_tokens))
            rest = (
                {k: v for k, v in value.items() if k not in gone}
                if isinstance(value, dict)
                else [item for i, item in enumerate(value) if i not in gone]
            )
            spans.append(_replace_span(doc, list(parent_tokens), rest))
            continue
        for edit in group:
            remove = _remove_member_span if edit.op == "remove-member" else _remove_item_span
            spans.append(remove(doc, edit.tokens))
    return spans


def replace_value(text: str, tokens: list, value: object) -> str:
    """``text`` with the value at ``tokens`` (which exists) replaced, in the style it had."""
    return splice(text, [_replace_span(_Doc(text), tokens, value)])


def rename_key(text: str, tokens: list, new_key: str) -> str:
    """``text`` with the last key of ``tokens`` renamed where it stands; its comments stay with it."""
    return splice(text, [_rename_span(_Doc(text), tokens, new_key)])


def remove_member(text: str, tokens: list) -> str:
    """``text`` without the member at ``tokens``; a mapping left empty becomes ``{}``."""
    return splice(text, [_remove_member_span(_Doc(text), tokens)])


def remove_item(text: str, tokens: list) -> str:
    """``text`` without array item ``tokens[-1]``; an array left empty becomes ``[]``."""
    return splice(text, [_remove_item_span(_Doc(text), tokens)])


def apply_edits(text: str, edits) -> str:
    """``text`` with every :class:`~pbcfg.source.edits.Edit` (as :func:`pbcfg.source.json_edit.apply_edits` takes
    them) made, all located in one reading of the text; overlapping edits are refused
    (:class:`~pbcfg.source.edits.OverlappingEdits`)."""
    return splice(text, _spans(_Doc(text), edits))


def set_member(text: str, path: list, key: str, value: object) -> str:
    """``text`` with ``value`` at ``path + [key]``; mappings missing on ``path`` are created."""
    doc = _Doc(text)
    if doc.root is None:  # an empty file, or only comments
        return text + ("" if not text or text.endswith("\n") else "\n") + "\n".join(_block(key, value, 0, 2)) + "\n"
    for depth in range(len(path), -1, -1):
        try:
            _, node, _ = doc.find(path[:depth])
        except KeyError:
            continue
        if depth < len(path):  # build the missing mappings from the deepest one that exists
            inner = {key: value}
            for name in reversed(path[depth + 1 :]):
                inner = {name: inner}
            return set_member(text, path[:depth], path[depth], inner)
        break
    if _kind(node) != "mapping":  # e.g. an empty value: the mapping takes its place
        return replace_value(text, path, {key: value})
    if any(k.value == key for k, _ in node.value):
        return replace_value(text, path + [key], value)
    if node.flow_style:
        close = node.end_mark.index - 1
        separator = ", " if node.value else ""
        return text[:close] + separator + f"{_scalar(key)}: {_inline(value)}" + text[close:]
    column = node.value[0][0].start_mark.column
    at = _line_after(text, _last_leaf(node).end_mark.index)
    lines = _block(key, value, column, _step(node))
    prefix = "" if at == 0 or text[at - 1] == "\n" else "\n"
    return text[:at] + prefix + "\n".join(lines) + "\n" + text[at:]
