"""Endpoint ids PonyBunny accepts but that are awkward to use."""

from __future__ import annotations

import re

from pbcfg.lint.registry import check
from pbcfg.ponybunny.js_names import INHERITED
from pbcfg.util.shapes import mapping

__all__ = ["awkward"]

_PLAIN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")


def awkward(endpoint_id: str) -> str | None:
    """Why an endpoint id PonyBunny accepts is awkward to use, or None."""
    if _PLAIN.fullmatch(endpoint_id) or not endpoint_id or endpoint_id in INHERITED:
        return None  # fine, or another rule's (schema.propertyNames, ids.prototype-name)
    if any(c.isspace() for c in endpoint_id):
        return "has whitespace"
    if endpoint_id[0] in "_.-":
        return f"starts with {endpoint_id[0]!r}"
    if len(endpoint_id) > 64:
        return f"is {len(endpoint_id)} characters long"
    return "has characters other than letters, digits, '.', '_' and '-'"


@check("ids.awkward-endpoint-id")
def awkward_endpoint_id(ctx):
    defined = ctx.user_section("endpoints")
    credentials = mapping(mapping(ctx.credentials.data if ctx.credentials else None).get("endpoints"))
    found = []
    for endpoint_id in defined or credentials:
        why = awkward(endpoint_id)
        if why:
            finding_in = ctx.in_llm_config if defined else ctx.in_credentials
            found.append(
                finding_in(
                    ["endpoints", endpoint_id],
                    "ids.awkward-endpoint-id",
                    f"endpoint id {endpoint_id!r} {why}: PonyBunny accepts it, but it must be quoted "
                    "in every shell command and is easy to get wrong",
                    "rename it (and every reference) to letters, digits, '.', '_' and '-', starting "
                    "with a letter or digit",
                    key=True,
                )
            )
    return found
