"""``pbcfg add``: merge one preset into an existing config, changing nothing else.

Each new entry is inserted as text (:mod:`pbcfg.json_edit`), so key order,
indentation and every untouched value stay byte for byte. An id that already
exists is a conflict unless ``replace``; the result must validate before
anything is written, and each changed file keeps a ``.bak``.
"""

from __future__ import annotations

import os

from pbcfg.check.pipeline import check_sources
from pbcfg.diagnostics import Severity
from pbcfg.errors import Refused
from pbcfg.ponybunny.merge import merged_llm_config
from pbcfg.presets.catalog import Preset
from pbcfg.presets.render import Parameters, render
from pbcfg.source.files import Source, read_source
from pbcfg.source.json_edit import set_member
from pbcfg.util.atomic import write_atomic

__all__ = ["add_preset"]


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


def _errors(sources: list[Source]) -> list:
    return [d for d in check_sources(sources).diagnostics if d.severity is Severity.ERROR]


def add_preset(directory: str, preset: Preset, params: Parameters, *, replace: bool, backup: bool) -> list[str]:
    paths = {kind: _config_path(directory, kind) for kind in ("credentials", "llm-config")}
    sources = {kind: _load(path, kind) for kind, path in paths.items()}
    present = [s for s in sources.values() if s is not None]
    errors = _errors(present)
    if errors:
        first = errors[0]
        raise Refused(f"{first.file}:{first.line}:{first.column}: {first.message}; fix the existing errors "
                      "(`pbcfg validate`) before adding to this config")
    documents = {document.kind: document.data for document in check_sources(present).documents}
    current = {kind: documents.get(kind) or {} for kind in paths}
    merged = merged_llm_config(current["llm-config"])
    tier_primary = merged.get("tiers", {}).get(params.tier, {}).get("primary") if params.tier else None
    rendered = render(preset, params, current_tier_primary=tier_primary, route_tiers=False, standalone=False)
    new = {"credentials": rendered.data["credentials.json"], "llm-config": rendered.data["llm-config.json"]}

    conflicts = []
    for kind in paths:
        for section in ("endpoints", "models"):
            for entry_id in new[kind].get(section, {}):
                if entry_id in (current[kind].get(section) or {}):
                    conflicts.append(f"{section}.{entry_id} in {os.path.basename(paths[kind])}")
    if conflicts and not replace:
        raise Refused(f"already defined: {', '.join(conflicts)}; nothing was written. Pass --replace to overwrite "
                      "them, or --endpoint-id for a new slot")

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
    candidates = [Source(paths[kind], paths[kind], kind, text) for kind, text in texts.items()]
    errors = _errors(candidates)
    if errors:
        first = errors[0]
        raise Refused(f"the merged config would not validate ({first.file}: {first.rule} {first.message}); "
                      "nothing was written")
    report = []
    for kind, text in texts.items():
        source = sources[kind]
        if source is not None and source.text == text:
            continue
        kept = write_atomic(paths[kind], text, backup=backup)
        report.append(f"{'updated' if source else 'wrote'} {paths[kind]}" + (f" (kept {kept})" if kept else ""))
    return report + [f"note: {note}" for note in rendered.notes]
