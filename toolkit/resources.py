"""Files shipped with the package: schemas, templates, generated models.

In the repository (and an editable install) they are top-level folders beside
``toolkit/``; in the wheel they sit inside the ``pbcfg`` package.
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["resource_dir"]

_PACKAGE = Path(__file__).resolve().parent


def resource_dir(name: str) -> Path:
    """``resource_dir("schemas")``: the wheel's ``pbcfg/schemas``, else the repository's ``schemas/``."""
    inside = _PACKAGE / name
    return inside if inside.is_dir() else _PACKAGE.parent / name
