"""Secrets: keys in the wrong file, placeholder keys, and credentials readable by others."""

from __future__ import annotations

import os
import re
import stat
from functools import cache

from pbcfg.lint.fixes import SetMode, mode_of
from pbcfg.lint.registry import check
from pbcfg.ponybunny.builtins import CREDENTIAL_FIELDS
from pbcfg.util.masking import mask

NO_KEY_VALUES = ("not-needed", "EMPTY", "ollama", "lm-studio", "sk-no-key-required")
_SECRET_NAMES = r"api[_-]?key|apikey|key|secret[_-]?access[_-]?key|access[_-]?key[_-]?id|token|password"
_SECRET_KEYS = re.compile(rf"(?i)^({_SECRET_NAMES})$")
_PLACEHOLDER = re.compile(r"(?i)(x{3,}|^your[-_ ]|^<.*>$|changeme|placeholder|replace[-_ ]?me|\.\.\.$|^sk-?x+$)")
_NOT_CREDENTIALS = ("region", "baseUrl", "endpoint")


def _is_credential_name(key: str) -> bool:
    return (key in CREDENTIAL_FIELDS and key not in _NOT_CREDENTIALS) or bool(_SECRET_KEYS.match(key))


@cache
def _no_credential_names():
    """A validator that passes a document only if no key anywhere can be a credential name: every name
    :func:`_is_credential_name` takes, and more (any non-ASCII name; a trailing newline, which ``$`` allows)."""
    import jsonschema_rs

    names = [name for name in CREDENTIAL_FIELDS if name not in _NOT_CREDENTIALS]
    loose = rf"^(?i:{_SECRET_NAMES})\n?$|[^\x00-\x7f]"
    return jsonschema_rs.validator_for({"propertyNames": {"not": {"anyOf": [{"enum": names}, {"pattern": loose}]}},
                                        "additionalProperties": {"$ref": "#"}, "items": {"$ref": "#"}})


@check("secrets.credential-in-llm-config", any_shape=True)
def credential_in_llm_config(ctx):
    found = []
    data = ctx.llm_config.data if ctx.llm_config is not None else None
    if not isinstance(data, (dict, list)) or _no_credential_names().is_valid(data):
        return found  # the common case, checked at Rust speed: 10,000 models in a few ms
    verdicts: dict[str, bool] = {}  # a config repeats a few key names thousands of times: judge each name once
    stack = [(data, [])]
    while stack:  # a loop, not recursion, and a path only for containers
        value, tokens = stack.pop()
        children = value.items() if isinstance(value, dict) else enumerate(value)
        for key, item in children:
            if isinstance(key, str):
                credential = verdicts.get(key)
                if credential is None:
                    credential = verdicts[key] = _is_credential_name(key)
                if credential:
                    found.append(ctx.in_llm_config(
                        tokens + [key], "secrets.credential-in-llm-config",
                        f"{key!r} ({mask(item) if isinstance(item, str) else 'a value'}) in llm-config.json: "
                        "PonyBunny ignores it here, and this file is not kept secret",
                        "move it to credentials.json or its environment variable", key=True))
                    continue
            if isinstance(item, (dict, list)):
                stack.append((item, tokens + [key]))
    return found


def _official_url(ctx, endpoint) -> bool:
    """True when the endpoint talks to its vendor's own API rather than a server of the user's."""
    return endpoint.id != "openai-compatible" and (endpoint.base_url is None or endpoint.base_url.source == "built-in default")


@check("secrets.placeholder-key")
def placeholder_key(ctx):
    found = []
    for endpoint in ctx.endpoints.values():
        if not endpoint.enabled:
            continue
        for field, value in endpoint.fields.items():
            if field not in ("apiKey", "secretAccessKey", "accessKeyId") or not isinstance(value.value, str):
                continue
            is_no_key = value.value in NO_KEY_VALUES
            if _PLACEHOLDER.search(value.value) or (is_no_key and _official_url(ctx, endpoint)):
                what = (f"the no-key value {value.value!r} on {endpoint.id}, which is a vendor's API" if is_no_key
                        else f"a placeholder {field} ({mask(value.value)}) on enabled endpoint {endpoint.id!r}")
                from_env = f" (from {value.source})" if value.source.startswith("env ") else ""
                hint = f"set the real key in ${value.source[4:]}" if from_env else \
                    "put the real key here, or in its environment variable"
                found.append(ctx.in_credentials(["endpoints", endpoint.id, field], "secrets.placeholder-key",
                                                what + from_env, hint))
    return found


@check("secrets.file-permissions")
def file_permissions(ctx):
    if ctx.credentials is None:
        return []
    found = []
    path = ctx.credentials.source.path
    mode = mode_of(path)
    if mode is not None and mode & (stat.S_IRWXG | stat.S_IRWXO):
        found.append(ctx.at_file(path, "secrets.file-permissions",
                                 f"credentials file has mode {mode:04o}: group or others can read it",
                                 "chmod 600 it (`pbcfg lint --fix` does)", fix=SetMode(path, 0o600)))
    directory = os.path.dirname(os.path.abspath(path))
    directory_mode = mode_of(directory)
    if directory_mode is not None and directory_mode != 0o700:
        found.append(ctx.at_file(path, "secrets.file-permissions",
                                 f"its directory {directory} has mode {directory_mode:04o}, not 0700",
                                 "chmod 700 it (`pbcfg lint --fix` does)", fix=SetMode(directory, 0o700)))
    return found
