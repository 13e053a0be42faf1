"""The ``*.schema.json`` files beside the config, which PonyBunny and editors read.

The ``$schema`` key of each file names one (``"./credentials.schema.json"``);
PonyBunny writes them only in ``pb init``, so they are often missing or stale.
"""

from __future__ import annotations

import os
from typing import NamedTuple

from pbcfg.schema_store import SCHEMA_FILES, schema_text

__all__ = ["StaleSchema", "stale_schema_files"]


class StaleSchema(NamedTuple):
    document: object  # the config file (a pbcfg.source.document.Document) whose schema file this is
    path: str  # the schema file beside it
    text: str  # pbcfg's current schema

    @property
    def state(self) -> str:
        return "stale" if os.path.exists(self.path) else "missing"


def stale_schema_files(documents) -> list[StaleSchema]:
    """Each schema file beside ``documents`` that is stale, or missing though ``$schema`` names it."""
    wanted = []
    for document in documents:
        data = document.data if isinstance(document.data, dict) else {}
        reference = data.get("$schema")
        name = SCHEMA_FILES[document.kind]
        path = os.path.join(os.path.dirname(os.path.abspath(document.source.path)), name)
        try:
            with open(path, encoding="utf-8") as handle:
                current = handle.read()
        except OSError:
            current = None
        referenced = isinstance(reference, str) and reference.rsplit("/", 1)[-1] == name
        if current != schema_text(document.kind) and (current is not None or referenced):
            wanted.append(StaleSchema(document, path, schema_text(document.kind)))
    return wanted
