"""What names an id in the user's llm-config, and what dropping models from it changes.

Only the user's file can be edited: PonyBunny's built-in tiers and agents name only built-in models,
which cannot be removed, so a reference that matters is always in the file.
"""

from __future__ import annotations

import json

from pbcfg.errors import UsageError
from pbcfg.ponybunny.builtins import defaults
from pbcfg.source.edits import Edit
from pbcfg.util.shapes import items, mapping
from pbcfg.util.suggest import did_you_mean

__all__ = ["drop_models", "endpoint_references", "model_references", "require"]

_CHAINS = ("tiers", "agents")


def model_references(llm: dict, model: str) -> list[list]:
    """The tokens of each tier or agent ``primary`` and ``fallback`` item that names ``model``."""
    found = []
    for section in _CHAINS:
        for name, entry in mapping(llm.get(section)).items():
            entry = mapping(entry)
            if entry.get("primary") == model:
                found.append([section, name, "primary"])
            found.extend(
                [section, name, "fallback", index]
                for index, item in enumerate(items(entry.get("fallback")))
                if item == model
            )
    return found


def endpoint_references(llm: dict, endpoint: str) -> list[list]:
    """The tokens of each model's ``endpoints`` item that names ``endpoint``."""
    return [
        ["models", model, "endpoints", index]
        for model, entry in mapping(llm.get("models")).items()
        for index, item in enumerate(items(mapping(entry).get("endpoints")))
        if item == endpoint
    ]


def drop_models(llm: dict, models: set[str], file: str | None) -> list[Edit]:
    """The edits that take ``models`` out of every tier and agent chain of ``llm`` (read from ``file``).

    A fallback loses them; a tier whose primary goes takes its first remaining fallback as primary, or,
    with none left in the file, goes (PonyBunny's own tier of that name applies again); an agent whose
    primary goes starts from its tier's primary again (or PonyBunny's default primary for it).
    """
    edits = []
    for section in _CHAINS:
        for name, entry in mapping(llm.get(section)).items():
            entry = mapping(entry)
            fallback = items(entry.get("fallback"))
            rest = [item for item in fallback if item not in models]
            if entry.get("primary") in models and section == "tiers":
                if rest:
                    edits.append(
                        Edit(
                            "set-value",
                            [section, name, "primary"],
                            rest[0],
                            f"{entry['primary']!r} → {rest[0]!r}, its first fallback",
                            file=file,
                        )
                    )
                    edits.append(
                        Edit(
                            "set-value",
                            [section, name, "fallback"],
                            rest[1:],
                            f"{json.dumps(fallback)} → {json.dumps(rest[1:])}",
                            file=file,
                        )
                    )
                else:
                    edits.append(
                        Edit(
                            "remove-member",
                            [section, name],
                            None,
                            "removed: no model of its own is left (PonyBunny's built-in tier of that "
                            "name applies, if there is one)",
                            file=file,
                        )
                    )
                continue
            if entry.get("primary") in models:
                builtin = mapping(defaults()["agents"].get(name)).get("primary")
                edits.append(
                    Edit(
                        "remove-member",
                        [section, name, "primary"],
                        None,
                        f"{entry['primary']!r} removed: the agent starts from "
                        + (f"PonyBunny's default primary for it, {builtin!r}" if builtin else "its tier's primary"),
                        file=file,
                    )
                )
            edits.extend(
                Edit(
                    "remove-item",
                    [section, name, "fallback", index],
                    None,
                    f"{fallback[index]!r} removed from the fallback",
                    file=file,
                )
                for index in reversed(range(len(fallback)))
                if fallback[index] in models
            )
    return edits


def require(what: str, ident: str, own: dict, builtin: dict, *, verb: str) -> None:
    """Refuse an id the user's files do not define (with "did you mean"), and a built-in id where ``verb``
    cannot apply: a built-in id is never renamed, and only its override in the file can be removed."""
    if ident in builtin and (verb == "renamed" or ident not in own):
        raise UsageError(
            f"{what} {ident!r} is one of PonyBunny's built-in {what}s: it cannot be {verb}"
            + (" (disable it with enabled: false instead)" if what == "endpoint" else "")
        )
    if ident not in own:
        guess = did_you_mean(ident, own)
        raise UsageError(
            f"no {what} {ident!r} is defined in the config" + (f"; did you mean {guess!r}?" if guess else "")
        )
