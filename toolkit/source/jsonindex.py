"""Where each key and value of a JSON document starts and ends: one pass, shared by every position and edit.

The first question about a document finds its brackets in one linear pass at
C speed (byte translations, with escapes neutralised and strings set aside),
and the depth after each; the bracket closing any other is then found by one
C-level search of that depth array. After that, an object's or array's
members are listed once, the first time a pointer goes through it, each
sibling stepped over by that one search, whatever its size. Only keys are decoded,
never values, so a file with 10,000 errors costs one pass, not 10,000.

The text must be JSON that parsed (with comments and trailing commas blanked,
as :mod:`pbcfg.source.jsonscan` leaves them): the index trusts its structure.
Diagnostics (:class:`pbcfg.source.document.Document`), lint's fixes and the
text edits of ``add`` and ``migrate`` (:mod:`pbcfg.source.json_edit`) all ask it.
"""

from __future__ import annotations

import json
import re
from array import array
from bisect import bisect_right
from itertools import accumulate, count
from operator import add
from typing import TYPE_CHECKING, NamedTuple, cast

from pbcfg.source.limits import json_bytes

if TYPE_CHECKING:
    from collections.abc import Callable

__all__ = ["JsonIndex", "Member"]

_SPACE = re.compile(r"[ \t\n\r]*+")
_STRING = re.compile(r'"[^"\\]*+(?:\\.[^"\\]*+)*+"', re.S)
_SCALAR = re.compile(r"[\w.+-]++")
_BRACKET = re.compile(r'(?:[^"\[\]{}]++|"[^"\\]*+(?:\\.[^"\\]*+)*+")*+([\[\]{}])', re.S)
_NOT_QUOTE_OR_BRACKET = bytes(c for c in range(256) if c not in b'"[]{}')
_MARK = bytes(ord("X") if c in b"[]{}" else 0 for c in range(256))
_STEP = bytes.maketrans(b"[]{}", b"\x01\xff\x01\xff")  # +1 and -1 as signed bytes
_BLOCK = 1 << 14
_scanstring = json.decoder.scanstring  # type: ignore[attr-defined]  # typeshed leaves out json.decoder.scanstring
# _SPACE matches the empty string, so its match is never None
_space = cast("Callable[[str, int], re.Match[str]]", _SPACE.match)


class Member(NamedTuple):
    """One member of an object (``key`` and ``key_at`` set) or item of an array (``key`` None, ``key_at`` -1)."""

    key: str | None
    key_at: int
    value_at: int
    value_end: int


class _Brackets:
    """The brackets of a JSON text that are outside strings, made in one pass at C speed: a mark at each one's
    offset (a byte per character, so offsets stay), the nesting depth after each, and how many come before each
    block of the text. Nothing per bracket runs in Python, whatever the file's size: a bracket's offset is looked
    up in its block, whose offsets are listed the first time one is asked for."""

    __slots__ = ("marks", "depths", "counts", "blocks")

    def __init__(self, text: str) -> None:
        raw = json_bytes(text)
        kinds = raw.translate(None, _NOT_QUOTE_OR_BRACKET).replace(b'""', b"")  # a string without brackets: gone
        if b'"' not in kinds:  # so every bracket of the text is outside strings
            self.marks = raw.translate(_MARK)
        else:  # some string holds a bracket: step over every string with the regex
            marked = bytearray(len(raw))
            # up to the last bracket only: past it a match would be tried, and fail, at every character
            last = max(map(text.rfind, "[]{}")) + 1
            found = [match.end() - 1 for match in _BRACKET.finditer(text, 0, last)]
            for at in found:
                marked[at] = ord("X")
            self.marks, kinds = bytes(marked), bytes(raw[at] for at in found)
        self.depths = array("l", accumulate(array("b", kinds.translate(_STEP))))
        marks = self.marks
        self.counts = array(
            "q", accumulate((marks.count(b"X", at, at + _BLOCK) for at in range(0, len(marks), _BLOCK)), initial=0)
        )  # brackets before each block
        self.blocks: dict[int, array] = {}  # block -> the offsets of its brackets, listed when first asked

    def number_at(self, offset: int) -> int | None:
        """The number of the bracket at ``offset`` (0 for the first of the text), or None."""
        if self.marks[offset : offset + 1] != b"X":
            return None
        block = offset // _BLOCK
        return self.counts[block] + self.marks.count(b"X", block * _BLOCK, offset)

    def closing(self, number: int) -> int:
        """The number of the bracket that closes bracket ``number``."""
        depths = self.depths
        try:  # the first bracket after it back at the depth before it: one C-level search, however far
            return depths.index(depths[number] - 1, number + 1)
        except ValueError:  # unclosed: runs to the end
            return len(depths) - 1

    def offset_of(self, number: int) -> int:
        """The offset of bracket ``number``: the offsets of its block's brackets are listed once, at C speed."""
        block = bisect_right(self.counts, number) - 1
        offsets = self.blocks.get(block)
        if offsets is None:
            begin = block * _BLOCK
            pieces = self.marks[begin : begin + _BLOCK].split(b"X")
            offsets = self.blocks[block] = array("q", map(add, accumulate(map(len, pieces[:-1])), count(begin)))
        return offsets[number - self.counts[block]]


class _Listing:
    """The members of one object or array as far as listed: a lookup that finds its key stops there, and the
    next one goes on from where it stopped, so each member is read once, and only up to the last one asked for."""

    __slots__ = ("found", "by_key", "pos", "following", "done")

    def __init__(self, is_object: bool, pos: int) -> None:
        self.found: list[Member] = []
        self.by_key: dict[str, int] | None = {} if is_object else None
        self.pos = pos  # where the next member starts
        self.following: int | None = None  # the number of the next bracket that opens a member, once one is found
        self.done = False


