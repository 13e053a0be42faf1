"""A lenient JSON scanner for the error path and for ``migrate``.

It accepts what people actually write in config files (``//`` and ``/* */``
comments, trailing commas, NaN) and records each deviation from strict JSON
with its offset, together with duplicate keys and the first hard syntax error.
``cleaned`` is the text with comments and trailing commas blanked out: same
length, same line breaks, so every offset still points at the original text.

It is also the exact judge of the limits of :mod:`pbcfg.source.limits`: it
stops at the first one broken (too deep, too long a string, too many values)
or at text that is not Unicode (a lone surrogate), so its own work is bounded
by them too; each of its steps over blanks, comments, strings and numbers runs
at C speed.
"""

from __future__ import annotations

import json
import re
from typing import NamedTuple

from pbcfg.source.limits import MAX_DEPTH, MAX_STRING, MAX_VALUES, has_lone_surrogate

__all__ = ["Deviation", "Scan", "lone_surrogate_at", "scan"]

MAX_INT_DIGITS = 4300
_BLANKS = re.compile(r"[ \t\r\n]*+")
_ESCAPE_OR_SURROGATE = re.compile("\\\\(?:u([0-9a-fA-F]{4})|.)|[\ud800-\udfff]", re.S)

_NUMBER = re.compile(r"-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][-+]?\d+)?")
_CONSTANTS = {"true": True, "false": False, "null": None}
_NON_STANDARD = ("NaN", "-Infinity", "Infinity")
_scanstring = json.decoder.scanstring  # type: ignore[attr-defined]  # typeshed leaves out json.decoder.scanstring


class Deviation(NamedTuple):
    """One place where the text departs from strict JSON, or the hard error that stopped the scan."""

    kind: str  # comment | trailing-comma | duplicate-key | constant | syntax | surrogate | depth | string | values
    offset: int
    text: str = ""
    path: tuple = ()
    earlier: int = 0  # duplicate-key: offset of the first occurrence


class Scan(NamedTuple):
    cleaned: str
    deviations: list[Deviation]

    @property
    def fatal(self) -> Deviation | None:
        return next((f for f in self.deviations if f.kind in _FATAL), None)


_FATAL = ("syntax", "surrogate", "depth", "string", "values")


class _Stop(Exception):
    pass


