"""Where PonyBunny's own code does what neither its docs nor pbcfg's runtime do (SPEC §3, measured).

These run Path B's model (:mod:`pbcfg.ponybunny.path_b`) on the config and
report where it parts from pbcfg's runtime in a way that bites.
"""

from __future__ import annotations

from pbcfg.lint.registry import check
from pbcfg.lint.rules.env import keyless_on_path_b
from pbcfg.ponybunny.path_b import ENV, path_b


@check("ponybunny.keyless-endpoint")
def keyless_endpoint(ctx):
    used = {e for model in ctx.merged.get("models", {}).values() if isinstance(model, dict)
            for e in model.get("endpoints") or [] if isinstance(e, str)}
    found = []
    for endpoint in ctx.endpoints.values():
        entry = ctx.credentials_entry(endpoint.id)
        if endpoint.id in ENV or endpoint.protocol != "openai" or not endpoint.enabled or endpoint.id not in used:
            continue
        if isinstance(entry.get("apiKey"), str) and entry["apiKey"]:
            continue
        # a key from $OPENAI_COMPATIBLE_API_KEY is env.ignored-on-path-b's; Path B failing too is no divergence
        if "apiKey" in endpoint.fields or "no Authorization" not in keyless_on_path_b(ctx, entry, endpoint.id):
            continue
        found.append(ctx.in_credentials(
            ["endpoints", endpoint.id], "ponybunny.keyless-endpoint",
            f"credentials.json has no apiKey for {endpoint.id}: PonyBunny's Path B (the conversation agent) calls "
            "it with no Authorization header, while pbcfg's runtime drops it",
            "for a server without auth write a no-key value such as \"not-needed\" as apiKey here; otherwise its key",
            key=True))
    return found


@check("ponybunny.skipped-after-failure")
def skipped_after_failure(ctx):
    credentials = ctx.credentials.data if ctx.credentials else None
    found, seen = [], set()
    for section in ("tiers", "agents"):
        for name in ctx.user_section(section):
            if not ctx.user_entry(section, name):
                continue
            result = path_b(ctx.merged, credentials, ctx.env, **{section[:-1]: name})
            if result.error:
                continue
            tried = {attempt.model for attempt in result.attempts}
            for index, model_id in enumerate(result.chain):
                skipped = [s.endpoint for s in result.skipped if s.model == model_id and "failed earlier" in s.reason]
                if not skipped or model_id in tried or model_id in result.chain[:index] or not ctx.model_usable(model_id):
                    continue
                tokens = [section, name] + _fallback_position(ctx.user_entry(section, name), model_id)
                if (tuple(tokens), model_id) in seen:
                    continue
                seen.add((tuple(tokens), model_id))
                earlier = [m for m in result.chain[:index] if m != model_id]
                found.append(ctx.in_llm_config(
                    tokens, "ponybunny.skipped-after-failure",
                    f"{model_id!r} is only on {', '.join(dict.fromkeys(skipped))}, which {' and '.join(earlier)} "
                    f"{'uses' if len(earlier) == 1 else 'use'} first: after a failure there, PonyBunny's Path B skips "
                    f"it for 30 s and never tries {model_id!r}; pbcfg's runtime does",
                    "give the fallback an endpoint of its own (another server or endpoint id)"))
    return found


def _fallback_position(entry: dict, model_id: str) -> list:
    fallback = entry.get("fallback")
    if isinstance(fallback, list) and model_id in fallback:
        return ["fallback", fallback.index(model_id)]
    return ["fallback"] if "fallback" in entry else []
