"""Secrets: keys in the wrong file or under the wrong vendor, placeholder keys, keys about to be committed,
credentials readable by others."""

from __future__ import annotations

import os
import re
import stat
from functools import cache

from pbcfg.lint.fixes import SetMode, mode_of
from pbcfg.lint.registry import check
from pbcfg.ponybunny.builtins import CREDENTIAL_FIELDS
from pbcfg.secrets.masking import NO_KEY_VALUES, is_secret_field, mask
from pbcfg.util.filemodes import CREDENTIALS_MODE, DIRECTORY_MODE

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
    return jsonschema_rs.validator_for(
        {
            "propertyNames": {"not": {"anyOf": [{"enum": names}, {"pattern": loose}]}},
            "additionalProperties": {"$ref": "#"},
            "items": {"$ref": "#"},
        }
    )


@cache
def _id_sections() -> tuple[str, ...] | None:
    """The top-level sections of llm-config.json keyed by ids (endpoints, models, ...), when in a file that passed
    validation a credential name can be nothing but such an id: every object the schema allows anywhere else is
    closed, and none of its property names is a credential name. None when the schema does not say so."""
    from pbcfg.schema_store import schema

    root = schema("llm-config")
    if root.get("additionalProperties") is not False or any(map(_is_credential_name, root.get("properties", {}))):
        return None
    sections = []
    for name, node in root["properties"].items():
        ids = node.get("additionalProperties")
        if isinstance(ids, dict):  # keyed by ids: the ids are checked one by one, what is under them here
            sections.append(name)
            if not all(_closed(value, set()) for value in [ids, *node.get("properties", {}).values()]):
                return None
        elif not _closed(node, set()):
            return None
    return tuple(sections)


def _closed(node: dict, seen: set) -> bool:
    """True when every object a value valid against ``node`` may hold is closed, with no credential-named key."""
    from pbcfg.schema_store import resolve

    branches = [node]
    while "$ref" in branches[-1] and id(branches[-1]) not in seen:  # $ref and its siblings both apply
        seen.add(id(branches[-1]))
        branches.append(resolve("llm-config", branches[-1]["$ref"]))
    if any(key in branch for branch in branches for key in ("anyOf", "oneOf", "allOf", "patternProperties", "if")):
        return False  # nothing this walk needs today; say no rather than guess
    if any("properties" in branch or branch.get("type") == "object" for branch in branches):
        closing = [branch for branch in branches if branch.get("additionalProperties") is False]
        if not closing or any(_is_credential_name(key) for branch in closing for key in branch.get("properties", {})):
            return False
    children = [child for branch in branches for child in branch.get("properties", {}).values()]
    children += [branch["items"] for branch in branches if isinstance(branch.get("items"), dict)]
    return all(_closed(child, seen) for child in children if id(child) not in seen)


@check("secrets.credential-in-llm-config", any_shape=True)
def credential_in_llm_config(ctx):
    found = []
    data = ctx.llm_config.data if ctx.llm_config is not None else None
    sections = _id_sections() if "llm-config" not in ctx.invalid and isinstance(data, dict) else None
    if sections is not None:  # a valid file: only the ids of its sections can be credential names
        return [
            _misplaced(ctx, [section, key], item)
            for section in sections
            for key, item in data.get(section, {}).items()
            if _is_credential_name(key)
        ]
    if not isinstance(data, (dict, list)) or _no_credential_names().is_valid(data):
        return found  # checked at Rust speed: 10,000 models in a few ms
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
                    found.append(_misplaced(ctx, tokens + [key], item))
                    continue
            if isinstance(item, (dict, list)):
                stack.append((item, tokens + [key]))
    return found


def _misplaced(ctx, tokens: list, value: object):
    return ctx.in_llm_config(
        tokens,
        "secrets.credential-in-llm-config",
        f"{tokens[-1]!r} ({mask(value) if isinstance(value, str) else 'a value'}) in llm-config.json: "
        "PonyBunny ignores it here, and this file is not kept secret",
        "move it to credentials.json or its environment variable",
        key=True,
    )


def _official_url(ctx, endpoint) -> bool:
    """True when the endpoint talks to its vendor's own API rather than a server of the user's."""
    return endpoint.id != "openai-compatible" and (
        endpoint.base_url is None or endpoint.base_url.source == "built-in default"
    )


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
                what = (
                    f"the no-key value {value.value!r} on {endpoint.id}, which is a vendor's API"
                    if is_no_key
                    else f"a placeholder {field} ({mask(value.value)}) on enabled endpoint {endpoint.id!r}"
                )
                from_env = f" (from {value.source})" if value.source.startswith("env ") else ""
                hint = (
                    f"set the real key in ${value.source[4:]}"
                    if from_env
                    else "put the real key here, or in its environment variable"
                )
                found.append(
                    ctx.in_credentials(
                        ["endpoints", endpoint.id, field], "secrets.placeholder-key", what + from_env, hint
                    )
                )
    return found


