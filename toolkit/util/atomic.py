"""The one way pbcfg writes files: locked, never through a planted link, old or new and never half.

:func:`write_files` replaces one or more files as a unit, holding the lock
of each directory (:mod:`pbcfg.util.dirlock`):

1. each target is resolved (a link within its directory is followed; one
   that leaves it is refused unless ``PBCFG_ALLOW_SYMLINKS=1``) and must be a
   regular file or absent;
2. the previous content is kept as a backup (:mod:`pbcfg.util.backup_store`: beside
   the file, or under the git directory when the file is in a git work tree,
   where older backups left beside the file are moved too; the newest five of
   each file), complete or absent, never over an older one and never through
   a link;
3. each new content goes to a temp file ``.NAME.pbcfg-*.tmp`` beside it,
   created the same way with its final mode before the first byte (the
   file's own mode; credentials 0600), and fsynced;
4. a record of the write (:mod:`pbcfg.util.journal`) is made when a
   directory gets two files or more, then every temp file is renamed over
   its target, the directory fsynced and the record removed.

Any ``OSError`` before the first rename (a full disk, a read-only mount, no
permission) removes the temp files and backups made so far and becomes a
one-line :class:`~pbcfg.errors.WriteError`: nothing was changed. Temp files
left by a killed process are removed by the next write into the directory.
"""

from __future__ import annotations

import contextlib
import os
import stat
from typing import NamedTuple

from pbcfg.errors import WriteError
from pbcfg.util.newfiles import create_file, kind_of
from pbcfg.util.oserrors import write_error

__all__ = ["Write", "set_mode", "write_atomic", "write_files"]


class Write(NamedTuple):
    path: str
    content: str | bytes
    backup: bool = False  # keep the previous content as a backup
    expected: str | None = None  # the text the caller read: if the file holds other text now, nothing is written
    new_only: bool = False  # the file must not exist, and is never overwritten even if it appears meanwhile
    mode: int | None = None  # a new file's mode (default: filemodes.mode_for); credentials are 0600 whatever
    # a report or schema made from these files: it never replaces one of them, a config file or a backup
    by_product_of: tuple[str, ...] | None = None


def _target(path: str, refusing: str = "write through it") -> str:
    """The file to replace: ``path`` itself, or the file a link in the same directory points to."""
    if not os.path.islink(path):
        return path
    resolved = os.path.realpath(path)
    same_directory = os.path.dirname(resolved) == os.path.realpath(os.path.dirname(os.path.abspath(path)))
    if same_directory or os.environ.get("PBCFG_ALLOW_SYMLINKS") == "1":
        return resolved
    raise WriteError(
        f"{path} is a symbolic link to {resolved}, outside its directory; pbcfg will not {refusing} "
        "(set PBCFG_ALLOW_SYMLINKS=1 if you mean it)"
    )


