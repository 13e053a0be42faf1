"""The plan: which (model, endpoint) pairs a request tries, in order, and why others are out."""

from __future__ import annotations

from typing import NamedTuple

from pbcfg.ponybunny.chains import model_chain
from pbcfg.ponybunny.effective import EffectiveEndpoint

__all__ = ["Candidate", "Dropped", "Plan", "SPOKEN", "make_plan", "why_not"]

# what this runtime can send: the OpenAI chat-completions protocol (Azure's dialect included)
SPOKEN = {"openai"}


class Candidate(NamedTuple):
    model: str
    endpoint: EffectiveEndpoint


class Dropped(NamedTuple):
    model: str
    endpoint: str
    reason: str


class Plan(NamedTuple):
    chain: list[str]
    attempts: list[Candidate]
    dropped: list[Dropped]


def why_not(endpoint: EffectiveEndpoint | None, endpoint_id: str) -> str | None:
    if endpoint is None:
        return "not defined"
    if not endpoint.enabled:
        return f"disabled in {endpoint.disabled_by}"
    if endpoint.missing:
        field, env = endpoint.missing[0]
        return f"missing credential {field}" + (f" (set it in credentials.json or ${env})" if env else
                                                " (set it in credentials.json)")
    if endpoint.protocol not in SPOKEN:
        return f"protocol {endpoint.protocol!r} is not implemented by pbcfg's runtime (it speaks openai)"
    if endpoint.base_url is None:
        return "no base URL (set baseUrl in credentials.json" + \
            (" or $OPENAI_COMPATIBLE_BASE_URL)" if endpoint_id == "openai-compatible" else ")")
    return None


def make_plan(merged: dict, endpoints: dict[str, EffectiveEndpoint], *, tier: str | None = None,
              agent: str | None = None, model: str | None = None) -> Plan:
    chain = [model] if model is not None else model_chain(merged, tier=tier, agent=agent)
    models = merged.get("models") or {}
    attempts, dropped = [], []
    for model_id in chain:
        entry = models.get(model_id)
        if not isinstance(entry, dict):
            dropped.append(Dropped(model_id, "", "model not defined"))
            continue
        ids = [e for e in entry.get("endpoints") or [] if isinstance(e, str)]
        # ascending priority; ties keep the model's list order (sorted is stable)
        ordered = sorted(enumerate(ids), key=lambda pair: (getattr(endpoints.get(pair[1]), "priority", None) or 10**9,
                                                           pair[0]))
        for _, endpoint_id in ordered:
            endpoint = endpoints.get(endpoint_id)
            reason = why_not(endpoint, endpoint_id)
            if reason:
                dropped.append(Dropped(model_id, endpoint_id, reason))
            else:
                attempts.append(Candidate(model_id, endpoint))
    return Plan(chain, attempts, dropped)