@check("secrets.file-permissions", any_shape=True)
def file_permissions(ctx):
    """Modes matter for the live config directory, not for a file in a git work tree (git checks out 0644)."""
    from pbcfg.source.commands import pbcfg_on

    if ctx.credentials is None or not ctx.judges_machine:
        return []
    found = []
    path = ctx.credentials.source.path
    mode = mode_of(path)
    if mode is not None and mode & (stat.S_IRWXG | stat.S_IRWXO):
        found.append(
            ctx.at_file(
                path,
                "secrets.file-permissions",
                f"credentials file has mode {mode:04o}: group or others can read it",
                f"chmod 600 it (`{pbcfg_on(os.path.dirname(path), 'lint', '--fix')}` does)",
                fix=SetMode(path, CREDENTIALS_MODE),
            )
        )
    directory = os.path.dirname(os.path.abspath(path))
    directory_mode = mode_of(directory)
    if directory_mode is not None and directory_mode != DIRECTORY_MODE:
        found.append(
            ctx.at_file(
                path,
                "secrets.file-permissions",
                f"its directory {directory} has mode {directory_mode:04o}, not 0700",
                f"chmod 700 it (`{pbcfg_on(os.path.dirname(path), 'lint', '--fix')}` does)",
                fix=SetMode(directory, DIRECTORY_MODE),
            )
        )
    return found


def looks_real(value: object) -> bool:
    """A value that looks like a real key: long, letters and digits, not a no-key value or a placeholder."""
    return (
        isinstance(value, str)
        and len(value) >= 16
        and value not in NO_KEY_VALUES
        and not _PLACEHOLDER.search(value)
        and any(c.isdigit() for c in value)
        and any(c.isalpha() for c in value)
    )


@check("secrets.key-in-git", any_shape=True, reads=("credentials",))
def key_in_git(ctx):
    """A credentials file in a git work tree holds what looks like a real key: committed, it is leaked."""
    from pbcfg.lint.gitwork import git_ignored

    if ctx.credentials is None or not ctx.in_git or not isinstance(ctx.credentials.data, dict):
        return []
    entries = ctx.credentials.data.get("endpoints")
    keys = [
        (endpoint_id, field)
        for endpoint_id, entry in (entries.items() if isinstance(entries, dict) else ())
        if isinstance(entry, dict)
        for field, value in entry.items()
        if is_secret_field(field) and looks_real(value)
    ]
    if not keys or git_ignored(ctx.credentials.source.path):
        return []
    data = ctx.credentials.data["endpoints"]
    return [
        ctx.in_credentials(
            ["endpoints", endpoint_id, field],
            "secrets.key-in-git",
            f"{field} of {endpoint_id} ({mask(data[endpoint_id][field])}) looks like a real key, "
            "in a file inside a git work tree, where a commit publishes it",
            _where_instead(endpoint_id, field),
        )
        for endpoint_id, field in keys
    ]


def _where_instead(endpoint_id: str, field: str) -> str:
    from pbcfg.ponybunny.builtins import builtin_endpoints

    rotate = "; rotate the key if it was ever pushed"
    builtin = builtin_endpoints().get(endpoint_id)
    name = builtin.env.get(field) if builtin else None
    if name and endpoint_id != "openai-compatible":
        return f"remove it here and set ${name} where PonyBunny runs, which it reads instead" + rotate
    keep_out = "keep this credentials.json out of the repository (`git rm --cached` it, add it to .gitignore)"
    if name:  # openai-compatible: PonyBunny's conversation path reads its key only from the file
        return (
            f"{keep_out}: PonyBunny's conversation agent ignores ${name} and reads this key only from the file" + rotate
        )
    return f"{keep_out}: PonyBunny reads the key of {endpoint_id} only from the file" + rotate


# the protocols and endpoints where a key of each service is refused: a proxy may pass a vendor's key through
# another protocol, so only what cannot be a proxy is named (anthropic-direct, Google's and OpenAI's own APIs)
_REFUSED_BY = {
    "anthropic": lambda endpoint: endpoint.protocol in ("openai", "gemini", "codex"),
    "openai": lambda endpoint: endpoint.id == "anthropic-direct" or endpoint.protocol == "gemini",
    "google": lambda endpoint: endpoint.protocol == "anthropic" or endpoint.id in ("openai-direct", "azure-openai"),
}
_HOME = {"anthropic": "anthropic-direct", "openai": "openai-direct", "google": "google-ai-studio"}
_PROTOCOL_SERVICE = {"anthropic": "anthropic", "openai": "openai", "gemini": "google"}


@check("secrets.key-for-another-service")
def key_for_another_service(ctx):
    """A key whose prefix names another vendor than the one the endpoint talks to: two keys swapped."""
    from pbcfg.secrets.known import KEY_NAMES, key_service

    found = []
    for endpoint in ctx.endpoints.values():
        key = endpoint.fields.get("apiKey")
        service = key_service(key.value) if key is not None else None
        if service not in _REFUSED_BY or not _REFUSED_BY[service](endpoint):
            continue
        origin = f" (from ${key.source[4:]})" if key.source.startswith("env ") else ""
        found.append(
            ctx.at_first(
                [("credentials", ["endpoints", endpoint.id, "apiKey"]), ("llm-config", ["endpoints", endpoint.id])],
                "secrets.key-for-another-service",
                f"apiKey of {endpoint.id}{origin} is {KEY_NAMES[service]} ({mask(key.value)}), but {endpoint.id} speaks "
                f"the {endpoint.protocol} protocol: the server refuses it",
                f"put this key under {_HOME[service]}, and here "
                + (
                    KEY_NAMES[_PROTOCOL_SERVICE[endpoint.protocol]]
                    if endpoint.protocol in _PROTOCOL_SERVICE
                    else f"the key {endpoint.id}'s server takes"
                ),
            )
        )
    return found
