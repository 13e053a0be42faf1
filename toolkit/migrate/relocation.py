"""The move out of ``~/.ponybunny``, as PonyBunny's loader makes it: each config file and schema file the
config directory lacks moves in, each on its own; none is ever overwritten, and one the directory has too
stays where it is, ignored.

pbcfg moves a file and migrates its content as one step (:func:`apply_moves`): the new file is written
whole (the migrated text, or the same bytes), never over an existing one, with the legacy file's mode
(credentials 0600), and only then is the legacy file removed. When the content changed, its original is
kept first as a backup, where and as every pbcfg backup is kept (:func:`pbcfg.util.atomic.write_files`).
"""

from __future__ import annotations

import os
from typing import NamedTuple

from pbcfg.check.loader_findings import LEGACY_DIRECTORY, legacy_files

__all__ = ["LegacyMove", "apply_moves", "plan_legacy_move"]


class LegacyMove(NamedTuple):
    moves: list[tuple[str, str]]  # (from, to)
    blocked: list[str]  # files present in both places: that one stays, ignored


def plan_legacy_move(home: str, target: str) -> LegacyMove:
    moves, blocked = [], []
    for file in legacy_files(target, home):
        if not file.ignored:
            moves.append((file.legacy, file.target))
        elif not file.legacy.endswith(".schema.json"):
            blocked.append(file.target)
    return LegacyMove(moves, blocked)


def legacy_directory(home: str) -> str:
    return os.path.join(home, LEGACY_DIRECTORY)


def apply_moves(
    move: LegacyMove, contents: dict[str, str], expected: dict[str, str], extra: list, *, backup: bool
) -> tuple[list[str], dict[str, str]]:
    """Make every move of ``move`` and every write of ``extra`` (:class:`pbcfg.util.atomic.Write`) as one unit;
    one line per move, and the backups of ``extra`` (as :func:`pbcfg.util.atomic.write_files` returns them).

    ``contents``: the new text of a moved file whose content migrates (the others move byte for byte);
    ``expected``: the text each legacy file had when planned: one that changed since is not moved, and
    nothing is written. The original of a migrated file is kept as a backup of the legacy file, unless
    ``backup`` is False."""
    from pbcfg.errors import WriteError
    from pbcfg.util.atomic import Write, write_files
    from pbcfg.util.filemodes import make_private_directory

    data, modes = {}, {}
    for source, _ in move.moves:
        data[source], modes[source] = _read_legacy(source)
        if source in expected and data[source].decode("utf-8", "replace") != expected[source]:
            raise WriteError(
                f"{source}: changed since pbcfg read it; nothing was moved or written. Run the command again"
            )
    new = {source: contents[source].encode("utf-8") if source in contents else data[source] for source, _ in move.moves}
    for directory in {os.path.dirname(target) for _, target in move.moves}:
        make_private_directory(directory)
    originals = [
        Write(source, data[source], backup=True, expected=expected.get(source))
        for source, _ in move.moves
        if backup and source in contents
    ]
    kept = write_files(
        [Write(target, new[source], new_only=True, mode=modes[source]) for source, target in move.moves]
        + originals
        + extra
    )
    for source, target in move.moves:
        with open(target, "rb") as copy:
            if copy.read() != new[source]:
                raise WriteError(f"{target}: the copy of {source} did not verify; nothing was removed")
    return _retire_all(move.moves, kept), kept


def _read_legacy(source: str) -> tuple[bytes, int]:
    """The bytes and mode of a legacy file: a regular one (a FIFO is refused, never waited on), read within
    the size limit; every failure one line saying nothing was moved."""
    from pbcfg.errors import InputError
    from pbcfg.source.limits import MAX_BYTES
    from pbcfg.source.reading import read_regular

    try:
        return read_regular(source, MAX_BYTES), os.stat(source).st_mode & 0o7777
    except InputError as error:
        raise InputError(f"{error}; nothing was moved") from None
    except OSError as error:
        raise InputError(f"{source}: cannot read: {error.strerror or error}; nothing was moved") from None


def _retire_all(moves: list[tuple[str, str]], kept: dict[str, str]) -> list[str]:
    """Remove each legacy file now that its target holds it (and its backup, if any, its original content): one
    line per move. One that cannot be removed is harmless, as PonyBunny ignores it now: every removal is tried,
    then one error names them all."""
    from pbcfg.util.oserrors import write_error

    lines, stuck = [], []
    for source, target in moves:
        backup = kept.pop(source, None)
        try:
            os.unlink(source)
        except OSError as error:
            stuck.append((source, error))
            continue
        lines.append(f"moved {source} -> {target}" + (f" (migrated; the original kept as {backup})" if backup else ""))
    if stuck:
        names = ", ".join(source for source, _ in stuck)
        where = ", ".join(sorted({os.path.dirname(target) for _, target in moves}))
        copies, them = ("copies", "them") if len(stuck) > 1 else ("copy", "it")
        raise write_error(
            stuck[0][1],
            names,
            f"written to {where}, but cannot remove the legacy {copies}",
            then=f"PonyBunny ignores {them} from now on: delete {them} by hand",
        )
    return lines
