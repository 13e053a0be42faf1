"""``pbcfg rename model|endpoint OLD NEW``: a new id for an entry and for every reference to it.

A model's id is renamed in ``models`` and in every tier and agent chain; an endpoint's in both files'
``endpoints`` and in every model's endpoint list. PonyBunny's built-in ids are fixed (its code knows
them by name), and a new id that is taken is a conflict: rename never merges two entries.
"""

from __future__ import annotations

import os

from pbcfg.catalog import diagnostic
from pbcfg.edit.id_usages import endpoint_references, model_references, require
from pbcfg.edit.transaction import Config, Outcome, commit, load
from pbcfg.errors import UsageError
from pbcfg.ponybunny.builtins import builtin_endpoints, builtin_models
from pbcfg.source.edits import Edit
from pbcfg.util.pointer import join
from pbcfg.util.shapes import mapping

__all__ = ["rename"]


def rename(directory: str, what: str, old: str, new: str, *, preview: bool, backup: bool) -> Outcome:
    """Rename model or endpoint ``old`` to ``new`` in the config in ``directory``, or say why not."""
    if old == new:
        raise UsageError(f"rename {what}: the old and the new id are both {old!r}")
    config = load(directory)
    if config.check.failed:
        return Outcome([], config.check.errors, config.check.files, [])
    llm, llm_path = config.data("llm-config"), config.path("llm-config")
    if what == "model":
        own, builtin = mapping(llm.get("models")), builtin_models()
        require("model", old, own, builtin, verb="renamed")
        edits = [Edit("rename-key", ["models", old], new, f"renamed to {new!r}", file=llm_path)]
        edits += [
            Edit("set-value", tokens, new, f"{old!r} → {new!r}", file=llm_path) for tokens in model_references(llm, old)
        ]
    else:
        sections = {kind: mapping(config.data(kind).get("endpoints")) for kind in ("llm-config", "credentials")}
        own, builtin = {**sections["credentials"], **sections["llm-config"]}, builtin_endpoints()
        require("endpoint", old, own, builtin, verb="renamed")
        edits = [
            Edit("rename-key", ["endpoints", old], new, f"renamed to {new!r}", file=config.path(kind))
            for kind, section in sections.items()
            if old in section
        ]
        edits += [
            Edit("set-value", tokens, new, f"{old!r} → {new!r}", file=llm_path)
            for tokens in endpoint_references(llm, old)
        ]
    if new in own or new in builtin:
        return Outcome([], [_taken(config, what, new)], config.check.files, [])
    return commit(config, edits, preview=preview, backup=backup)


def _taken(config: Config, what: str, new: str):
    """The conflict, at the entry that has ``new`` already, or on the config when it is a built-in id."""
    section = what + "s"
    from pbcfg.source.commands import directory_words, pbcfg_command

    directory = os.path.dirname(next(path for path in map(config.path, ("llm-config", "credentials")) if path))
    remove = pbcfg_command(
        "remove", what, new, *(word for d in directory_words(directory) for word in ("--config-dir", d))
    )
    hint = f"pick another id, or remove the entry that has it first (`{remove}`)"
    for kind, document in config.documents.items():
        if new in mapping(mapping(document.data).get(section)):
            return document.diagnostic(
                [section, new], "edit.conflict", f"{what} {new!r} is already defined here", hint, key=True
            )
    source = config.sources.get("llm-config") or config.sources["credentials"]
    return diagnostic(
        "edit.conflict",
        source.name,
        f"{new!r} is one of PonyBunny's built-in {section}",
        hint,
        pointer=join([section, new]),
    )