def _read_current(target: str) -> tuple[os.stat_result | None, bytes | None]:
    """The file being replaced (its stat and bytes), or (None, None) if there is none."""
    try:
        descriptor = os.open(target, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except FileNotFoundError:
        return None, None
    except OSError as error:
        with contextlib.suppress(OSError):
            _must_be_regular(target, os.lstat(target).st_mode)
        raise write_error(error, target, "cannot read the file it replaces", then="nothing was changed") from None
    with os.fdopen(descriptor, "rb") as handle:
        state = os.fstat(handle.fileno())
        _must_be_regular(target, state.st_mode)
        return state, handle.read()


def _must_be_regular(target: str, mode: int) -> None:
    if not stat.S_ISREG(mode):
        raise WriteError(
            f"{target}: is {kind_of(mode)}; pbcfg writes only regular files. Remove it or point "
            "pbcfg elsewhere; nothing was written"
        )


def _temp_name(target: str) -> str:
    directory, name = os.path.split(target)
    return os.path.join(directory, f".{name}.pbcfg-{os.urandom(6).hex()}.tmp")


def _sweep(directory: str) -> None:
    """Remove the temp files a killed writer left in ``directory`` (safe: its lock is held, and only a holder
    makes temp files)."""
    import glob

    for leftover in glob.glob(os.path.join(glob.escape(directory), ".*.pbcfg-*.tmp")):
        with contextlib.suppress(OSError):
            os.unlink(leftover)


def _fsync_directory(directory: str) -> None:
    descriptor = os.open(directory or ".", os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _settle(directory: str) -> None:
    """Refuse to write where an earlier write was interrupted halfway; forget a record that is harmless and
    the temp files of writers killed before they renamed them."""
    from pbcfg.util import journal

    pending = journal.interrupted(directory)
    if pending is not None:
        raise WriteError(
            f"{directory}: an earlier pbcfg write was interrupted ({', '.join(map(os.path.basename, pending.new))} "
            f"replaced, {', '.join(map(os.path.basename, pending.old))} not), so the files may not match; "
            f"`{_validate(directory)}` says where the backups are. Check the files, then delete {pending.journal}. "
            "Nothing was written"
        )
    journal.clear(directory)
    _sweep(directory)


class _Prepared(NamedTuple):
    write: Write
    target: str
    old: os.stat_result | None
    temp: str
    new: os.stat_result
    backup: str | None


def _validate(directory: str) -> str:
    """`pbcfg validate DIRECTORY`, to paste: it says where the backups of an interrupted write are."""
    import shlex

    return f"pbcfg validate {shlex.quote(directory or '.')}"


def _holds_config(target: str, inputs: tuple[str, ...]) -> bool:
    """Whether ``target`` is a config file or YAML source, a backup of one, or one of ``inputs``: what a
    mistyped ``--output`` must not wipe out."""
    import re

    if re.fullmatch(r"(credentials|llm-config)\.(json|yaml|yml)((\..+)?\.bak)?", os.path.basename(target)):
        return True
    return any(os.path.exists(path) and os.path.samefile(path, target) for path in inputs)


def _prepare(write: Write, target: str, stamp: str | None, made: list[str], doing: str) -> _Prepared:
    from pbcfg.util.filemodes import CREDENTIALS_MODE, is_credentials_file, mode_for

    data = write.content.encode("utf-8") if isinstance(write.content, str) else write.content
    old, previous = _read_current(target)
    if write.by_product_of is not None and old is not None and _holds_config(target, write.by_product_of):
        raise WriteError(
            f"{target}: {doing}: it holds a PonyBunny config (or a backup of one), which a report or "
            "schema never replaces; pick another file. Nothing was written"
        )
    if write.new_only and old is not None:
        raise WriteError(f"{target}: exists already; pbcfg does not overwrite it. Nothing was written")
    if write.expected is not None and previous != write.expected.encode("utf-8"):
        raise WriteError(
            f"{target}: changed while pbcfg was working on it (another program wrote it); nothing was "
            "written. Run the command again"
        )
    mode = stat.S_IMODE(old.st_mode) if old is not None else write.mode if write.mode is not None else mode_for(target)
    if is_credentials_file(target):
        mode = CREDENTIALS_MODE
    backup = None
    if write.backup and previous is not None:
        from pbcfg.util.backup_store import keep

        backup = keep(target, previous, mode, stamp)
        made.append(backup)
    temp = _temp_name(target)
    new = create_file(temp, data, mode)
    made.append(temp)
    return _Prepared(write, target, old, temp, new, backup)


def write_files(writes: list[Write], *, stamp: str | None = None, doing: str = "cannot write") -> dict[str, str]:
    """Replace every file of ``writes`` as one unit (see the module's docstring); return each given path that
    got a backup, with the backup's path. ``stamp`` goes into backup names (``NAME.STAMP.bak``); ``doing``
    starts the message of a failure ("cannot write the report")."""
    from pbcfg.util import journal
    from pbcfg.util.dirlock import lock_directories

    writes = [write._replace(path=os.fspath(write.path)) for write in writes]
    targets = [_target(write.path) for write in writes]
    directories = sorted({os.path.dirname(target) or "." for target in targets})
    for target in targets:
        if not os.path.isdir(os.path.dirname(target) or "."):
            raise WriteError(f"{target}: {doing}: its directory does not exist; create it first")
    with lock_directories(directories):
        for directory in directories:
            _settle(directory)
        made: list[str] = []
        prepared: list[_Prepared] = []
        records: list[str] = []
        try:
            for write, target in zip(writes, targets):
                prepared.append(_prepare(write, target, stamp, made, doing))
            for directory in directories:
                entries = [
                    (p.target, p.old, p.new, p.backup)
                    for p in prepared
                    if (os.path.dirname(p.target) or ".") == directory
                ]
                if len(entries) > 1:
                    records.append(journal.record(directory, entries))
                _fsync_directory(directory)
        except BaseException as error:
            _remove(made + records)
            if isinstance(error, OSError):
                failed = prepared[-1].target if len(prepared) == len(writes) else targets[len(prepared)]
                raise write_error(error, failed, doing, then="nothing was changed") from None
            raise
        done, failure = _rename_all(prepared)
        if failure is not None:
            failed = prepared[len(done)].target
            _remove([item.temp for item in prepared[len(done) :]])
            if not done:
                _remove(made + records)
                raise write_error(failure, failed, doing, then="nothing was changed") from None
            raise write_error(
                failure,
                failed,
                doing,
                then=f"{', '.join(done)} already replaced, so the files may not "
                f"match (`{_validate(os.path.dirname(failed))}` says where the backups "
                "are)",
            ) from None
        for directory in directories:
            _fsync_directory(directory)
            journal.clear(directory)
        _tidy_backups([p.target for p in prepared])
    return {p.write.path: p.backup for p in prepared if p.backup}


def _tidy_backups(targets: list[str]) -> None:
    """Move the backups of each of ``targets`` left beside it in a git work tree into the git directory, and keep
    the newest of each; the write is done, so a failure here changes nothing."""
    from pbcfg.util.backup_store import adopt, prune

    for target in targets:
        directory, name = os.path.split(target)
        with contextlib.suppress(OSError, WriteError):
            adopt(directory, name)
            prune(target)


def _rename_all(prepared: list[_Prepared]) -> tuple[list[str], OSError | None]:
    """Put every temp file in place; the targets done, and the error that stopped it if one did."""
    done: list[str] = []
    for item in prepared:
        try:
            if item.write.new_only:
                os.link(item.temp, item.target)  # fails rather than overwrite a file that appeared meanwhile
                os.unlink(item.temp)
            else:
                os.replace(item.temp, item.target)
        except OSError as error:
            return done, error
        done.append(item.target)
    return done, None


def _remove(paths: list[str]) -> None:
    for path in reversed(paths):
        with contextlib.suppress(OSError):
            os.unlink(path)


def write_atomic(
    path,
    content: str | bytes,
    *,
    backup: bool = False,
    doing: str = "cannot write",
    by_product_of: tuple[str, ...] | None = None,
) -> str | None:
    """Replace one file (see :func:`write_files`); return its backup's path if one was made."""
    return write_files([Write(os.fspath(path), content, backup, by_product_of=by_product_of)], doing=doing).get(
        os.fspath(path)
    )


def set_mode(path: str, mode: int) -> None:
    """chmod ``path`` without following a link out of its directory (a link within it: its target)."""
    target = _target(os.fspath(path), "change a mode through it")
    try:
        descriptor = os.open(target, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError as error:
        if os.path.islink(target):
            raise WriteError(
                f"{target}: is a symbolic link; pbcfg does not chmod through links. chmod {mode:o} its target yourself"
            ) from None
        raise write_error(error, target, "cannot change its mode") from None
    try:
        os.fchmod(descriptor, mode)
    except OSError as error:
        raise write_error(error, target, "cannot change its mode") from None
    finally:
        os.close(descriptor)
