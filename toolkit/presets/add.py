"""``pbcfg add``: merge one preset into an existing config, changing nothing else.

Each change is a text edit (:mod:`pbcfg.source.json_edit`, :mod:`pbcfg.source.yaml_edit`), so key
order, indentation, comments and every untouched value stay byte for byte. A model that exists gets
the new endpoint after its own; an endpoint that exists with other values, or a model field that
``--set`` contradicts, is a conflict unless ``replace``. ``--tier`` keeps the tier's chain: the old
primary, then the old fallbacks, behind the new primary. The result must validate before anything
is written, and each changed file keeps a ``.bak``.
"""

from __future__ import annotations

import copy
import os
from typing import NamedTuple

from pbcfg.catalog import diagnostic
from pbcfg.check.pipeline import check_sources
from pbcfg.diagnostics import Diagnostic
from pbcfg.ponybunny.builtins import builtin_endpoints
from pbcfg.ponybunny.deep_merge import merged_llm_config
from pbcfg.presets.render import Parameters, render
from pbcfg.presets.service_presets import Preset
from pbcfg.source import json_edit, yaml_edit
from pbcfg.source.reading import Source, read_source
from pbcfg.util.atomic import Write, write_files
from pbcfg.util.pointer import join
from pbcfg.util.shapes import items, mapping

__all__ = ["Added", "add_preset"]

_SERVED = ("maxContextTokens",)  # model fields --set may give: the only ones that can conflict on a model


def _config_path(directory: str, kind: str) -> str:
    """The file ``add`` edits: the JSON if there is one, else a YAML source, else a new JSON file."""
    for suffix in (".json", ".yaml", ".yml"):
        path = os.path.join(directory, kind + suffix)
        if os.path.exists(path):
            return path
    return os.path.join(directory, kind + ".json")


def _load(path: str, kind: str) -> Source | None:
    return read_source(path, kind) if os.path.exists(path) else None


class _Plan(NamedTuple):
    edits: dict[str, list[tuple[list, object]]]  # kind -> (tokens, value) to set, in order
    conflicts: list[Diagnostic]


def _merge(documents: dict, current: dict, merged: dict, rendered, params: Parameters, *, replace: bool) -> _Plan:
    """What the add changes in each file, or the conflicts that stop it."""
    new = _rendered_data(rendered)
    edits: dict[str, list] = {"credentials": [], "llm-config": []}
    conflicts = []

    def conflict(kind: str, tokens: list, message: str, hint: str) -> None:
        if kind in documents:
            conflicts.append(documents[kind].diagnostic(tokens, "add.conflict", message, hint, key=True))
        else:  # PonyBunny's built-in definition, in no file of the user's
            conflicts.append(diagnostic("add.conflict", f"{kind}.json", message, hint, pointer=join(tokens)))

    for kind in edits:
        for entry_id, entry in mapping(new[kind].get("endpoints")).items():
            have = mapping(current[kind].get("endpoints")).get(entry_id)
            switched_off = have == {"enabled": False}  # init's pin of a flipped default: adding it turns it on
            if have is not None and have != entry and not replace and not switched_off:
                conflict(
                    kind,
                    ["endpoints", entry_id],
                    f"endpoints.{entry_id} is already defined here",
                    "pass --replace to overwrite it"
                    + (", or --endpoint-id for a new slot" if rendered.endpoint_id not in builtin_endpoints() else ""),
                )
            elif have != entry:
                edits[kind].append((["endpoints", entry_id], entry))

    models, own = mapping(merged.get("models")), mapping(current["llm-config"].get("models"))
    given = _model_settings(rendered, params)
    for model in rendered.models:
        if model not in models:
            edits["llm-config"].append((["models", model], new["llm-config"]["models"][model]))
            continue
        endpoints = items(models[model].get("endpoints"))
        if rendered.endpoint_id not in endpoints:  # a second server for a model: after the ones it has
            edits["llm-config"].append((["models", model, "endpoints"], [*endpoints, rendered.endpoint_id]))
        for field, value in given.items():
            if models[model].get(field, value) == value:
                if field not in models[model]:
                    edits["llm-config"].append((["models", model, field], value))
            elif replace:
                edits["llm-config"].append((["models", model, field], value))
            else:
                conflict(
                    "llm-config",
                    ["models", model, field] if field in mapping(own.get(model)) else ["models", model],
                    f"models.{model} has {field} {models[model][field]!r}; --set {field}={value} says otherwise",
                    f"pass --replace to overwrite it, or leave out --set {field} to keep it",
                )

    for name, chain in mapping(new["llm-config"].get("tiers")).items():
        before = mapping(mapping(merged.get("tiers")).get(name))
        if name not in mapping(current["llm-config"].get("tiers")):
            edits["llm-config"].append((["tiers", name], chain))
            continue
        for field in ("primary", "fallback"):
            if before.get(field) != chain[field]:
                edits["llm-config"].append((["tiers", name, field], chain[field]))
    return _Plan(edits, conflicts)


