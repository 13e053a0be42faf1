"""Schema validation: jsonschema-rs finds the errors, this module explains them.

Messages are written here rather than taken from the validator, for two
reasons: the validator echoes values (and so secrets), and a user needs the
allowed values, the closest spelling and the fix, not the keyword that failed.
"""

from __future__ import annotations

import json
import math
import os
from functools import lru_cache

from pbcfg.diagnostics import Diagnostic
from pbcfg.ponybunny.builtins import CREDENTIAL_FIELDS, builtin_endpoints
from pbcfg.ponybunny.urls import url_problem
from pbcfg.schema_store import schema, subschema, validator
from pbcfg.source.document import Document
from pbcfg.util.suggest import did_you_mean

__all__ = ["check_schema"]

_TYPE_NAMES = {
    "object": "an object",
    "array": "an array",
    "string": "a string",
    "integer": "an integer",
    "number": "a number",
    "boolean": "a boolean",
    "null": "null",
}
_MISSING = object()
_JSON_TYPES = (
    (bool, "boolean"),
    (int, "integer"),
    (float, "number"),
    (str, "string"),
    (list, "array"),
    (dict, "object"),
)


def check_schema(document: Document) -> list[Diagnostic]:
    rest, diagnostics = _top_level(document)
    errors = list(validator(document.kind).iter_errors(rest)) if rest is not None else []
    numbered: dict = {}
    for error in errors:
        if document.has_room(_rule_of(error)):
            diagnostics.extend(_explain(document, error, numbered))
    # a built-in endpoint's protocol fails both its const and the enum; the enum error says more
    enum_at = {d.pointer for d in diagnostics if d.rule == "schema.enum"}
    return [d for d in diagnostics if not (d.rule == "schema.const" and d.pointer in enum_at)]


def _rule_of(error) -> str:
    """The rule id of a jsonschema-rs error, as :func:`_explain` would report it, without explaining it."""
    from pbcfg.catalog import RULES

    kind = type(error.kind).__name__
    rule = f"schema.{kind[:1].lower()}{kind[1:]}"
    return rule if rule in RULES else "schema.other"


def _top_level(document: Document) -> tuple[object, list[Diagnostic]]:
    """The top level's own errors, found here: the validator's error for a top-level object carries a copy of
    everything in it (one unknown key in a 60 MB file cost 250 MB more). Returns what is left to validate."""
    root, data, at = schema(document.kind), document.data, document.diagnostic
    if root.get("type") == "object" and not isinstance(data, dict):
        return None, [_wrong_type(document, [], data, ["object"])]
    if not isinstance(data, dict) or root.get("additionalProperties") is not False:
        return data, []
    properties, found, rest = root.get("properties", {}), [], {}
    for key, value in data.items():
        wanted = properties.get(key, {}).get("type")
        if key not in properties and not document.has_room("schema.additionalProperties"):
            continue
        if key not in properties:
            found.append(
                at(
                    [key],
                    "schema.additionalProperties",
                    f"unknown key {key!r}" + _where([]),
                    _unknown_key_hint(document, [], key, list(properties)),
                    key=True,
                )
            )
        elif (
            wanted in ("object", "array", "string")
            and not root.get("required")
            and _found(value) != _TYPE_NAMES[wanted]
        ):
            found.append(_wrong_type(document, [key], value, [wanted]))
        else:
            rest[key] = value
    return rest, found


