"""Surprises of PonyBunny's merge over its built-in defaults, some of which changed."""

from __future__ import annotations

from pbcfg.lint.registry import check
from pbcfg.ponybunny.builtins import FLIPPED_DEFAULTS, defaults


@check("merge.partial-tier", reads=("llm-config",))
def partial_tier(ctx):
    found = []
    for name in defaults()["tiers"]:
        entry = ctx.user_entry("tiers", name)
        if entry and "fallback" not in entry:
            found.append(
                ctx.in_llm_config(
                    ["tiers", name],
                    "merge.partial-tier",
                    f"tier {name!r} keeps the built-in fallback; effective chain: "
                    + " → ".join(ctx.chain("tiers", name)),
                    'add "fallback": [...] to choose the fallbacks',
                    key=True,
                )
            )
    return found


@check("merge.agent-default-primary", reads=("llm-config",))
def agent_default_primary(ctx):
    found = []
    for name, default in defaults()["agents"].items():
        entry = ctx.user_entry("agents", name)
        if entry.get("tier") and "primary" not in entry and default.get("primary"):
            tier_primary = ctx.merged["tiers"].get(entry["tier"], {}).get("primary")
            if tier_primary != default["primary"]:
                found.append(
                    ctx.in_llm_config(
                        ["agents", name, "tier"],
                        "merge.agent-default-primary",
                        f"agent {name!r} sets tier {entry['tier']!r} but keeps the built-in primary "
                        f"{default['primary']!r}, not the tier's {tier_primary!r}",
                        f'add "primary": "{tier_primary}" to use the tier\'s primary',
                    )
                )
    return found


@check("merge.changed-default")
def changed_default(ctx):
    if ctx.llm_config is None:
        return []
    return [
        ctx.in_llm_config(
            ["endpoints", endpoint_id],
            "merge.changed-default",
            f"{endpoint_id} is enabled by default since {since}, and this file does not say whether it should be",
            f"set endpoints.{endpoint_id}.enabled explicitly",
            key=True,
        )
        for endpoint_id, since in FLIPPED_DEFAULTS.items()
        if "enabled" not in ctx.user_entry("endpoints", endpoint_id)
        and ctx.credentials_entry(endpoint_id).get("enabled") is not False
    ]


@check("merge.temperature-zero", reads=("llm-config",))
def temperature_zero(ctx):
    value = ctx.user_section("defaults").get("temperature")
    if value == 0 and not isinstance(value, bool):
        return [
            ctx.in_llm_config(
                ["defaults", "temperature"],
                "merge.temperature-zero",
                "temperature 0 becomes 0.7 on one of PonyBunny's code paths",
                "use 0.01 for near-deterministic output",
            )
        ]
    return []
