"""Source positions in JSON text, computed only when there is something to report.

The clean path never calls this module. On the error path, a pointer is located
by walking the text and skipping every sibling value with the C decoder
(``raw_decode``), so finding one position costs one pass at C speed rather than
a pure-Python parse of the whole file.
"""

from __future__ import annotations

import json
import re

from pbcfg.diagnostics import Span

__all__ = ["JsonLocator", "line_col", "snippet"]

_WS = re.compile(r"[ \t\n\r]*")
_DECODER = json.JSONDecoder()
_scanstring = json.decoder.scanstring


def line_col(text: str, offset: int) -> Span:
    """1-based line and column (in characters) of ``offset``."""
    line = text.count("\n", 0, offset) + 1
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return Span(line, column)


def snippet(text: str, offset: int, width: int = 160) -> str:
    """The source line holding ``offset`` and a caret under it; long lines are windowed."""
    start = text.rfind("\n", 0, offset) + 1
    end = text.find("\n", offset)
    line = text[start : end if end != -1 else len(text)].rstrip("\r")
    caret_at = offset - start
    if len(line) > width:
        left = max(0, min(caret_at - width // 2, len(line) - width))
        shown = line[left : left + width]
        line = ("…" if left else "") + shown + ("…" if left + width < len(line) else "")
        caret_at = caret_at - left + (1 if left else 0)
    pad = "".join("\t" if ch == "\t" else " " for ch in line[:caret_at])
    return f"{line}\n{pad}^"


class JsonLocator:
    """Maps JSON pointer tokens to offsets of keys and values in one document."""

    def __init__(self, text: str, display: str | None = None) -> None:
        self.text = text  # strict JSON with the same offsets as ``display``
        self.display = text if display is None else display
        self._objects: dict[int, dict] = {}  # offset of an object -> its members, read on the first lookup

    def _skip_ws(self, pos: int) -> int:
        return _WS.match(self.text, pos).end()

    def _skip_value(self, pos: int) -> int:
        return _DECODER.raw_decode(self.text, pos)[1]

    def _find_member(self, pos: int, key: str) -> tuple[int, int] | None:
        """In the object at ``pos``, the offsets of the last ``key`` and its value.

        The object is read once, whole, on its first lookup: a thousand lookups in one object (an edit of
        every reference, a report of every error) cost one pass, not a thousand."""
        members = self._objects.get(pos)
        if members is None:
            members = self._objects[pos] = self._read_members(pos)
        return members.get(key)

    def _read_members(self, pos: int) -> dict[str, tuple[int, int]]:
        text = self.text
        members: dict[str, tuple[int, int]] = {}
        pos = self._skip_ws(pos + 1)
        if text.startswith("}", pos):
            return members
        while True:
            key_at = pos
            name, pos = _scanstring(text, pos + 1)
            pos = self._skip_ws(pos) + 1  # the colon
            value_at = self._skip_ws(pos)
            members[name] = (key_at, value_at)  # JSON.parse keeps the last duplicate
            pos = self._skip_ws(self._skip_value(value_at))
            if text[pos] == "}":
                return members
            pos = self._skip_ws(pos + 1)

    def _find_item(self, pos: int, index: int) -> int | None:
        text = self.text
        pos = self._skip_ws(pos + 1)
        if text.startswith("]", pos):
            return None
        for _ in range(index):
            pos = self._skip_ws(self._skip_value(pos))
            if text[pos] == "]":
                return None
            pos = self._skip_ws(pos + 1)
        return pos

    def offset(self, tokens: list[str | int], *, key: bool = False) -> int | None:
        """Offset of the value at ``tokens`` (of its key when ``key``), or None.

        A token that cannot be followed stops the walk at the deepest position
        reached, which is still the best place to point at.
        """
        pos = self._skip_ws(0)
        key_at = None
        for token in tokens:
            char = self.text[pos] if pos < len(self.text) else ""
            if char == "{":
                member = self._find_member(pos, str(token))
                if member is None:
                    return pos
                key_at, pos = member
            elif char == "[" and str(token).isascii() and str(token).isdigit():
                item = self._find_item(pos, int(token))
                if item is None:
                    return pos
                key_at, pos = None, item
            else:
                return pos
        return key_at if key and key_at is not None else pos

    def value_span(self, tokens: list[str | int]) -> tuple[int, int]:
        """Start and end offsets of the value at ``tokens``, which must exist."""
        start = self.offset(tokens)
        return start, self._skip_value(start)

    def item_removal_span(self, tokens: list[str | int]) -> tuple[int, int]:
        """What to cut to remove array item ``tokens[-1]``: the comma before it and the item.

        Spans of different items never overlap (except item 0 with item 1), so
        several later items of one array can be removed in one pass.
        """
        start, end = self.value_span(tokens)
        index = int(tokens[-1])
        if index > 0:
            _, previous_end = self.value_span(list(tokens[:-1]) + [index - 1])
            return previous_end, end
        after = self._skip_ws(end)
        return (start, self._skip_ws(after + 1)) if self.text[after] == "," else (start, end)

    def locate(self, tokens: list[str | int], *, key: bool = False) -> tuple[Span, str] | None:
        """Span and caret snippet of a pointer's key or value, or None."""
        try:
            offset = self.offset(tokens, key=key)
        except (ValueError, IndexError):
            return None
        if offset is None:
            return None
        return line_col(self.display, offset), snippet(self.display, offset)
