"""The ``*.schema.json`` files beside the config, which PonyBunny and editors read.

PonyBunny's loaders read the fixed name ``llm-config.schema.json`` /
``credentials.schema.json`` in the config directory, whatever the ``$schema``
key of the config file says (that key is only data to them). When the file
exists and parses, it replaces the schema built into the loader. PonyBunny
writes these files only in ``pb init``, so they are often missing or stale.
"""

from __future__ import annotations

import os
import stat
from collections import namedtuple

from pbcfg.schema_store import SCHEMA_FILES, schema_text
from pbcfg.source.limits import MAX_BYTES

__all__ = ["SchemaFile", "StaleSchema", "schema_file_beside", "stale_schema_files"]

# state: missing | same (pbcfg's own schema, byte for byte) | unreadable | differs; reason: why it is
# unreadable (PonyBunny then falls back to its built-in schema); schema: the parsed schema, when it differs.
# A namedtuple, not a typing.NamedTuple: validate's clean path asks for this and must not import typing.
SchemaFile = namedtuple("SchemaFile", "path state reason schema", defaults=(None, None))


def schema_file_beside(config_path: str, kind: str) -> SchemaFile:
    """The schema file PonyBunny would use for the config file at ``config_path``.

    A missing file costs one ``stat``; the file is read only when it exists, and
    parsed only when it is not pbcfg's own schema.
    """
    path = os.path.join(os.path.dirname(os.path.abspath(config_path)), SCHEMA_FILES[kind])
    try:
        info = os.stat(path)
    except OSError:  # PonyBunny's existsSync says false for anything it cannot stat
        return SchemaFile(path, "missing")
    if stat.S_ISDIR(info.st_mode):
        return SchemaFile(path, "unreadable", "it is a directory")
    if stat.S_ISFIFO(info.st_mode):
        return SchemaFile(path, "unreadable", "it is a FIFO, which PonyBunny's loader would block on, reading it")
    if not stat.S_ISREG(info.st_mode):
        return SchemaFile(path, "unreadable", "it is not a regular file")
    if info.st_size > MAX_BYTES:
        return SchemaFile(path, "unreadable", f"it is larger than {MAX_BYTES // 2**20} MiB, so pbcfg did not read it")
    try:
        with open(path, "rb") as handle:
            text = handle.read(MAX_BYTES + 1).decode("utf-8", errors="replace")
    except OSError as error:
        return SchemaFile(path, "unreadable", f"it cannot be read ({error.strerror or error})")
    if text == schema_text(kind):
        return SchemaFile(path, "same")
    import json

    try:
        parsed = json.loads(text, parse_constant=_not_json)
    except (ValueError, RecursionError) as error:
        return SchemaFile(path, "unreadable", f"it is not JSON ({str(error).splitlines()[0][:120]})")
    return SchemaFile(path, "differs", schema=parsed)


def _not_json(name: str) -> None:
    raise ValueError(f"{name} is not JSON")


class StaleSchema(namedtuple("StaleSchema", "document path text")):
    """``document``: the config file whose schema file this is; ``path``: the schema file beside it;
    ``text``: pbcfg's current schema."""

    __slots__ = ()

    @property
    def state(self) -> str:
        return "stale" if os.path.exists(self.path) else "missing"


def stale_schema_files(documents) -> list[StaleSchema]:
    """Each schema file beside ``documents`` that is stale, or missing though ``$schema`` names it.

    A directory or FIFO in its place is left alone: validate reports it.
    """
    wanted = []
    for document in documents:
        data = document.data if isinstance(document.data, dict) else {}
        reference = data.get("$schema")
        found = schema_file_beside(document.source.path, document.kind)
        referenced = isinstance(reference, str) and reference.rsplit("/", 1)[-1] == SCHEMA_FILES[document.kind]
        regular = found.state != "unreadable" or os.path.isfile(found.path)
        if found.state != "same" and regular and (found.state != "missing" or referenced):
            wanted.append(StaleSchema(document, found.path, schema_text(document.kind)))
    return wanted
