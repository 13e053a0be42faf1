"""The move out of ``~/.ponybunny`` (SPEC §1): copy, verify, then remove; never overwrite."""

from __future__ import annotations

import os
from typing import NamedTuple

from pbcfg.schema_store import SCHEMA_FILES
from pbcfg.util.filemodes import make_private_directory

__all__ = ["LegacyMove", "move_legacy", "plan_legacy_move"]

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
    """Copy every file as one unit (never overwriting; credentials 0600 from the first byte, in a 0700
    directory), verify each copy, and only then remove the sources."""
    from pbcfg.errors import InputError, WriteError
    from pbcfg.util.atomic import Write, write_files
    from pbcfg.util.oserrors import write_error

    if not plan.moves:
        return []
    contents, modes = {}, {}
    for source, _ in plan.moves:
        try:
            with open(source, "rb") as handle:
                contents[source] = handle.read()
                modes[source] = os.fstat(handle.fileno()).st_mode & 0o7777
        except OSError as error:
            raise InputError(f"{source}: cannot read: {error.strerror or error}; nothing was moved") from None
    for directory in {os.path.dirname(target) for _, target in plan.moves}:
        make_private_directory(directory)
    write_files([Write(target, contents[source], new_only=True, mode=modes[source]) for source, target in plan.moves])
    for source, target in plan.moves:
        with open(target, "rb") as copy:
            if copy.read() != contents[source]:
                raise WriteError(f"{target}: the copy of {source} did not verify; nothing was removed")
    done = []
    for source, target in plan.moves:
        try:
            os.unlink(source)
        except OSError as error:
            raise write_error(error, source, "copied, but cannot remove the legacy copy") from None
        done.append(f"moved {source} -> {target}")
    return done

