"""YAML for a team that keeps its config in git: every key with a comment above it.

The comments are the schemas' own descriptions, so they say what the
schemas say and change when they change. The first line is the modeline of
the YAML language server (VS Code's YAML extension and others): the schema file
beside the source, by relative path, so the editor completes and checks keys
with no setting and no network.
"""

from __future__ import annotations

import io
import textwrap

from pbcfg.schema_store import SCHEMA_FILES, description_at
from pbcfg.source.yaml_edit import is_plain

__all__ = ["modeline", "to_commented_yaml"]


def _string(value: str):
    """``value``, double-quoted unless it reads back as itself unquoted: ruamel writes some strings plain that
    it then reads as something else (``?0`` in a flow list comes back as a mapping)."""
    from ruamel.yaml.scalarstring import DoubleQuotedScalarString

    return value if is_plain(value) else DoubleQuotedScalarString(value)


def _commented(kind: str, value: object, tokens: list, depth: int):
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    if isinstance(value, str):
        return _string(value)
    if isinstance(value, dict):
        mapping = CommentedMap()
        for key, item in value.items():
            key = _string(key)
            mapping[key] = _commented(kind, item, tokens + [key], depth + 1)
            description = description_at(kind, tokens + [key])
            if description:
                wrapped = "\n".join(textwrap.wrap(description, 100 - 2 * depth))
                mapping.yaml_set_comment_before_after_key(key, before=wrapped, indent=2 * depth)
        return mapping
    if isinstance(value, list):
        sequence = CommentedSeq(_commented(kind, item, tokens + [index], depth + 1) for index, item in enumerate(value))
        if all(not isinstance(item, (dict, list)) for item in value):
            sequence.fa.set_flow_style()
        return sequence
    return value


def modeline(kind: str) -> str:
    """``# yaml-language-server: $schema=./KIND.schema.json``: the line that points editors at the schema file
    beside the source (never a URL an editor would have to fetch)."""
    return f"# yaml-language-server: $schema=./{SCHEMA_FILES[kind]}\n"


def to_commented_yaml(kind: str, data: dict) -> str:
    from ruamel.yaml import YAML

    yaml = YAML(typ="rt")
    yaml.width = 4096
    yaml.indent(mapping=2, sequence=4, offset=2)
    stream = io.StringIO()
    yaml.dump(_commented(kind, data, [], 0), stream)
    return modeline(kind) + stream.getvalue()
