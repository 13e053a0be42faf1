"""What PonyBunny's Path B will try for a tier, an agent or a model, as a pure function.

Path B is ``LLMProviderManager`` with its ``EndpointManager`` and
``AgentModelResolver``: the conversation agent and ``agent_a_market_listener``
call it through ``completeForAgent``, and ``pb work`` uses it to pick its
model. Measured with PonyBunny's own code, it is not what its docs, or pbcfg's runtime, do:

- The chain is not de-duplicated. An unknown agent gets the medium tier's.
- A model's endpoints are the *available* ones, computed once per model, then
  ordered by ``priority`` (``priority || 999``), ties in list order; a repeated
  endpoint is called again.
- Available: enabled in llm-config, not ``enabled: false`` in credentials.json,
  and "has credentials": every required field non-empty in the file, or every
  one of the endpoint's env vars non-empty, never a mix. Only the six cloud
  endpoints have env vars; openai-compatible, codex and custom ids need
  ``apiKey`` but have none, so they always count as having credentials.
- The credentials sent: the file's non-empty fields, then the endpoint's own
  env vars over them, then ``AWS_REGION`` and ``GOOGLE_CLOUD_REGION`` as
  ``region`` for every endpoint. Nothing at all: "Missing credentials".
  ``OPENAI_COMPATIBLE_API_KEY`` and ``OPENAI_COMPATIBLE_BASE_URL`` are never read.
- The URL: credentials ``baseUrl`` or llm-config ``baseUrl`` or nothing, then
  the protocol's path; a key goes in a header only when there is one.
- After any failure the endpoint is skipped for 30 s, for every model, so a
  later model of the chain on it is not tried.

:func:`path_b` lists the attempts in order as if each failed (a 500, say), so
the first one is what serves the call when the server answers.
"""

from __future__ import annotations

from typing import NamedTuple

from pbcfg.ponybunny.builtins import CREDENTIAL_FIELDS, defaults
from pbcfg.ponybunny.js_names import INHERITED
from pbcfg.ponybunny.urls import fetch_problem
from pbcfg.secrets.masking import is_secret_field, mask
from pbcfg.secrets.values import Secret
from pbcfg.util.shapes import mapping

__all__ = ["ENV", "REGION_ENV", "Attempt", "PathB", "Skipped", "Value", "path_b"]

# the endpoints Path B reads env vars for, and which: credential field -> variable
ENV = {
    "anthropic-direct": {"apiKey": "ANTHROPIC_API_KEY"},
    "aws-bedrock": {"accessKeyId": "AWS_ACCESS_KEY_ID", "secretAccessKey": "AWS_SECRET_ACCESS_KEY"},
    "openai-direct": {"apiKey": "OPENAI_API_KEY"},
    "azure-openai": {"apiKey": "AZURE_OPENAI_API_KEY", "endpoint": "AZURE_OPENAI_ENDPOINT"},
    "google-ai-studio": {"apiKey": "GEMINI_API_KEY"},
    "google-vertex-ai": {"projectId": "GOOGLE_CLOUD_PROJECT"},
}
REGION_ENV = ("AWS_REGION", "GOOGLE_CLOUD_REGION")  # applied to every endpoint, the last one set wins
SKIP_SECONDS = 30


class Value(NamedTuple):
    value: object  # a pbcfg.secrets.values.Secret for secret fields
    source: str


class Attempt(NamedTuple):
    model: str
    endpoint: str
    priority: object
    url: str  # as sent; a key inside it (Gemini's ?key=) is masked
    auth: str  # how the key travels: "Authorization: Bearer", "x-api-key", "api-key", "?key=", or "none"
    credentials: dict  # field -> Value, what PonyBunny resolved (baseUrl included)
    base_url: Value | None
    fails: str | None  # what PonyBunny logs when it fails before a request leaves


class Skipped(NamedTuple):
    model: str
    endpoint: str  # "" when the model itself is out
    reason: str


class PathB(NamedTuple):
    chain: list
    attempts: list
    skipped: list
    error: str | None = None  # the whole call rejects with this…
    error_at: str | None = None  # …when it reaches this model


