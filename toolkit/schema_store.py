"""The JSON Schemas in ``schemas/``: the single source of truth, loaded once."""

from __future__ import annotations

from pbcfg.util.memo import once_per_argument

__all__ = ["SCHEMA_FILES", "resolve", "schema", "schema_text", "subschema", "validator"]

SCHEMA_FILES = {"credentials": "credentials.schema.json", "llm-config": "llm-config.schema.json"}


@once_per_argument
def schema_text(kind: str) -> str:
    from pbcfg.util.resources import resource_path

    with open(resource_path("schemas", SCHEMA_FILES[kind]), encoding="utf-8") as handle:
        return handle.read()


@once_per_argument
def schema(kind: str) -> dict:
    from pbcfg.util.json_load import loads

    value = loads(schema_text(kind))
    assert isinstance(value, dict)  # every file in schemas/ is a JSON object
    return value


@once_per_argument
def validator(kind: str):
    import jsonschema_rs

    return jsonschema_rs.Draft202012Validator(schema(kind), validate_formats=True)


def subschema(kind: str, schema_path: list) -> dict:
    """The schema object a validator's ``schema_path`` leads to, following local ``$ref``s."""
    node = schema(kind)
    for token in schema_path:
        if token == "$ref":
            node = resolve(kind, node["$ref"])
            continue
        try:
            node = node[token] if isinstance(node, dict) else node[int(token)]
        except (KeyError, IndexError, ValueError):
            if isinstance(node, dict) and "$ref" in node:
                node = resolve(kind, node["$ref"]).get(token, {})
            else:
                return {}
    return node if isinstance(node, dict) else {}


def resolve(kind: str, ref: str) -> dict:
    """A local ``$ref`` such as ``#/$defs/httpUrl``."""
    from pbcfg.util.pointer import split

    node = schema(kind)
    for token in split(ref[1:]):
        node = node[token]
    return node


def description_at(kind: str, tokens: list) -> str | None:
    """The schema's description of the value at ``tokens`` (for comments in generated YAML)."""
    node = schema(kind)
    for token in tokens:
        while "$ref" in node and "properties" not in node and "items" not in node:
            node = {**resolve(kind, node["$ref"]), **{k: v for k, v in node.items() if k != "$ref"}}
        properties = dict(resolve(kind, node["$ref"]).get("properties", {})) if "$ref" in node else {}
        for name, own in node.get("properties", {}).items():  # siblings of a $ref refine its properties
            properties[name] = {**properties.get(name, {}), **own}
        if isinstance(token, int):
            node = node.get("items") or (resolve(kind, node["$ref"]).get("items") if "$ref" in node else None) or {}
        elif token in properties:
            node = properties[token]
        else:
            extra = node.get("additionalProperties")
            if not isinstance(extra, dict) and "$ref" in node:
                extra = resolve(kind, node["$ref"]).get("additionalProperties")
            node = extra if isinstance(extra, dict) else {}
    if "description" not in node and "$ref" in node:
        return resolve(kind, node["$ref"]).get("description")
    return node.get("description")
