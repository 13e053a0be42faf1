"""Secrets in public places: a key or a password where nothing keeps it secret.

llm-config.json (and its YAML source) is usually world-readable and committed, and ``pbcfg build`` copies it as
it is; a URL's ``user:password@`` there, or a key pasted into any of its fields, is published with it. In
credentials.json the public fields (``baseUrl``, ``endpoint``, ``region``, ``projectId``) are shown in full by
PonyBunny's logs and by pbcfg: a key pasted there is a key in the wrong field. The key itself belongs in
``apiKey`` of credentials.json, which PonyBunny reads and pbcfg masks.

Imported only when a text holds a key prefix, or ``://`` and ``@`` or ``=``: most never do.
"""

from __future__ import annotations

import os

from pbcfg.diagnostics import Diagnostic
from pbcfg.ponybunny.builtins import CREDENTIAL_FIELDS
from pbcfg.secrets.known import KEY_NAMES, find_keys
from pbcfg.secrets.masking import mask
from pbcfg.source.document import Document

__all__ = ["public_secret_findings"]

_SECRET_FIELDS = frozenset({"apiKey", "accessKeyId", "secretAccessKey"})  # credential-in-llm-config's business
_PUBLIC_CREDENTIAL_FIELDS = tuple(field for field in CREDENTIAL_FIELDS if field not in _SECRET_FIELDS)
_SECTIONS = {"endpoints": "", "models": "model ", "tiers": "tier ", "agents": "agent "}  # how a message names an entry
_USERINFO = r"://([^/?#@\s\\]*)@"
_SECRET_QUERY = r"(?i)[?&]((?:api[_-]?)?key|token|access[_-]?token|password|passwd|secret|sig|signature)=[^&#\s]"


def public_secret_findings(document: Document) -> list[Diagnostic]:
    """Keys and URL passwords in the public places of ``document``, at each value."""
    data = document.data
    if document.kind == "credentials":
        entries = data.get("endpoints") if isinstance(data, dict) else None
        places = [
            (["endpoints", endpoint_id, field], entry[field])
            for endpoint_id, entry in (entries.items() if isinstance(entries, dict) else ())
            if isinstance(entry, dict)
            for field in _PUBLIC_CREDENTIAL_FIELDS
            if isinstance(entry.get(field), str)
        ]
    else:
        places = list(_strings(data))
    found = []
    for tokens, value in places:
        found.extend(_at(document, tokens, value))
    return found


def _strings(data: object):
    """(tokens, value) of every string value that is not under a secret field's name, depth first."""
    stack: list[tuple[object, list]] = [(data, [])]
    while stack:
        value, tokens = stack.pop()
        if isinstance(value, str):
            yield tokens, value
        elif isinstance(value, (dict, list)):
            children = value.items() if isinstance(value, dict) else enumerate(value)
            stack.extend((item, tokens + [key]) for key, item in reversed(list(children)) if key not in _SECRET_FIELDS)


def _at(document: Document, tokens: list, value: str) -> list[Diagnostic]:
    field = str(tokens[-1])
    endpoint = tokens[1] if len(tokens) > 2 and tokens[0] == "endpoints" else None
    section = _SECTIONS.get(tokens[0]) if len(tokens) > 2 else None
    owner = f"{field} of {section}{tokens[1]}" if section is not None else "/".join(map(str, tokens))
    name = os.path.basename(document.name)
    keys = find_keys(value)
    if keys:
        start, end, service = keys[0]
        key = value[start:end]
        where = (
            f"`apiKey` of {endpoint} in credentials.json"
            if endpoint is not None
            else "`apiKey` of its endpoint in credentials.json"
        )
        public = (
            f"{field} is a public field, which PonyBunny and pbcfg show in full"
            if document.kind == "credentials"
            else f"{name} is not kept secret (world-readable, committed, copied by `pbcfg build`)"
        )
        return [
            document.diagnostic(
                tokens,
                "secrets.key-in-public-field",
                f"{owner} holds {KEY_NAMES[service]} ({mask(key)}): {public}",
                f"move the key to {where} (or its environment variable) and write here what {field} is for; "
                "rotate the key if the file was ever shared",
            )
        ]
    if document.kind == "credentials" or "://" not in value:
        return []
    import re  # only for a URL in llm-config.json, which is rare

    userinfo = re.search(_USERINFO, value)
    query = re.search(_SECRET_QUERY, value)
    if not (userinfo and userinfo.group(1)) and not query:
        return []
    what, remove = (
        ("a user name or password before its host", "`user:password@`")
        if (userinfo and userinfo.group(1)) or query is None
        else (f"a secret in its query ({query.group(1)}=…)", f"`{query.group(1)}=…`")
    )
    return [
        document.diagnostic(
            tokens,
            "secrets.url-credentials",
            f"{owner} holds {what}, and {name} is not kept secret (world-readable, committed, copied by `pbcfg build`)",
            f"remove {remove} from the URL; put the key in `apiKey` of "
            f"{endpoint if endpoint is not None else 'its endpoint'} in credentials.json (or its environment variable), "
            "and rotate it if the file was ever shared",
        )
    ]
