"""Routing: can a request reach a model, and does the chain do what it looks like it does.

Unusable endpoints are reported as causes (:mod:`pbcfg.lint.reach`): a chain
without a usable model is ``routing.chain-unusable`` at the cause, a model of
the user's without one is ``routing.model-unreachable`` at the cause, each
naming what the cause takes down.
"""

from __future__ import annotations

import os

from pbcfg.lint.fixes import edit_remove_item
from pbcfg.lint.reach import (
    READ_AGENTS,
    READ_TIERS,
    Blocked,
    blocked,
    chains_text,
    english_list,
    is_missing_key,
    report_at,
)
from pbcfg.lint.registry import check
from pbcfg.ponybunny.builtins import defaults
from pbcfg.source.commands import pbcfg_on
from pbcfg.util.suggest import did_you_mean

_LLM = ("llm-config",)


def _users_models(ctx) -> dict:
    return {k: v for k, v in ctx.user_section("models").items() if isinstance(v, dict)}


def _models_text(models) -> str:
    return f"model{'s' if len(models) > 1 else ''} {english_list([repr(m) for m in models])}"


def _causes_text(group: Blocked) -> str:
    return "; ".join(cause.text for cause in group.causes)


@check("routing.unused-endpoint")
def unused_endpoint(ctx):
    used: set = set()  # ids, and whatever else the lists hold: only ids are looked up in it
    for model in ctx.merged.get("models", {}).values():
        endpoints = model.get("endpoints") if isinstance(model, dict) else None
        if isinstance(endpoints, list):
            try:
                used.update(endpoints)
            except TypeError:  # something unhashable in the list
                used.update(e for e in endpoints if isinstance(e, str))
    return [
        ctx.in_llm_config(
            ["endpoints", endpoint.id],
            "routing.unused-endpoint",
            f"endpoint {endpoint.id!r} is enabled but no model lists it",
            f"add {endpoint.id!r} to a model's endpoints, or disable it",
            key=True,
        )
        for endpoint in ctx.endpoints.values()
        if endpoint.enabled and endpoint.id not in used
    ]


@check("routing.model-unreachable")
def model_unreachable(ctx):
    found = []
    for group in blocked(ctx)[1]:
        if all(is_missing_key(ctx, cause) for cause in group.causes):
            continue  # env.missing-credential reports it, with these models
        plural = len(group.models) > 1
        message = (
            f"{_causes_text(group)}, so {_models_text(group.models)} {'have' if plural else 'has'} no usable endpoint"
        )
        if group.skipping:
            message += f"; {chains_text(group.skipping)} skip {'them' if plural else 'it'}"
        found.append(report_at(ctx, group.causes[0], "routing.model-unreachable", message, group.causes[0].hint))
    return found


@check("routing.chain-unusable")
def chain_unusable(ctx):
    found = []
    for group in blocked(ctx)[0]:
        consequence = f"{chains_text(group.chains)} {'have' if len(group.chains) > 1 else 'has'} no usable model"
        if group.models:
            consequence = (
                f"{_models_text(group.models)} {'have' if len(group.models) > 1 else 'has'} no usable "
                f"endpoint and {consequence}"
            )
        section, name = group.chains[0]
        resolve = pbcfg_on(os.path.dirname(ctx.path_of("llm-config.json")), "resolve", f"--{section[:-1]}", name)
        hint = f"{group.causes[0].hint}; `{resolve}` shows every attempt"
        found.append(
            report_at(ctx, group.causes[0], "routing.chain-unusable", f"{_causes_text(group)}, so {consequence}", hint)
        )
    return found


@check("routing.unused-name", reads=_LLM)
def unused_name(ctx):
    """Tier and agent names PonyBunny's code never looks up: usually a typo of one it does."""
    found = []
    for name in ctx.user_section("tiers"):
        if name not in READ_TIERS:
            guess = did_you_mean(name, READ_TIERS)
            found.append(
                ctx.in_llm_config(
                    ["tiers", name],
                    "routing.unused-name",
                    f"PonyBunny never reads tier {name!r}: it reads only {english_list(READ_TIERS)}",
                    f"did you mean {guess!r}?" if guess else "rename it to one of those, or remove it",
                    key=True,
                )
            )
    default_agents = defaults()["agents"]
    for name, entry in ctx.user_section("agents").items():
        if name in READ_AGENTS:
            continue
        default = default_agents.get(name)
        routing = ("tier", "primary", "fallback")
        if (
            isinstance(default, dict)
            and isinstance(entry, dict)
            and all(entry.get(key) == default.get(key) for key in routing if key in entry)
        ):
            continue  # PonyBunny's own default, as `pb init` writes it: unused, and harmless
        guess = did_you_mean(name, READ_AGENTS)
        known = " (it is in PonyBunny's defaults, but no code looks it up)" if default is not None else ""
        found.append(
            ctx.in_llm_config(
                ["agents", name],
                "routing.unused-name",
                f"PonyBunny never reads agent {name!r}{known}: it reads only {english_list(READ_AGENTS)}",
                f"did you mean {guess!r}?" if guess else "this entry has no effect; remove it",
                key=True,
            )
        )
    return found


