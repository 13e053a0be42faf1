"""Who may read what pbcfg writes: credentials 0600, a directory pbcfg creates 0700, the rest 0644.

The one place that decides it, so ``init``, ``add``, ``build``, ``migrate`` and
``lint --fix`` cannot disagree (credentials.json holds keys: 0600, in a 0700 directory).
"""

from __future__ import annotations

import os

__all__ = [
    "CREDENTIALS_MODE",
    "DIRECTORY_MODE",
    "PUBLIC_MODE",
    "is_credentials_file",
    "make_private_directory",
    "mode_for",
]

CREDENTIALS_MODE = 0o600
DIRECTORY_MODE = 0o700
PUBLIC_MODE = 0o644


def is_credentials_file(path: str | os.PathLike) -> bool:
    """credentials.json, its YAML source and its backups; not credentials.schema.json."""
    name = os.path.basename(os.fspath(path))
    return name.startswith("credentials.") and not name.endswith(".schema.json")


def mode_for(path: str | os.PathLike) -> int:
    """The mode a new file at ``path`` gets."""
    return CREDENTIALS_MODE if is_credentials_file(path) else PUBLIC_MODE


def make_private_directory(path: str) -> bool:
    """Create ``path`` (and its parents) with mode 0700 whatever the umask; False if it already existed.

    The mode is set on the directory just made, through a descriptor opened without following a link, so a
    link planted in its place meanwhile is not chmodded. A failure is a one-line :class:`WriteError`."""
    from pbcfg.errors import WriteError
    from pbcfg.util.oserrors import write_error

    if os.path.isdir(path):
        return False
    if os.path.lexists(path):
        raise WriteError(f"{path}: exists and is not a directory")
    try:
        os.makedirs(path, mode=DIRECTORY_MODE)
        descriptor = os.open(path, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC)
        try:
            os.fchmod(descriptor, DIRECTORY_MODE)
        finally:
            os.close(descriptor)
    except OSError as error:
        raise write_error(error, path, "cannot create the directory") from None
    return True
