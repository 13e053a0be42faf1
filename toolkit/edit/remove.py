"""``pbcfg remove model|endpoint ID``: take an entry out, refusing while anything still names it.

A reference to an id that no longer exists makes PonyBunny reject the whole file, so the references
are reported (``edit.referenced``) and nothing is written, unless ``cascade``: then a fallback loses
the id, a tier promotes its next model, an agent starts from its tier's primary, and a model left
without an endpoint goes too, with its own references. Each change is listed. An endpoint goes from
both files, its credentials with it. A built-in id is PonyBunny's: only the file's override of it can
be removed, and PonyBunny's own definition applies again.
"""

from __future__ import annotations

from pbcfg.edit.id_usages import drop_models, endpoint_references, model_references, require
from pbcfg.edit.transaction import Outcome, commit, load
from pbcfg.ponybunny.builtins import builtin_endpoints, builtin_models
from pbcfg.source.edits import Edit
from pbcfg.util.shapes import items, mapping

__all__ = ["remove"]


def remove(directory: str, what: str, ident: str, *, cascade: bool, preview: bool, backup: bool) -> Outcome:
    """Remove model or endpoint ``ident`` from the config in ``directory``, or say why not."""
    config = load(directory)
    if config.check.failed:
        return Outcome([], config.check.errors, config.check.files, [])
    llm, llm_path = config.data("llm-config"), config.path("llm-config")
    if what == "model":
        require("model", ident, mapping(llm.get("models")), builtin_models(), verb="removed")
        builtin = ident in builtin_models()
        edits = [
            Edit(
                "remove-member",
                ["models", ident],
                None,
                "removed" + (": PonyBunny's built-in definition applies again" if builtin else ""),
                file=llm_path,
            )
        ]
        references = [] if builtin else model_references(llm, ident)
        changes = [] if builtin else drop_models(llm, {ident}, llm_path)
    else:
        sections = {kind: mapping(config.data(kind).get("endpoints")) for kind in ("llm-config", "credentials")}
        require(
            "endpoint",
            ident,
            {**sections["credentials"], **sections["llm-config"]},
            builtin_endpoints(),
            verb="removed",
        )
        edits = [
            Edit(
                "remove-member",
                ["endpoints", ident],
                None,
                "removed" + (", with its credentials" if kind == "credentials" else ""),
                file=config.path(kind),
            )
            for kind, section in sections.items()
            if ident in section
        ]
        references = endpoint_references(llm, ident)
        changes = _detach(llm, ident, llm_path)
    if references and not cascade:
        document = config.documents["llm-config"]
        return Outcome(
            [],
            [
                document.diagnostic(
                    tokens,
                    "edit.referenced",
                    f"still names {what} {ident!r}",
                    "pass --cascade to change this reference too (each change is listed), or change it by hand first",
                )
                for tokens in references
            ],
            config.check.files,
            [],
        )
    return commit(config, edits + changes, preview=preview, backup=backup)


def _detach(llm: dict, endpoint: str, llm_path: str | None) -> list[Edit]:
    """The edits that take ``endpoint`` out of every model; a model left with none goes, cascading."""
    edits: list[Edit] = []
    gone: set[str] = set()
    for model, entry in mapping(llm.get("models")).items():
        endpoints = items(mapping(entry).get("endpoints"))
        if endpoint not in endpoints:
            continue
        if any(item != endpoint for item in endpoints):
            edits.extend(
                Edit(
                    "remove-item",
                    ["models", model, "endpoints", index],
                    None,
                    f"{endpoint!r} removed from the model's endpoints",
                    file=llm_path,
                )
                for index in reversed(range(len(endpoints)))
                if endpoints[index] == endpoint
            )
        elif model in builtin_models():
            edits.append(
                Edit(
                    "remove-member",
                    ["models", model, "endpoints"],
                    None,
                    "removed: PonyBunny's built-in endpoints for the model apply again",
                    file=llm_path,
                )
            )
        else:
            edits.append(
                Edit(
                    "remove-member",
                    ["models", model],
                    None,
                    f"removed: {endpoint!r} was its only endpoint",
                    file=llm_path,
                )
            )
            gone.add(model)
    return edits + drop_models(llm, gone, llm_path)
