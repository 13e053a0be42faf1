"""A lenient JSON scanner for the error path and for ``migrate``.

It accepts what people actually write in config files (``//`` and ``/* */``
comments, trailing commas, NaN) and records each deviation from strict JSON
with its offset, together with duplicate keys and the first hard syntax error.
``cleaned`` is the text with comments and trailing commas blanked out: same
length, same line breaks, so every offset still points at the original text.
"""

from __future__ import annotations

import json
import re
from typing import NamedTuple

__all__ = ["MAX_DEPTH", "Deviation", "Scan", "scan"]

MAX_DEPTH = 200
MAX_INT_DIGITS = 4300

_NUMBER = re.compile(r"-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][-+]?\d+)?")
_CONSTANTS = {"true": True, "false": False, "null": None}
_NON_STANDARD = ("NaN", "-Infinity", "Infinity")
_scanstring = json.decoder.scanstring


class Deviation(NamedTuple):
    """One place where the text departs from strict JSON, or the hard error that stopped the scan."""

    kind: str  # comment | trailing-comma | duplicate-key | constant | syntax | depth
    offset: int
    text: str = ""
    path: tuple = ()
    earlier: int = 0  # duplicate-key: offset of the first occurrence


class Scan(NamedTuple):
    cleaned: str
    deviations: list[Deviation]

    @property
    def fatal(self) -> Deviation | None:
        return next((f for f in self.deviations if f.kind in ("syntax", "depth")), None)


class _Stop(Exception):
    pass


class _Scanner:
    def __init__(self, text: str) -> None:
        self.text = text
        self.chars = list(text)  # blanked in place, joined once
        self.deviations: list[Deviation] = []

    def fail(self, kind: str, offset: int, message: str) -> None:
        self.deviations.append(Deviation(kind, offset, message))
        raise _Stop

    def blank(self, start: int, end: int) -> None:
        for i in range(start, end):
            if self.chars[i] not in "\r\n":
                self.chars[i] = " "

    def trivia(self, pos: int) -> int:
        text, size = self.text, len(self.text)
        while pos < size:
            char = text[pos]
            if char in " \t\r\n":
                pos += 1
            elif text.startswith("//", pos):
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
                break
        return pos

    def expect_more(self, pos: int, what: str) -> None:
        if pos >= len(self.text):
            self.fail("syntax", pos, f"unexpected end of file: expected {what}")

    def value(self, pos: int, path: tuple, depth: int) -> int:
        text = self.text
        self.expect_more(pos, "a value")
        if depth > MAX_DEPTH:
            self.fail("depth", pos, f"nesting deeper than {MAX_DEPTH} levels")
        char = text[pos]
        if char == "{":
            return self.members(pos, path, depth)
        if char == "[":
            return self.items(pos, path, depth)
        if char == '"':
            return self.string(pos)[1]
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

    def string(self, pos: int) -> tuple[str, int]:
        try:
            return _scanstring(self.text, pos + 1)
        except json.JSONDecodeError as error:
            self.fail("syntax", error.pos, error.msg.lower())
        except ValueError:
            self.fail("syntax", pos, "invalid string")
        return "", pos  # unreachable

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
            key, pos = self.string(pos)
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
    except RecursionError:
        scanner.deviations.append(Deviation("depth", 0, f"nesting deeper than {MAX_DEPTH} levels"))
    return Scan("".join(scanner.chars), scanner.deviations)
