"""What PonyBunny itself knows: built-in endpoints, models, tiers and agents.

Derived from the schemas (the ``x-pbcfg`` notes on each built-in endpoint of
credentials.schema.json) and from ``schemas/ponybunny-defaults.json``, the
built-in llm-config that PonyBunny merges every user file over.
"""

from collections import namedtuple

from pbcfg.schema_store import schema
from pbcfg.util.json_load import loads
from pbcfg.util.memo import once_per_argument
from pbcfg.util.resources import resource_path

__all__ = [
    "CREDENTIAL_FIELDS",
    "FLIPPED_DEFAULTS",
    "BuiltinEndpoint",
    "builtin_endpoints",
    "builtin_models",
    "defaults",
]

# built-in endpoints whose default `enabled` flipped to true, and since when
FLIPPED_DEFAULTS = {"aws-bedrock": "2026-02-19", "codex": "2026-02-13"}
CREDENTIAL_FIELDS = ("apiKey", "accessKeyId", "secretAccessKey", "region", "endpoint", "projectId", "baseUrl")


# id, protocol: str; required, allowed: tuples of credential fields; env: credential field -> environment variable
BuiltinEndpoint = namedtuple("BuiltinEndpoint", "id protocol required allowed env")


@once_per_argument
def builtin_endpoints() -> dict[str, BuiltinEndpoint]:
    entries = schema("credentials")["properties"]["endpoints"]["properties"]
    return {
        endpoint_id: BuiltinEndpoint(
            endpoint_id,
            entry["x-pbcfg"]["protocol"],
            tuple(entry["x-pbcfg"]["required"]),
            tuple(entry["properties"]),
            dict(entry["x-pbcfg"]["env"]),
        )
        for endpoint_id, entry in entries.items()
    }


@once_per_argument
def defaults() -> dict:
    """PonyBunny's built-in llm-config; callers must not mutate it."""
    with open(resource_path("schemas", "ponybunny-defaults.json"), encoding="utf-8") as handle:
        data = loads(handle.read())
    assert isinstance(data, dict)  # the built-in llm-config is an object
    return data


def builtin_models() -> dict:
    return defaults()["models"]
