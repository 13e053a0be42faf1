"""The one way pbcfg writes a file: temp file in the same directory, fsync, rename.

A reader (or a crash) sees the old file or the new one, never half of either.
The file's mode is kept; a new file gets ``new_mode`` (0600 for credentials).
With ``backup``, the previous content is first kept as ``NAME.bak``.

A process killed between writing its temp file and the rename leaves that
temp file behind; it is named ``.NAME.pbcfg-*.tmp`` and the next write to
NAME removes it. pbcfg does not write through a symbolic link that leads out
of the file's directory (a planted link could make it overwrite anything),
unless ``PBCFG_ALLOW_SYMLINKS=1``.
"""

from __future__ import annotations

import glob
import os
import shutil
import tempfile

from pbcfg.errors import Refused

__all__ = ["write_atomic"]


def _target(path: str) -> str:
    """The file to replace: ``path`` itself, or the file a link in the same directory points to."""
    if not os.path.islink(path):
        return path
    resolved = os.path.realpath(path)
    same_directory = os.path.dirname(resolved) == os.path.realpath(os.path.dirname(os.path.abspath(path)))
    if same_directory or os.environ.get("PBCFG_ALLOW_SYMLINKS") == "1":
        return resolved
    raise Refused(f"{path} is a symbolic link to {resolved}, outside its directory; pbcfg will not write through it "
                  "(set PBCFG_ALLOW_SYMLINKS=1 if you mean it)")


def _sweep(path: str) -> None:
    directory, name = os.path.split(path)
    for leftover in glob.glob(os.path.join(glob.escape(directory or "."), f".{glob.escape(name)}.pbcfg-*.tmp")):
        try:
            os.unlink(leftover)
        except OSError:
            pass


def write_atomic(path, content: str | bytes, *, backup: bool = False) -> str | None:
    """Replace ``path`` with ``content``; return the backup's path if one was made.

    An existing file keeps its mode; a new one gets :func:`pbcfg.util.filemodes.mode_for`'s, and a
    credentials file is 0600 whatever it was before.
    """
    from pbcfg.util.filemodes import CREDENTIALS_MODE, is_credentials_file, mode_for

    path = _target(os.fspath(path))
    data = content.encode("utf-8") if isinstance(content, str) else content
    directory = os.path.dirname(path) or "."
    try:
        mode = os.stat(path).st_mode & 0o7777
        exists = True
    except FileNotFoundError:
        mode, exists = mode_for(path), False
    if is_credentials_file(path):
        mode = CREDENTIALS_MODE
    _sweep(path)
    backup_path = None
    if backup and exists:
        backup_path = path + ".bak"
        shutil.copy2(path, backup_path)
        os.chmod(backup_path, mode)
    handle, temp = tempfile.mkstemp(prefix=f".{os.path.basename(path)}.pbcfg-", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(handle, "wb") as stream:
            os.fchmod(stream.fileno(), mode)
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temp, path)
    except BaseException:
        try:
            os.unlink(temp)
        except FileNotFoundError:
            pass
        raise
    descriptor = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
    return backup_path
