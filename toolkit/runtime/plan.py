"""The plan: which (model, endpoint) pairs a request tries, in order, and why others are out."""

from __future__ import annotations

import re
from typing import NamedTuple
from urllib.parse import urlsplit

from pbcfg.ponybunny.chains import model_chain
from pbcfg.ponybunny.effective import EffectiveEndpoint
from pbcfg.runtime.protocols import protocol_for, unsupported
from pbcfg.runtime.protocols.base import Protocol
from pbcfg.runtime.sealed import plain

__all__ = ["Candidate", "Dropped", "Plan", "Reason", "config_problem", "drop_reason", "make_plan", "url_problem"]

# what an HTTP header value may hold as httpx sends it: visible ASCII, single spaces or tabs inside
_HEADER_VALUE = re.compile(r"[\x21-\x7e]+(?:[ \t]+[\x21-\x7e]+)*")


class Candidate(NamedTuple):
    model: str
    endpoint: EffectiveEndpoint
    protocol: Protocol  # what speaks to the endpoint


class Dropped(NamedTuple):
    model: str
    endpoint: str
    reason: str
    source: str | None = None  # where the reason lies (see Reason)


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
    if "#" in url:
        return "it has a #fragment, which is never sent and would swallow the path a request adds to it"
    import httpx

    try:
        httpx.URL(url)
    except (httpx.InvalidURL, ValueError, UnicodeError):
        return "its host is not a valid name"
    return None


class Reason(NamedTuple):
    text: str
    source: str | None  # where it lies, as a Value's source names a place: "credentials.json /endpoints/x/apiKey"


def config_problem(endpoint: EffectiveEndpoint) -> Reason | None:
    """A base URL or key that no request could carry, naming where it came from (and never repeating it)."""
    for field in ("endpoint",) if endpoint.id == "azure-openai" else ("baseUrl",):
        value = endpoint.fields.get(field) or (endpoint.base_url if field == "baseUrl" else None)
        problem = url_problem(plain(value.value)) if value else None
        if problem and value:  # a problem was found only in a value
            return Reason(f"the {field} ({value.source}) is not usable: {problem}", value.source)
    for field in ("apiKey", "accessKeyId"):  # the credentials a request carries in a header
        key = endpoint.fields.get(field)
        if key is not None and not _HEADER_VALUE.fullmatch(plain(key.value)):
            return Reason(
                f"the {field} ({key.source}) holds a line break, a control character, a non-ASCII character or "
                "surrounding spaces, which an HTTP header cannot carry: check it for a stray newline",
                key.source,
            )
    return None


def drop_reason(endpoint: EffectiveEndpoint | None, endpoint_id: str) -> Reason | None:
    """Why no request goes to this endpoint, and where to fix it; None when one can."""
    where = f"/endpoints/{endpoint_id}"
    if endpoint is None:
        return Reason("not defined", None)
    if not endpoint.enabled:
        return Reason(f"disabled in {endpoint.disabled_by}", f"{endpoint.disabled_by} {where}/enabled")
    if endpoint.missing:
        field, env = endpoint.missing[0]
        return Reason(
            f"missing credential {field}"
            + (f" (set it in credentials.json or ${env})" if env else " (set it in credentials.json)"),
            f"credentials.json {where}",
        )
    refusal = unsupported(endpoint) or protocol_for(endpoint).unavailable(endpoint)
    if refusal:
        return Reason(refusal, f"llm-config.json {where}/protocol")
    if endpoint.base_url is None and not hasattr(protocol_for(endpoint), "derived_base_url"):
        return Reason(
            "no base URL (set baseUrl in credentials.json"
            + (" or $OPENAI_COMPATIBLE_BASE_URL)" if endpoint_id == "openai-compatible" else ")"),
            f"credentials.json {where}",
        )
    return config_problem(endpoint)


def make_plan(
    merged: dict,
    endpoints: dict[str, EffectiveEndpoint],
    *,
    tier: str | None = None,
    agent: str | None = None,
    model: str | None = None,
) -> Plan:
    chain = [model] if model is not None else model_chain(merged, tier=tier, agent=agent)
    models = merged.get("models") or {}
    attempts, dropped = [], []
    for model_id in chain:
        entry = models.get(model_id)
        if not isinstance(entry, dict):
            dropped.append(Dropped(model_id, "", "model not defined", None))
            continue
        ids = [e for e in entry.get("endpoints") or [] if isinstance(e, str)]
        # ascending priority; ties keep the model's list order (sorted is stable)
        ordered = sorted(
            enumerate(ids), key=lambda pair: (getattr(endpoints.get(pair[1]), "priority", None) or 10**9, pair[0])
        )
        for _, endpoint_id in ordered:
            endpoint = endpoints.get(endpoint_id)
            reason = drop_reason(endpoint, endpoint_id)
            if reason:
                dropped.append(Dropped(model_id, endpoint_id, reason.text, reason.source))
            else:
                attempts.append(Candidate(model_id, endpoint, protocol_for(endpoint)))  # type: ignore[arg-type]
    return Plan(chain, attempts, dropped)
