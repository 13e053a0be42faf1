"""One writer per config directory: an exclusive ``flock`` on ``.pbcfg.lock`` inside it.

Every command that rewrites files holds the lock of each directory it writes
into while it reads, decides and writes, so two pbcfg processes never lose
each other's update. A second writer waits up to ``PBCFG_LOCK_TIMEOUT``
seconds (default 10), then stops with "another pbcfg is writing here".

The lock file exists only while it is held: the holder deletes it before it
lets go, and a waiter that got the lock on a file already deleted tries again,
so a directory listing after a command shows no trace of it. Nested locks of
one directory in one process are counted, not taken twice.
"""

from __future__ import annotations

import contextlib
import os
import time

from pbcfg.errors import WriteError
from pbcfg.util.oserrors import write_error

__all__ = ["LOCK_NAME", "lock_directories"]

LOCK_NAME = ".pbcfg.lock"
_POLL = 0.05  # seconds between attempts while another process holds the lock
_held: dict[str, tuple[int, int]] = {}  # directory -> (descriptor, depth)


def _timeout() -> float:
    try:
        return max(0.0, float(os.environ.get("PBCFG_LOCK_TIMEOUT", "10")))
    except ValueError:
        return 10.0


def _acquire(directory: str, shown: str, timeout: float, clock, sleep) -> int:
    """The descriptor of the locked, still linked lock file of ``directory`` (``shown`` as the user wrote it)."""
    import fcntl

    path = os.path.join(directory, LOCK_NAME)
    deadline = clock() + timeout
    while True:
        try:
            descriptor = os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
        except OSError as error:
            raise write_error(error, shown, "cannot write in this directory", then="nothing was changed") from None
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(descriptor)
            if clock() >= deadline:
                raise WriteError(
                    f"{shown}: another pbcfg is writing here (it holds {os.path.join(shown, LOCK_NAME)}); "
                    "nothing was written. Run the command again when it is done"
                ) from None
            sleep(_POLL)
            continue
        try:
            linked = os.stat(path, follow_symlinks=False)
        except FileNotFoundError:
            linked = None
        opened = os.fstat(descriptor)
        if linked is not None and (linked.st_dev, linked.st_ino) == (opened.st_dev, opened.st_ino):
            return descriptor
        os.close(descriptor)  # the previous holder deleted this file as we opened it: take the new one


@contextlib.contextmanager
def lock_directories(directories, *, timeout: float | None = None, clock=time.monotonic, sleep=time.sleep):
    """Hold the write lock of every directory in ``directories`` (taken in one order, so two commands
    never wait for each other)."""
    wanted = {os.path.realpath(directory or "."): os.fspath(directory or ".") for directory in directories}
    taken: list[str] = []
    try:
        for directory in sorted(wanted):
            if directory in _held:
                descriptor, depth = _held[directory]
                _held[directory] = (descriptor, depth + 1)
            else:
                _held[directory] = (
                    _acquire(directory, wanted[directory], _timeout() if timeout is None else timeout, clock, sleep),
                    1,
                )
            taken.append(directory)
        yield
    finally:
        for directory in reversed(taken):
            descriptor, depth = _held[directory]
            if depth > 1:
                _held[directory] = (descriptor, depth - 1)
                continue
            del _held[directory]
            with contextlib.suppress(OSError):
                os.unlink(os.path.join(directory, LOCK_NAME))
            os.close(descriptor)
