"""Where pbcfg keeps the previous content of a file it replaces, and how many copies.

Outside a git work tree a backup sits beside its file: ``NAME.bak``, then
``NAME.1.bak``, ``NAME.2.bak``... (``NAME.STAMP.bak``, ``NAME.STAMP.1.bak``...
for ``init --force``). Inside one, a file beside the config is an untracked
file that ``git add -A`` commits, keys and all; so there backups go under the
repository's git directory, which git never commits:
``<git-dir>/pbcfg/backups/<directory relative to the work tree>/``, same names,
each directory 0700. A linked worktree or a submodule has a git directory of
its own (its ``.git`` file names it), so its backups go there.

Each file keeps its newest :data:`KEEP` backups: a write that makes one more
removes the oldest, under the same directory lock. Numbers only grow, so a new
backup never takes the name of an older one. A backup keeps its file's mode
from its first byte (credentials 0600). Every name is created, linked and
removed through a descriptor of its directory, and every directory below the
git directory is opened without following a link: a link planted on the way
stops the write.

Backups made before ``git init`` sit beside their files inside what is now
a work tree: a write there moves them into the git directory (:func:`adopt`),
oldest first and with their times kept, so the newest five are still the
newest five.
"""

from __future__ import annotations

import os
import re
import stat
from typing import NamedTuple

from pbcfg.errors import WriteError
from pbcfg.util.newfiles import create_file, kind_of

__all__ = [
    "BACKUP_SUFFIX",
    "KEEP",
    "Backup",
    "GitRepository",
    "Place",
    "adopt",
    "backed_up_name",
    "beside",
    "git_repository",
    "keep",
    "list_backups",
    "place_of",
    "prune",
    "read_backup",
]

KEEP = 5
_DIRECTORY_MODE = 0o700
# what a backup's name adds to its file's: .bak, .N.bak, .STAMP.bak or .STAMP.N.bak (a regex without groups)
BACKUP_SUFFIX = r"(?:\.\d{8}-\d{6})?(?:\.\d+)?\.bak"
_NAME = re.compile(rf"(?P<file>(?:credentials|llm-config)(?:\.schema)?\.(?:json|ya?ml))(?P<suffix>{BACKUP_SUFFIX})")


class GitRepository(NamedTuple):
    work_tree: str
    git_dir: str


class Place(NamedTuple):
    """Where the backups of one config directory's files go: ``anchor`` joined with ``parts``."""

    anchor: str  # a directory that exists: the config directory itself, or the git directory
    parts: tuple[str, ...]  # the directories below it, made 0700 when missing
    repository: GitRepository | None

    @property
    def directory(self) -> str:
        return os.path.join(self.anchor, *self.parts)


class Backup(NamedTuple):
    path: str
    file: str  # the name of the file it is a backup of
    made_ns: int  # when it was made (its modification time)
    number: int
    stamp: str


def backed_up_name(name: str) -> str | None:
    """The name of the config file (or schema) ``name`` is a backup of, by the names pbcfg gives backups; None for
    any other name."""
    match = _NAME.fullmatch(name)
    return match["file"] if match else None


def git_repository(directory: str) -> GitRepository | None:
    """The work tree holding ``directory`` and its git directory, found as git finds them (a ``.git``
    directory, or a ``.git`` file saying ``gitdir: PATH``) without running git; None outside one."""
    current = os.path.realpath(directory)
    while True:
        marker = os.path.join(current, ".git")
        try:
            state = os.stat(marker)
        except OSError:
            state = None
        if state is not None and stat.S_ISDIR(state.st_mode):
            return GitRepository(current, os.path.realpath(marker))
        if state is not None and stat.S_ISREG(state.st_mode):
            git_dir = _named_git_dir(marker)
            if git_dir is not None:
                return GitRepository(current, git_dir)
        parent = os.path.dirname(current)
        if parent == current:
            return None
        current = parent


