"""The migrations, in the order they run, each an id, the file kinds it applies to, and a detector.

A detector reads one file's data and returns the edits it needs (none: the
file does not need it). Edits are operations on a place in the file, so the
engine (:mod:`pbcfg.migrate.file_migration`) can apply them to JSON text or to a YAML
round trip without disturbing anything else. Every migration is idempotent:
after its edits, its detector finds nothing.

``location`` runs first (the other migrations act on the moved files),
``strict-json`` next (every other detector needs the data), ``schema-files``
last.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

from pbcfg.ponybunny.builtins import FLIPPED_DEFAULTS, builtin_models
from pbcfg.source.edits import Edit as Change  # a migration's edits are the edits every command makes
from pbcfg.util.shapes import mapping

__all__ = ["DATA_MIGRATIONS", "MIGRATIONS", "Conflict", "Change", "Migration", "Options"]


class Conflict(Exception):
    """Two spellings of one field with different values: pbcfg will not pick one."""

    def __init__(self, tokens: list, message: str) -> None:
        super().__init__(message)
        self.tokens = tokens


class Options(NamedTuple):
    drop_unknown: bool = False
    renames: tuple[tuple[str, str], ...] = ()  # --rename-model OLD=NEW
    pin_defaults: bool = False


class Migration(NamedTuple):
    id: str
    kinds: tuple[str, ...]
    detect: Callable[[dict, Options], list[Change]] | None  # None for the migrations the engine does itself


_ALIASES = {
    "baseurl": "baseUrl",
    "apikey": "apiKey",
    "key": "apiKey",
    "accesskeyid": "accessKeyId",
    "secretaccesskey": "secretAccessKey",
    "secretkey": "secretAccessKey",
    "projectid": "projectId",
    "region": "region",
    "endpoint": "endpoint",
    "enabled": "enabled",
}


def _type_name(value: object) -> str:
    kinds = ((bool, "a boolean"), ((int, float), "a number"), (list, "an array"), (dict, "an object"))
    return next((name for kind, name in kinds if isinstance(value, kind)), "null")


def credential_keys(data: dict, options: Options) -> list[Change]:
    edits: list[Change] = []
    for endpoint_id, entry in mapping(data.get("endpoints")).items():
        if not isinstance(entry, dict):
            continue
        for key, value in entry.items():
            tokens = ["endpoints", endpoint_id, key]
            target = _ALIASES.get(key.lower().replace("_", "").replace("-", ""))
            if target is None:
                edits.append(
                    Change("remove-member", tokens, None, f"unknown key {key!r} → dropped (--drop-unknown)")
                    if options.drop_unknown
                    else Change(
                        "note",
                        tokens,
                        None,
                        f"unknown key {key!r} left in place: PonyBunny rejects it, and with it the whole file",
                        "rename it by hand, or pass --drop-unknown",
                    )
                )
                continue
            if target == "enabled":
                if isinstance(value, str) and value.strip().lower() in ("true", "false"):
                    edits.append(
                        Change(
                            "set-value", tokens, value.strip().lower() == "true", f"{value!r} → {value.strip().lower()}"
                        )
                    )
                continue
            if not isinstance(value, str):
                text = (
                    ""
                    if value is None
                    else (
                        str(value).lower()
                        if isinstance(value, bool)
                        else value
                        if isinstance(value, str)
                        else str(value)
                    )
                )
                edits.append(Change("set-value", tokens, text, f"{key}: {_type_name(value)} → a string"))
                value = text
            if key == target:
                continue
            if target in entry:
                if entry[target] != value:
                    raise Conflict(
                        tokens, f"{key!r} and {target!r} are both set in {endpoint_id!r}, to different values"
                    )
                edits.append(Change("remove-member", tokens, None, f"{key!r} → dropped: {target!r} has the same value"))
            else:
                edits.append(Change("rename-key", tokens, target, f"{key!r} → {target!r}"))
    return edits


def fallback_arrays(data: dict, options: Options) -> list[Change]:
    return [
        Change("set-value", [section, name, "fallback"], [entry["fallback"]], "a string → a one-element array")
        for section in ("tiers", "agents")
        for name, entry in mapping(data.get(section)).items()
        if isinstance(entry, dict) and isinstance(entry.get("fallback"), str)
    ]


def model_references(data: dict, options: Options) -> list[Change]:
    defined = set(builtin_models()) | set(mapping(data.get("models")))
    renames = dict(options.renames)
    for dated in builtin_models():
        if dated.startswith("claude-"):
            undated = dated.rsplit("-", 1)[0]
            renames.setdefault(undated, dated)
            renames.setdefault(dated, undated)
    edits = []

    def check(model_id, tokens):
        if isinstance(model_id, str) and model_id not in defined and renames.get(model_id) in defined:
            edits.append(
                Change("set-value", tokens, renames[model_id], f"{model_id!r} is not defined → {renames[model_id]!r}")
            )

    for section in ("tiers", "agents"):
        for name, entry in mapping(data.get(section)).items():
            entry = mapping(entry)
            check(entry.get("primary"), [section, name, "primary"])
            fallback = entry.get("fallback")
            for index, model_id in enumerate(fallback if isinstance(fallback, list) else []):
                check(model_id, [section, name, "fallback", index])
    return edits


def pin_defaults(data: dict, options: Options) -> list[Change]:
    if not options.pin_defaults:
        return []
    endpoints = mapping(data.get("endpoints"))
    return [
        Change(
            "set-member",
            ["endpoints", endpoint_id, "enabled"],
            False,
            f"enabled → false, the behaviour this file was written for ({endpoint_id} is enabled by "
            f"default since {since})",
        )
        for endpoint_id, since in FLIPPED_DEFAULTS.items()
        if "enabled" not in mapping(endpoints.get(endpoint_id))
    ]


MIGRATIONS = (  # what each does is the summary and explanation of its rule, migrate.<id>, in pbcfg.catalog
    Migration("location", ("credentials", "llm-config"), None),
    Migration("strict-json", ("credentials", "llm-config"), None),
    Migration("credential-keys", ("credentials",), credential_keys),
    Migration("fallback-array", ("llm-config",), fallback_arrays),
    Migration("model-references", ("llm-config",), model_references),
    Migration("pin-defaults", ("llm-config",), pin_defaults),
    Migration("schema-files", ("credentials", "llm-config"), None),
)
DATA_MIGRATIONS = tuple(m for m in MIGRATIONS if m.detect is not None)
