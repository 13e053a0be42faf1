"""Masking: a secret is shown as ``sk-…abcd`` or not at all, never whole.

In a credentials file every string value is treated as secret unless its key
is one of the few known to be public (URLs, region, project id), so a key
spelled ``api_key`` or ``token`` in an old file is masked too.
"""

from __future__ import annotations

import re

__all__ = ["is_secret_field", "mask", "redact_credentials_text", "redact_credentials_yaml"]

_PUBLIC_FIELDS = frozenset({"baseurl", "endpoint", "region", "projectid", "$schema", "enabled"})
_YAML_MEMBER = re.compile(r"""^([ \t]*(?:-[ \t]+)?)(["']?)([^"':#\n]+)\2([ \t]*:[ \t]*)(["']?)([^\n#]*?)\5([ \t]*(?:#.*)?)$""", re.M)
_STRING_MEMBER = re.compile(r'"((?:[^"\\\n]|\\.)*)"(\s*:\s*)"((?:[^"\\\n]|\\.)*)')


def is_secret_field(name: object) -> bool:
    return str(name).lower().replace("_", "").replace("-", "") not in _PUBLIC_FIELDS


def mask(secret: object) -> str:
    """Keep a short vendor prefix and the last four characters of long secrets."""
    if not isinstance(secret, str):
        return "…"
    if secret == "":
        return '""'
    if len(secret) < 12:
        return "…"
    head, sep, _ = secret.partition("-")
    prefix = head + sep if sep and len(head) <= 4 else ""
    return f"{prefix}…{secret[-4:]}"


def _same_length(raw: str) -> str:
    """``sk-abcdefghijkl1234`` -> ``sk-***********1234``: columns after it stay where they were."""
    if len(raw) < 12:
        return "*" * len(raw)
    head, sep, _ = raw.partition("-")
    keep = len(head) + len(sep) if sep and len(head) <= 4 else 0
    return raw[:keep] + "*" * (len(raw) - keep - 4) + raw[-4:]


def redact_credentials_text(text: str) -> str:
    """The text of a credentials file with every secret string value masked, same length, same lines."""
    def replace(match: re.Match) -> str:
        key, colon, value = match.groups()
        if not is_secret_field(key):
            return match.group(0)
        return f'"{key}"{colon}"{_same_length(value)}'

    return _STRING_MEMBER.sub(replace, text)


def redact_credentials_yaml(text: str) -> str:
    """The YAML twin of :func:`redact_credentials_text`: secret scalar values masked, same length."""
    def replace(match: re.Match) -> str:
        lead, quote, key, colon, value_quote, value, tail = match.groups()
        if not value or not is_secret_field(key.strip()):
            return match.group(0)
        return f"{lead}{quote}{key}{quote}{colon}{value_quote}{_same_length(value)}{value_quote}{tail}"

    return _YAML_MEMBER.sub(replace, text)
