"""Surprises of PonyBunny's merge over its built-in defaults (SPEC §4 and §6)."""

from __future__ import annotations

from ..diagnostics import Severity
from ..ponybunny import defaults
from .catalog import rule


@rule("merge.partial-tier", Severity.INFO, "A tier override without fallback keeps the built-in fallbacks.",
      """PonyBunny deep-merges llm-config.json over its defaults and arrays replace only when given, so
      {"primary": "my-model"} for a built-in tier keeps the default fallback models behind it. Write a
      fallback array (even an empty one) to say what you mean.""")
def partial_tier(ctx):
    found = []
    for name in defaults()["tiers"]:
        entry = ctx.user_entry("tiers", name)
        if entry and "fallback" not in entry:
            found.append(ctx.in_llm_config(["tiers", name], "merge.partial-tier",
                                           f"tier {name!r} keeps the built-in fallback; effective chain: "
                                           + " → ".join(ctx.chain("tiers", name)),
                                           'add "fallback": [...] to choose the fallbacks', key=True))
    return found


@rule("merge.agent-default-primary", Severity.WARNING, "An agent's tier is overridden but the built-in primary wins.",
      """A built-in agent with its own primary (execution uses claude-sonnet-4-5-20250929) keeps that primary
      after the merge when your file sets only its tier, so the tier's primary is never used first. Set the
      agent's primary too.""")
def agent_default_primary(ctx):
    found = []
    for name, default in defaults()["agents"].items():
        entry = ctx.user_entry("agents", name)
        if entry.get("tier") and "primary" not in entry and default.get("primary"):
            tier_primary = ctx.merged["tiers"].get(entry["tier"], {}).get("primary")
            if tier_primary != default["primary"]:
                found.append(ctx.in_llm_config(
                    ["agents", name, "tier"], "merge.agent-default-primary",
                    f"agent {name!r} sets tier {entry['tier']!r} but keeps the built-in primary "
                    f"{default['primary']!r}, not the tier's {tier_primary!r}",
                    f'add "primary": "{tier_primary}" to use the tier\'s primary'))
    return found


_FLIPPED = {"aws-bedrock": "became enabled by default on 2026-02-19",
            "codex": "is enabled by default since it joined on 2026-02-13"}


@rule("merge.changed-default", Severity.INFO, "Relying on a default that changed.",
      """aws-bedrock became enabled by default on 2026-02-19 and codex is enabled by default; a file that
      does not say enabled for them runs differently on different PonyBunny versions. Pin enabled
      explicitly (`pbcfg migrate --pin-defaults`).""")
def changed_default(ctx):
    if ctx.llm_config is None:
        return []
    return [ctx.in_llm_config(["endpoints", endpoint_id], "merge.changed-default",
                              f"{endpoint_id} {change}, and this file does not say whether it should be",
                              f'set endpoints.{endpoint_id}.enabled explicitly', key=True)
            for endpoint_id, change in _FLIPPED.items()
            if "enabled" not in ctx.user_entry("endpoints", endpoint_id)
            and ctx.credentials_entry(endpoint_id).get("enabled") is not False]


@rule("merge.temperature-zero", Severity.WARNING, "defaults.temperature is 0.",
      """One of PonyBunny's code paths reads the temperature as `temperature || 0.7`, so an explicit 0 turns
      into 0.7 there. Use a small positive value such as 0.01 for near-deterministic output.""")
def temperature_zero(ctx):
    value = ctx.user_section("defaults").get("temperature")
    if value == 0 and not isinstance(value, bool):
        return [ctx.in_llm_config(["defaults", "temperature"], "merge.temperature-zero",
                                  "temperature 0 becomes 0.7 on one of PonyBunny's code paths",
                                  "use 0.01 for near-deterministic output")]
    return []
