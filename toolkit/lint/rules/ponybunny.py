"""Where PonyBunny's own code does what neither its docs nor pbcfg's runtime do (measured on its source).

These run Path B's model (:mod:`pbcfg.ponybunny.path_b`) on the config and
report where it parts from pbcfg's runtime in a way that bites.
"""

from __future__ import annotations

from pbcfg.lint.registry import check
from pbcfg.lint.rules.env import keyless_on_path_b
from pbcfg.ponybunny.path_b import ENV, path_b


@check("ponybunny.keyless-endpoint")
def keyless_endpoint(ctx):
    used = {
        e
        for model in ctx.merged.get("models", {}).values()
        if isinstance(model, dict)
        for e in model.get("endpoints") or []
        if isinstance(e, str)
    }
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
        found.append(
            ctx.in_credentials(
                ["endpoints", endpoint.id],
                "ponybunny.keyless-endpoint",
                f"credentials.json has no apiKey for {endpoint.id}: PonyBunny's Path B (the conversation agent) calls "
                "it with no Authorization header, while pbcfg's runtime drops it",
                'write its key as apiKey here; for a server without auth, a no-key value such as "not-needed"',
                key=True,
            )
        )
    return found


@check("ponybunny.skipped-after-failure")
def skipped_after_failure(ctx):
    """Each model is judged from maps built once per chain (its skips, who first tried each endpoint, its
    place in the fallback), and names only the model that failed each endpoint first: a 10,000-model
    fallback is 10,000 short findings, not 10,000 scans of it each quoting every model before."""
    credentials = ctx.credentials.data if ctx.credentials else None
    found, seen = [], set()
    for section in ("tiers", "agents"):
        for name in ctx.user_section(section):
            entry = ctx.user_entry(section, name)
            if not entry:
                continue
            result = path_b(ctx.merged, credentials, ctx.env, **{section[:-1]: name})
            if result.error:
                continue
            tried, first_try = set(), {}
            for attempt in result.attempts:
                tried.add(attempt.model)
                first_try.setdefault(attempt.endpoint, attempt.model)
            skipped: dict = {}
            for skip in result.skipped:
                if "failed earlier" in skip.reason:
                    skipped.setdefault(skip.model, {})[skip.endpoint] = None
            positions = _fallback_positions(entry)
            judged = set()
            for model_id in result.chain:
                if model_id in judged or model_id in tried or model_id not in skipped:
                    continue
                judged.add(model_id)
                if not ctx.model_usable(model_id):
                    continue
                tokens = [section, name] + positions.get(model_id, ["fallback"] if "fallback" in entry else [])
                if (tuple(tokens), model_id) in seen:
                    continue
                seen.add((tuple(tokens), model_id))
                endpoints = list(skipped[model_id])
                earlier = list(dict.fromkeys(first_try[e] for e in endpoints))
                found.append(
                    ctx.in_llm_config(
                        tokens,
                        "ponybunny.skipped-after-failure",
                        f"{model_id!r} is only on {', '.join(endpoints)}, which {' and '.join(earlier)} "
                        f"{'uses' if len(earlier) == 1 else 'use'} first: after a failure there, PonyBunny's Path B skips "
                        f"it for 30 s and never tries {model_id!r}; pbcfg's runtime does",
                        "give the fallback an endpoint of its own (another server or endpoint id)",
                    )
                )
    return found


def _fallback_positions(entry: dict) -> dict:
    """Each model's tokens under ``entry``: its first place in the fallback list."""
    fallback = entry.get("fallback")
    if not isinstance(fallback, list):
        return {}
    positions: dict = {}
    for index, model_id in enumerate(fallback):
        if isinstance(model_id, str):
            positions.setdefault(model_id, ["fallback", index])
    return positions