class JsonIndex:
    """Offsets of the keys and values of one JSON text, found by pointer tokens. With ``unique_keys`` (the text
    has no duplicate key) a lookup lists an object's members only up to the key it wants."""

    __slots__ = ("text", "unique_keys", "_brackets", "_containers")

    def __init__(self, text: str, *, unique_keys: bool = False) -> None:
        self.text = text
        self.unique_keys = unique_keys
        self._brackets: _Brackets | None = None
        self._containers: dict[int, _Listing] = {}

    def _find_brackets(self) -> _Brackets:
        if self._brackets is None:
            self._brackets = _Brackets(self.text)
        return self._brackets

    def skip_space(self, pos: int) -> int:
        return _space(self.text, pos).end()

    def value_end(self, start: int) -> int:
        """The offset just past the value that starts at ``start``."""
        text = self.text
        char = text[start : start + 1]
        if char in ("{", "["):
            brackets = self._find_brackets()
            number = brackets.number_at(start)
            if number is None:
                return len(text)
            return brackets.offset_of(brackets.closing(number)) + 1
        match = (_STRING if char == '"' else _SCALAR).match(text, start)
        return match.end() if match else start

    def members(self, start: int) -> tuple[list[Member], dict[str, int] | None]:
        """The members of the object (with the index of each key: the last of duplicates, as JSON.parse keeps)
        or the items of the array (and None) at ``start``; listed once, then remembered."""
        listing = self._list(start, None)
        return listing.found, listing.by_key

    def _list(self, start: int, wanted: str | None) -> _Listing:
        """The listing of the container at ``start``, carried on to its end, or (``wanted``, in a text without
        duplicate keys) until that key is listed."""
        text = self.text
        listing = self._containers.get(start)
        if listing is None:
            listing = self._containers[start] = _Listing(text[start] == "{", _space(text, start + 1).end())
        found, by_key = listing.found, listing.by_key
        if listing.done or (wanted is not None and by_key is not None and wanted in by_key):
            return listing
        space, size, pos, following = _space, len(text), listing.pos, listing.following
        closer = "}" if by_key is not None else "]"
        brackets = self._brackets
        while True:
            if pos >= size or text[pos] == closer:
                listing.done = True
                break
            key, key_at = None, -1
            if by_key is not None:
                key_at = pos
                key, pos = _scanstring(text, pos + 1)
                pos = space(text, space(text, pos).end() + 1).end()  # past the colon
                by_key[key] = len(found)
            if text.startswith(("{", "["), pos):
                if following is None:  # the first member that is one: number it once
                    brackets = self._find_brackets()
                    following = brackets.number_at(pos)
                if following is None:
                    end = len(text)
                else:
                    brackets = self._find_brackets()
                    closing = brackets.closing(following)
                    end, following = brackets.offset_of(closing) + 1, closing + 1
            else:
                end = self.value_end(pos)
            found.append(Member(key, key_at, pos, end))
            pos = space(text, end).end()
            if pos >= size or text[pos] != ",":
                listing.done = True
                break
            pos = space(text, pos + 1).end()
            if key is not None and key == wanted and self.unique_keys:
                break
        listing.pos, listing.following = pos, following
        return listing

    def _walk(self, tokens: list) -> tuple[int, Member | None, bool]:
        """(offset of the deepest value reached, the member that led there, whether every token was followed)."""
        text = self.text
        pos, member = self.skip_space(0), None
        for token in tokens:
            char = text[pos : pos + 1]
            if char == "{":
                listing = self._list(pos, str(token))
                assert listing.by_key is not None  # an object's listing: keys are indexed
                found, index = listing.found, listing.by_key.get(str(token))
            elif char == "[" and str(token).isascii() and str(token).isdigit():
                found, _ = self.members(pos)
                index = int(token) if int(token) < len(found) else None
            else:
                index = None
            if index is None:
                return pos, member, False
            member = found[index]
            pos = member.value_at
        return pos, member, True

    def offset(self, tokens: list, *, key: bool = False) -> int:
        """Offset of the value at ``tokens`` (of its key, with ``key``).

        A token that cannot be followed stops the walk at the deepest value
        reached, which is still the best place to point at.
        """
        pos, member, followed = self._walk(list(tokens))
        return member.key_at if key and followed and member is not None and member.key_at >= 0 else pos

    def member(self, tokens: list) -> Member:
        """The member or item at ``tokens``, which must exist (KeyError otherwise)."""
        _, member, followed = self._walk(list(tokens))
        if not followed or member is None:
            raise KeyError(tokens)
        return member

    def value_span(self, tokens: list) -> tuple[int, int]:
        """Start and end offsets of the value at ``tokens``, which must exist."""
        start = self.offset(tokens)
        return start, self.value_end(start)

    def key_span(self, tokens: list) -> tuple[int, int]:
        """Start and end offsets of the quoted key of the member at ``tokens``."""
        start = self.member(tokens).key_at
        match = _STRING.match(self.text, start)
        assert match is not None  # a key is a string
        return start, match.end()

    def item_removal_span(self, tokens: list) -> tuple[int, int]:
        """What to cut to remove array item ``tokens[-1]``: the comma before it and the item.

        Spans of different items never overlap (except item 0 with item 1), so
        several later items of one array can be removed in one pass.
        """
        items, _ = self.members(self.offset(list(tokens[:-1])))
        index = int(tokens[-1])
        item = items[index]
        if index > 0:
            return items[index - 1].value_end, item.value_end
        after = self.skip_space(item.value_end)
        if self.text.startswith(",", after):
            return item.value_at, self.skip_space(after + 1)
        return item.value_at, item.value_end