class _Scanner:
    def __init__(self, text: str) -> None:
        self.text = text
        self.blanked: list[tuple[int, int]] = []  # spans to blank out, in order
        self.deviations: list[Deviation] = []
        self.values = 0

    def fail(self, kind: str, offset: int, message: str, path: tuple = ()) -> None:
        self.deviations.append(Deviation(kind, offset, message, path))
        raise _Stop

    def blank(self, start: int, end: int) -> None:
        self.blanked.append((start, end))

    def cleaned(self) -> str:
        """The text with every blanked span turned into spaces, line breaks kept. Spans come in the order
        they were found, which is not the text's: a trailing comma is known only after the comment behind it."""
        text, done = self.text, 0
        pieces: list[str] = []
        for start, end in sorted(self.blanked):
            pieces += (text[done:start], re.sub(r"[^\r\n]", " ", text[start:end]))
            done = end
        pieces.append(text[done:])
        return "".join(pieces)

    def trivia(self, pos: int) -> int:
        text, size = self.text, len(self.text)
        while True:
            blanks = _BLANKS.match(text, pos)
            assert blanks is not None  # the pattern matches the empty string
            pos = blanks.end()
            if text.startswith("//", pos):
                end = text.find("\n", pos)
                end = size if end == -1 else end
                self.deviations.append(Deviation("comment", pos, text[pos:end].rstrip("\r")))
                self.blank(pos, end)
                pos = end
            elif text.startswith("/*", pos):
                end = text.find("*/", pos + 2)
                if end == -1:
                    self.fail("syntax", pos, "unterminated /* comment")
                end += 2
                self.deviations.append(Deviation("comment", pos, text[pos:end]))
                self.blank(pos, end)
                pos = end
            else:
                return pos

    def expect_more(self, pos: int, what: str) -> None:
        if pos >= len(self.text):
            self.fail("syntax", pos, f"unexpected end of file: expected {what}")

    def value(self, pos: int, path: tuple, depth: int) -> int:
        text = self.text
        self.expect_more(pos, "a value")
        if path:
            self.values += 1
            if self.values > MAX_VALUES:
                self.fail("values", pos, f"more than {MAX_VALUES:,} keys and array items", path)
        char = text[pos]
        if char in "{[" and depth >= MAX_DEPTH:
            self.fail("depth", pos, f"more than {MAX_DEPTH} nested objects and arrays", path)
        if char == "{":
            return self.members(pos, path, depth)
        if char == "[":
            return self.items(pos, path, depth)
        if char == '"':
            return self.string(pos, path)[1]
        for word in _CONSTANTS:
            if text.startswith(word, pos):
                return pos + len(word)
        for word in _NON_STANDARD:
            if text.startswith(word, pos):
                self.deviations.append(Deviation("constant", pos, word, path))
                return pos + len(word)
        match = _NUMBER.match(text, pos)
        if match:
            digits = len(match.group().lstrip("-").split(".")[0].split("e")[0].split("E")[0])
            if digits > MAX_INT_DIGITS:
                self.fail("syntax", pos, f"number with {digits} digits; at most {MAX_INT_DIGITS} are accepted")
            return match.end()
        shown = text[pos : pos + 12].split("\n")[0]
        self.fail("syntax", pos, f"expected a value, found {shown!r}")
        return pos  # unreachable

    def string(self, pos: int, path: tuple) -> tuple[str, int]:
        try:
            decoded, end = _scanstring(self.text, pos + 1)
        except json.JSONDecodeError as error:
            self.fail("syntax", error.pos, error.msg.lower())
        except ValueError:
            self.fail("syntax", pos, "invalid string")
        if len(decoded) > MAX_STRING:
            self.fail("string", pos, f"a string of {len(decoded):,} characters", path)
        if not decoded.isascii() and has_lone_surrogate(decoded):
            at, shown = lone_surrogate_at(self.text, pos, end)
            self.fail(
                "surrogate",
                at,
                f"{shown} is half of a UTF-16 surrogate pair, without the "
                "other half: text that is not Unicode, which cannot be sent or stored as UTF-8",
                path,
            )
        return decoded, end

    def members(self, pos: int, path: tuple, depth: int) -> int:
        text = self.text
        seen: dict[str, int] = {}
        pos = self.trivia(pos + 1)
        self.expect_more(pos, "a key or '}'")
        if text[pos] == "}":
            return pos + 1
        while True:
            self.expect_more(pos, "a key")
            if text[pos] != '"':
                self.fail("syntax", pos, "expected a double-quoted key")
            key_at = pos
            key, pos = self.string(pos, path)
            if key in seen:
                self.deviations.append(Deviation("duplicate-key", key_at, key, path + (key,), earlier=seen[key]))
            seen[key] = key_at
            pos = self.trivia(pos)
            if not text.startswith(":", pos):
                self.fail("syntax", pos, f"expected ':' after key {key!r}")
            pos = self.trivia(self.value(self.trivia(pos + 1), path + (key,), depth + 1))
            self.expect_more(pos, "',' or '}'")
            if text[pos] == "}":
                return pos + 1
            if text[pos] != ",":
                self.fail("syntax", pos, "expected ',' or '}' after a value")
            comma = pos
            pos = self.trivia(pos + 1)
            if text.startswith("}", pos):
                self.deviations.append(Deviation("trailing-comma", comma, ",", path))
                self.blank(comma, comma + 1)
                return pos + 1

    def items(self, pos: int, path: tuple, depth: int) -> int:
        text = self.text
        pos = self.trivia(pos + 1)
        self.expect_more(pos, "a value or ']'")
        if text[pos] == "]":
            return pos + 1
        index = 0
        while True:
            pos = self.trivia(self.value(pos, path + (index,), depth + 1))
            self.expect_more(pos, "',' or ']'")
            if text[pos] == "]":
                return pos + 1
            if text[pos] != ",":
                self.fail("syntax", pos, "expected ',' or ']' after a value")
            comma = pos
            pos = self.trivia(pos + 1)
            if text.startswith("]", pos):
                self.deviations.append(Deviation("trailing-comma", comma, ",", path))
                self.blank(comma, comma + 1)
                return pos + 1
            index += 1


def scan(text: str) -> Scan:
    """Scan one document; never raises."""
    scanner = _Scanner(text)
    try:
        pos = scanner.trivia(0)
        pos = scanner.trivia(scanner.value(pos, (), 0))
        if pos < len(text):
            scanner.fail("syntax", pos, "unexpected text after the top-level value")
    except _Stop:
        pass
    return Scan(scanner.cleaned(), scanner.deviations)


def lone_surrogate_at(text: str, start: int, end: int) -> tuple[int, str]:
    """Where the string that opens at ``start`` and ends before ``end`` first holds half a surrogate pair alone,
    and that half written as a \\u escape (a text made in memory can hold the character itself)."""
    high = None  # the offset of a high half waiting for its low half
    for match in _ESCAPE_OR_SURROGATE.finditer(text, start + 1, end - 1):  # escape by escape, in order
        if not match.group().startswith("\\"):
            found = match.start()
            break
        code = int(match.group(1), 16) if match.group(1) else -1
        if high is not None:
            if 0xDC00 <= code <= 0xDFFF and match.start() == high + 6:
                high = None
                continue
            found = high
            break
        if 0xD800 <= code <= 0xDBFF:
            high = match.start()
        elif 0xDC00 <= code <= 0xDFFF:
            found = match.start()
            break
    else:
        found = start if high is None else high
    shown = text[found : found + 6] if text.startswith("\\u", found) else f"\\u{ord(text[found]):04x}"
    return found, shown if shown.isascii() else "\\u????"
