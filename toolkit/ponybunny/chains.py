"""Model chains as PonyBunny resolves them, shared by lint and the runtime.

tier -> [primary, ...fallback]; agent -> [agent.primary or tier.primary,
...(agent.fallback if non-empty, else tier.fallback)], the tier defaulting
to medium. Repeats are dropped, first occurrence kept.
"""

from __future__ import annotations

from pbcfg.util.shapes import mapping

__all__ = ["model_chain"]


def model_chain(merged: dict, *, tier: str | None = None, agent: str | None = None) -> list[str]:
    tiers = mapping(merged.get("tiers"))
    if agent is not None:
        entry = mapping(mapping(merged.get("agents")).get(agent))
        tier_entry = mapping(tiers.get(entry.get("tier") or "medium"))
        models = [entry.get("primary") or tier_entry.get("primary")]
        models += list(entry.get("fallback") or tier_entry.get("fallback") or [])
    else:
        tier_entry = mapping(tiers.get(tier))
        models = [tier_entry.get("primary")] + list(tier_entry.get("fallback") or [])
    return list(dict.fromkeys(m for m in models if isinstance(m, str)))
