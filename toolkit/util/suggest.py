""" "Did you mean …": the closest allowed word, if one is close enough."""

from __future__ import annotations

from collections.abc import Iterable

__all__ = ["did_you_mean", "unknown_name"]


def did_you_mean(word: str, choices: Iterable[str]) -> str | None:
    import difflib

    choices = [c for c in choices if isinstance(c, str)]
    folded = {c.lower().replace("_", "").replace("-", ""): c for c in choices}
    key = word.lower().replace("_", "").replace("-", "")
    if key in folded:
        return folded[key]
    match = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    return match[0] if match else None


def unknown_name(kind: str, word: str, known: Iterable[str], listed: int = 20) -> str:
    """One line for a name the user typed that the config does not have: what is known, and the closest."""
    known = [name for name in known if isinstance(name, str)]
    guess = did_you_mean(word, known)
    shown = ", ".join(known[:listed]) + (f", and {len(known) - listed} more" if len(known) > listed else "")
    known_ones = f"known {kind}s: {shown}" if shown else f"the config has no {kind}s"
    return f"no {kind} {word!r}; " + (
        f"did you mean {guess!r}? {known_ones[0].upper()}{known_ones[1:]}" if guess else known_ones
    )
