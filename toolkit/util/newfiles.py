"""Making a file no one else can have made or redirected: the one step every pbcfg write and backup shares."""

from __future__ import annotations

import contextlib
import os
import stat

__all__ = ["create_file", "kind_of"]


def kind_of(mode: int) -> str:
    """What a non-regular file is, in words."""
    if stat.S_ISLNK(mode):
        return "a symbolic link"
    if stat.S_ISDIR(mode):
        return "a directory"
    if stat.S_ISFIFO(mode):
        return "a FIFO"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "a device" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode) else "not a regular file"


def create_file(path: str, data: bytes, mode: int, *, dir_fd: int | None = None) -> os.stat_result:
    """A new file at ``path`` (never an existing name, never through a link), ``mode`` before its first byte,
    fsynced; ``dir_fd``: the directory ``path`` is relative to."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
    descriptor = os.open(path, flags, 0o600, dir_fd=dir_fd)
    try:
        os.fchmod(descriptor, mode)
        view = memoryview(data)
        while view:
            view = view[os.write(descriptor, view) :]
        os.fsync(descriptor)
        return os.fstat(descriptor)
    except BaseException:
        os.close(descriptor)
        with contextlib.suppress(OSError):
            os.unlink(path, dir_fd=dir_fd)
        raise
    finally:
        with contextlib.suppress(OSError):
            os.close(descriptor)
