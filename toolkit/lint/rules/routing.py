"""Routing: can a request reach a model, and does the chain do what it looks like it does."""

from __future__ import annotations

from pbcfg.diagnostics import Severity
from pbcfg.lint.registry import check


def _users_models(ctx) -> dict:
    return {k: v for k, v in ctx.user_section("models").items() if isinstance(v, dict)}


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
    return [ctx.in_llm_config(["endpoints", endpoint.id], "routing.unused-endpoint",
                              f"endpoint {endpoint.id!r} is enabled but no model lists it",
                              f"add {endpoint.id!r} to a model's endpoints, or disable it", key=True)
            for endpoint in ctx.endpoints.values() if endpoint.enabled and endpoint.id not in used]


@check("routing.model-unreachable")
def model_unreachable(ctx):
    found = []
    for model_id in _users_models(ctx):
        if ctx.model_usable(model_id):
            continue
        endpoints = [e for e in ctx.merged["models"][model_id].get("endpoints") or [] if isinstance(e, str)]
        reasons = []
        for endpoint_id in endpoints:
            endpoint = ctx.endpoints.get(endpoint_id)
            if endpoint is None:
                reasons.append(f"{endpoint_id}: not defined")
            elif not endpoint.enabled:
                reasons.append(f"{endpoint_id}: disabled in {endpoint.disabled_by}")
            elif endpoint.missing:
                reasons.append(f"{endpoint_id}: no {', '.join(f for f, _ in endpoint.missing)}")
            else:
                reasons.append(f"{endpoint_id}: no base URL")
        found.append(ctx.in_llm_config(["models", model_id], "routing.model-unreachable",
                                       f"model {model_id!r} has no usable endpoint ({'; '.join(reasons)})",
                                       "enable one of its endpoints and give it credentials", key=True))
    return found


def _chains(ctx):
    for section in ("tiers", "agents"):
        for name in ctx.merged.get(section, {}):
            yield section, name, ctx.chain(section, name)


@check("routing.chain-unusable")
def chain_unusable(ctx):
    found = []
    for section, name, chain in _chains(ctx):
        if any(ctx.model_usable(model_id) for model_id in chain):
            continue
        finding = ctx.in_llm_config([section, name], "routing.chain-unusable",
                                    f"{section[:-1]} {name!r} cannot reach a usable model: {' → '.join(chain)}",
                                    "give one of these models a usable endpoint (`pbcfg resolve` shows why each fails)",
                                    key=True)
        if not ctx.user_entry(section, name):
            finding = finding._replace(diagnostic=finding.diagnostic._replace(severity=Severity.WARNING))
        found.append(finding)
    return found


@check("routing.fallback-weaker")
def fallback_weaker(ctx):
    found = []
    models = ctx.merged.get("models", {})
    for section, name, chain in _chains(ctx):
        if not ctx.user_entry(section, name) or len(chain) < 2 or not isinstance(models.get(chain[0]), dict):
            continue
        primary = models[chain[0]]
        for index, model_id in enumerate(chain[1:]):
            fallback = models.get(model_id)
            if not isinstance(fallback, dict):
                continue
            problems = []
            if isinstance(primary.get("maxContextTokens"), int) and isinstance(fallback.get("maxContextTokens"), int) \
                    and fallback["maxContextTokens"] < primary["maxContextTokens"]:
                problems.append(f"context {fallback['maxContextTokens']} < {primary['maxContextTokens']}")
            lacking = [c for c in primary.get("capabilities") or [] if c not in (fallback.get("capabilities") or [])]
            if lacking:
                problems.append(f"lacks {', '.join(lacking)}")
            if problems:
                tokens = [section, name, "fallback"]
                user_fallback = ctx.user_entry(section, name).get("fallback")
                if isinstance(user_fallback, list) and model_id in user_fallback:
                    tokens.append(user_fallback.index(model_id))
                found.append(ctx.in_llm_config(tokens, "routing.fallback-weaker",
                                               f"fallback {model_id!r} is weaker than primary {chain[0]!r}: "
                                               + "; ".join(problems)))
    return found


@check("routing.priority-tie")
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
            found.append(ctx.in_llm_config(["models", model_id, "endpoints", index], "routing.priority-tie",
                                           f"{endpoint_id!r} and {first!r} both have priority {priority}; "
                                           f"{first!r} goes first only because it is listed first",
                                           "give the endpoints distinct priorities"))
    return found


def _ties(ctx, listed) -> list:
    """(index among the known endpoints, endpoint, the one before it with that priority, the priority)."""
    ties, seen = [], {}
    for index, endpoint_id in enumerate(e for e in listed if isinstance(e, str) and e in ctx.endpoints):
        priority = ctx.endpoints[endpoint_id].priority
        if priority in seen:
            ties.append((index, endpoint_id, seen[priority], priority))
        else:
            seen[priority] = endpoint_id
    return ties
