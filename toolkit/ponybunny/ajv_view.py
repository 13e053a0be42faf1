"""A schema file compiled and applied the way PonyBunny's loaders do it, with jsonschema-rs.

PonyBunny compiles the schema file beside its config with Ajv 2020
(``allErrors: true, strict: false``) plus every ajv-formats format, a new
instance per load. jsonschema-rs is the compiler here; where the two differ
in a way that decides whether PonyBunny loads a file, this module follows Ajv:

- ``$schema``: Ajv 2020 knows only the 2020-12 meta-schema and its
  vocabularies (and ``http://json-schema.org/schema``), with an optional
  trailing ``#``; any other URI (draft-07, 2019-09, ``http://`` instead of
  ``https://``, a URI of your own) is a compile error, not a hint. A
  non-string ``$schema`` is one too.
- A schema that is neither an object nor a boolean (``null``, ``[]``, ``12``)
  does not compile.
- Formats: unknown ones (``"format": "foo"``) are ignored, as Ajv does under
  ``strict: false``; ``url``, which jsonschema-rs does not know, is checked
  as ajv-formats does (http, https or ftp, and a public host with a dotted
  name: ``localhost`` and private addresses fail).
- Unknown keywords (``x-pbcfg``) are ignored by both.
- A ``$ref`` PonyBunny cannot resolve locally is a compile error; nothing is
  ever fetched.

Messages are Ajv's wording (``must be array``, ``must have required property
'x'``), so they match what PonyBunny prints, and never quote the instance.
"""

from __future__ import annotations

import re
from functools import cache
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    import jsonschema_rs

__all__ = ["Compiled", "Problem", "compile_schema", "problems"]

_META = "https://json-schema.org/draft/2020-12/"
KNOWN_META_SCHEMAS = frozenset(
    [_META + "schema", "http://json-schema.org/schema"]
    + [
        _META + "meta/" + name
        for name in ("core", "applicator", "unevaluated", "validation", "meta-data", "format-annotation", "content")
    ]
)

# ajv-formats' "url": a scheme, then a host that is a public IPv4 address or a dotted name with a TLD of 2+ letters
_URL = (
    r"^(?:https?|ftp)://(?:\S+(?::\S*)?@)?(?:"
    r"(?!(?:10|127)(?:\.\d{1,3}){3})(?!(?:169\.254|192\.168)(?:\.\d{1,3}){2})(?!172\.(?:1[6-9]|2\d|3[0-1])(?:\.\d{1,3}){2})"
    r"(?:[1-9]\d?|1\d\d|2[01]\d|22[0-3])(?:\.(?:1?\d{1,2}|2[0-4]\d|25[0-5])){2}(?:\.(?:[1-9]\d?|1\d\d|2[0-4]\d|25[0-4]))"
    r"|(?:(?:[a-z0-9\u00a1-\uffff]+-)*[a-z0-9\u00a1-\uffff]+)(?:\.(?:[a-z0-9\u00a1-\uffff]+-)*[a-z0-9\u00a1-\uffff]+)*"
    r"(?:\.(?:[a-z\u00a1-\uffff]{2,})))(?::\d{2,5})?(?:/\S*)?$"
)


class Problem(NamedTuple):
    tokens: list  # Ajv's instancePath, keys as written
    message: str  # Ajv's words, never the value
    key: str | None = None  # the property an unknown-key or property-name error is about


class Compiled(NamedTuple):
    validator: jsonschema_rs.Validator | None
    error: str | None  # why Ajv would not compile it


def compile_schema(schema: object) -> Compiled:
    if schema is None:
        return Compiled(None, "Cannot read properties of null (reading '$id')")
    if isinstance(schema, list):
        return Compiled(None, "schema is invalid: data must be object,boolean")
    if not isinstance(schema, (dict, bool)):
        return Compiled(None, "schema must be object or boolean")
    if isinstance(schema, dict) and "$schema" in schema:
        meta = schema["$schema"]
        if not isinstance(meta, str):
            return Compiled(None, "$schema must be a string")
        if meta and re.sub(r"#/?$", "", meta) not in KNOWN_META_SCHEMAS:
            return Compiled(None, f'no schema with key or ref "{meta}"')
        # jsonschema-rs must not pick another draft from it: known means 2020-12 here
        schema = {key: value for key, value in schema.items() if key != "$schema"}
    import jsonschema_rs

    try:
        validator = jsonschema_rs.Draft202012Validator(
            schema, validate_formats=True, ignore_unknown_formats=True, formats={"url": _is_url}, offline=True
        )
    except (jsonschema_rs.ValidationError, jsonschema_rs.ReferencingError, ValueError) as error:
        return Compiled(None, "schema is invalid: " + str(error).strip().splitlines()[0][:200])
    return Compiled(validator, None)