def path_b(
    merged: dict,
    credentials: object,
    env: dict,
    *,
    tier: str | None = None,
    agent: str | None = None,
    model: str | None = None,
    user: object = None,
    credentials_refused: str | None = None,
    credentials_name: str = "credentials.json",
    llm_config_name: str = "llm-config.json",
) -> PathB:
    """The attempts Path B makes for one call.

    ``merged`` is the llm-config PonyBunny runs on, ``credentials`` the parsed credentials.json (None when
    missing or ignored), ``user`` the user's own llm-config (for sources only). ``credentials_refused`` is
    the error PonyBunny's credentials loader throws, if it does: the call rejects at the first endpoint lookup.
    """
    names = (credentials_name, llm_config_name)
    chain, error = _chain(merged, tier=tier, agent=agent, model=model)
    result = PathB(chain, [], [], error)
    if error:
        return result
    models, endpoints = mapping(merged.get("models")), mapping(merged.get("endpoints"))
    entries = mapping(mapping(credentials).get("endpoints"))
    failed: set = set()
    for model_id in chain:
        if not isinstance(model_id, str) or model_id not in models:
            if model_id in INHERITED:
                return result._replace(error="TypeError: modelConfig.endpoints is not iterable", error_at=model_id)
            result.skipped.append(Skipped(model_id, "", "not defined: No available endpoints for model"))
            continue
        available = []
        for endpoint_id in [e for e in mapping(models[model_id]).get("endpoints") or [] if isinstance(e, str)]:
            if endpoint_id in failed:
                result.skipped.append(
                    Skipped(
                        model_id, endpoint_id, f"failed earlier in this call, so Path B skips it for {SKIP_SECONDS} s"
                    )
                )
                continue
            if credentials_refused:
                return result._replace(error=credentials_refused, error_at=model_id)
            if endpoint_id in INHERITED:
                return result._replace(error="TypeError: requiredFields.every is not a function", error_at=model_id)
            reason = _unavailable(endpoint_id, endpoints.get(endpoint_id), entries.get(endpoint_id), env, names)
            if reason:
                result.skipped.append(Skipped(model_id, endpoint_id, reason))
            else:
                available.append(endpoint_id)
        available.sort(key=lambda e: _priority(mapping(endpoints[e]).get("priority")))  # stable: ties keep list order
        for endpoint_id in available:
            result.attempts.append(
                _attempt(
                    model_id,
                    endpoint_id,
                    mapping(endpoints[endpoint_id]),
                    mapping(entries.get(endpoint_id)),
                    env,
                    user,
                    names,
                )
            )
            failed.add(endpoint_id)
    return result


def _chain(merged: dict, *, tier, agent, model) -> tuple[list, str | None]:
    tiers = mapping(merged.get("tiers"))
    if model is not None:
        return [model], None
    if agent is not None:
        entry = mapping(mapping(merged.get("agents")).get(agent))  # unknown agents run the medium tier
        tier_entry = tiers.get(entry.get("tier") or "medium")
        if not isinstance(tier_entry, dict):
            return [], "TypeError: Cannot read properties of undefined (reading 'primary')"
        own = entry.get("fallback")
        fallback = own if isinstance(own, (list, str)) and len(own) > 0 else tier_entry.get("fallback") or []
        return _spread([entry.get("primary") or tier_entry.get("primary")], fallback)
    tier_entry = tiers.get(tier)
    if not isinstance(tier_entry, dict):
        return [], "TypeError: Cannot read properties of undefined (reading 'primary')"
    return _spread([tier_entry.get("primary")], tier_entry.get("fallback") or [])


def _spread(head: list, fallback: object) -> tuple[list, str | None]:
    """``[head, ...fallback]`` as JavaScript spreads it: an array's items, a string's characters, else a TypeError."""
    if isinstance(fallback, (list, str)):
        return head + list(fallback), None
    return [], "TypeError: fallback is not iterable"


def _priority(value: object) -> float:
    """``priority || 999``; a value that is not a number sorts last too."""
    return value if isinstance(value, (int, float)) and not isinstance(value, bool) and value else 999


def _filled(value: object) -> bool:
    return value is not None and value != ""


def _unavailable(endpoint_id: str, config: object, entry: object, env: dict, names: tuple) -> str | None:
    credentials_name, llm_config_name = names
    if not isinstance(config, dict):
        return f"not defined in {llm_config_name}"
    if not config.get("enabled"):
        return f"disabled in {llm_config_name}"
    entry = entry if isinstance(entry, dict) else None
    if entry is not None and entry.get("enabled") is False:
        return f"enabled: false in {credentials_name}"
    required = {
        "aws-bedrock": ("accessKeyId", "secretAccessKey"),
        "azure-openai": ("apiKey", "endpoint"),
        "google-vertex-ai": ("projectId",),
    }.get(endpoint_id, ("apiKey",))
    if entry is not None and all(_filled(entry.get(field)) for field in required):
        return None
    variables = list(ENV.get(endpoint_id, {}).values())
    if all(env.get(name) for name in variables):
        return None
    return (
        f"no credentials: Path B needs {', '.join(required)} all in {credentials_name}, or "
        f"${', $'.join(variables)} all set, not a mix"
    )


