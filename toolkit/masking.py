"""Masking: a secret is shown as ``sk-…abcd`` or not at all, never whole."""

from __future__ import annotations

__all__ = ["mask"]


def mask(secret: object) -> str:
    """Keep a short vendor prefix and the last four characters of long secrets."""
    if not isinstance(secret, str):
        return "…"
    if secret == "":
        return '""'
    if len(secret) < 12:
        return "…"
    head, sep, _ = secret.partition("-")
    prefix = head + sep if sep and len(head) <= 4 else ""
    return f"{prefix}…{secret[-4:]}"
