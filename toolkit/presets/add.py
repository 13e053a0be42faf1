"""``pbcfg add``: merge one preset into an existing config, changing nothing else.

Each new entry is inserted as text (:mod:`pbcfg.json_edit`), so key order,
indentation and every untouched value stay byte for byte. An id that already
exists is a conflict unless ``replace``; the result must validate before
anything is written, and each changed file keeps a ``.bak``.
"""

from __future__ import annotations

import os
from typing import NamedTuple

from pbcfg.check.pipeline import check_sources
from pbcfg.diagnostics import Diagnostic
from pbcfg.ponybunny.merge import merged_llm_config
from pbcfg.presets.catalog import Preset
from pbcfg.presets.render import Parameters, render
from pbcfg.rules import diagnostic
from pbcfg.source.files import Source, read_source
from pbcfg.source.json_edit import set_member
from pbcfg.util.atomic import Write, write_files
from pbcfg.util.shapes import mapping

__all__ = ["Added", "add_preset"]


def _config_path(directory: str, kind: str) -> str:
    """The file ``add`` edits: the JSON if there is one, else a YAML source, else a new JSON file."""
    for suffix in (".json", ".yaml", ".yml"):
        path = os.path.join(directory, kind + suffix)
        if os.path.exists(path):
            return path
    return os.path.join(directory, kind + ".json")


def _load(path: str, kind: str) -> Source | None:
    return read_source(path, kind) if os.path.exists(path) else None


def _set_yaml_member(text: str, section: str, key: str, value: object) -> str:
    """The YAML twin of :func:`set_member`: a new entry goes in as text at the end of its section,
    above the comments that introduce the next section, so every comment stays where it was."""
    import io

    from ruamel.yaml import YAML

    yaml = YAML(typ="rt")
    yaml.width = 4096
    document = yaml.load(text)

    def dump(data: object, indent: int) -> list[str]:
        stream = io.StringIO()
        yaml.dump(data, stream)
        return [" " * indent + line if line else line for line in stream.getvalue().rstrip("\n").split("\n")]

    mapping = document.get(section) if document else None
    if document is None or section not in document or not isinstance(mapping, dict) \
            or key in mapping or mapping.fa.flow_style():
        if document is None:
            return "\n".join(dump({section: {key: value}}, 0)) + "\n"
        if section not in document:
            return text.rstrip("\n") + "\n" + "\n".join(dump({section: {key: value}}, 0)) + "\n"
        document[section][key] = value  # a replaced value or a flow mapping: ruamel keeps what it can
        stream = io.StringIO()
        yaml.dump(document, stream)
        return stream.getvalue()
    lines = text.split("\n")
    keys = list(document)
    position = keys.index(section)
    section_line = document.lc.key(section)[0]
    end = document.lc.key(keys[position + 1])[0] if position + 1 < len(keys) else len(lines)
    while end - 1 > section_line and (not lines[end - 1].strip() or lines[end - 1].lstrip().startswith("#")):
        end -= 1
    indent = mapping.lc.key(next(iter(mapping)))[1] if mapping else document.lc.key(section)[1] + 2
    return "\n".join(lines[:end] + dump({key: value}, indent) + lines[end:])


class Added(NamedTuple):
    lines: list[str]  # each file written, then the preset's notes
    diagnostics: list[Diagnostic]  # why nothing was written; empty when the add was made
    files: list[str]  # the config files the add read (those that exist)


def add_preset(directory: str, preset: Preset, params: Parameters, *, replace: bool, backup: bool) -> Added:
    """Insert ``preset``'s entries into the config in ``directory``; refuse, writing nothing, on any doubt.

    The directory's lock is held from the first read to the last write, so two adds (or an add and a
    ``lint --fix``) never lose each other's changes."""
    from pbcfg.util.dirlock import lock_directories

    with lock_directories([directory]):
        return _add_preset(directory, preset, params, replace=replace, backup=backup)


def _add_preset(directory: str, preset: Preset, params: Parameters, *, replace: bool, backup: bool) -> Added:
    paths = {kind: _config_path(directory, kind) for kind in ("credentials", "llm-config")}
    sources = {kind: _load(path, kind) for kind, path in paths.items()}
    existing = check_sources([s for s in sources.values() if s is not None])
    names = existing.files
    if existing.failed:
        return Added([], existing.errors, names)
    documents = {document.kind: document for document in existing.documents}
    current = {kind: documents[kind].data if kind in documents else {} for kind in paths}
    merged = merged_llm_config(current["llm-config"])
    tier_primary = merged.get("tiers", {}).get(params.tier, {}).get("primary") if params.tier else None
    rendered = render(preset, params, current_tier_primary=tier_primary, route_tiers=False, standalone=False)
    new = {"credentials": rendered.data["credentials.json"], "llm-config": rendered.data["llm-config.json"]}

    conflicts = [documents[kind].diagnostic([section, entry_id], "add.conflict",
                                            f"{section}.{entry_id} is already defined here",
                                            "pass --replace to overwrite it, or --endpoint-id for a new slot", key=True)
                 for kind in paths for section in ("endpoints", "models")
                 for entry_id in new[kind].get(section, {}) if entry_id in mapping(current[kind].get(section))]
    if conflicts and not replace:
        return Added([], conflicts, names)

    texts = {}
    for kind, path in paths.items():
        source = sources[kind]
        if source is None:
            texts[kind] = rendered.files[f"{kind}.json"]
            continue
        text = source.text
        edit = _set_yaml_member if source.is_yaml else (lambda t, s, k, v: set_member(t, [s], k, v))
        for section in ("endpoints", "models", "tiers"):
            for entry_id, entry in new[kind].get(section, {}).items():
                text = edit(text, section, entry_id, entry)
        texts[kind] = text
    after = check_sources([Source(paths[kind], paths[kind], kind, text) for kind, text in texts.items()])
    if after.failed:  # the files on disk are not these texts: keep the pointer, not a position
        return Added([], [diagnostic("add.invalid-result", d.file, f"after the add: {d.rule} {d.message}", d.hint,
                                     pointer=d.pointer) for d in after.errors], names)
    changed = [kind for kind, text in texts.items() if sources[kind] is None or sources[kind].text != text]
    kept = write_files([Write(paths[kind], texts[kind], backup) for kind in changed])  # both files as one unit
    report = [f"{'updated' if sources[kind] else 'wrote'} {paths[kind]}"
              + (f" (kept {kept[paths[kind]]})" if paths[kind] in kept else "") for kind in changed]
    return Added(report + [f"note: {note}" for note in rendered.notes], [], names)
