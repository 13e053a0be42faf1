"""Schema validation: jsonschema-rs finds the errors, this module explains them.

Messages are written here rather than taken from the validator, for two
reasons: the validator echoes values (and so secrets), and a user needs the
allowed values, the closest spelling and the fix, not the keyword that failed.
"""

from __future__ import annotations

import json
import math

from pbcfg.diagnostics import Diagnostic
from pbcfg.ponybunny.builtins import CREDENTIAL_FIELDS, builtin_endpoints
from pbcfg.schema_store import subschema, validator
from pbcfg.source.document import Document
from pbcfg.util.suggest import did_you_mean

__all__ = ["check_schema"]

_TYPE_NAMES = {"object": "an object", "array": "an array", "string": "a string", "integer": "an integer",
               "number": "a number", "boolean": "a boolean", "null": "null"}
_JSON_TYPES = ((bool, "boolean"), (int, "integer"), (float, "number"), (str, "string"), (list, "array"),
               (dict, "object"))


def check_schema(document: Document) -> list[Diagnostic]:
    errors = list(validator(document.kind).iter_errors(document.data))
    diagnostics: list[Diagnostic] = []
    for error in errors:
        if not _finite(_follow(document.data, list(error.instance_path))):
            continue  # NaN or Infinity: json.syntax said so; the validator would call it null
        diagnostics.extend(_explain(document, error))
    # a built-in endpoint's protocol fails both its const and the enum; the enum error says more
    enum_at = {d.pointer for d in diagnostics if d.rule == "schema.enum"}
    return [d for d in diagnostics if not (d.rule == "schema.const" and d.pointer in enum_at)]


def _show(value: object, tokens: list, kind: str) -> str:
    """A value as it may appear in a message: secrets masked, long values cut."""
    from pbcfg.util.masking import is_secret_field, mask  # only when there is something to say

    if kind == "credentials" and (not tokens or is_secret_field(tokens[-1])):
        return mask(value)
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 60 else text[:57] + "…"


def _found(value: object) -> str:
    return _TYPE_NAMES[next((name for cls, name in _JSON_TYPES if isinstance(value, cls)), "null")]


def _explain(document: Document, error) -> list[Diagnostic]:
    kind = type(error.kind).__name__
    tokens = _real_path(document.data, list(error.instance_path), error.instance)
    schema_path = list(error.schema_path)
    here = subschema(document.kind, schema_path[:-1])
    value = error.instance
    at = document.diagnostic

    if kind == "AdditionalProperties":
        allowed = list(here.get("properties", {}))
        return [at(tokens + [key], "schema.additionalProperties",
                   f"unknown key {key!r}" + _where(tokens), _unknown_key_hint(document, tokens, key, allowed), key=True)
                for key in error.kind.unexpected]
    if kind == "PropertyNames":
        name = error.kind.error.instance  # the schema path leads into the rule for names, e.g. $defs/endpointId
        return [at(tokens + [name], "schema.propertyNames", f"invalid id {name!r}" + _where(tokens),
                   here.get("description") or None, key=True)]
    if kind == "Required":
        missing = error.kind.property
        required = here.get("required") or subschema(document.kind, schema_path).get("required", [])
        return [at(tokens, "schema.required", f"missing required key {missing!r}" + _where(tokens),
                   f"{here.get('title', 'this entry').lower()} needs: {', '.join(required)}" if required else None,
                   key=bool(tokens))]
    if kind == "Enum":
        options = [o for o in error.kind.options]
        guess = did_you_mean(value, options) if isinstance(value, str) else None
        hint = f"did you mean {guess!r}?" if guess else None
        builtin = builtin_endpoints().get(value) if isinstance(value, str) and tokens[-1:] == ["protocol"] else None
        if builtin is not None and builtin.protocol in options:  # an endpoint's id where its protocol goes
            hint = f"did you mean {builtin.protocol!r}? {value} is an endpoint id; the protocol it speaks is {builtin.protocol}"
        return [at(tokens, "schema.enum",
                   f"{_show(value, tokens, document.kind)} is not allowed; allowed values: {', '.join(map(str, options))}",
                   hint)]
    if kind == "Constant":
        expected = error.kind.expected_value
        return [at(tokens, "schema.const", f"must be {json.dumps(expected)}, found {_show(value, tokens, document.kind)}",
                   f"built-in endpoint {tokens[-2]!r} always speaks {expected!r}; for another protocol, "
                   "define a custom endpoint id" if tokens[-1:] == ["protocol"] else None)]
    if kind == "Type":
        expected = " or ".join(_TYPE_NAMES.get(t, t) for t in error.kind.types)
        hint = None
        if tokens[-1:] == ["fallback"] and isinstance(value, str):
            hint = f'write it as an array: ["{value}"] (`pbcfg migrate` does this)'
        elif not tokens and value is None and document.source.is_yaml and all(  # an empty YAML document is null
                not line.strip() or line.lstrip().startswith(("#", "---")) for line in document.source.text.split("\n")):
            hint = "the file is empty; write the config in it, or delete it: `pbcfg build` builds nothing from it"
        elif isinstance(value, str) and (document.kind != "credentials" or tokens[-1:] == ["enabled"]):
            hint = _unquoted(value, error.kind.types)  # never for a field that may hold a secret
        return [at(tokens, "schema.type", f"expected {expected}, found {_found(value)}", hint)]
    if kind in ("Minimum", "Maximum", "ExclusiveMinimum", "ExclusiveMaximum"):
        sign = {"Minimum": "≥", "Maximum": "≤", "ExclusiveMinimum": ">", "ExclusiveMaximum": "<"}[kind]
        rule = "schema.minimum" if kind.endswith("Minimum") else "schema.maximum"
        hint = None
        if "(ms)" in here.get("title", "") and kind == "Minimum" and isinstance(value, (int, float)) \
                and 0 < value * 1000 and value * 1000 >= error.kind.limit:  # seconds where milliseconds go
            hint = (f"{tokens[-1]} is in milliseconds: {value} means {value} ms; for {value} seconds write "
                    f"{json.dumps(value * 1000)}")
        return [at(tokens, rule, f"must be {sign} {error.kind.limit}, found {_show(value, tokens, document.kind)}",
                   hint)]
    if kind == "MinItems":
        return [at(tokens, "schema.minItems", f"needs at least {error.kind.limit} item(s)")]
    if kind == "MinLength":
        return [at(tokens, "schema.minLength", "must not be empty")]
    if kind == "UniqueItems":
        repeated = _first_repeat(value)
        return [at(tokens, "schema.uniqueItems", f"{_show(repeated, tokens, document.kind)} appears more than once in this list",
                   "remove the repeat")]
    if kind in ("Format", "Pattern", "AnyOf") and _is_url(schema_path):
        return [at(tokens, "schema.format", f"{_show(value, tokens, document.kind)} is not an http:// or https:// URL",
                   "write an absolute URL such as http://localhost:11434/v1" +
                   (", or an empty string to leave it unset" if kind == "AnyOf" else ""))]
    if kind == "Pattern":
        described = here.get("description")
        return [at(tokens, "schema.pattern", f"{_show(value, tokens, document.kind)} is not a valid value", described or None)]
    # the validator's own message quotes the instance, so never use it where secrets live
    message = f"violates {error.kind.name}" if document.kind == "credentials" else error.message
    return [at(tokens, "schema.other", message)]


