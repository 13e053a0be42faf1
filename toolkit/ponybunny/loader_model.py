"""What PonyBunny's two loaders do with each file: load it, fall back, ignore it, or refuse it.

Measured with PonyBunny's own loaders, which in places do otherwise than its docs say:

- llm-config.json that is missing, not strict JSON, or whose schema file beside
  it cannot be compiled: PonyBunny runs on its built-in defaults.
- llm-config.json whose *merged* config (the file over the defaults) fails the
  schema: the loader throws ConfigValidationError, on every call, so every
  LLM call fails. It does not fall back to the defaults.
- credentials.json that is not strict JSON, or whose schema file cannot be
  compiled: ignored (only environment variables count).
- credentials.json that fails the schema (the raw file): the loader throws
  CredentialsValidationError, so none of its keys are used, and env-only
  endpoints die with it on one of PonyBunny's two paths.

The schema is the file ``llm-config.schema.json`` / ``credentials.schema.json``
in the config directory when it exists and parses (whatever ``$schema`` says),
else the one built into the loader, whose checks are described here.
"""

from __future__ import annotations

from typing import NamedTuple

from pbcfg.ponybunny.ajv_view import Problem
from pbcfg.ponybunny.builtins import CREDENTIAL_FIELDS

__all__ = [
    "LoadOutcome",
    "ajv_view",
    "builtin_credentials_problems",
    "builtin_llm_config_problems",
    "patch_codex",
    "read_as_ponybunny",
]

PROTOCOLS = ("anthropic", "openai", "gemini", "codex")
CAPABILITIES = ("text", "vision", "function-calling", "json-mode")
TIERS = ("simple", "medium", "complex")


class LoadOutcome(NamedTuple):
    state: str  # llm-config: loaded | defaults | refused; credentials: loaded | missing | ignored | refused
    reason: str | None = None
    problems: tuple = ()  # Problem(tokens, message) when refused


def read_as_ponybunny(path: str, kind: str):
    """The file as PonyBunny's loaders read it, ``readFileSync(path, 'utf-8')``: a byte sequence that is not
    UTF-8 becomes U+FFFD and the file is parsed on, where pbcfg's own reading stops at it."""
    from pbcfg.secrets.known import note_source
    from pbcfg.source.limits import MAX_BYTES
    from pbcfg.source.reading import Source, kind_of, read_regular

    text = read_regular(path, MAX_BYTES).decode("utf-8", "replace")
    return note_source(Source(path, path, kind_of(path, text, kind), text))


def patch_codex(schema: object) -> object:
    """PonyBunny adds "codex" to the protocol enum of an old ``pb init`` schema file before compiling it."""
    for path in (
        ("properties", "endpoints", "additionalProperties", "properties", "protocol", "enum"),
        ("$defs", "EndpointConfig", "properties", "protocol", "enum"),
    ):
        node = schema
        for token in path:
            node = node.get(token) if isinstance(node, dict) else None
        if isinstance(node, list) and "codex" not in node:
            node.append("codex")
    return schema


def ajv_view(value: object) -> object:
    """The merged config as PonyBunny's validator sees it.

    ``JSON.parse`` keeps a ``"__proto__"`` key as data, but PonyBunny's merge
    assigns it, which sets the section's prototype; the validator then walks
    the prototype's keys as if they were entries. Here they become entries,
    under the section's own keys.
    """
    if isinstance(value, list):
        return [ajv_view(item) for item in value]
    if not isinstance(value, dict):
        return value
    inherited = value.get("__proto__")
    view = {key: ajv_view(item) for key, item in inherited.items()} if isinstance(inherited, dict) else {}
    view.update((key, ajv_view(item)) for key, item in value.items() if key != "__proto__")
    return view


def _kind(value: object) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int) or (isinstance(value, float) and value.is_integer()):
        return "integer"
    return {float: "number", str: "string", list: "array", dict: "object"}.get(type(value), "null")


def _is(value: object, wanted: str) -> bool:
    kind = _kind(value)
    return kind == wanted or (wanted == "number" and kind == "integer")


class _Checker:
    def __init__(self) -> None:
        self.found: list[Problem] = []

    def add(self, tokens: list, message: str, key: str | None = None) -> None:
        self.found.append(Problem(list(tokens), message, key))

    def type(self, value: object, wanted: str, tokens: list) -> bool:
        if _is(value, wanted):
            return True
        self.add(tokens, f"must be {wanted}")
        return False

    def field(
        self, entry: dict, key: str, wanted: str, tokens: list, *, minimum=None, maximum=None, allowed=None
    ) -> None:
        if key not in entry:
            return
        value, at = entry[key], tokens + [key]
        if self.type(value, wanted, at) and wanted in ("integer", "number"):
            if minimum is not None and value < minimum:
                self.add(at, f"must be >= {minimum}")
            if maximum is not None and value > maximum:
                self.add(at, f"must be <= {maximum}")
        if allowed is not None and value not in allowed:
            self.add(at, "must be equal to one of the allowed values")

    def required(self, entry: dict, keys, tokens: list) -> None:
        for key in keys:
            if key not in entry:
                self.add(tokens, f"must have required property '{key}'")

    def strings(self, entry: dict, key: str, tokens: list, *, min_items: int = 0, allowed=None) -> None:
        if key not in entry or not self.type(entry[key], "array", tokens + [key]):
            return
        if len(entry[key]) < min_items:
            self.add(tokens + [key], f"must NOT have fewer than {min_items} items")
        for index, item in enumerate(entry[key]):
            if self.type(item, "string", tokens + [key, index]) and allowed is not None and item not in allowed:
                self.add(tokens + [key, index], "must be equal to one of the allowed values")

    def section(self, data: dict, name: str):
        """(id, entry) of every object entry of ``data[name]``; other entries are reported."""
        if name not in data or not self.type(data[name], "object", [name]):
            return
        for key, entry in data[name].items():
            if self.type(entry, "object", [name, key]):
                yield key, entry


