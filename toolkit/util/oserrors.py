"""What a failed write means to the user: one line naming the file, the cause and what to do.

A full disk, a read-only mount or a directory the user may not write to is
the machine's state, not pbcfg's bug: every write turns its ``OSError`` into
a :class:`~pbcfg.errors.WriteError` (exit 2) through :func:`write_error`.
"""

from __future__ import annotations

import errno

from pbcfg.errors import WriteError

__all__ = ["WRITE_ERRNOS", "write_error"]

_ADVICE = {
    errno.ENOSPC: "no space left on the device; free some and run the command again",
    errno.EDQUOT: "disk quota exceeded; free some space and run the command again",
    errno.EACCES: "permission denied; check the owner and mode of the file and its directory",
    errno.EPERM: "operation not permitted; check the owner and mode of the file and its directory",
    errno.EROFS: "the file system is read-only",
    errno.ELOOP: "a symbolic link is in the way, and pbcfg does not write through links; remove it",
    errno.ENOENT: "no such directory; create it first",
    errno.ENOTDIR: "a part of the path is not a directory",
    errno.EISDIR: "is a directory",
    errno.EEXIST: "appeared while pbcfg was writing; run the command again",
    errno.EIO: "input/output error from the device",
}
WRITE_ERRNOS = frozenset(_ADVICE)


def write_error(error: OSError, path: str, doing: str = "cannot write", then: str | None = None) -> WriteError:
    """``path: doing: cause and advice[; then]`` as a :class:`WriteError`; ``then`` says what state the
    files are in (e.g. "nothing was changed")."""
    advice = (_ADVICE.get(error.errno) if error.errno is not None else None) or (error.strerror or str(error))
    return WriteError(f"{path}: {doing}: {advice}" + (f"; {then}" if then else ""))
