"""Files shipped with the package: schemas, templates, generated models.

In the repository (and an editable install) they are top-level folders beside
``toolkit/``; in the wheel they sit inside the ``pbcfg`` package.
"""

from __future__ import annotations

import os

__all__ = ["resource_dir", "resource_path"]

_PACKAGE = os.path.dirname(os.path.dirname(__file__))  # pbcfg/, above util/


def resource_dir(name: str) -> str:
    """``resource_dir("schemas")``: the wheel's ``pbcfg/schemas``, else the repository's ``schemas/`` (beside the
    package's real directory: the links are resolved only then, which costs the clean path of validate)."""
    inside = os.path.join(_PACKAGE, name)
    if os.path.isdir(inside):
        return inside
    package = os.path.realpath(_PACKAGE)
    inside = os.path.join(package, name)
    return inside if os.path.isdir(inside) else os.path.join(os.path.dirname(package), name)


def resource_path(name: str, file: str) -> str:
    return os.path.join(resource_dir(name), file)
