"""``pbcfg build``: YAML sources in, the JSON files PonyBunny reads out.

Validate first (a source with errors builds nothing), then write JSON that
depends only on the sources: same sources, same bytes. The credentials file
always gets mode 0600.
"""

from __future__ import annotations

import json
import os
from typing import NamedTuple

from pbcfg.check.pipeline import check_sources
from pbcfg.diagnostics import Diagnostic
from pbcfg.errors import InputError
from pbcfg.schema_store import SCHEMA_FILES, schema_text
from pbcfg.source.limits import MAX_BYTES
from pbcfg.source.reading import SOURCE_FILES, read_regular, read_source

__all__ = ["Build", "Output", "Stale", "build_outputs", "out_of_date", "stale_diagnostics", "write_outputs"]


class Output(NamedTuple):
    name: str  # file name in the output directory
    kind: str | None  # "credentials" or "llm-config"; None for a schema file, which holds no secret
    text: str


class Build(NamedTuple):
    outputs: list[Output]  # empty when a source has errors
    diagnostics: list[Diagnostic]
    sources: list[str]


def build_outputs(source_dir: str) -> Build:
    found = [os.path.join(source_dir, name) for name in SOURCE_FILES if os.path.isfile(os.path.join(source_dir, name))]
    if not found:
        raise InputError(f"{source_dir}: no credentials.yaml or llm-config.yaml (or .yml) to build from")
    sources = [read_source(path) for path in found]
    if len({source.kind for source in sources}) != len(sources):
        raise InputError(f"{source_dir}: both .yaml and .yml sources of one file; keep one")
    result = check_sources(sources)
    if result.failed:
        return Build([], result.diagnostics, result.files)
    outputs = []
    for document in result.documents:
        outputs.append(
            Output(
                f"{document.kind}.json", document.kind, json.dumps(document.data, indent=2, ensure_ascii=False) + "\n"
            )
        )
        outputs.append(Output(SCHEMA_FILES[document.kind], None, schema_text(document.kind)))
    return Build(outputs, result.diagnostics, result.files)


class Stale(NamedTuple):
    output: Output
    path: str
    diff: str  # unified, secrets masked


def out_of_date(build: Build, out_dir: str) -> list[Stale]:
    """Every output that differs from the file in ``out_dir``, with its diff."""
    from pbcfg.secrets.known import register_credentials_text
    from pbcfg.secrets.masking import masked_diff

    stale = []
    for output in build.outputs:
        path = os.path.join(out_dir, output.name)
        if not os.path.lexists(path):
            current = ""
        else:  # a regular file only: a pipe or device under that name is refused, never waited on
            current = read_regular(path, MAX_BYTES).decode("utf-8", "replace")
        if output.kind == "credentials":  # the keys it held before, shown in the diff
            register_credentials_text(current)
        if current != output.text:
            stale.append(
                Stale(
                    output,
                    path,
                    masked_diff(
                        current,
                        output.text,
                        kind=output.kind,
                        yaml=False,
                        old_label=f"{path} (on disk)",
                        new_label=f"{path} (built)",
                    ),
                )
            )
    return stale


def stale_diagnostics(stale: list[Stale], command: str) -> list[Diagnostic]:
    """``command`` is the build that brings them up to date, as the user pastes it."""
    from pbcfg.catalog import diagnostic

    return [
        diagnostic(
            "build.out-of-date",
            entry.path,
            "differs from what the sources build" if os.path.exists(entry.path) else "is missing: the sources build it",
            f"run `{command}` and commit the result",
        )
        for entry in stale
    ]


def write_outputs(stale: list[Stale], out_dir: str) -> list[str]:
    """Write the stale outputs as one unit under the directory's lock, keeping a .bak of each file replaced."""
    from pbcfg.util.atomic import Write, write_files
    from pbcfg.util.filemodes import is_credentials_file, make_private_directory

    report = [f"created {out_dir} (mode 0700)"] if make_private_directory(out_dir) else []
    kept = write_files([Write(entry.path, entry.output.text, backup=True) for entry in stale])
    for entry in stale:
        secret = is_credentials_file(entry.path)
        report.append(
            f"wrote {entry.path}"
            + (" (mode 0600)" if secret else "")
            + (f", kept {kept[entry.path]}" if entry.path in kept else "")
        )
    return report