def _wrong_type(document: Document, tokens: list, value: object, types) -> Diagnostic:
    """schema.type, with the hint that fixes the usual slip (a quoted number, a string for a list, an empty file)."""
    expected = " or ".join(_TYPE_NAMES.get(t, t) for t in types)
    hint = None
    if tokens[-1:] == ["fallback"] and isinstance(value, str):
        hint = f'write it as an array: ["{value}"] (`{_migrate(document)}` does this)'
    elif (
        not tokens
        and value is None
        and document.source.is_yaml
        and all(  # an empty YAML document is null
            not line.strip() or line.lstrip().startswith(("#", "---")) for line in document.source.text.split("\n")
        )
    ):
        hint = "the file is empty; write the config in it, or delete it: `pbcfg build` builds nothing from it"
    elif isinstance(value, str) and (document.kind != "credentials" or tokens[-1:] == ["enabled"]):
        hint = _unquoted(value, types)  # never for a field that may hold a secret
    return document.diagnostic(tokens, "schema.type", f"expected {expected}, found {_found(value)}", hint)


def _migrate(document: Document) -> str:
    """`pbcfg migrate` on the directory of ``document``, as this run named it."""
    from pbcfg.source.commands import pbcfg_on

    return pbcfg_on(os.path.dirname(document.name), "migrate")


def _show(value: object, tokens: list, kind: str) -> str:
    """A value as it may appear in a message: secrets masked, long values cut."""
    from pbcfg.secrets.masking import is_secret_field, mask  # only when there is something to say

    if kind == "credentials" and (not tokens or is_secret_field(tokens[-1])):
        return mask(value)
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 60 else text[:57] + "…"


def _number(limit: object) -> str:
    """A limit as people read it: 3,600,000 rather than 3600000."""
    return f"{limit:,}" if isinstance(limit, int) and not isinstance(limit, bool) else str(limit)


def _found(value: object) -> str:
    return _TYPE_NAMES[next((name for cls, name in _JSON_TYPES if isinstance(value, cls)), "null")]


