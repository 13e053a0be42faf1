"""The move out of ``~/.ponybunny`` (SPEC §1): copy, verify, then remove; never overwrite."""

from __future__ import annotations

import os
import shutil
from typing import NamedTuple

from pbcfg.schema_store import SCHEMA_FILES
from pbcfg.util.filemodes import CREDENTIALS_MODE, is_credentials_file, make_private_directory

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
    """Copy, verify, and only then remove each source; never overwrite; 0600 credentials in a 0700 directory."""
    done = []
    for source, target in plan.moves:
        directory = os.path.dirname(target)
        make_private_directory(directory)
        if os.path.lexists(target):
            raise FileExistsError(target)
        temporary = target + ".pbcfg-moving"
        shutil.copy2(source, temporary)
        with open(source, "rb") as left, open(temporary, "rb") as right:
            if left.read() != right.read():
                os.unlink(temporary)
                raise OSError(f"copy of {source} did not verify; nothing was removed")
        if is_credentials_file(target):
            os.chmod(temporary, CREDENTIALS_MODE)
        os.link(temporary, target)  # fails rather than overwrite a file that appeared meanwhile
        os.unlink(temporary)
        os.unlink(source)
        done.append(f"moved {source} -> {target}")
    return done