def _chains(ctx):
    """The chains PonyBunny reads that the user's file configures."""
    for section, names in (("tiers", READ_TIERS), ("agents", READ_AGENTS)):
        for name in names:
            if ctx.user_entry(section, name):
                yield section, name, ctx.chain(section, name)


@check("routing.fallback-weaker", reads=_LLM)
def fallback_weaker(ctx):
    found = []
    models = ctx.merged.get("models", {})
    for section, name, chain in _chains(ctx):
        if len(chain) < 2 or not isinstance(models.get(chain[0]), dict):
            continue
        primary = models[chain[0]]
        for model_id in chain[1:]:
            fallback = models.get(model_id)
            if not isinstance(fallback, dict):
                continue
            problems = []
            if (
                isinstance(primary.get("maxContextTokens"), int)
                and isinstance(fallback.get("maxContextTokens"), int)
                and fallback["maxContextTokens"] < primary["maxContextTokens"]
            ):
                problems.append(f"context {fallback['maxContextTokens']} < {primary['maxContextTokens']}")
            lacking = [c for c in primary.get("capabilities") or [] if c not in (fallback.get("capabilities") or [])]
            if lacking:
                problems.append(f"lacks {', '.join(lacking)}")
            if problems:
                tokens = [section, name, "fallback"]
                user_fallback = ctx.user_entry(section, name).get("fallback")
                if isinstance(user_fallback, list) and model_id in user_fallback:
                    tokens.append(user_fallback.index(model_id))
                found.append(
                    ctx.in_llm_config(
                        tokens,
                        "routing.fallback-weaker",
                        f"fallback {model_id!r} is weaker than primary {chain[0]!r}: " + "; ".join(problems),
                    )
                )
    return found


@check("routing.repeated-endpoint", reads=_LLM)
def repeated_endpoint(ctx):
    found = []
    for model_id, model in _users_models(ctx).items():
        endpoints = model.get("endpoints") if isinstance(model.get("endpoints"), list) else []
        listed_before: set = set()
        for index, endpoint_id in enumerate(endpoints):
            if not isinstance(endpoint_id, str):
                continue
            if endpoint_id not in listed_before:
                listed_before.add(endpoint_id)
            else:
                tokens = ["models", model_id, "endpoints", index]
                found.append(
                    ctx.in_llm_config(
                        tokens,
                        "routing.repeated-endpoint",
                        f"model {model_id!r} lists {endpoint_id!r} again: PonyBunny calls it a second time right after it "
                        "failed, and never anything new",
                        f"remove the repeat (`{pbcfg_on(os.path.dirname(ctx.llm_config.name), 'lint', '--fix')}` does)",
                        fix=edit_remove_item(ctx.llm_config, tokens),
                    )
                )
    return found


@check("routing.priority-tie", reads=_LLM)
def priority_tie(ctx):
    found = []
    ties_of: dict[tuple, list] = {}  # models share a few endpoint lists: judge each list once
    for model_id, model in _users_models(ctx).items():
        listed = model.get("endpoints") or []
        try:
            key = tuple(listed)
            ties = ties_of.get(key)
        except TypeError:  # something unhashable in the list: judged on its own
            key = ties = None
        if ties is None:
            ties = _ties(ctx, listed)
            if key is not None:
                ties_of[key] = ties
        for index, endpoint_id, first, priority in ties:
            found.append(
                ctx.in_llm_config(
                    ["models", model_id, "endpoints", index],
                    "routing.priority-tie",
                    f"{endpoint_id!r} and {first!r} both have priority {priority}; "
                    f"{first!r} goes first only because it is listed first",
                    "give the endpoints distinct priorities",
                )
            )
    return found


def _ties(ctx, listed) -> list:
    """(index in the list, endpoint, the one before it with that priority, the priority); a repeat is
    routing.repeated-endpoint's, and an id that names no endpoint is not ranked at all."""
    ties, listed_before = [], set()
    seen: dict[object, str] = {}  # priority -> the first endpoint listed with it
    for index, endpoint_id in enumerate(listed):
        if not isinstance(endpoint_id, str) or endpoint_id not in ctx.endpoints or endpoint_id in listed_before:
            continue
        listed_before.add(endpoint_id)
        priority = ctx.endpoints[endpoint_id].priority
        if priority in seen:
            ties.append((index, endpoint_id, seen[priority], priority))
        else:
            seen[priority] = endpoint_id
    return ties