def _named_git_dir(marker: str) -> str | None:
    """The directory a worktree's or submodule's ``.git`` file names, if it names one that exists."""
    try:
        with open(marker, "rb") as handle:
            first = handle.read(4096).split(b"\n", 1)[0].strip()
    except OSError:
        return None
    if not first.startswith(b"gitdir:"):
        return None
    named = os.path.join(os.path.dirname(marker), os.fsdecode(first[len(b"gitdir:") :].strip()))
    return os.path.realpath(named) if os.path.isdir(named) else None


def place_of(directory: str) -> Place:
    """Where backups of the files in ``directory`` go (see the module's docstring)."""
    real = os.path.realpath(directory or ".")
    repository = git_repository(real)
    if repository is None:
        return Place(real, (), None)
    relative = os.path.relpath(real, repository.work_tree)
    below = () if relative == "." else tuple(relative.split(os.sep))
    return Place(repository.git_dir, ("pbcfg", "backups", *below), repository)


def _open(place: Place, *, create: bool) -> int | None:
    """A descriptor of the place's directory, each part opened without following a link (made 0700 when
    ``create``); None when it does not exist and ``create`` is false."""
    descriptor = os.open(place.anchor, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        for index, part in enumerate(place.parts):
            if create:
                try:
                    os.mkdir(part, _DIRECTORY_MODE, dir_fd=descriptor)
                except FileExistsError:
                    pass
            try:
                child = os.open(part, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC, dir_fd=descriptor)
            except FileNotFoundError:
                if create:
                    raise
                os.close(descriptor)
                return None
            except OSError:
                shown = os.path.join(place.anchor, *place.parts[: index + 1])
                raise WriteError(
                    f"{shown}: is a symbolic link or not a directory, where pbcfg keeps backups; pbcfg "
                    "will not write through it. Remove it and run the command again; nothing was "
                    "written"
                ) from None
            os.close(descriptor)
            descriptor = child
            if create:
                os.fchmod(descriptor, _DIRECTORY_MODE)
        return descriptor
    except BaseException:
        os.close(descriptor)
        raise


def _entries(descriptor: int, directory: str, file: str | None = None) -> list[Backup]:
    """The backups in the directory of ``descriptor`` (of ``file`` only, when given), oldest first."""
    found = []
    for name in os.listdir(descriptor):
        match = _NAME.fullmatch(name)
        if match is None or (file is not None and match["file"] != file):
            continue
        try:
            state = os.stat(name, dir_fd=descriptor, follow_symlinks=False)
        except FileNotFoundError:
            continue
        if stat.S_ISREG(state.st_mode):
            parts = match["suffix"][1 : -len(".bak")].split(".") if match["suffix"] != ".bak" else []
            stamp = next((part for part in parts if "-" in part), "")
            number = next((int(part) for part in parts if part.isdigit()), 0)
            found.append(Backup(os.path.join(directory, name), match["file"], state.st_mtime_ns, number, stamp))
    return sorted(found, key=lambda backup: (backup.made_ns, backup.stamp, backup.number))


def keep(target: str, data: bytes, mode: int, stamp: str | None = None) -> str:
    """Keep ``data``, the content ``target`` holds now, as its next backup; its path. The caller holds the
    lock of ``target``'s directory.

    The copy is written and fsynced under a temp name, then linked to its name: a backup is complete or
    absent, and ``link`` neither replaces nor follows anything at the name."""
    directory, file = os.path.split(target)
    place = place_of(directory)
    if place.repository is None:  # beside the file: a failure is the write's own, named after the file
        return _keep(place, file, data, mode, stamp)
    try:
        return _keep(place, file, data, mode, stamp)
    except OSError as error:
        from pbcfg.util.oserrors import write_error

        raise write_error(
            error, place.directory, "cannot keep a backup in the git directory", then="nothing was written"
        ) from None


def _keep(place: Place, file: str, data: bytes, mode: int, stamp: str | None) -> str:
    descriptor = _open(place, create=True)
    assert descriptor is not None  # create=True makes the directory
    try:
        if place.repository is not None:  # beside the config, the write's own sweep removes them
            for leftover in os.listdir(descriptor):
                if leftover.startswith(".") and leftover.endswith(".tmp") and ".pbcfg-" in leftover:
                    os.unlink(leftover, dir_fd=descriptor)
        base = f"{file}.{stamp}" if stamp else file
        numbers = [
            backup.number for backup in _entries(descriptor, place.directory, file) if backup.stamp == (stamp or "")
        ]
        number = max(numbers) + 1 if numbers else 0
        temp = f".{file}.pbcfg-{os.urandom(6).hex()}.tmp"
        create_file(temp, data, mode, dir_fd=descriptor)
        try:
            while True:
                candidate = f"{base}.bak" if number == 0 else f"{base}.{number}.bak"
                try:
                    os.link(temp, candidate, src_dir_fd=descriptor, dst_dir_fd=descriptor, follow_symlinks=False)
                    return os.path.join(place.directory, candidate)
                except FileExistsError:
                    present = os.stat(candidate, dir_fd=descriptor, follow_symlinks=False)
                if not stat.S_ISREG(present.st_mode):
                    raise WriteError(
                        f"{os.path.join(place.directory, candidate)}: is {kind_of(present.st_mode)} "
                        "where pbcfg keeps a backup; pbcfg will not write through it. Remove it and run "
                        "the command again; nothing was written"
                    )
                number += 1
        finally:
            os.unlink(temp, dir_fd=descriptor)
    finally:
        os.close(descriptor)


def prune(target: str, keeping: int = KEEP) -> list[str]:
    """Remove all but the newest ``keeping`` backups of ``target``; the paths removed. The caller holds the
    lock of ``target``'s directory."""
    directory, file = os.path.split(target)
    place = place_of(directory)
    descriptor = _open(place, create=False)
    if descriptor is None:
        return []
    try:
        entries = _entries(descriptor, place.directory, file)
        removed = entries[: max(0, len(entries) - keeping)]
        for backup in removed:
            os.unlink(os.path.basename(backup.path), dir_fd=descriptor)
        return [backup.path for backup in removed]
    finally:
        os.close(descriptor)


def list_backups(directory: str) -> tuple[Place, dict[str, list[Backup]]]:
    """Where the backups of ``directory``'s files are, and each file's backups, newest first."""
    place = place_of(directory)
    descriptor = _open(place, create=False)
    if descriptor is None:
        return place, {}
    try:
        entries = _entries(descriptor, place.directory)
    finally:
        os.close(descriptor)
    by_file: dict[str, list[Backup]] = {}
    for backup in reversed(entries):
        by_file.setdefault(backup.file, []).append(backup)
    return place, dict(sorted(by_file.items()))


def beside(directory: str) -> list[Backup]:
    """The backups sitting in ``directory`` itself, oldest first, when it is in a git work tree (where they are
    untracked files `git add -A` commits); none outside one, where that is their place."""
    if place_of(directory).repository is None:
        return []
    descriptor = os.open(directory or ".", os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        return _entries(descriptor, directory)
    finally:
        os.close(descriptor)


def adopt(directory: str, file: str | None = None) -> list[tuple[str, str]]:
    """Move the backups beside the files of ``directory`` (of ``file`` only, when given) into the git directory,
    then keep the newest :data:`KEEP` of each file; each move as (from, to). The caller holds the lock of
    ``directory``."""
    moved, files = [], {}
    for backup in beside(directory):
        if file is not None and backup.file != file:
            continue
        data, mode = read_backup(backup)
        kept = keep(os.path.join(directory, backup.file), data, mode, backup.stamp or None)
        os.utime(kept, ns=(backup.made_ns, backup.made_ns), follow_symlinks=False)
        os.unlink(backup.path)
        moved.append((backup.path, kept))
        files[backup.file] = True
    for name in files:
        prune(os.path.join(directory, name))
    return moved


def read_backup(backup: Backup) -> tuple[bytes, int]:
    """A backup's bytes and mode, read without following a link."""
    descriptor = os.open(backup.path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
    with os.fdopen(descriptor, "rb") as handle:
        return handle.read(), stat.S_IMODE(os.fstat(handle.fileno()).st_mode)
