"""The one way pbcfg writes a file: temp file in the same directory, fsync, rename.

A reader (or a crash) sees the old file or the new one, never half of either.
The file's mode is kept; a new file gets ``new_mode`` (0600 for credentials).
With ``backup``, the previous content is first kept as ``NAME.bak``.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

__all__ = ["write_atomic"]


def write_atomic(path: Path, content: str | bytes, *, new_mode: int = 0o644, backup: bool = False) -> Path | None:
    """Replace ``path`` with ``content``; return the backup's path if one was made."""
    path = Path(path)
    data = content.encode("utf-8") if isinstance(content, str) else content
    try:
        mode = os.stat(path).st_mode & 0o7777
        exists = True
    except FileNotFoundError:
        mode, exists = new_mode, False
    backup_path = None
    if backup and exists:
        backup_path = path.with_name(path.name + ".bak")
        shutil.copy2(path, backup_path)
        os.chmod(backup_path, mode)
    handle, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
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
    directory = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)
    return backup_path
