"""Checks JSON Schema cannot express: references between entries and files.

PonyBunny itself never checks that a tier names a real model; these do,
counting PonyBunny's built-in endpoints and models as defined.
"""

from __future__ import annotations

from pbcfg.diagnostics import Diagnostic
from pbcfg.ponybunny.builtins import builtin_endpoints, builtin_models
from pbcfg.ponybunny.js_names import INHERITED
from pbcfg.source.document import Document
from pbcfg.util.shapes import items, mapping

__all__ = ["check_cross_file", "check_references"]

_DROPPED_MODELS = {"gpt-4o": "gpt-5.2", "gpt-4o-mini": "gpt-5.2"}


def check_references(document: Document) -> list[Diagnostic]:
    data = mapping(document.data)
    endpoints = set(builtin_endpoints()) | set(mapping(data.get("endpoints")))
    models = set(builtin_models()) | set(mapping(data.get("models")))
    found: list[Diagnostic] = []

    for model_id, model in mapping(data.get("models")).items():
        for index, endpoint_id in enumerate(items(mapping(model).get("endpoints"))):
            if isinstance(endpoint_id, str) and endpoint_id not in endpoints:
                from pbcfg.util.suggest import did_you_mean  # imported only for a finding: not on the clean path

                guess = did_you_mean(endpoint_id, endpoints)
                found.append(
                    document.diagnostic(
                        ["models", model_id, "endpoints", index],
                        "ref.unknown-endpoint",
                        f"model {model_id!r} names endpoint {endpoint_id!r}, which is neither built in nor defined under endpoints",
                        f"did you mean {guess!r}?"
                        if guess
                        else "define it under endpoints with enabled, protocol and priority",
                    )
                )

    for section in ("tiers", "agents"):
        for name, entry in mapping(data.get(section)).items():
            entry = mapping(entry)
            primary = entry.get("primary")
            if isinstance(primary, str):
                found.extend(_model_ref(document, [section, name, "primary"], primary, models))
            seen: set = set()
            for index, model_id in enumerate(items(entry.get("fallback"))):
                if not isinstance(model_id, str):
                    continue
                found.extend(_model_ref(document, [section, name, "fallback", index], model_id, models))
                if model_id == primary or model_id in seen:
                    what = "its primary" if model_id == primary else "an earlier fallback"
                    found.append(
                        document.diagnostic(
                            [section, name, "fallback", index],
                            "ref.fallback-repeat",
                            f"{model_id!r} repeats {what}; a model is tried once per chain, so this entry does nothing",
                            "remove it",
                        )
                    )
                seen.add(model_id)
    return found


def _model_ref(document: Document, tokens: list, model_id: str, models: set) -> list[Diagnostic]:
    if model_id in models:
        return []
    if model_id in _DROPPED_MODELS:
        new = _DROPPED_MODELS[model_id]
        from os.path import dirname

        from pbcfg.source.commands import pbcfg_on

        command = pbcfg_on(dirname(document.name), "migrate", "--rename-model", f"{model_id}={new}")
        hint = (
            f"PonyBunny's defaults dropped {model_id!r} on 2026-02-07 for {new!r}: name the new one "
            f"(`{command}` does), or define {model_id!r} under models"
        )
    elif model_id in INHERITED:
        hint = (
            f"PonyBunny's Path B finds the inherited {model_id!r} and crashes on it (TypeError: "
            "modelConfig.endpoints is not iterable), so the whole chain fails, not only this model; define it "
            "under models, or name another"
        )
    else:
        from pbcfg.util.suggest import did_you_mean

        guess = did_you_mean(model_id, models)
        hint = f"did you mean {guess!r}?" if guess else "define it under models, or name a built-in model"
    return [
        document.diagnostic(
            tokens, "ref.unknown-model", f"{model_id!r} is not a model: neither built in nor defined under models", hint
        )
    ]


def check_cross_file(credentials: Document, llm_config: Document) -> list[Diagnostic]:
    """A credentials entry under a custom id is dead unless llm-config defines that endpoint."""
    defined = set(builtin_endpoints()) | set(mapping(mapping(llm_config.data).get("endpoints")))
    found = []
    for endpoint_id in mapping(mapping(credentials.data).get("endpoints")):
        if endpoint_id not in defined:
            from pbcfg.util.suggest import did_you_mean

            guess = did_you_mean(endpoint_id, defined)
            found.append(
                credentials.diagnostic(
                    ["endpoints", endpoint_id],
                    "ref.undefined-endpoint",
                    f"credentials for {endpoint_id!r}, but {llm_config.name} defines no such endpoint, so they are never used",
                    f"did you mean {guess!r}?"
                    if guess
                    else f"define {endpoint_id!r} under endpoints in {llm_config.name} (enabled, protocol, priority)",
                    key=True,
                )
            )
    return found
