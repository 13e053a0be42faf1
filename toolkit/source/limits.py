"""The limits on what pbcfg reads, and the check at C speed that lets a document past them before it is parsed.

No PonyBunny config comes near any of them (the biggest real ones are tens of
kilobytes, five levels deep, with strings of a few hundred characters); they
exist so that no input, however hostile, costs more than linear time and a
bounded amount of memory. Each has its own rule id in :mod:`pbcfg.catalog`:

    limits.file-size      64 MiB per JSON file, 1 MiB per YAML source, checked before a byte is read
    limits.depth          128 nested objects and arrays, the same in JSON and YAML
    limits.string-length  1,048,576 characters in one string or key
    limits.values         1,000,000 keys and array items in one file

:func:`fits` looks at the text with byte translations and counts only, and
answers True only when the strict parse cannot break a limit. When it answers
False (the text breaks a limit, or might: it errs on the safe side), the
lenient scanner of :mod:`pbcfg.source.jsonscan` reads the text instead; it
stops at the first limit broken and says where.
"""

from __future__ import annotations

__all__ = [
    "MAX_BYTES",
    "MAX_DEPTH",
    "MAX_STRING",
    "MAX_VALUES",
    "MAX_YAML_BYTES",
    "fits",
    "has_lone_surrogate",
    "json_bytes",
    "may_hold_lone_surrogate",
]

MAX_BYTES = 64 * 1024 * 1024
MAX_YAML_BYTES = 1024 * 1024  # YAML is parsed in pure Python, at a few hundred kilobytes a second
MAX_DEPTH = 128
MAX_STRING = 1 << 20
MAX_VALUES = 1_000_000

_NOT_STRUCTURE = bytes(c for c in range(256) if c not in b'"[]{},')
_STEP = bytes.maketrans(b"[]{}", b"\x01\xff\x01\xff")  # +1 and -1 as signed bytes
_SQUARE = bytes.maketrans(b"{}", b"[]")


def json_bytes(text: str) -> bytes:
    """JSON ``text`` as bytes, one per character (so offsets stay), with every escape that could pass for a quote
    or a backslash blanked: in them, each quote opens or closes a string."""
    raw = text.encode("ascii", "replace")
    return raw.replace(b"\\\\", b"__").replace(b'\\"', b"__") if b"\\" in raw else raw


def fits(text: str) -> bool:
    """True when JSON ``text``, if it parses, is within every limit; False when it is not, or may not be.

    One pass over the text (a byte translation keeps quotes, brackets and
    commas), then a few over that skeleton, a tenth of the size.
    """
    raw = json_bytes(text)
    if len(raw) > MAX_STRING:  # a string that long holds a whole aligned block of half the limit with no quote
        half, quotes, counted = MAX_STRING // 2, 0, 0
        for start in range(0, len(raw) - half + 1, half):
            if raw.find(b'"', start, start + half) == -1:  # such a block: inside a string, or between two?
                quotes, counted = quotes + raw.count(b'"', counted, start), start
                if quotes % 2:  # an odd number of quotes before it: inside
                    return False
    skeleton = raw.translate(None, _NOT_STRUCTURE)
    del raw
    commas = skeleton.count(b",")  # with those inside strings: never fewer than the real ones
    quoted = skeleton.translate(None, b",")
    if quoted.count(b'""') * 2 == quoted.count(b'"'):  # every string's quotes side by side: no bracket inside one
        brackets = quoted.translate(None, b'"')
    else:
        import re

        brackets = re.sub(rb'"[^"]*"', b"", quoted)
    if commas + brackets.count(b"[") + brackets.count(b"{") > MAX_VALUES:  # never fewer values than this
        return False
    return _depth_at_most(brackets.translate(_SQUARE), MAX_DEPTH)


def _depth_at_most(brackets: bytes, depth: int) -> bool:
    """True when balanced ``brackets`` (all square) nest at most ``depth`` deep. Each round takes out the
    innermost pairs, one level, at C speed; while rounds stop halving the rest, the running depth is counted."""
    while brackets:
        if depth <= 0:
            return False
        shorter = brackets.replace(b"[]", b"")
        if len(shorter) * 2 > len(brackets) and len(shorter) <= 256:  # a few nested containers left: count them
            level = deepest = 0
            for bracket in shorter:
                level += 1 if bracket == 0x5B else -1  # "["
                deepest = max(deepest, level)
            return deepest <= depth - 1
        if len(shorter) * 2 > len(brackets):  # rare: a deep or lopsided file
            from array import array
            from itertools import accumulate

            return max(accumulate(array("b", shorter.translate(_STEP))), default=0) <= depth - 1
        brackets, depth = shorter, depth - 1
    return True


def may_hold_lone_surrogate(text: str) -> bool:
    """False when JSON ``text`` has no \\uD800-\\uDFFF escape, the only way a JSON string can hold half a pair."""
    if "\\u" not in text:
        return False
    import re

    return re.search(r"\\u[dD][89a-fA-F]", text) is not None


def has_lone_surrogate(text: str) -> bool:
    """True when ``text`` holds a code point of U+D800-U+DFFF, which no UTF-8 can carry."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False
