"""The one edit type and the one splicer behind every change pbcfg makes to a user's file.

An :class:`Edit` names an operation on a place in a file's data (``add``, ``rename``, ``remove``, ``migrate``
and lint's fixes all speak it); :mod:`pbcfg.source.json_edit` and :mod:`pbcfg.source.yaml_edit` locate each
edit in the text as a span and its replacement, and :func:`splice` makes every span at once.

The rule for overlapping edits, the same everywhere: two spans overlap when they share a character, or when
both are empty at the same offset (two insertions whose order would be a guess). Spans that only touch do
not overlap. Overlapping spans are refused with :class:`OverlappingEdits` and nothing is changed; spans
that do not overlap give the same text in whatever order they come.
"""

from __future__ import annotations

from typing import NamedTuple

__all__ = ["Edit", "OverlappingEdits", "splice"]


class Edit(NamedTuple):
    op: str  # set-value | rename-key | remove-member | remove-item | set-member | note (reported, nothing changes)
    tokens: list  # where, in the text as it is: every edit of one batch is located in the same text
    value: object = None  # the new key or value; None for a removal
    message: str = ""  # what changes, as a listing says it
    hint: str | None = None  # what to do about it, when the change is only proposed
    file: str | None = None  # the path of the file it changes, when the edit travels apart from its text


class OverlappingEdits(ValueError):
    """Two edits of one text change the same characters (or insert at the same offset)."""


def splice(text: str, spans: list[tuple[int, int, str]]) -> str:
    """``text`` with every (start, end, replacement) made at once; refused when two of them overlap."""
    ordered = sorted(spans, key=lambda span: (span[0], span[1]))
    for (start, end, _), (next_start, next_end, _) in zip(ordered, ordered[1:]):
        if next_start < end or start == end == next_start == next_end:
            raise OverlappingEdits(f"edits at {start}-{end} and {next_start}-{next_end} overlap")
    at = 0
    pieces: list[str] = []
    for start, end, replacement in ordered:
        pieces += (text[at:start], replacement)
        at = end
    pieces.append(text[at:])
    return "".join(pieces)
