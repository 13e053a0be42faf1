"""File-level migrations: the move out of ``~/.ponybunny``, and the schema files beside the config."""

from __future__ import annotations

import os
import shutil
from typing import NamedTuple

from .schema_store import SCHEMA_FILES, schema_text

__all__ = ["LegacyMove", "move_legacy", "plan_legacy_move", "stale_schema_files"]

_MOVABLE = ("credentials.json", "llm-config.json", *SCHEMA_FILES.values())


class LegacyMove(NamedTuple):
    moves: list[tuple[str, str]]  # (from, to)
    blocked: list[str]  # files present in both places: nothing moves


def plan_legacy_move(legacy: str, target: str) -> LegacyMove:
    present = [name for name in _MOVABLE if os.path.isfile(os.path.join(legacy, name))]
    if not any(name in present for name in ("credentials.json", "llm-config.json")) or \
            os.path.realpath(legacy) == os.path.realpath(target):
        return LegacyMove([], [])
    blocked = [name for name in present if os.path.lexists(os.path.join(target, name))]
    if blocked:
        return LegacyMove([], [os.path.join(target, name) for name in blocked])
    return LegacyMove([(os.path.join(legacy, name), os.path.join(target, name)) for name in present], [])


def move_legacy(plan: LegacyMove) -> list[str]:
    """Copy, verify, and only then remove each source; never overwrite; 0600 credentials in a 0700 directory."""
    done = []
    for source, target in plan.moves:
        directory = os.path.dirname(target)
        if not os.path.isdir(directory):
            os.makedirs(directory, mode=0o700)
            os.chmod(directory, 0o700)
        if os.path.lexists(target):
            raise FileExistsError(target)
        temporary = target + ".pbcfg-moving"
        shutil.copy2(source, temporary)
        with open(source, "rb") as left, open(temporary, "rb") as right:
            if left.read() != right.read():
                os.unlink(temporary)
                raise OSError(f"copy of {source} did not verify; nothing was removed")
        if os.path.basename(target) == "credentials.json":
            os.chmod(temporary, 0o600)
        os.link(temporary, target)  # fails rather than overwrite a file that appeared meanwhile
        os.unlink(temporary)
        os.unlink(source)
        done.append(f"moved {source} -> {target}")
    return done


def stale_schema_files(documents) -> dict[str, str]:
    """Schema path -> current text, for each referenced schema beside the files that is missing or stale."""
    wanted = {}
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
            wanted[path] = schema_text(document.kind)
    return wanted