def _explain(document: Document, error, numbered: dict) -> list[Diagnostic]:
    kind = type(error.kind).__name__
    tokens = _real_path(document.data, list(error.instance_path), lambda: error.instance, numbered)
    schema_path = list(error.schema_path)
    here = subschema(document.kind, schema_path[:-1])
    # the value from the document itself: the validator's copy of a top-level error's instance is the whole file
    value = _follow(document.data, tokens, _MISSING)
    if value is _MISSING:
        value = error.instance
    at = document.diagnostic
    if isinstance(value, float) and not math.isfinite(value):
        if _written_as_constant(document, tokens):
            return []
        if here.get("type") in ("number", "integer"):
            return _beyond_float(tokens, here, value, at)

    if kind == "AdditionalProperties":
        allowed = list(here.get("properties", {}))
        return [
            at(
                tokens + [key],
                "schema.additionalProperties",
                f"unknown key {key!r}" + _where(tokens),
                _unknown_key_hint(document, tokens, key, allowed),
                key=True,
            )
            for key in error.kind.unexpected
        ]
    if kind == "PropertyNames":
        name = error.kind.error.instance  # the schema path leads into the rule for names, e.g. $defs/endpointId
        return [
            at(
                tokens + [name],
                "schema.propertyNames",
                f"invalid id {name!r}" + _where(tokens),
                here.get("description") or None,
                key=True,
            )
        ]
    if kind == "Required":
        missing = error.kind.property
        required = here.get("required") or subschema(document.kind, schema_path).get("required", [])
        return [
            at(
                tokens,
                "schema.required",
                f"missing required key {missing!r}" + _where(tokens),
                f"{here.get('title', 'this entry').lower()} needs: {', '.join(required)}" if required else None,
                key=bool(tokens),
            )
        ]
    if kind == "Enum":
        options = [o for o in error.kind.options]
        guess = _guess(value, tuple(o for o in options if isinstance(o, str))) if isinstance(value, str) else None
        hint = f"did you mean {guess!r}?" if guess else None
        builtin = builtin_endpoints().get(value) if isinstance(value, str) and tokens[-1:] == ["protocol"] else None
        if builtin is not None and builtin.protocol in options:  # an endpoint's id where its protocol goes
            hint = f"did you mean {builtin.protocol!r}? {value} is an endpoint id; the protocol it speaks is {builtin.protocol}"
        return [
            at(
                tokens,
                "schema.enum",
                f"{_show(value, tokens, document.kind)} is not allowed; allowed values: {', '.join(map(str, options))}",
                hint,
            )
        ]
    if kind == "Constant":
        expected = error.kind.expected_value
        return [
            at(
                tokens,
                "schema.const",
                f"must be {json.dumps(expected)}, found {_show(value, tokens, document.kind)}",
                f"built-in endpoint {tokens[-2]!r} always speaks {expected!r}; for another protocol, "
                "define a custom endpoint id"
                if tokens[-1:] == ["protocol"]
                else None,
            )
        ]
    if kind == "Type":
        return [_wrong_type(document, tokens, value, error.kind.types)]
    if kind in ("Minimum", "Maximum", "ExclusiveMinimum", "ExclusiveMaximum"):
        sign = {"Minimum": "≥", "Maximum": "≤", "ExclusiveMinimum": ">", "ExclusiveMaximum": "<"}[kind]
        if kind.endswith("Minimum"):
            hint = None
            if (
                "(ms)" in here.get("title", "")
                and kind == "Minimum"
                and isinstance(value, (int, float))
                and 0 < value * 1000
                and value * 1000 >= error.kind.limit
            ):  # seconds where milliseconds go
                hint = (
                    f"{tokens[-1]} is in milliseconds: {value} means {value} ms; for {value} seconds write "
                    f"{json.dumps(value * 1000)}"
                )
            return [
                at(
                    tokens,
                    "schema.minimum",
                    f"must be {sign} {error.kind.limit}, found {_show(value, tokens, document.kind)}",
                    hint,
                )
            ]
        # too big: say what the number counts and why the limit is enough (the field's description does)
        return [
            at(
                tokens,
                "schema.maximum",
                f"must be {sign} {_number(error.kind.limit)}, found {_show(value, tokens, document.kind)}",
                here.get("description") or None,
            )
        ]
    if kind == "MinItems":
        return [
            at(
                tokens,
                "schema.minItems",
                f"needs at least {error.kind.limit} item{'' if error.kind.limit == 1 else 's'}",
            )
        ]
    if kind == "MinLength":
        return [at(tokens, "schema.minLength", "must not be empty")]
    if kind == "UniqueItems":
        assert isinstance(value, list)  # uniqueItems fails only on an array
        repeated = _first_repeat(value)
        return [
            at(
                tokens,
                "schema.uniqueItems",
                f"{_show(repeated, tokens, document.kind)} appears more than once in this list",
                "remove the repeat",
            )
        ]
    if kind in ("Format", "Pattern", "AnyOf") and _is_url(schema_path):
        why = url_problem(value) if isinstance(value, str) else None
        return [
            at(
                tokens,
                "schema.format",
                f"{_show(value, tokens, document.kind)} is not an http:// or https:// URL"
                + (f": {why}" if why else ""),
                "write an absolute URL such as http://localhost:11434/v1"
                + (", or an empty string to leave it unset" if kind == "AnyOf" else ""),
            )
        ]
    if kind == "Pattern":
        described = here.get("description")
        return [
            at(
                tokens,
                "schema.pattern",
                f"{_show(value, tokens, document.kind)} is not a valid value",
                described or None,
            )
        ]
    # the validator's own message quotes the instance, so never use it where secrets live
    message = f"violates {error.kind.name}" if document.kind == "credentials" else error.message
    return [at(tokens, "schema.other", message if len(message) <= 200 else message[:199] + "…")]


def _unquoted(value: str, types) -> str | None:
    """ "write true, without quotes" when a quoted literal is what the schema wants."""
    text = value.strip()
    candidates = [text.lower()] if text.lower() in ("true", "false") else [text]
    for candidate in candidates:
        try:
            literal = json.loads(candidate)
        except ValueError:
            continue
        if _found(literal).split()[-1] in types or (
            isinstance(literal, int) and not isinstance(literal, bool) and "number" in types
        ):
            return f"write {candidate}, without quotes"
    return None


