"""Lines, columns and caret snippets, computed only when there is something to report.

The clean path never calls this module. :class:`Lines` counts a text's line
breaks once, per block of 16,384 characters, so each position after that costs at most one
block's scan, never a scan from the top of the file; a snippet looks at most
one window either side of its caret, so a one-line file of 60 MB costs no more
than a short one.
"""

from __future__ import annotations

import re
from array import array

from pbcfg.diagnostics import Span

__all__ = ["SNIPPET_WIDTH", "Lines", "line_col", "snippet"]

_BLOCK = 1 << 14
_RETURNS = re.compile("\r{0,65536}")
SNIPPET_WIDTH = 160


class Lines:
    """Line and column of any offset of one text, and the offset of any line."""

    __slots__ = ("text", "_breaks", "_last", "_starts")

    def __init__(self, text: str) -> None:
        self.text = text
        breaks, last = array("q", [0]), array("q", [-1])  # per block: line breaks before it, the last one before it
        total, previous = 0, -1
        for start in range(0, len(text), _BLOCK):
            total += text.count("\n", start, start + _BLOCK)
            found = text.rfind("\n", start, start + _BLOCK)
            previous = previous if found == -1 else found
            breaks.append(total)
            last.append(previous)
        self._breaks, self._last = breaks, last
        self._starts: array | None = None  # every line's start, built only when a line number is looked up

    def line_start(self, offset: int) -> int:
        block = offset // _BLOCK
        found = self.text.rfind("\n", block * _BLOCK, offset)
        return found + 1 if found != -1 else self._last[block] + 1

    def span(self, offset: int) -> Span:
        """1-based line and column (in characters) of ``offset``."""
        block = offset // _BLOCK
        line = self._breaks[block] + self.text.count("\n", block * _BLOCK, offset) + 1
        return Span(line, offset - self.line_start(offset) + 1)

    def offset(self, line: int, column: int) -> int | None:
        """Offset of a 0-based line and column, or None past the end."""
        if self._starts is None:
            import re

            self._starts = array("q", [0])
            self._starts.extend(match.end() for match in re.finditer("\n", self.text))
        if not 0 <= line < len(self._starts):
            return None
        return min(self._starts[line] + column, len(self.text))

    def snippet(self, offset: int, width: int = SNIPPET_WIDTH, view=None) -> str:
        """The source line holding ``offset`` and a caret under it; long lines are windowed around the caret.

        ``view(start, end)``, when given, is the text shown for ``text[start:end]`` (same length: secrets masked).
        """
        text = self.text
        view = view or (lambda start, end: text[start:end])
        start = self.line_start(offset)
        caret = offset - start
        reach = offset + width + 1  # nothing further than this can be shown
        stop = text.find("\n", offset, reach)
        if stop == -1:  # the line ends past the window, or only carriage returns stand between
            returns = _RETURNS.match(text, min(reach, len(text)))
            assert returns is not None  # the pattern matches the empty string
            stop = returns.end()
            stop = stop if stop == len(text) or text[stop] == "\n" else -1
        length = None  # the line's length, unless it goes on past every window
        if stop != -1:
            while stop > start and text[stop - 1] == "\r":
                stop -= 1
            length = stop - start
        if length is not None and length <= width:
            shown, caret_at = view(start, stop), caret
        else:
            left = max(0, caret - width // 2) if length is None else max(0, min(caret - width // 2, length - width))
            more = length is None or left + width < length
            piece = view(start + left, min(start + left + width, stop if length is not None else len(text)))
            shown = ("…" if left else "") + piece + ("…" if more else "")
            caret_at = caret - left + (1 if left else 0)
        before = shown[:caret_at]
        pad = " " * len(before) if "\t" not in before else "".join("\t" if ch == "\t" else " " for ch in before)
        return f"{shown}\n{pad}^"


def line_col(text: str, offset: int) -> Span:
    """1-based line and column of one offset; for many positions in one text, use :class:`Lines`."""
    return Lines(text).span(offset)


def snippet(text: str, offset: int, width: int = SNIPPET_WIDTH) -> str:
    """The caret snippet of one offset; for many positions in one text, use :class:`Lines`."""
    return Lines(text).snippet(offset, width)