@cache
def _url_format():
    return re.compile(_URL, re.IGNORECASE)  # compiling it costs ~0.2 s: only when a schema file uses "url"


def _is_url(value: str) -> bool:
    return bool(_url_format().match(value))


def problems(compiled: Compiled, instance: object) -> list[Problem]:
    """Every error Ajv (``allErrors``) reports for ``instance``, in its order and words."""
    found: list[Problem] = []
    assert compiled.validator is not None  # a schema that did not compile has no errors to apply
    for error in compiled.validator.iter_errors(instance):
        _add(found, error, instance, [])
    return found


def _add(found: list, error, instance: object, at: list) -> None:
    """``error`` as Ajv reports it: the failures inside anyOf and propertyNames first, then their own."""
    tokens = at or _as_written(instance, list(error.instance_path))
    name, params = error.kind.name, error.kind.as_dict()
    if name == "additionalProperties":
        found.extend(Problem(tokens, "must NOT have additional properties", key) for key in params["unexpected"])
    elif name == "propertyNames":
        inner = params["error"]
        _add(found, inner, instance, tokens)
        found[-1] = found[-1]._replace(key=str(inner.instance))
        found.append(Problem(tokens, "property name must be valid", str(inner.instance)))
    elif name == "anyOf":
        for branch in params["context"]:
            for inner in branch:
                _add(found, inner, instance, [])
        found.append(Problem(tokens, _message(name, params)))
    else:
        found.append(Problem(tokens, _message(name, params)))


def _message(name: str, params: dict) -> str:
    limit = params.get("limit")
    words = {
        "type": lambda: "must be " + ",".join(params["types"]),
        "required": lambda: f"must have required property '{params['property']}'",
        "enum": lambda: "must be equal to one of the allowed values",
        "const": lambda: "must be equal to constant",
        "minimum": lambda: f"must be >= {limit}",
        "maximum": lambda: f"must be <= {limit}",
        "exclusiveMinimum": lambda: f"must be > {limit}",
        "exclusiveMaximum": lambda: f"must be < {limit}",
        "minItems": lambda: f"must NOT have fewer than {limit} items",
        "maxItems": lambda: f"must NOT have more than {limit} items",
        "minLength": lambda: f"must NOT have fewer than {limit} characters",
        "maxLength": lambda: f"must NOT have more than {limit} characters",
        "minProperties": lambda: f"must NOT have fewer than {limit} properties",
        "maxProperties": lambda: f"must NOT have more than {limit} properties",
        "pattern": lambda: f'must match pattern "{params["pattern"]}"',
        "format": lambda: f'must match format "{params["format"]}"',
        "uniqueItems": lambda: "must NOT have duplicate items",
        "anyOf": lambda: "must match a schema in anyOf",
        "oneOf": lambda: "must match exactly one schema in oneOf",
        "not": lambda: "must NOT be valid",
        "falseSchema": lambda: "boolean schema is false",
        "multipleOf": lambda: f"must be multiple of {params.get('multiple_of', '')}".rstrip(),
    }
    return words[name]() if name in words else f"must pass {name}"


def _as_written(data: object, path: list) -> list:
    """Keys as written: jsonschema-rs reports a key such as "00" as the integer 0."""
    tokens: list[int | str] = []
    for token in path:
        if isinstance(data, list) and isinstance(token, int) and token < len(data):
            data = data[token]
            tokens.append(token)
        elif isinstance(data, dict):
            key = str(token)
            if key not in data:
                key = next((k for k in data if k.isascii() and k.isdigit() and int(k) == token), key)
            tokens.append(key)
            data = data.get(key)
        else:
            tokens.append(token if isinstance(token, int) else str(token))
            data = None
    return tokens
