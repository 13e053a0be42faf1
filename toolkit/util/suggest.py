""""Did you mean …": the closest allowed word, if one is close enough."""

from __future__ import annotations

from collections.abc import Iterable

__all__ = ["did_you_mean"]


def did_you_mean(word: str, choices: Iterable[str]) -> str | None:
    import difflib

    choices = [c for c in choices if isinstance(c, str)]
    folded = {c.lower().replace("_", "").replace("-", ""): c for c in choices}
    key = word.lower().replace("_", "").replace("-", "")
    if key in folded:
        return folded[key]
    match = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    return match[0] if match else None
