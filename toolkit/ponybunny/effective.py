"""Effective credentials: what each endpoint really gets, and where each value came from.

pbcfg follows PonyBunny's docs: per field, a non-empty environment variable
beats the credentials file; an empty one counts as unset; ``enabled: false``
in the file beats everything. The base URL comes from the credentials (file
or env), else llm-config.json, else PonyBunny's built-in default.
"""

from __future__ import annotations

from typing import NamedTuple

from pbcfg.ponybunny.builtins import CREDENTIAL_FIELDS, builtin_endpoints, defaults

__all__ = ["EffectiveEndpoint", "Value", "effective_endpoints"]

# protocols whose base URL cannot be derived by PonyBunny's SDKs
_NEEDS_BASE_URL = {"openai-compatible"}


class Value(NamedTuple):
    value: object
    source: str  # "env NAME", "credentials.json /endpoints/x/apiKey", "llm-config.json /…", "built-in default"


class EffectiveEndpoint(NamedTuple):
    id: str
    protocol: str | None
    priority: int | None
    enabled: bool
    disabled_by: str | None  # why not enabled: "llm-config.json" or "credentials.json"
    fields: dict[str, Value]  # credential fields that have a value, base URL included
    missing: list[tuple[str, str | None]]  # required (field, env var that would supply it)
    base_url: Value | None

    @property
    def usable(self) -> bool:
        return (
            self.enabled
            and not self.missing
            and (self.base_url is not None or self.id not in _NEEDS_BASE_URL and self.id in builtin_endpoints())
        )


def _mapping(value: object) -> dict:
    return value if isinstance(value, dict) else {}


def effective_endpoints(
    merged: dict,
    user_llm_config: object,
    credentials: object,
    env: dict,
    credentials_name: str = "credentials.json",
    llm_config_name: str = "llm-config.json",
) -> dict[str, EffectiveEndpoint]:
    """Every endpoint of the merged config, resolved against the file and the environment."""
    builtins = builtin_endpoints()
    file_entries = _mapping(_mapping(credentials).get("endpoints"))
    user_endpoints = _mapping(_mapping(user_llm_config).get("endpoints"))
    default_endpoints = _mapping(defaults().get("endpoints"))
    result = {}
    for endpoint_id, config in _mapping(merged.get("endpoints")).items():
        config = _mapping(config)
        entry = _mapping(file_entries.get(endpoint_id))
        builtin = builtins.get(endpoint_id)
        env_names = builtin.env if builtin else {}
        allowed = builtin.allowed if builtin else ("enabled",) + CREDENTIAL_FIELDS
        fields: dict[str, Value] = {}
        for field in allowed:
            if field == "enabled":
                continue
            name = env_names.get(field)
            if name and env.get(name, "").strip():
                fields[field] = Value(env[name], f"env {name}")
            elif isinstance(entry.get(field), str) and entry[field] != "":
                fields[field] = Value(entry[field], f"{credentials_name} /endpoints/{endpoint_id}/{field}")
        base_url = fields.get("baseUrl")
        if base_url is None and isinstance(config.get("baseUrl"), str):
            if _mapping(user_endpoints.get(endpoint_id)).get("baseUrl") == config["baseUrl"]:
                base_url = Value(config["baseUrl"], f"{llm_config_name} /endpoints/{endpoint_id}/baseUrl")
            elif _mapping(default_endpoints.get(endpoint_id)).get("baseUrl") == config["baseUrl"]:
                base_url = Value(config["baseUrl"], "built-in default")
        if base_url is None and endpoint_id == "azure-openai" and "endpoint" in fields:
            base_url = fields["endpoint"]
        disabled_by = None
        if entry.get("enabled") is False:
            disabled_by = credentials_name
        elif config.get("enabled") is not True:
            disabled_by = llm_config_name
        # a custom OpenAI-protocol endpoint needs a key string like openai-compatible does
        required = builtin.required if builtin else (("apiKey",) if config.get("protocol") == "openai" else ())
        missing = [(field, env_names.get(field)) for field in required if field not in fields]
        result[endpoint_id] = EffectiveEndpoint(
            endpoint_id,
            config.get("protocol"),
            config.get("priority"),
            disabled_by is None,
            disabled_by,
            fields,
            missing,
            base_url,
        )
    return result
