"""Secrets: keys in the wrong file, placeholder keys, keys about to be committed, credentials readable by others."""

from __future__ import annotations

import os
import re
import stat

from pbcfg.lint.fixes import SetMode, mode_of
from pbcfg.lint.registry import check
from pbcfg.ponybunny.builtins import CREDENTIAL_FIELDS
from pbcfg.util.filemodes import CREDENTIALS_MODE, DIRECTORY_MODE
from pbcfg.util.masking import mask

NO_KEY_VALUES = ("not-needed", "EMPTY", "ollama", "lm-studio", "sk-no-key-required")
_SECRET_KEYS = re.compile(r"(?i)^(api[_-]?key|apikey|key|secret[_-]?access[_-]?key|access[_-]?key[_-]?id|token|password)$")
_PLACEHOLDER = re.compile(r"(?i)(x{3,}|^your[-_ ]|^<.*>$|changeme|placeholder|replace[-_ ]?me|\.\.\.$|^sk-?x+$)")


@check("secrets.credential-in-llm-config", any_shape=True)
def credential_in_llm_config(ctx):
    found = []

    def visit(value, tokens):
        if isinstance(value, dict):
            for key, item in value.items():
                if (key in CREDENTIAL_FIELDS and key not in ("region", "baseUrl", "endpoint")) or _SECRET_KEYS.match(key):
                    found.append(ctx.in_llm_config(
                        tokens + [key], "secrets.credential-in-llm-config",
                        f"{key!r} ({mask(item) if isinstance(item, str) else 'a value'}) in llm-config.json: "
                        "PonyBunny ignores it here, and this file is not kept secret",
                        "move it to credentials.json or its environment variable", key=True))
                else:
                    visit(item, tokens + [key])
        elif isinstance(value, list):
            for index, item in enumerate(value):
                visit(item, tokens + [index])

    if ctx.llm_config is not None:
        visit(ctx.llm_config.data, [])
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


@check("secrets.file-permissions", any_shape=True)
def file_permissions(ctx):
    """Modes matter for the live config directory, not for a file in a git work tree (git checks out 0644)."""
    if ctx.credentials is None or not ctx.judges_machine:
        return []
    found = []
    path = ctx.credentials.source.path
    mode = mode_of(path)
    if mode is not None and mode & (stat.S_IRWXG | stat.S_IRWXO):
        found.append(ctx.at_file(path, "secrets.file-permissions",
                                 f"credentials file has mode {mode:04o}: group or others can read it",
                                 "chmod 600 it (`pbcfg lint --fix` does)", fix=SetMode(path, CREDENTIALS_MODE)))
    directory = os.path.dirname(os.path.abspath(path))
    directory_mode = mode_of(directory)
    if directory_mode is not None and directory_mode != DIRECTORY_MODE:
        found.append(ctx.at_file(path, "secrets.file-permissions",
                                 f"its directory {directory} has mode {directory_mode:04o}, not 0700",
                                 "chmod 700 it (`pbcfg lint --fix` does)", fix=SetMode(directory, DIRECTORY_MODE)))
    return found


def looks_real(value: object) -> bool:
    """A value that looks like a real key: long, letters and digits, not a no-key value or a placeholder."""
    return isinstance(value, str) and len(value) >= 16 and value not in NO_KEY_VALUES \
        and not _PLACEHOLDER.search(value) and any(c.isdigit() for c in value) and any(c.isalpha() for c in value)


@check("secrets.key-in-git", any_shape=True, reads=("credentials",))
def key_in_git(ctx):
    """A credentials file in a git work tree holds what looks like a real key: committed, it is leaked."""
    from pbcfg.lint.gitwork import git_ignored
    from pbcfg.util.masking import is_secret_field

    if ctx.credentials is None or not ctx.in_git or not isinstance(ctx.credentials.data, dict):
        return []
    entries = ctx.credentials.data.get("endpoints")
    keys = [(endpoint_id, field) for endpoint_id, entry in (entries.items() if isinstance(entries, dict) else ())
            if isinstance(entry, dict)
            for field, value in entry.items() if is_secret_field(field) and looks_real(value)]
    if not keys or git_ignored(ctx.credentials.source.path):
        return []
    data = ctx.credentials.data["endpoints"]
    return [ctx.in_credentials(["endpoints", endpoint_id, field], "secrets.key-in-git",
                               f"{field} of {endpoint_id} ({mask(data[endpoint_id][field])}) looks like a real key, "
                               "in a file inside a git work tree, where a commit publishes it",
                               _where_instead(endpoint_id, field))
            for endpoint_id, field in keys]


def _where_instead(endpoint_id: str, field: str) -> str:
    from pbcfg.ponybunny.builtins import builtin_endpoints

    rotate = "; rotate the key if it was ever pushed"
    builtin = builtin_endpoints().get(endpoint_id)
    name = builtin.env.get(field) if builtin else None
    if name and endpoint_id != "openai-compatible":
        return f"remove it here and set ${name} where PonyBunny runs, which it reads instead" + rotate
    keep_out = "keep this credentials.json out of the repository (`git rm --cached` it, add it to .gitignore)"
    if name:  # openai-compatible: PonyBunny's conversation path reads its key only from the file
        return (f"{keep_out}: PonyBunny's conversation agent ignores ${name} and reads this key only from the "
                "file" + rotate)
    return f"{keep_out}: PonyBunny reads the key of {endpoint_id} only from the file" + rotate
