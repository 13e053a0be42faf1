"""RFC 6901 JSON pointers: model ids hold '/' and '.', so escaping matters."""

from __future__ import annotations

from collections.abc import Iterable

__all__ = ["join", "split"]


def _escape(token: str | int) -> str:
    return str(token).replace("~", "~0").replace("/", "~1")


def join(tokens: Iterable[str | int]) -> str:
    """``["models", "a/b"]`` -> ``"/models/a~1b"``; no tokens is the root ``""``."""
    return "".join("/" + _escape(token) for token in tokens)


def split(pointer: str) -> list[str]:
    """Inverse of :func:`join` (array indices come back as strings)."""
    if not pointer:
        return []
    return [part.replace("~1", "/").replace("~0", "~") for part in pointer[1:].split("/")]
