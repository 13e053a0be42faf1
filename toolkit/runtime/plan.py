"""The plan: which (model, endpoint) pairs a request tries, in order, and why others are out."""

from __future__ import annotations

import re
from typing import NamedTuple
from urllib.parse import urlsplit

from pbcfg.ponybunny.chains import model_chain
from pbcfg.ponybunny.effective import EffectiveEndpoint
from pbcfg.runtime.secrets import plain

__all__ = ["Candidate", "Dropped", "Plan", "SPOKEN", "config_problem", "make_plan", "url_problem", "why_not"]

# what this runtime can send: the OpenAI chat-completions protocol (Azure's dialect included)
SPOKEN = {"openai"}
# what an HTTP header value may hold as httpx sends it: visible ASCII, single spaces or tabs inside
_HEADER_VALUE = re.compile(r"[\x21-\x7e]+(?:[ \t]+[\x21-\x7e]+)*")


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


def url_problem(url: str) -> str | None:
    """What makes ``url`` unusable as a base URL, in words that never repeat it (it may hold a key)."""
    if not url.isprintable() or any(c.isspace() for c in url):
        return "it holds spaces, control characters or bytes that are not text"
    try:
        parts = urlsplit(url)
        parts.port  # raises ValueError on a port that is not a number
    except ValueError:
        return "its host or port is malformed (a port must be a number from 0 to 65535)"
    if parts.scheme not in ("http", "https"):
        return "it is not an http:// or https:// URL"
    if not parts.hostname:
        return "it has no host"
    import httpx

    try:
        httpx.URL(url)
    except (httpx.InvalidURL, ValueError, UnicodeError):
        return "its host is not a valid name"
    return None


def config_problem(endpoint: EffectiveEndpoint) -> str | None:
    """A base URL or key that no request could carry, naming where it came from."""
    for field in ("endpoint",) if endpoint.id == "azure-openai" else ("baseUrl",):
        value = endpoint.fields.get(field) or (endpoint.base_url if field == "baseUrl" else None)
        problem = url_problem(plain(value.value)) if value else None
        if problem:
            return f"the {field} ({value.source}) is not usable: {problem}"
    key = endpoint.fields.get("apiKey")
    if key is not None and not _HEADER_VALUE.fullmatch(plain(key.value)):
        return (f"the apiKey ({key.source}) holds a line break, a control character, a non-ASCII character or "
                "surrounding spaces, which an HTTP header cannot carry: check it for a stray newline")
    return None


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
    return config_problem(endpoint)


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