def _written_as_constant(document: Document, tokens: list) -> bool:
    """True when the file says NaN, Infinity or -Infinity there, which json.syntax reports already."""
    if document.strict_text is None:  # YAML: .inf and .nan are the schema's to judge
        return False
    start, end = document.index.value_span(tokens)
    return document.strict_text[start:end].lstrip("-") in ("NaN", "Infinity")


def _beyond_float(tokens: list, here: dict, value: float, at) -> list[Diagnostic]:
    """Infinity (1e400 and beyond read as it, in JSON.parse too) or YAML's .inf or .nan: past the field's
    maximum or minimum when it has one. The validator sees null there, so its own error says nothing."""
    shown = "NaN" if value != value else "Infinity" if value > 0 else "-Infinity"
    found = f"found {shown}" + (
        " (a number past the largest a float holds reads as Infinity)" if value == value else ""
    )
    if value > 0 and "maximum" in here:
        return [
            at(
                tokens,
                "schema.maximum",
                f"must be ≤ {_number(here['maximum'])}, {found}",
                here.get("description") or None,
            )
        ]
    if value < 0 and "minimum" in here:
        return [at(tokens, "schema.minimum", f"must be ≥ {_number(here['minimum'])}, {found}")]
    return [at(tokens, "schema.type", f"expected a finite number, {found}")]


def _real_path(data: object, path: list, instance, numbered: dict) -> list:
    """Keys as written: the validator reports a key such as "00" as the integer 0.

    When "0" and "00" both exist, the branch whose value is the failing instance (``instance()``) wins.
    ``numbered`` caches, per object, its numeric keys by value, so 10,000 errors
    in one object cost one look at its keys, not 10,000.
    """
    if not path:
        return []
    token, rest = path[0], list(path[1:])
    if isinstance(data, list) and isinstance(token, int) and token < len(data):
        return [token] + _real_path(data[token], rest, instance, numbered)
    if not isinstance(data, dict):
        return [str(token)] + [str(t) for t in rest]
    if isinstance(token, int):
        if id(data) not in numbered:
            numbers: dict[int, list[str]] = {}
            for key in data:
                if key.isascii() and key.isdigit() and len(key) <= 20:
                    numbers.setdefault(int(key), []).append(key)
            numbered[id(data)] = numbers
        candidates = numbered[id(data)].get(token, [])
    else:
        candidates = [token] if token in data else []
    for key in candidates:
        tail = _real_path(data[key], rest, instance, numbered)
        if len(candidates) == 1 or _follow(data[key], tail) == instance():
            return [key] + tail
    return [str(token)] + [str(t) for t in rest]


def _follow(data: object, tokens: list, missing: object = None) -> object:
    for token in tokens:
        try:
            data = data[token]  # type: ignore[index]  # any value: what cannot be indexed is missing
        except (KeyError, IndexError, TypeError):
            return missing
    return data


@lru_cache(maxsize=1024)
def _guess(word: str, choices: tuple) -> str | None:
    """:func:`did_you_mean`, once per word and choices: 1,000 models with the same typo ask it 1,000 times."""
    return did_you_mean(word, choices)


def _where(tokens: list) -> str:
    return f" in {'/'.join(map(str, tokens))}" if tokens else " at the top level"


def _unknown_key_hint(document: Document, tokens: list, key: str, allowed: list[str]) -> str:
    guess = _guess(key, tuple(allowed))
    if document.kind == "llm-config" and key in CREDENTIAL_FIELDS and key not in allowed:
        return f"{key} belongs in credentials.json, never in llm-config.json"
    if document.kind == "credentials" and len(tokens) == 2 and key in CREDENTIAL_FIELDS:
        return f"endpoint {tokens[1]!r} takes only: {', '.join(allowed)}"
    if guess:
        renamed = f" (`{_migrate(document)}` renames it)" if document.kind == "credentials" else ""
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
