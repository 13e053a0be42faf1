"""The record of a write of several files, so a crash between their renames is seen by the next run.

A command that replaces two files of one directory (credentials.json and
llm-config.json) cannot rename both at once. Before the first rename it
writes ``.pbcfg-pending.json`` beside them: for each file, the identity
(device, inode) of the file it replaces and of the new one, and where its
backup is (beside it, or under the git directory). After the last rename the record is deleted. A record still there
means the writer died: if some files are new and others old,
:func:`interrupted` says which, and the pair may not match; if all are old or
all new, nothing is wrong and the next write removes it.
"""

import os

__all__ = ["JOURNAL_NAME", "Interrupted", "clear", "interrupted", "record"]

JOURNAL_NAME = ".pbcfg-pending.json"


class Interrupted:
    """What an interrupted write left (a plain class: validate imports this module, and a NamedTuple costs
    0.4 ms to create)."""

    __slots__ = ("backups", "journal", "new", "old", "started")

    def __init__(self, journal: str, started: str, new: list[str], old: list[str], backups: dict[str, str]) -> None:
        self.journal = journal  # its path
        self.started = started  # when the interrupted write began, local time
        self.new = new  # files already replaced
        self.old = old  # files not replaced yet
        self.backups = backups  # file -> its backup


def record(directory: str, entries: list[tuple[str, os.stat_result | None, os.stat_result, str | None]]) -> str:
    """Write the record for ``entries`` (path, what it replaces or None, the new file's stat, its backup) and
    make it durable; return its path."""
    import json
    import time

    path = os.path.join(directory, JOURNAL_NAME)
    body = {
        "started": time.strftime("%Y-%m-%d %H:%M:%S"),
        "files": [
            {
                "name": os.path.basename(name),
                "old": [old.st_dev, old.st_ino] if old else None,
                "new": [new.st_dev, new.st_ino],
                "backup": os.path.abspath(backup) if backup else None,
            }
            for name, old, new, backup in entries
        ],
    }
    _unlink(path)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
    try:
        os.write(descriptor, json.dumps(body).encode())
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
    return path


def clear(directory: str) -> None:
    _unlink(os.path.join(directory, JOURNAL_NAME))


def _unlink(path: str) -> None:
    """Remove ``path`` if it is there (no contextlib: validate's clean path imports this module for its name)."""
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass


def interrupted(directory: str) -> Interrupted | None:
    """What an interrupted write left in ``directory``, when it left files new and old; else None."""
    import json

    path = os.path.join(directory, JOURNAL_NAME)
    try:
        with open(path, "rb") as handle:
            body = json.loads(handle.read(1 << 20))
        entries = body["files"]
        started = str(body["started"])
    except (OSError, ValueError, KeyError, TypeError):
        return None  # none, or written only in part: the crash came before the first rename
    new, old, backups = [], [], {}
    for entry in entries:
        try:
            name = os.path.join(directory, os.path.basename(str(entry["name"])))
            state = os.stat(name, follow_symlinks=False)
            identity = [state.st_dev, state.st_ino]
        except FileNotFoundError:
            identity = None
        except (OSError, KeyError, TypeError):
            return None
        if identity is not None and identity == entry.get("new"):
            new.append(name)
        elif identity == entry.get("old"):
            old.append(name)
        else:
            return None  # changed since by someone else: the record no longer describes these files
        if entry.get("backup"):
            backups[name] = os.path.join(directory, str(entry["backup"]))  # absolute: beside it or in a git dir
    return Interrupted(path, started, new, old, backups) if new and old else None
