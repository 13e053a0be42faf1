"""The ``*.schema.json`` files beside the config, which PonyBunny and editors read.

The ``$schema`` key of each file names one (``"./credentials.schema.json"``);
PonyBunny writes them only in ``pb init``, so they are often missing or stale.
"""

from __future__ import annotations

import os

from pbcfg.schema_store import SCHEMA_FILES, schema_text

__all__ = ["stale_schema_files"]


def stale_schema_files(documents) -> dict[str, str]:
    """Schema path -> current text, for each referenced schema beside the files that is missing or stale."""
    wanted = {}
    for document in documents:
        data = document.data if isinstance(document.data, dict) else {}
        reference = data.get("$schema")
        name = SCHEMA_FILES[document.kind]
        path = os.path.join(os.path.dirname(os.path.abspath(document.source.path)), name)
        if os.path.exists(path) and not os.path.isfile(path):
            continue  # a pipe or a device under that name: reading it could wait forever, and it is not ours
        try:
            with open(path, encoding="utf-8") as handle:
                current = handle.read()
        except (OSError, ValueError):  # missing, unreadable, or not UTF-8: stale
            current = None
        referenced = isinstance(reference, str) and reference.rsplit("/", 1)[-1] == name
        if current != schema_text(document.kind) and (current is not None or referenced):
            wanted[path] = schema_text(document.kind)
    return wanted