def _rendered_data(rendered) -> dict:
    return {"credentials": rendered.data["credentials.json"], "llm-config": rendered.data["llm-config.json"]}


def _model_settings(rendered, params: Parameters) -> dict:
    """The model fields the command line gives explicitly (``--set maxContextTokens=N``), as rendered."""
    asked = {key for key, _ in params.settings}
    defined: dict = next(iter(mapping(rendered.data["llm-config.json"].get("models")).values()), {})
    return {field: defined[field] for field in _SERVED if field in asked and field in defined}


def _apply(text: str, is_yaml: bool, data: dict, edits: list[tuple[list, object]]) -> str:
    """``text`` (whose parsed form is ``data``) with each value set where it stands, or inserted in its
    mapping; a value that is there already is left as it is written."""
    edit = yaml_edit if is_yaml else json_edit
    data = copy.deepcopy(data)
    for tokens, value in edits:
        parent = data
        for token in tokens[:-1]:
            parent = parent.setdefault(token, {})
        if tokens[-1] not in parent:
            text = edit.set_member(text, tokens[:-1], tokens[-1], value)
        elif parent[tokens[-1]] != value:
            text = edit.replace_value(text, tokens, value)
        parent[tokens[-1]] = value
    return text


class Added(NamedTuple):
    lines: list[str]  # each file written, then the preset's notes
    diagnostics: list[Diagnostic]  # why nothing was written; empty when the add was made
    files: list[str]  # the config files the add read (those that exist)
    hidden: dict | None = None  # file -> rule -> count of the diagnostics past the cap, as validate counts them


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
        return Added([], existing.errors, names, existing.hidden)
    documents = {document.kind: document for document in existing.documents}
    current = {kind: documents[kind].data if kind in documents else {} for kind in paths}
    merged = merged_llm_config(current["llm-config"])
    tier = mapping(merged.get("tiers", {}).get(params.tier)) if params.tier else None
    rendered = render(preset, params, current_tier=tier, route_tiers=False, standalone=False)
    plan = _merge(documents, current, merged, rendered, params, replace=replace)
    if plan.conflicts:
        return Added([], plan.conflicts, names)

    texts = {}
    for kind, path in paths.items():
        source = sources[kind]
        if source is None:  # a new file: the preset's, with what the add changes in it
            texts[kind] = _apply(
                rendered.files[f"{kind}.json"], False, _rendered_data(rendered)[kind], plan.edits[kind]
            )
        else:
            data = current[kind]
            assert isinstance(data, dict)  # the file passed the check: a JSON object
            texts[kind] = _apply(source.text, source.is_yaml, data, plan.edits[kind])
    after = check_sources([Source(paths[kind], paths[kind], kind, text) for kind, text in texts.items()])
    if after.failed:  # the files on disk are not these texts: keep the pointer, not a position
        return Added(
            [],
            [
                diagnostic(
                    "add.invalid-result", d.file, f"after the add: {d.rule} {d.message}", d.hint, pointer=d.pointer
                )
                for d in after.errors
            ],
            names,
            {name: {"add.invalid-result": sum(rules.values())} for name, rules in after.hidden.items()},
        )
    changed = [kind for kind, text in texts.items() if (source := sources[kind]) is None or source.text != text]
    if not changed:
        return Added(
            [f"unchanged: {directory} already holds everything this add would write; nothing was written"], [], names
        )
    kept = write_files([Write(paths[kind], texts[kind], backup) for kind in changed])  # both files as one unit
    report = [
        f"{'updated' if sources[kind] else 'wrote'} {paths[kind]}"
        + (f" (kept {kept[paths[kind]]})" if paths[kind] in kept else "")
        for kind in changed
    ]
    return Added(report + [f"note: {note}" for note in rendered.notes], [], names)
