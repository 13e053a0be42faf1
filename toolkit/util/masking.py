"""Masking: a secret is shown as ``sk-…abcd`` or not at all, never whole.

In a credentials file every string value is treated as secret unless its key
is one of the few known to be public (URLs, region, project id), so a key
spelled ``api_key`` or ``token`` in an old file is masked too.
"""

from __future__ import annotations

import re

__all__ = ["is_secret_field", "looks_secret", "mask", "masked_diff", "redact", "redact_credentials_text",
           "redact_credentials_yaml"]

_PUBLIC_FIELDS = frozenset({"baseurl", "endpoint", "region", "projectid", "$schema", "enabled"})
# patterns, not compiled ones: the re module compiles each on first use, so importing this costs nothing
_YAML_MEMBER = r"""(?m)^([ \t]*(?:-[ \t]+)?)(["']?)([^"':#\n]+)\2([ \t]*:[ \t]*)(["']?)([^\n#]*?)\5([ \t]*(?:#.*)?)$"""
_STRING_MEMBER = r'"((?:[^"\\\n]|\\.)*)"(\s*:\s*)"((?:[^"\\\n]|\\.)*)'


_SECRET_NAME = r"(?i)(api[_-]?key|apikey|secret|token|password|passwd|access[_-]?key)"


def is_secret_field(name: object) -> bool:
    """In credentials.json: every field but the few known to be public."""
    return str(name).lower().replace("_", "").replace("-", "") not in _PUBLIC_FIELDS


def looks_secret(name: object) -> bool:
    """Anywhere else: a field whose name says it holds a secret."""
    return bool(re.search(_SECRET_NAME, str(name)))


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


def redact_credentials_text(text: str, secret=is_secret_field) -> str:
    """JSON text with every secret string value masked, same length, same lines."""
    def replace(match: re.Match) -> str:
        key, colon, value = match.groups()
        if not secret(key):
            return match.group(0)
        return f'"{key}"{colon}"{_same_length(value)}'

    return re.sub(_STRING_MEMBER, replace, text)


def redact_credentials_yaml(text: str, secret=is_secret_field) -> str:
    """The YAML twin of :func:`redact_credentials_text`: secret scalar values masked, same length."""
    def replace(match: re.Match) -> str:
        lead, quote, key, colon, value_quote, value, tail = match.groups()
        if not value or not secret(key.strip()):
            return match.group(0)
        return f"{lead}{quote}{key}{quote}{colon}{value_quote}{_same_length(value)}{value_quote}{tail}"

    return re.sub(_YAML_MEMBER, replace, text)


def redact(text: str, kind: str | None, yaml: bool = False) -> str:
    """Any config text as it may be shown: in credentials every non-public value masked, elsewhere
    every value whose key says it is a secret."""
    function = redact_credentials_yaml if yaml else redact_credentials_text
    return function(text, is_secret_field if kind == "credentials" else looks_secret)


def masked_diff(old: str, new: str, *, kind: str | None, yaml: bool, old_label: str, new_label: str) -> str:
    """A unified diff of two versions of a config file, both masked as :func:`redact` shows them.

    ``kind`` is the file's kind ("credentials", "llm-config"), or None for a file that holds no secret
    values (a schema file), never guessed from a name.
    """
    import difflib

    if kind is not None:
        old, new = redact(old, kind, yaml=yaml), redact(new, kind, yaml=yaml)
    return "".join(difflib.unified_diff(old.splitlines(keepends=True), new.splitlines(keepends=True),
                                        old_label, new_label))