def builtin_credentials_problems(data: object) -> list[Problem]:
    """What the loader's built-in credentials schema rejects in the raw file (each one makes it throw)."""
    check = _Checker()
    if not check.type(data, "object", []):
        return check.found
    assert isinstance(data, dict)  # checked just above
    for key in data:
        if key not in ("$schema", "endpoints"):
            check.add([], "must NOT have additional properties", key)
    check.field(data, "$schema", "string", [])
    for endpoint_id, entry in check.section(data, "endpoints"):
        at = ["endpoints", endpoint_id]
        for key in entry:
            if key != "enabled" and key not in CREDENTIAL_FIELDS:
                check.add(at, "must NOT have additional properties", key)
            else:
                check.field(entry, key, "boolean" if key == "enabled" else "string", at)
    return check.found


def builtin_llm_config_problems(merged: object) -> list[Problem]:
    """What the loader's built-in llm-config schema rejects in the merged config (each one makes it throw)."""
    check = _Checker()
    data = ajv_view(merged)
    if not check.type(data, "object", []):
        return check.found
    assert isinstance(data, dict)  # checked just above
    check.required(data, ("endpoints", "models", "tiers", "agents", "defaults"), [])
    check.field(data, "$schema", "string", [])
    for endpoint_id, entry in check.section(data, "endpoints"):
        at = ["endpoints", endpoint_id]
        check.required(entry, ("enabled", "protocol", "priority"), at)
        check.field(entry, "enabled", "boolean", at)
        check.field(entry, "protocol", "string", at, allowed=PROTOCOLS)
        check.field(entry, "baseUrl", "string", at)
        check.field(entry, "priority", "integer", at, minimum=1)
        check.field(entry, "region", "string", at)
        check.field(entry, "costMultiplier", "number", at, minimum=0)
        if "rateLimit" in entry and check.type(entry["rateLimit"], "object", at + ["rateLimit"]):
            for key in ("requestsPerMinute", "tokensPerMinute"):
                check.field(entry["rateLimit"], key, "integer", at + ["rateLimit"], minimum=1)
    for model_id, entry in check.section(data, "models"):
        at = ["models", model_id]
        check.required(entry, ("displayName", "endpoints", "costPer1kTokens"), at)
        check.field(entry, "displayName", "string", at)
        check.strings(entry, "endpoints", at, min_items=1)
        if "costPer1kTokens" in entry and check.type(entry["costPer1kTokens"], "object", at + ["costPer1kTokens"]):
            check.required(entry["costPer1kTokens"], ("input", "output"), at + ["costPer1kTokens"])
            for key in ("input", "output"):
                check.field(entry["costPer1kTokens"], key, "number", at + ["costPer1kTokens"], minimum=0)
        check.field(entry, "maxContextTokens", "integer", at, minimum=1)
        check.strings(entry, "capabilities", at, allowed=CAPABILITIES)
    if "tiers" in data and check.type(data["tiers"], "object", ["tiers"]):
        check.required(data["tiers"], TIERS, ["tiers"])
        for name in TIERS:  # other tier names are not checked at all
            if name in data["tiers"] and check.type(data["tiers"][name], "object", ["tiers", name]):
                check.required(data["tiers"][name], ("primary",), ["tiers", name])
                check.field(data["tiers"][name], "primary", "string", ["tiers", name])
                check.strings(data["tiers"][name], "fallback", ["tiers", name])
    for name, entry in check.section(data, "agents"):
        at = ["agents", name]
        check.field(entry, "tier", "string", at, allowed=TIERS)
        check.field(entry, "primary", "string", at)
        check.strings(entry, "fallback", at)
        check.field(entry, "description", "string", at)
    if "defaults" in data and check.type(data["defaults"], "object", ["defaults"]):
        defaults = data["defaults"]
        check.field(defaults, "timeout", "integer", ["defaults"], minimum=1000)
        check.field(defaults, "maxTokens", "integer", ["defaults"], minimum=1)
        check.field(defaults, "maxRetries", "integer", ["defaults"], minimum=0)
        check.field(defaults, "retryDelayMs", "integer", ["defaults"], minimum=0)
        check.field(defaults, "temperature", "number", ["defaults"], minimum=0, maximum=2)
    return check.found
