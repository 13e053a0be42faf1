"""``pbcfg build``: YAML sources in, the JSON files PonyBunny reads out.

Validate first (a source with errors builds nothing), then write JSON that
depends only on the sources: same sources, same bytes. The credentials file
always gets mode 0600.
"""

from __future__ import annotations

import difflib
import json
import os

from pbcfg.check.pipeline import check_sources
from pbcfg.diagnostics import Diagnostic
from pbcfg.errors import InputError
from pbcfg.schema_store import SCHEMA_FILES, schema_text
from pbcfg.source.files import SOURCE_FILES, read_regular, read_source
from pbcfg.source.limits import MAX_BYTES

__all__ = ["Build", "build_outputs", "out_of_date", "write_outputs"]


class Build:
    def __init__(self, files: dict[str, str], diagnostics: list[Diagnostic], sources: list[str]) -> None:
        self.files = files  # output name -> text; empty when a source has errors
        self.diagnostics = diagnostics
        self.sources = sources


def build_outputs(source_dir: str) -> Build:
    found = [os.path.join(source_dir, name) for name in SOURCE_FILES if os.path.isfile(os.path.join(source_dir, name))]
    if not found:
        raise InputError(f"{source_dir}: no credentials.yaml or llm-config.yaml (or .yml) to build from")
    kinds = [read_source(path).kind for path in found]
    if len(set(kinds)) != len(kinds):
        raise InputError(f"{source_dir}: both .yaml and .yml sources of one file; keep one")
    result = check_sources([read_source(path) for path in found])
    names = [source.name for source in result.sources]
    if any(d.severity.label == "error" for d in result.diagnostics):
        return Build({}, result.diagnostics, names)
    files = {}
    for document in result.documents:
        files[f"{document.kind}.json"] = json.dumps(document.data, indent=2, ensure_ascii=False) + "\n"
        files[SCHEMA_FILES[document.kind]] = schema_text(document.kind)
    return Build(files, result.diagnostics, names)


def out_of_date(build: Build, out_dir: str) -> dict[str, str]:
    """Output name -> unified diff (secrets masked), for every output that differs from ``out_dir``'s."""
    from pbcfg.util.masking import redact

    diffs = {}
    for name, text in build.files.items():
        path = os.path.join(out_dir, name)
        if not os.path.exists(path):
            current = ""
        else:  # a regular file only: a pipe or device under that name is refused, never waited on
            current = read_regular(path, MAX_BYTES).decode("utf-8", "replace")
        if current != text:
            kind = name.split(".")[0]
            old, new = redact(current, kind), redact(text, kind)
            diffs[name] = "".join(difflib.unified_diff(old.splitlines(keepends=True), new.splitlines(keepends=True),
                                                       f"{path} (on disk)", f"{path} (built)"))
    return diffs


def write_outputs(build: Build, out_dir: str, names) -> list[str]:
    """Write the named outputs atomically, keeping a .bak of each file replaced."""
    from pbcfg.util.atomic import write_atomic

    report = []
    if not os.path.isdir(out_dir):
        os.makedirs(out_dir, mode=0o700)
        report.append(f"created {out_dir} (mode 0700)")
    for name in names:
        path = os.path.join(out_dir, name)
        secret = name == "credentials.json"
        kept = write_atomic(path, build.files[name], new_mode=0o600 if secret else 0o644, backup=True)
        if secret:
            os.chmod(path, 0o600)
        report.append(f"wrote {path}" + (" (mode 0600)" if secret else "") + (f", kept {kept}" if kept else ""))
    return report