def _attempt(
    model_id: str, endpoint_id: str, config: dict, entry: dict, env: dict, user: object, names: tuple
) -> Attempt:
    credentials_name, llm_config_name = names
    fields: dict = {}
    for field in CREDENTIAL_FIELDS:
        if _filled(entry.get(field)):
            fields[field] = Value(entry[field], f"{credentials_name} /endpoints/{endpoint_id}/{field}")
    for field, name in ENV.get(endpoint_id, {}).items():
        if env.get(name):
            fields[field] = Value(env[name], f"env {name}")
    for name in REGION_ENV:
        if env.get(name):
            fields["region"] = Value(env[name], f"env {name} (Path B applies it to every endpoint)")
    fields = {
        field: Value(Secret(str(v.value)) if is_secret_field(field) else str(v.value), v.source)
        for field, v in fields.items()
    }
    priority = config.get("priority")
    protocol = config.get("protocol")
    if protocol not in ("anthropic", "openai", "gemini", "codex"):
        return Attempt(model_id, endpoint_id, priority, "", "none", {}, None, f"Unknown protocol: {protocol}")
    if not fields:
        return Attempt(
            model_id, endpoint_id, priority, "", "none", {}, None, f"Missing credentials for endpoint: {endpoint_id}"
        )
    base_url = fields.get("baseUrl")
    if base_url is None and config.get("baseUrl"):
        user_value = mapping(mapping(mapping(user).get("endpoints")).get(endpoint_id)).get("baseUrl")
        default = mapping(mapping(defaults().get("endpoints")).get(endpoint_id)).get("baseUrl")
        source = (
            f"{llm_config_name} /endpoints/{endpoint_id}/baseUrl"
            if user_value == config["baseUrl"]
            else "built-in default"
            if default == config["baseUrl"]
            else f"{llm_config_name} (merged)"
        )
        base_url = Value(str(config["baseUrl"]), source)
    url, auth = _request(protocol, endpoint_id, model_id, base_url.value if base_url else "", fields)
    problem = fetch_problem(url)
    return Attempt(
        model_id,
        endpoint_id,
        priority,
        url,
        auth,
        fields,
        base_url,
        f"{endpoint_id} request failed: {problem}" if problem else None,
    )


def _request(protocol: str, endpoint_id: str, model_id: str, base_url: str, fields: dict) -> tuple[str, str]:
    """The URL and the way the key travels, per protocol adapter (Azure's header by endpoint id)."""
    key = fields.get("apiKey")
    if protocol == "openai":
        if "openai.azure.com" in base_url:
            url = f"{base_url}/openai/deployments/{model_id}/chat/completions?api-version=2024-02-15-preview"
        else:
            url = f"{base_url}/chat/completions"
        auth = "Authorization: Bearer" if key else "none"
    elif protocol == "anthropic":
        url, auth = base_url, "x-api-key" if key else "none"
    elif protocol == "gemini":
        if "generativelanguage.googleapis.com" in base_url:
            shown = mask(key.value.reveal()) if key else "undefined"
            url, auth = f"{base_url}/models/{model_id}:generateContent?key={shown}", "?key=" if key else "none"
        elif "aiplatform.googleapis.com" in base_url:
            region = fields["region"].value if "region" in fields else "us-central1"
            project = fields["projectId"].value if "projectId" in fields else "undefined"
            url = (
                f"https://{region}-aiplatform.googleapis.com/v1/projects/{project}/locations/{region}"
                f"/publishers/google/models/{model_id}:generateContent"
            )
            auth = "none"
        else:
            url, auth = base_url, "none"
    elif protocol == "codex":  # Path B never fetches the OAuth token
        root = base_url or "https://chatgpt.com/backend-api"
        url, auth = f"{root[:-1] if root.endswith('/') else root}/codex/responses", "none"
    if endpoint_id == "azure-openai":
        auth = "api-key"
    return url, auth
