"""Unified diffs of two versions of a config file, in time close to linear in their length.

difflib matches each line against every line like it, so its time grows with the square of the number of
lines alike, and a fix touching each of thousands of models makes thousands alike. Here the lines found once in
each version (a model's key, its display name) are matched first, in order, as patience diff does,
a few levels deep; only the short runs between them go to difflib, and a run too long for it is
shown as replaced whole: a correct diff, if not the shortest.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterator, Sequence

__all__ = ["unified_diff"]

_DIFFLIB_MOST = 1 << 16  # lines before times lines after: the largest run difflib matches
_LEVELS = 4  # how often a run is searched again for lines unique within it; each level reads it once


def unified_diff(a: Sequence[str], b: Sequence[str], fromfile: str, tofile: str, n: int = 3) -> Iterator[str]:
    """``difflib.unified_diff(a, b, fromfile, tofile, n=n)``'s format, of lines that keep their ends."""
    for number, group in enumerate(_matcher(a, b).get_grouped_opcodes(n)):
        if number == 0:
            yield f"--- {fromfile}\n"
            yield f"+++ {tofile}\n"
        yield f"@@ -{_range(group[0][1], group[-1][2])} +{_range(group[0][3], group[-1][4])} @@\n"
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                yield from (" " + line for line in a[i1:i2])
                continue
            yield from ("-" + line for line in a[i1:i2])
            yield from ("+" + line for line in b[j1:j2])


def _range(start: int, stop: int) -> str:
    length = stop - start
    if length == 1:
        return str(start + 1)
    return f"{start + 1 if length else start},{length}"


def _matcher(a: Sequence[str], b: Sequence[str]):
    import difflib

    class Anchored(difflib.SequenceMatcher):
        """difflib's grouping of opcodes, over the blocks :func:`_pairs` matches."""

        def get_matching_blocks(self) -> list:
            pairs: list[tuple[int, int]] = []
            _pairs(a, b, 0, len(a), 0, len(b), _LEVELS, pairs)
            blocks: list[list[int]] = []
            for i, j in pairs:
                if blocks and blocks[-1][0] + blocks[-1][2] == i and blocks[-1][1] + blocks[-1][2] == j:
                    blocks[-1][2] += 1
                else:
                    blocks.append([i, j, 1])
            return [difflib.Match(*block) for block in blocks] + [difflib.Match(len(a), len(b), 0)]

    return Anchored(None, a, b, autojunk=False)


def _pairs(a, b, alo: int, ahi: int, blo: int, bhi: int, levels: int, pairs: list) -> None:
    """Append the matched (line of a, line of b) of ``a[alo:ahi]`` and ``b[blo:bhi]``, in order."""
    while alo < ahi and blo < bhi and a[alo] == b[blo]:
        pairs.append((alo, blo))
        alo, blo = alo + 1, blo + 1
    tail = []
    while alo < ahi and blo < bhi and a[ahi - 1] == b[bhi - 1]:
        ahi, bhi = ahi - 1, bhi - 1
        tail.append((ahi, bhi))
    anchors = _unique_in_order(a, b, alo, ahi, blo, bhi) if levels and alo < ahi and blo < bhi else []
    if anchors:
        for i, j in anchors:
            _pairs(a, b, alo, i, blo, j, levels - 1, pairs)
            pairs.append((i, j))
            alo, blo = i + 1, j + 1
        _pairs(a, b, alo, ahi, blo, bhi, levels - 1, pairs)
    elif 0 < (ahi - alo) * (bhi - blo) <= _DIFFLIB_MOST:
        import difflib

        for i, j, size in difflib.SequenceMatcher(None, a[alo:ahi], b[blo:bhi]).get_matching_blocks():
            pairs.extend((alo + i + k, blo + j + k) for k in range(size))
    pairs.extend(reversed(tail))


def _unique_in_order(a, b, alo: int, ahi: int, blo: int, bhi: int) -> list[tuple[int, int]]:
    """The longest run, in the order of both, of lines found exactly once in each range."""
    seen: dict[str, list[int]] = {}  # line -> [times in a, its index in a, times in b, its index in b]
    for i in range(alo, ahi):
        entry = seen.setdefault(a[i], [0, i, 0, -1])
        entry[0] += 1
    for j in range(blo, bhi):
        found = seen.get(b[j])
        if found is not None:
            found[2] += 1
            found[3] = j
    both = sorted((i, j) for count_a, i, count_b, j in seen.values() if count_a == 1 and count_b == 1)
    tops: list[int] = []  # patience sorting: the least last j of an increasing run of each length
    top_at: list[int] = []
    before: list[int] = []
    for at, (_, j) in enumerate(both):
        pile = bisect_left(tops, j)
        before.append(top_at[pile - 1] if pile else -1)
        if pile == len(tops):
            tops.append(j)
            top_at.append(at)
        else:
            tops[pile], top_at[pile] = j, at
    run, at = [], top_at[-1] if top_at else -1
    while at != -1:
        run.append(both[at])
        at = before[at]
    return run[::-1]