def _unquoted(value: str, types) -> str | None:
    """"write true, without quotes" when a quoted literal is what the schema wants."""
    text = value.strip()
    candidates = [text.lower()] if text.lower() in ("true", "false") else [text]
    for candidate in candidates:
        try:
            literal = json.loads(candidate)
        except ValueError:
            continue
        if _found(literal).split()[-1] in types or (isinstance(literal, int) and not isinstance(literal, bool)
                                                    and "number" in types):
            return f"write {candidate}, without quotes"
    return None


def _finite(value: object) -> bool:
    return not isinstance(value, float) or math.isfinite(value)


def _real_path(data: object, path: list, instance: object) -> list:
    """Keys as written: the validator reports a key such as "00" as the integer 0.

    When "0" and "00" both exist, the branch whose value is the failing instance wins.
    """
    if not path:
        return []
    token, rest = path[0], list(path[1:])
    if isinstance(data, list) and isinstance(token, int) and token < len(data):
        return [token] + _real_path(data[token], rest, instance)
    if not isinstance(data, dict):
        return [str(token)] + [str(t) for t in rest]
    candidates = [key for key in data if key == str(token) or (key.isascii() and key.isdigit() and int(key) == token)]
    for key in candidates:
        tail = _real_path(data[key], rest, instance)
        if len(candidates) == 1 or _follow(data[key], tail) == instance:
            return [key] + tail
    return [str(token)] + [str(t) for t in rest]


def _follow(data: object, tokens: list) -> object:
    for token in tokens:
        try:
            data = data[token]
        except (KeyError, IndexError, TypeError):
            return None
    return data


def _where(tokens: list) -> str:
    return f" in {'/'.join(map(str, tokens))}" if tokens else " at the top level"


def _unknown_key_hint(document: Document, tokens: list, key: str, allowed: list[str]) -> str:
    guess = did_you_mean(key, allowed)
    if document.kind == "llm-config" and key in CREDENTIAL_FIELDS and key not in allowed:
        return f"{key} belongs in credentials.json, never in llm-config.json"
    if document.kind == "credentials" and len(tokens) == 2 and key in CREDENTIAL_FIELDS:
        return f"endpoint {tokens[1]!r} takes only: {', '.join(allowed)}"
    if guess:
        renamed = " (`pbcfg migrate` renames it)" if document.kind == "credentials" else ""
        return f"did you mean {guess!r}?{renamed}"
    return f"allowed keys here: {', '.join(allowed)}" if allowed else "remove this key"


def _is_url(schema_path: list) -> bool:
    return any(token in ("baseUrl", "endpoint", "httpUrl") for token in schema_path)


def _first_repeat(items: list) -> object:
    seen = []
    for item in items:
        if item in seen:
            return item
        seen.append(item)
    return None
