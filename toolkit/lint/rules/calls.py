"""Endpoints PonyBunny's protocol adapters cannot call while pbcfg's runtime can: Bedrock (unsigned), Vertex AI
(no token), Gemini behind a base URL not on Google's host (no model, no key). The facts are in
:mod:`pbcfg.ponybunny.wire`; ``pbcfg resolve --as ponybunny`` says the same per attempt."""

from __future__ import annotations

from pbcfg.lint.registry import check
from pbcfg.ponybunny.wire import divergence


def _found(ctx, rule_id: str) -> list:
    """One finding per enabled endpoint with its credentials that a model routes to, where PonyBunny's call diverges as ``rule_id``
    says: at its credentials entry, else its llm-config entry."""
    routed = {
        endpoint_id
        for model in ctx.merged.get("models", {}).values()
        if isinstance(model, dict)
        for endpoint_id in model.get("endpoints") or []
        if isinstance(endpoint_id, str)
    }
    found = []
    for endpoint in ctx.endpoints.values():
        if endpoint.id not in routed or not endpoint.enabled or endpoint.missing:  # PonyBunny skips it then
            continue
        base_url = str(endpoint.base_url.value) if endpoint.base_url is not None else None
        said = divergence(endpoint.id, endpoint.protocol, base_url)
        if said is None or said.rule != rule_id:
            continue
        field = (
            ["baseUrl"]
            if rule_id == "ponybunny.gemini-bare-url" and "baseUrl" in ctx.credentials_entry(endpoint.id)
            else []
        )
        found.append(
            ctx.at_first(
                [("credentials", ["endpoints", endpoint.id, *field]), ("llm-config", ["endpoints", endpoint.id])],
                rule_id,
                said.message,
                said.hint,
            )
        )
    return [finding for finding in found if finding is not None]


@check("ponybunny.bedrock-unsigned")
def bedrock_unsigned(ctx):
    return _found(ctx, "ponybunny.bedrock-unsigned")


@check("ponybunny.vertex-no-auth")
def vertex_no_auth(ctx):
    return _found(ctx, "ponybunny.vertex-no-auth")


@check("ponybunny.gemini-bare-url")
def gemini_bare_url(ctx):
    return _found(ctx, "ponybunny.gemini-bare-url")
