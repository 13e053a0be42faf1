"""Writing a rendered config into a directory: the safe way, every time.

Credentials get mode 0600, a directory pbcfg creates gets 0700, an existing
file is never overwritten unless asked, and then only after a timestamped
``.bak`` copy. Only the known file names are ever written, so no parameter can
steer a write outside the target directory.
"""

from __future__ import annotations

import os
import shutil
import time

from pbcfg.errors import InputError, Refused
from pbcfg.schema_store import SCHEMA_FILES, schema_text
from pbcfg.util.atomic import write_atomic
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
    existing = [name for name in files if os.path.lexists(os.path.join(directory, name))]
    if existing and not force:
        raise Refused(f"{os.path.join(directory, existing[0])} already exists"
                      + (f" (and {len(existing) - 1} more)" if len(existing) > 1 else "")
                      + "; nothing was written. Pass --force to overwrite (a timestamped .bak of each is kept)")
    report = []
    if make_private_directory(directory):
        report.append(f"created {directory} (mode 0700)")
    stamp = time.strftime("%Y%m%d-%H%M%S")
    for name, text in files.items():
        path = os.path.join(directory, name)
        if os.path.islink(path):
            raise Refused(f"{path} is a symbolic link; pbcfg does not write through links. Remove it first")
        if os.path.exists(path):
            backup = f"{path}.{stamp}.bak"
            shutil.copy2(path, backup)
            report.append(f"kept {backup}")
        write_atomic(path, text)
        report.append(f"wrote {path}" + (" (mode 0600)" if is_credentials_file(path) else ""))
    return report
