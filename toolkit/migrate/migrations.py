"""The migrations, in the order they run, each an id, a description and a detector.

A detector reads one file's data and returns the edits it needs (none: the
file does not need it). Edits are operations on a place in the file, so the
engine (:mod:`pbcfg.migrating`) can apply them to JSON text or to a YAML
round trip without disturbing anything else. Every migration is idempotent:
after its edits, its detector finds nothing.

``location`` runs first (the other migrations act on the moved files),
``strict-json`` next (every other detector needs the data), ``schema-files``
last.
"""

from __future__ import annotations

from typing import NamedTuple

from pbcfg.ponybunny.builtins import builtin_models
from pbcfg.util.pointer import join

__all__ = ["DATA_MIGRATIONS", "MIGRATIONS", "Conflict", "Change", "Migration", "Options"]


class Change(NamedTuple):
    op: str  # rename-key | set-value | remove-member | set-member | note (reported, nothing changes)
    tokens: list
    value: object
    message: str

    @property
    def pointer(self) -> str:
        return join(self.tokens)


class Conflict(Exception):
    """Two spellings of one field with different values: pbcfg will not pick one."""

    def __init__(self, pointer: str, message: str) -> None:
        super().__init__(message)
        self.pointer = pointer


class Options(NamedTuple):
    drop_unknown: bool = False
    renames: tuple[tuple[str, str], ...] = ()  # --rename-model OLD=NEW
    pin_defaults: bool = False


class Migration(NamedTuple):
    id: str
    description: str
    kinds: tuple[str, ...]
    detect: object  # (data, options) -> list[Change]; None for the migrations the engine does itself


_ALIASES = {"baseurl": "baseUrl", "apikey": "apiKey", "key": "apiKey", "accesskeyid": "accessKeyId",
            "secretaccesskey": "secretAccessKey", "secretkey": "secretAccessKey", "projectid": "projectId",
            "region": "region", "endpoint": "endpoint", "enabled": "enabled"}


def _mapping(value: object) -> dict:
    return value if isinstance(value, dict) else {}


def credential_keys(data: dict, options: Options) -> list[Change]:
    edits: list[Change] = []
    for endpoint_id, entry in _mapping(data.get("endpoints")).items():
        if not isinstance(entry, dict):
            continue
        for key, value in entry.items():
            tokens = ["endpoints", endpoint_id, key]
            target = _ALIASES.get(key.lower().replace("_", "").replace("-", ""))
            if target is None:
                edits.append(Change("remove-member", tokens, None, f"dropped unknown key {key!r} (--drop-unknown)")
                             if options.drop_unknown else
                             Change("note", tokens, None, f"unknown key {key!r} left in place: PonyBunny rejects it; "
                                                        "rename it by hand, or pass --drop-unknown"))
                continue
            if target == "enabled":
                if isinstance(value, str) and value.strip().lower() in ("true", "false"):
                    edits.append(Change("set-value", tokens, value.strip().lower() == "true",
                                      f"{value!r} became {value.strip().lower()}"))
                continue
            if not isinstance(value, str):
                text = "" if value is None else (str(value).lower() if isinstance(value, bool) else
                                                 value if isinstance(value, str) else str(value))
                edits.append(Change("set-value", tokens, text, f"{key} became a string"))
                value = text
            if key == target:
                continue
            if target in entry:
                if entry[target] != value:
                    raise Conflict(join(tokens), f"{key!r} and {target!r} are both set in {endpoint_id!r}, to different "
                                                 "values; keep one by hand (pbcfg will not pick)")
                edits.append(Change("remove-member", tokens, None, f"dropped {key!r}: {target!r} has the same value"))
            else:
                edits.append(Change("rename-key", tokens, target, f"{key!r} renamed to {target!r}"))
    return edits


def fallback_arrays(data: dict, options: Options) -> list[Change]:
    return [Change("set-value", [section, name, "fallback"], [entry["fallback"]], "a string became a one-element array")
            for section in ("tiers", "agents") for name, entry in _mapping(data.get(section)).items()
            if isinstance(entry, dict) and isinstance(entry.get("fallback"), str)]


def model_references(data: dict, options: Options) -> list[Change]:
    defined = set(builtin_models()) | set(_mapping(data.get("models")))
    renames = dict(options.renames)
    for dated in builtin_models():
        if dated.startswith("claude-"):
            undated = dated.rsplit("-", 1)[0]
            renames.setdefault(undated, dated)
            renames.setdefault(dated, undated)
    edits = []

    def check(model_id, tokens):
        if isinstance(model_id, str) and model_id not in defined and renames.get(model_id) in defined:
            edits.append(Change("set-value", tokens, renames[model_id],
                              f"{model_id!r} is not defined; now {renames[model_id]!r}"))

    for section in ("tiers", "agents"):
        for name, entry in _mapping(data.get(section)).items():
            entry = _mapping(entry)
            check(entry.get("primary"), [section, name, "primary"])
            for index, model_id in enumerate(entry.get("fallback") if isinstance(entry.get("fallback"), list) else []):
                check(model_id, [section, name, "fallback", index])
    return edits


_FLIPPED = {"aws-bedrock": "enabled by default since 2026-02-19", "codex": "enabled by default since 2026-02-13"}


def pin_defaults(data: dict, options: Options) -> list[Change]:
    if not options.pin_defaults:
        return []
    endpoints = _mapping(data.get("endpoints"))
    return [Change("set-member", ["endpoints", endpoint_id, "enabled"], False,
                 f"pinned to false, the behaviour this file was written for ({endpoint_id} is {why})")
            for endpoint_id, why in _FLIPPED.items() if "enabled" not in _mapping(endpoints.get(endpoint_id))]


MIGRATIONS = (
    Migration("location", "files in ~/.ponybunny and none in the new directory -> moved there, never overwriting",
              ("credentials", "llm-config"), None),
    Migration("strict-json", "JSON with comments or trailing commas -> strict JSON; each removed comment is listed",
              ("credentials", "llm-config"), None),
    Migration("credential-keys", "credential keys from before the strict schema (baseURL, base_url, api_key, apikey, "
              "key, …) -> today's names; non-string values -> strings", ("credentials",), credential_keys),
    Migration("fallback-array", "tiers.*.fallback / agents.*.fallback written as a string -> a one-element array",
              ("llm-config",), fallback_arrays),
    Migration("model-references", "references to undated/dated Claude ids the defaults renamed -> the defined form; "
              "others only with --rename-model OLD=NEW", ("llm-config",), model_references),
    Migration("pin-defaults", "enabled: false for aws-bedrock and codex where the file relies on a default that "
              "flipped (opt-in: --pin-defaults)", ("llm-config",), pin_defaults),
    Migration("schema-files", "stale or missing credentials.schema.json / llm-config.schema.json -> the current ones",
              ("credentials", "llm-config"), None),
)
DATA_MIGRATIONS = tuple(m for m in MIGRATIONS if m.detect is not None)
