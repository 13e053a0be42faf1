"""Guards for data of any shape: a rule or a migration reads a file that may not match the schema."""

from __future__ import annotations

__all__ = ["items", "mapping"]


def mapping(value: object) -> dict:
    """``value`` if it is a JSON object, else an empty one."""
    return value if isinstance(value, dict) else {}


def items(value: object) -> list:
    """``value`` if it is a JSON array, else an empty one."""
    return value if isinstance(value, list) else []
