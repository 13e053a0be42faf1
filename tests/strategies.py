"""Hypothesis strategies for instances of our schemas, written for the subset they use.

(hypothesis-jsonschema does not run against current hypothesis.) Also walks an
instance beside its schema, so tests can mutate exactly where a rule applies.
"""

from __future__ import annotations

from hypothesis import strategies as st

from pbcfg.schema_store import resolve, schema

_URL = st.builds(
    lambda scheme, host, port, path: f"{scheme}://{host}:{port}{path}",
    st.sampled_from(["http", "https"]),
    st.sampled_from(["localhost", "127.0.0.1", "gpu-box.lan", "api.example.com"]),
    st.integers(1, 65535),
    st.sampled_from(["", "/v1", "/api/v1", "/openai/v1"]),
)


def node_of(kind: str, node: dict) -> dict:
    """Merge a node's ``$ref`` target under its sibling keywords."""
    while "$ref" in node:
        target = resolve(kind, node["$ref"])
        merged = {**target, **{k: v for k, v in node.items() if k != "$ref"}}
        if "properties" in target and "properties" in node:
            merged["properties"] = {
                **target["properties"],
                **{k: {**target["properties"].get(k, {}), **v} for k, v in node["properties"].items()},
            }
        node = merged
    return node


def instances(kind: str, node: dict | None = None, depth: int = 0):
    node = node_of(kind, schema(kind) if node is None else node)
    if "const" in node:
        return st.just(node["const"])
    if "enum" in node:
        return st.sampled_from(node["enum"])
    if "anyOf" in node:
        return st.one_of([instances(kind, branch, depth) for branch in node["anyOf"]])
    kind_of_value = node.get("type")
    if kind_of_value == "object":
        return _objects(kind, node, depth)
    if kind_of_value == "array":
        items = instances(kind, node.get("items", {}), depth + 1)
        return st.lists(items, min_size=node.get("minItems", 0), max_size=3, unique=node.get("uniqueItems", False))
    if kind_of_value == "string":
        if node.get("format") == "uri":
            return _URL
        if "pattern" in node:
            return st.from_regex(node["pattern"], fullmatch=True)
        return st.text(min_size=node.get("minLength", 0), max_size=12)
    if kind_of_value == "integer":
        return st.integers(node.get("minimum", -(10**6)), node.get("maximum", 10**6))
    if kind_of_value == "number":
        return st.floats(node.get("minimum", -1e6), node.get("maximum", 1e6), allow_nan=False)
    if kind_of_value == "boolean":
        return st.booleans()
    return st.none()


def _objects(kind: str, node: dict, depth: int):
    properties = node.get("properties", {})
    required = set(node.get("required", []))
    fixed = {name: instances(kind, sub, depth + 1) for name, sub in properties.items() if name not in required}
    needed = {name: instances(kind, properties[name], depth + 1) for name in required}
    base = st.fixed_dictionaries(needed, optional=fixed)
    extra = node.get("additionalProperties")
    if not isinstance(extra, dict) or depth > 3:
        return base
    names = node.get("propertyNames", {})
    names = node_of(kind, names)
    key = st.from_regex(names["pattern"], fullmatch=True) if "pattern" in names else st.text(min_size=1, max_size=12)
    key = key.filter(lambda k: k not in properties)
    return st.builds(lambda a, b: {**b, **a}, base, st.dictionaries(key, instances(kind, extra, depth + 1), max_size=2))


def walk(kind: str, value, node: dict | None = None, path: tuple = ()):
    """Yield ``(path, value, schema node)`` for every value of an instance."""
    node = node_of(kind, schema(kind) if node is None else node)
    yield path, value, node
    if isinstance(value, dict):
        for key, item in value.items():
            sub = node.get("properties", {}).get(key, node.get("additionalProperties"))
            if isinstance(sub, dict):
                yield from walk(kind, item, sub, path + (key,))
    elif isinstance(value, list) and isinstance(node.get("items"), dict):
        for index, item in enumerate(value):
            yield from walk(kind, item, node["items"], path + (index,))


# Hostile text for the readers: nesting around the limit, half surrogate pairs, numbers beyond every field.

SURROGATE_PIECES = [
    "a",
    "é",
    r"\ud800",
    r"\udbff",
    r"\udc00",
    r"\udfff",
    r"\ud83d\ude00",
    r"\\ud800",
    r"\\",
    r"\"",
    r"\u0041",
]


def nested(max_depth: int = 400):
    """JSON text nested ``depth`` objects and arrays deep, with the depth: around the limit of 128 and far past it."""
    return st.tuples(st.integers(1, max_depth), st.lists(st.sampled_from(["[", '{"k": ']), min_size=1, max_size=3)).map(
        lambda t: (
            t[0],
            "".join(t[1][i % len(t[1])] for i in range(t[0]))
            + "0"
            + "".join("]" if t[1][i % len(t[1])] == "[" else "}" for i in reversed(range(t[0]))),
        )
    )


def json_strings_with_surrogates():
    """A JSON string literal, as written in a file, whose escapes may leave half a surrogate pair alone."""
    return st.lists(st.sampled_from(SURROGATE_PIECES), min_size=1, max_size=6).map(
        lambda parts: '"' + "".join(parts) + '"'
    )


def huge_numbers():
    """Number literals no field can mean: past the maxima, past a double, past Python's 4,300 digits."""
    return st.one_of(
        st.sampled_from(
            ["1e31", "1e308", "1e400", "-1e400", "1e-400", "9" * 4300, "9" * 4301, "123456789012345678901234567890"]
        ),
        st.integers(min_value=10**9, max_value=10**60).map(str),
        st.floats(min_value=1e9, allow_nan=False, allow_infinity=False).map(repr),
    )
