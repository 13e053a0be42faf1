"""``pbcfg add``: merge one preset into an existing config, changing nothing else.

Each new entry is inserted as text (:mod:`pbcfg.json_edit`), so key order,
indentation and every untouched value stay byte for byte. An id that already
exists is a conflict unless ``replace``; the result must validate before
anything is written, and each changed file keeps a ``.bak``.
"""

from __future__ import annotations

import os

from .atomic import write_atomic
from .check import check_sources
from .diagnostics import Severity
from .errors import Refused
from .json_edit import set_member
from .merge import merged_llm_config
from .presets import Parameters, Preset, render
from .sources import Source, read_source

__all__ = ["add_preset"]


def _load(path: str, kind: str) -> Source | None:
    return read_source(path, kind) if os.path.exists(path) else None


def _errors(sources: list[Source]) -> list:
    return [d for d in check_sources(sources).diagnostics if d.severity is Severity.ERROR]


def add_preset(directory: str, preset: Preset, params: Parameters, *, replace: bool, backup: bool) -> list[str]:
    import json

    paths = {"credentials": os.path.join(directory, "credentials.json"),
             "llm-config": os.path.join(directory, "llm-config.json")}
    sources = {kind: _load(path, kind) for kind, path in paths.items()}
    present = [s for s in sources.values() if s is not None]
    errors = _errors(present)
    if errors:
        first = errors[0]
        raise Refused(f"{first.file}:{first.line}:{first.column}: {first.message}; fix the existing errors "
                      "(`pbcfg validate`) before adding to this config")
    current = {kind: json.loads(source.text) if source else {} for kind, source in sources.items()}
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
        for section in ("endpoints", "models", "tiers"):
            for entry_id, entry in new[kind].get(section, {}).items():
                text = set_member(text, [section], entry_id, entry)
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
        kept = write_atomic(paths[kind], text, new_mode=0o600 if kind == "credentials" else 0o644, backup=backup)
        report.append(f"{'updated' if source else 'wrote'} {paths[kind]}" + (f" (kept {kept})" if kept else ""))
    return report + [f"note: {note}" for note in rendered.notes]
