"""Writing a rendered config into a directory: the safe way, every time.

Credentials get mode 0600, a directory pbcfg creates gets 0700, an existing
file is never overwritten unless asked, and then only after a timestamped
``.bak`` copy (``NAME.STAMP.bak``, ``NAME.STAMP.1.bak``... never one that
exists). Every file is written as one unit under the directory's lock
(:func:`pbcfg.util.atomic.write_files`). Only the known file names are ever
written, so no parameter can steer a write outside the target directory.
"""

from __future__ import annotations

import os
import time

from pbcfg.errors import InputError, Refused, WriteError
from pbcfg.schema_store import SCHEMA_FILES, schema_text
from pbcfg.util.atomic import Write, write_files
from pbcfg.util.dirlock import lock_directories
from pbcfg.util.filemodes import is_credentials_file, make_private_directory

__all__ = ["write_config"]

_ALLOWED = {"credentials.json", "llm-config.json", "credentials.yaml", "llm-config.yaml", *SCHEMA_FILES.values()}


def write_config(directory: str, files: dict[str, str], *, force: bool, schemas: bool) -> list[str]:
    """Write ``files`` (name -> text) into ``directory``; return one line per file written or kept."""
    if schemas:
        files = {**files, **{name: schema_text(kind) for kind, name in SCHEMA_FILES.items()}}
    unexpected = set(files) - _ALLOWED
    assert not unexpected, unexpected  # names come from pbcfg, never from the command line
    if os.path.exists(directory) and not os.path.isdir(directory):
        raise InputError(f"{directory}: exists and is not a directory")
    _refuse_existing(directory, files, force)  # before creating anything
    report = []
    if make_private_directory(directory):
        report.append(f"created {directory} (mode 0700)")
    with lock_directories([directory]):
        _refuse_existing(directory, files, force)  # again, now that no other pbcfg can write here
        links = [name for name in files if os.path.islink(os.path.join(directory, name))]
        if links:
            raise WriteError(
                f"{os.path.join(directory, links[0])} is a symbolic link; pbcfg does not write through "
                "links. Remove it first; nothing was written"
            )
        kept = write_files(
            [Write(os.path.join(directory, name), text, backup=True) for name, text in files.items()],
            stamp=time.strftime("%Y%m%d-%H%M%S"),
        )
    for name in files:
        path = os.path.join(directory, name)
        if path in kept:
            report.append(f"kept {kept[path]}")
        report.append(f"wrote {path}" + (" (mode 0600)" if is_credentials_file(path) else ""))
    return report


def _refuse_existing(directory: str, files: dict[str, str], force: bool) -> None:
    existing = [name for name in files if os.path.lexists(os.path.join(directory, name))]
    if existing and not force:
        raise Refused(
            f"{os.path.join(directory, existing[0])} already exists"
            + (f" (and {len(existing) - 1} more)" if len(existing) > 1 else "")
            + "; nothing was written. Pass --force to overwrite (a timestamped .bak of each is kept)"
        )
