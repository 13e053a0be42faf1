"""The generated check (generated/validators.py) never says "certainly valid" where jsonschema-rs says invalid.

Documents come from hypothesis-jsonschema (the schemas themselves), from real configs bent out of shape
(fixtures, examples, golden files: types, enums, patterns, URLs, odd keys, huge numbers, deep nesting,
subtrees moved elsewhere) and from random JSON over the schemas' own words. The compiler is also run on
random schemas, so that it stays exact whatever the schemas become. "Not sure" on a valid document is a
lost speed-up, not a bug: it is counted, and the rate printed when this module ends. CI runs a few
hundred cases; `make fuzz` runs more than 20,000.
"""

from __future__ import annotations

import copy
import json
import os
from collections import Counter
from functools import cache

import jsonschema_rs
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from helpers import PONYBUNNY, REPO
from pbcfg.codegen.validator_compiler import LONGEST_PATTERN_INPUT, compile_validators, translate_pattern
from pbcfg.generated.validators import CERTAINLY_VALID
from pbcfg.schema_store import SCHEMA_FILES, schema, validator

EXAMPLES = int(os.environ.get("PBCFG_FUZZ_EXAMPLES", "60"))
FUZZ = settings(
    max_examples=EXAMPLES, deadline=None, derandomize=True, database=None, suppress_health_check=list(HealthCheck)
)
KINDS = list(SCHEMA_FILES)
DRAFT = "https://json-schema.org/draft/2020-12/schema"
TALLY: Counter = Counter()
# the random schemas' strategies are large (every odd value and URL above); hypothesis warns when it spells them out
pytestmark = pytest.mark.filterwarnings("ignore:Generating overly large repr")


def real_documents() -> list[tuple[str, str, object]]:
    """(name, kind, data) of every real config the repository holds."""
    paths = [
        *PONYBUNNY.glob("*.json"),
        *(REPO / "examples").glob("*.json"),
        *(REPO / "tests" / "golden").glob("*/*.json"),
    ]
    found = []
    for path in sorted(paths):
        if path.name.endswith(".schema.json"):
            continue
        kind = next(kind for kind in KINDS if path.name.startswith(kind))
        found.append((str(path.relative_to(REPO)), kind, json.loads(path.read_text(encoding="utf-8"))))
    return found


REAL = real_documents()


def rs_valid(kind: str, data: object, compiled=None) -> bool:
    """jsonschema-rs's answer; an exception (it cannot take the value as JSON) is not "valid"."""
    try:
        return (compiled or validator(kind)).is_valid(data)
    except Exception:  # noqa: BLE001 - any refusal counts as "not valid"
        return False


def agree(kind: str, data: object, ours: bool, theirs: bool, tally: str) -> None:
    TALLY[f"{tally} cases"] += 1
    if theirs:
        TALLY[f"{tally} valid"] += 1
        TALLY[f"{tally} declined"] += not ours
    assert not (ours and not theirs), f"false pass ({kind}): {data!r}"[:2000]


def check_document(kind: str, data: object, tally: str) -> None:
    agree(kind, data, CERTAINLY_VALID[kind](data), rs_valid(kind, data), tally)


@pytest.fixture(scope="module", autouse=True)
def report_the_decline_rate(request):
    yield
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    groups = sorted({key.rsplit(" ", 1)[0] for key in TALLY})
    lines = [
        f"{group}: {TALLY[group + ' cases']} cases, {TALLY[group + ' valid']} valid, "
        f"declined {TALLY[group + ' declined']} of them "
        f"({100 * TALLY[group + ' declined'] / max(TALLY[group + ' valid'], 1):.1f}%)"
        for group in groups
    ]
    if reporter and lines:
        with request.config.pluginmanager.get_plugin("capturemanager").global_and_fixture_disabled():
            reporter.write_line("")
            reporter.write_line(
                f"generated check, {sum(TALLY[g + ' cases'] for g in groups)} cases, 0 false passes; "
                "declined (valid, yet not sure):"
            )
            for line in lines:
                reporter.write_line("  " + line)


# --- the schemas' own words, and values that have broken validators before ---------------------------


def vocabulary(node: object, found: dict) -> dict:
    """Every property name, enum/const/example/default value and pattern in a schema."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ("properties", "patternProperties", "dependentRequired", "dependentSchemas") and isinstance(
                value, dict
            ):
                found["names"].update(value)
            if key in ("enum", "examples") and isinstance(value, list):
                found["values"].extend(value)
            if key in ("const", "default"):
                found["values"].append(value)
            if key == "pattern" and isinstance(value, str):
                found["patterns"].add(value)
            if key == "required" and isinstance(value, list):
                found["names"].update(v for v in value if isinstance(v, str))
            vocabulary(value, found)
    elif isinstance(node, list):
        for item in node:
            vocabulary(item, found)
    return found


def words(kind: str) -> dict:
    found = vocabulary(schema(kind), {"names": set(), "values": [], "patterns": set()})
    return {"names": sorted(found["names"]), "values": found["values"], "patterns": sorted(found["patterns"])}


WORDS = {kind: words(kind) for kind in KINDS}
NAMES = ["a", "b", "enabled", "é", "x-y"]  # property names of the random schemas
ODD_STRINGS = [
    "",
    "a",
    " ",
    "x" * 64,
    "x" * 65,
    "\ud800",
    "\udfff",
    "é",
    "\u0663",
    "a\n",
    "\n",
    "\x1c",
    "\u00a0",
    "\u2028",
    "日本",
    "__proto__",
    "constructor",
    "-a",
    "a.b",
    "a b",
    "0",
    "00",
    "A-Z_0.9",
    "\U0001f600",
]
URLS = [
    "http://localhost:11434/v1",
    "https://api.example.com",
    "http://[::1",
    "http://[::1]:8000/v1",
    "http://h/a|b",
    "http://h/%zz",
    "http://h/%41",
    "http://h:99999/",
    "http://999.1.1.1/",
    "http://h/a b",
    "http://h/\u00e9",
    "http://",
    "http:///x",
    "http://h?#",
    "HTTP://H",
    "https://h",
    "http://h/[",
    "http://h#a#b",
    "http://-h/",
    "http://h_x/",
    "http://h:0x1/",
    "http://%41/",
    "http://%ff/",
    "http://h/\x7f",
    "http://h/\n",
    "http://h\n",
    "ftp://h/",
    "http:/h",
    "https://a@b:1/c?d#e",
    "http://h/%",
    "http://h/%4",
    "http://h/ ",
    "http://h/\t",
    "http://h:8000:1/",
    "http://a@b@c/",
    "http://h/{x}",
    "http://h/`",
    "http://h/\\",
    "http://h/^",
    'http://h/"',
    "http://[v1.x]/",
    "http://[::1]x/",
    "http://h/a%2",
    "http://h/?q=%zz",
    "http://h/#%zz",
    "http://h/;a=b,c",
]
URL_ALPHABET = "htps:/[]%@?#.-_~!$&'()*+,;=|{}\\^`\"<> 0123456789abcfAFZ\n\t\r\x7fé\ud800"
ODD_NUMBERS = [
    0,
    1,
    -1,
    2,
    3,
    999,
    1000,
    0.0,
    -0.0,
    0.5,
    1.0,
    2.0,
    2.5,
    1e-9,
    -1e-9,
    2**53,
    2**53 + 1,
    -(2**53) - 1,
    2**63,
    2**64,
    10**30,
    -(10**30),
    1e308,
    -1e308,
    float("inf"),
    float("-inf"),
    float("nan"),
]


def pick(values: list):
    """``st.sampled_from(values)`` whose repr stays short: hypothesis spells out strategies, and the
    random schemas nest these ones deep enough for that to cost gigabytes."""
    return st.integers(0, len(values) - 1).map(values.__getitem__)


@cache
def scalars(kind: str | None = None):
    own = [pick(WORDS[kind]["values"]), pick(WORDS[kind]["names"])] if kind else []
    return st.one_of(
        *own,
        pick(ODD_STRINGS),
        pick(URLS),
        pick(ODD_NUMBERS),
        st.integers(LONGEST_PATTERN_INPUT - 2, LONGEST_PATTERN_INPUT + 2).map(lambda n: "http://h/" + "a" * n),
        st.sampled_from([None, True, False]),
        st.integers(),
        st.floats(),
        st.text(max_size=12),
        st.builds(
            lambda scheme, rest: scheme + rest,
            st.sampled_from(["http://", "https://", "ftp://", "http:", ""]),
            st.text(alphabet=URL_ALPHABET, max_size=16),
        ),
        st.sampled_from(KINDS)
        .flatmap(lambda k: st.sampled_from(WORDS[k]["patterns"]))
        .flatmap(lambda p: st.from_regex(p)),
    )


@cache
def keys(kind: str | None = None):
    own = [pick(WORDS[kind]["names"])] if kind else [pick(NAMES)]
    return st.one_of(
        *own,
        pick(ODD_STRINGS),
        st.text(max_size=8),
        st.sampled_from(["baseURL", "api_key", "apikey", "priorty", "$schema", "enabled", "primary"]),
    )


@cache
def json_values(kind: str | None = None):
    return st.recursive(
        scalars(kind),
        lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(keys(kind), inner, max_size=4)),
        max_leaves=12,
    )


@cache
def anything(kind: str | None = None):
    return st.one_of(scalars(kind), json_values(kind))


def deep(value: object, depth: int, as_list: bool) -> object:
    for _ in range(depth):
        value = [value] if as_list else {"a": value}
    return value


# --- real configs bent out of shape -------------------------------------------------------------------


def locations(value: object, path: tuple = ()) -> list[tuple]:
    found = [path]
    if isinstance(value, dict):
        for key, item in value.items():
            found += locations(item, path + (key,))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += locations(item, path + (index,))
    return found


def at(data: object, path: tuple) -> object:
    for token in path:
        data = data[token]
    return data


def same_type(kind: str, value: object):
    """Another value of ``value``'s JSON type, from the schema's words and the odd values."""
    if isinstance(value, bool):
        return st.booleans()
    if isinstance(value, str):
        words = [w for w in WORDS[kind]["values"] + WORDS[kind]["names"] if isinstance(w, str)]
        return st.one_of(
            st.sampled_from(words),
            st.sampled_from(ODD_STRINGS),
            st.sampled_from(URLS),
            st.sampled_from(WORDS[kind]["patterns"]).flatmap(st.from_regex),
            st.text(max_size=10),
        )
    return st.one_of(st.sampled_from(ODD_NUMBERS), st.integers(-3, 10), st.floats(-3, 10))


@st.composite
def mutation(draw, kind: str, data: object) -> object:
    """``data`` (a deep copy) with one change somewhere."""
    data = copy.deepcopy(data)
    path = draw(st.sampled_from(locations(data)))
    target = at(data, path)
    parent = at(data, path[:-1]) if path else None
    ops = ["replace", "wrap", "deep", "transplant"]
    if isinstance(target, (str, int, float)):
        ops += ["same type"] * 3  # most likely to stay valid, and so to probe the edges of what is
    if isinstance(target, dict):
        ops += ["add key", "add key", "drop key", "rename key"] if target else ["add key"]
    if isinstance(target, list):
        ops += ["append", "repeat"] + (["drop item"] if target else [])
    op = draw(st.sampled_from(ops))
    if op == "replace":
        new = draw(anything(kind))
    elif op == "same type":
        new = draw(same_type(kind, target))
    elif op == "wrap":
        new = draw(st.sampled_from([[target], {"a": target}, [target, target]]))
    elif op == "deep":
        new = deep(target, draw(st.sampled_from([2, 30, 120])), draw(st.booleans()))
    elif op == "transplant":  # a subtree of some real config, in a place it does not belong
        _, _, donor = draw(st.sampled_from(REAL))
        new = copy.deepcopy(at(donor, draw(st.sampled_from(locations(donor)))))
    else:
        new = target
        if op == "add key":
            target[draw(keys(kind))] = draw(anything(kind))
        elif op == "drop key":
            del target[draw(st.sampled_from(sorted(target)))]
        elif op == "rename key":
            old = draw(st.sampled_from(sorted(target)))
            target[draw(keys(kind))] = target.pop(old)
        elif op == "append":
            target.append(draw(scalars(kind)))
        elif op == "repeat":
            target.append(copy.deepcopy(target[draw(st.integers(0, len(target) - 1))]) if target else None)
        elif op == "drop item":
            del target[draw(st.integers(0, len(target) - 1))]
    if parent is None:
        return new
    parent[path[-1]] = new
    return data


@FUZZ
@given(data=st.data())
def test_mutated_real_configs(data):
    name, kind, document = data.draw(st.sampled_from(REAL))
    for _ in range(data.draw(st.integers(1, 4))):  # changes stack up; each step is a case
        document = data.draw(mutation(kind, document))
        check_document(kind, document, "mutated real configs")


@pytest.mark.parametrize("kind", KINDS)
@FUZZ
@given(data=st.data())
def test_random_json_over_the_schemas_words(kind, data):
    document = data.draw(st.dictionaries(keys(kind), json_values(kind), max_size=6))
    check_document(kind, document, "random JSON")


# --- hypothesis-jsonschema: documents of the schemas themselves ------------------------------------------


def _hypothesis_jsonschema():
    """``from_schema``, made to run on current hypothesis.

    hypothesis-jsonschema 0.23 draws object sizes with ``many.more()``, which hypothesis has since
    replaced by iteration; this gives its private copy of the utilities a ``many`` that still has it.
    """
    import types

    import hypothesis.internal.conjecture.utils as utils
    import hypothesis_jsonschema._from_schema as internals
    from hypothesis_jsonschema import from_schema

    if not hasattr(utils.many, "more"):

        class Many(utils.many):
            def more(self) -> bool:
                if self._depth is None:
                    self.__enter__()
                    self._steps = iter(self)
                if next(self._steps, StopIteration) is StopIteration:
                    self.__exit__(None)
                    return False
                return True

        internals.cu = types.SimpleNamespace(**{**vars(utils), "many": Many})
    return from_schema


# a deep copy: hypothesis-jsonschema rewrites the schema it is given in place (and cannot resolve our $id)
FROM_SCHEMA = {
    kind: _hypothesis_jsonschema()({k: copy.deepcopy(v) for k, v in schema(kind).items() if k != "$id"})
    for kind in KINDS
}


@pytest.mark.parametrize("kind", KINDS)
@settings(FUZZ, max_examples=max(EXAMPLES // 4, 10))
@given(data=st.data())
def test_documents_of_the_schema_and_their_mutations(kind, data):
    document = data.draw(FROM_SCHEMA[kind])
    check_document(kind, document, "hypothesis-jsonschema")
    check_document(kind, data.draw(mutation(kind, document)), "hypothesis-jsonschema, mutated")


# --- the compiler on schemas other than ours ---------------------------------------------------------------

PATTERNS = [
    "^[a-z]+$",
    "^a",
    "b$",
    "^[A-Za-z0-9][A-Za-z0-9._-]{0,3}$",
    "^https?://[^\\s/?#]+([/?#]\\S*)?$",
    "\\d",
    "^\\w+$",
    "a|b",
    "^.$",
    "^(ab)*$",
    "[^a]",
    "a{2,}",
    "^\\S*$",
    "x?y+?",
    "(?=a)",
    "\\1",
    "[\\d-z]",
    "^\\$",
    "[a-]",
    "^\\u00e9$",
    "\\bfoo",
    "^[^\\s]+$",
    "(a",
    "a**",
]
FORMATS = ["uri", "email", "date-time", "uri-reference", "ipv4", "no-such-format"]


def keywords(options: dict, most: int):
    """Up to ``most`` of ``options`` (keyword -> strategy for its value), as a schema object."""
    pairs = st.one_of([st.tuples(st.just(key), value) for key, value in options.items()])
    return st.lists(pairs, max_size=most, unique_by=lambda pair: pair[0]).map(dict)


NUMBER = st.one_of(st.integers(-3, 3), st.sampled_from([0.5, 2.5, 2**53, 10**20, -1e-9]))
TYPES = st.sampled_from(["null", "boolean", "integer", "number", "string", "array", "object"])
LEAF = keywords(
    {
        "type": st.one_of(TYPES, st.lists(TYPES, min_size=1, max_size=3, unique=True)),
        "enum": st.lists(st.one_of(scalars(), st.just([1]), st.just({"a": 1})), min_size=1, max_size=4),
        "const": scalars(),
        "minimum": NUMBER,
        "maximum": NUMBER,
        "exclusiveMinimum": NUMBER,
        "exclusiveMaximum": NUMBER,
        "multipleOf": st.sampled_from([1, 2, 0.5, 3]),
        "minLength": st.integers(0, 3),
        "maxLength": st.integers(0, 70),
        "pattern": pick(PATTERNS),
        "format": pick(FORMATS),
        "minItems": st.integers(0, 2),
        "maxItems": st.integers(0, 3),
        "uniqueItems": st.booleans(),
        "required": st.lists(st.sampled_from(NAMES), max_size=2, unique=True),
        "minProperties": st.integers(0, 2),
        "maxProperties": st.integers(0, 3),
        "dependentRequired": st.dictionaries(
            st.sampled_from(NAMES), st.lists(st.sampled_from(NAMES), max_size=2, unique=True), max_size=1
        ),
        "title": st.just("t"),
        "x-note": st.just(1),
        "default": scalars(),
        "$ref": st.sampled_from(["#/$defs/d0", "#/$defs/d1", "#", "#/$defs/none", "other.json#/x", "#anchor"]),
        "unknownKeyword": st.just(1),
        "oneOf": st.just([{}]),
        "not": st.just({"type": "string"}),
        "if": st.just({"type": "string"}),
        "contains": st.just({}),
        "unevaluatedProperties": st.just(False),
    },
    4,
)


@cache
def subschemas(depth: int = 0):
    """Schemas nested at most three deep (st.recursive, with this many references to the inner strategy,
    makes hypothesis hold gigabytes)."""
    if depth == 3:
        return st.one_of(LEAF, st.booleans())
    inner = subschemas(depth + 1)
    applicators = keywords(
        {
            "properties": st.dictionaries(st.sampled_from(NAMES), inner, max_size=3),
            "patternProperties": st.dictionaries(st.sampled_from(PATTERNS[:6]), inner, max_size=1),
            "additionalProperties": inner,
            "propertyNames": inner,
            "items": inner,
            "prefixItems": st.lists(inner, max_size=2),
            "allOf": st.lists(inner, min_size=1, max_size=2),
            "anyOf": st.lists(inner, min_size=1, max_size=2),
            "dependentSchemas": st.dictionaries(st.sampled_from(NAMES), inner, max_size=1),
        },
        3,
    )
    return st.one_of(st.booleans(), LEAF, st.builds(lambda base, more: {**base, **more}, LEAF, applicators))


SUBSCHEMAS = subschemas()
INSTANCES = st.lists(
    st.one_of(json_values(), st.dictionaries(st.sampled_from(NAMES), anything(), max_size=4)), min_size=1, max_size=6
)


@st.composite
def schema_and_instances(draw):
    root = draw(SUBSCHEMAS)
    if isinstance(root, bool):
        root = {"allOf": [root]}
    root = {"$schema": DRAFT, **root, "$defs": {"d0": draw(SUBSCHEMAS), "d1": draw(SUBSCHEMAS)}}
    return root, draw(INSTANCES)


# hypothesis keeps about 1.5 MB per random schema it tried: `make fuzz` stops at 600 of them
@settings(FUZZ, max_examples=min(EXAMPLES, 600))
@given(case=schema_and_instances())
def test_the_compiler_is_exact_on_any_schema(case):
    root, instances = case
    try:
        theirs = jsonschema_rs.Draft202012Validator(root, validate_formats=True)
    except Exception:  # noqa: BLE001 - a schema jsonschema-rs refuses says nothing about ours
        assume(False)
    namespace: dict = {}
    exec(compile(compile_validators({"s": root}, "# test"), "<generated>", "exec"), namespace)  # noqa: S102
    for instance in instances:
        agree(
            "s",
            instance,
            namespace["CERTAINLY_VALID"]["s"](instance),
            rs_valid("s", instance, theirs),
            "random schemas",
        )


# --- the traps by name ------------------------------------------------------------------------------------


def certainly(kind: str, data: object) -> bool:
    return CERTAINLY_VALID[kind](data)


def test_the_schemas_are_left_as_they_were():
    """Nothing here (hypothesis-jsonschema least of all) may change the schemas jsonschema-rs compiles."""
    for kind in KINDS:
        with open(REPO / "schemas" / SCHEMA_FILES[kind], encoding="utf-8") as handle:
            assert schema(kind) == json.load(handle)


def test_every_real_config_is_certainly_valid():
    """The clean path is taken for every config the repository ships: none is declined."""
    assert [(name, rs_valid(kind, data), certainly(kind, data)) for name, kind, data in REAL] == [
        (name, True, True) for name, _, _ in REAL
    ]
    assert len(REAL) >= 30


def test_keywords_beside_ref_are_not_ignored():
    document = {"endpoints": {"my-vllm": {"enabled": True}}}  # a custom endpoint needs protocol and priority
    assert (rs_valid("llm-config", document), certainly("llm-config", document)) == (False, False)
    document["endpoints"]["my-vllm"].update(protocol="openai", priority=2)
    assert (rs_valid("llm-config", document), certainly("llm-config", document)) == (True, True)
    document = {"endpoints": {"codex": {"protocol": "openai"}}}  # the built-in's const beside its $ref
    assert (rs_valid("llm-config", document), certainly("llm-config", document)) == (False, False)


@pytest.mark.parametrize(
    "url",
    [
        "http://[::1",
        "http://h/a b",
        "http://h:0x1/",
        "http://h/\n",
        "ftp://h/v1",
        "localhost:8000/v1",
        "http://h\\x/v1",
    ],
)
def test_urls_jsonschema_rs_rejects_are_never_passed(url):
    for kind, document in (
        ("credentials", {"endpoints": {"openai-compatible": {"baseUrl": url}}}),
        ("llm-config", {"endpoints": {"openai-compatible": {"baseUrl": url}}}),
    ):
        assert (rs_valid(kind, document), certainly(kind, document)) == (False, False)


@pytest.mark.parametrize(
    "url, passed",
    [
        ("HTTP://LOCALHOST:8000/v1", True),
        ("http://bücher.example/v1", False),
        ("http://h/a|b", True),
        ("http://h/%zz", True),
        ("http://h/é", False),
    ],
)
def test_urls_that_fetch_accepts_are_valid_and_passed_only_when_certain(url, passed):
    """What a request really takes is valid; the generated check passes it, or declines when unsure."""
    for kind in ("credentials", "llm-config"):
        document = {"endpoints": {"openai-compatible": {"baseUrl": url}}}
        assert (rs_valid(kind, document), certainly(kind, document)) == (True, passed)


@settings(FUZZ, max_examples=EXAMPLES * 20)
@given(
    text=st.builds(
        lambda scheme, rest: scheme + rest,
        st.sampled_from(["http://", "https://", "a:", "http:", ""]),
        st.text(alphabet=URL_ALPHABET, max_size=24),
    )
)
def test_the_uri_format_is_never_looser_than_jsonschema_rs(text):
    ours, theirs = compiled(json.dumps({"type": "string", "format": "uri"}))
    agree("s", text, ours(text), rs_valid("s", text, theirs), "format: uri")


@pytest.mark.parametrize(
    "url",
    [
        "http://localhost:11434/v1",
        "https://my-resource.openai.azure.com",
        "http://gpu-box.lan:8000/v1?x=1#f",
        "http://h/%41",
    ],
)
def test_plain_urls_are_certainly_valid(url):
    document = {"endpoints": {"azure-openai": {"endpoint": url, "baseUrl": url}}}
    assert (rs_valid("credentials", document), certainly("credentials", document)) == (True, True)


@pytest.mark.parametrize("value", ["\ud800", float("inf"), float("nan"), 1.0, True, 2**53 + 1])
def test_values_jsonschema_rs_cannot_take_or_may_read_otherwise_are_declined(value):
    """A lone surrogate, a non-finite float, an integral float or a bool where an integer goes, a huge
    integer beside a bound: "not sure", whatever jsonschema-rs makes of them."""
    where = {"\ud800": ("credentials", {"endpoints": {"codex": {"enabled": True}}, "$schema": value})}
    kind, document = where.get(value, ("llm-config", {"defaults": {"maxTokens": value}}))
    assert certainly(kind, document) is False


@cache
def compiled(root_json: str):
    """(the generated check, jsonschema-rs's validator) of one schema, given as JSON text."""
    namespace: dict = {}
    exec(compile(compile_validators({"s": json.loads(root_json)}, ""), "<generated>", "exec"), namespace)  # noqa: S102
    return namespace["CERTAINLY_VALID"]["s"], jsonschema_rs.Draft202012Validator(
        json.loads(root_json), validate_formats=True
    )


def run_compiled(root: dict, instance: object) -> tuple[bool, bool]:
    ours, theirs = compiled(json.dumps(root))
    return rs_valid("s", instance, theirs), ours(instance)


@pytest.mark.parametrize(
    "root, instance",
    [
        ({"oneOf": [{"type": "string"}, {"type": "integer"}]}, "a"),
        ({"not": {"type": "string"}}, 1),
        ({"if": {"type": "string"}, "then": {"minLength": 1}}, "a"),
        ({"type": "string", "format": "email"}, "a@b.c"),
        ({"type": "string", "pattern": "(?=a)a"}, "a"),
        ({"type": "string", "pattern": "^\\p{L}$"}, "a"),
        ({"unknownKeyword": 1}, 1),
        ({"$schema": "http://json-schema.org/draft-07/schema#", "type": "integer"}, 1),
        ({"properties": {"a": {"$id": "urn:inner", "type": "integer"}}}, {"a": 1}),
        ({"contains": {"type": "integer"}}, [1]),
    ],
)
def test_what_the_compiler_cannot_express_is_not_sure(root, instance):
    assert run_compiled(root, instance) == (True, False)


@pytest.mark.parametrize(
    "root, instance",
    [
        ({"$defs": {"o": {"type": "object"}}, "$ref": "#/$defs/o", "required": ["a"]}, {"a": 1}),
        ({"type": "object", "properties": {"a": {"enum": ["x", 1, None]}}, "additionalProperties": False}, {"a": None}),
        ({"type": "array", "items": {"type": "string", "pattern": "^[a-z]+$"}, "uniqueItems": True}, ["a", "b"]),
        ({"anyOf": [{"const": ""}, {"type": "string", "format": "uri"}]}, "urn:x"),
        (
            {"type": "object", "patternProperties": {"^x-": {"type": "integer"}}, "additionalProperties": False},
            {"x-a": 1},
        ),
        ({"$defs": {"t": {"type": "array", "items": {"$ref": "#/$defs/t"}}}, "$ref": "#/$defs/t"}, [[[]], []]),
    ],
)
def test_what_the_compiler_expresses_is_certainly_valid(root, instance):
    assert run_compiled(root, instance) == (True, True)


@pytest.mark.parametrize(
    "pattern, python",
    [
        ("^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$", "\\A[A-Za-z0-9][A-Za-z0-9\\._\\-]{0,63}\\Z"),
        ("^https?://[^\\s/?#]+([/?#]\\S*)?$", "\\Ahttps?://[^\\s/\\?\\#]+([/\\?\\#]\\S*)?\\Z"),
        ("a.b", "a[^\\n\\r]b"),
        ("^(?:ab)+?$", "\\A(?:ab)+?\\Z"),
        ("\\u00e9|\\x41", "é|A"),
    ],
)
def test_patterns_translate_to_the_same_meaning_on_ascii(pattern, python):
    assert translate_pattern(pattern) == python


def test_property_names_are_strings_whatever_their_schema_says():
    assert run_compiled({"propertyNames": {"type": "integer"}}, {"a": 1}) == (False, False)
    assert run_compiled({"propertyNames": {"type": ["integer", "string"], "maxLength": 1}}, {"a": 1}) == (True, True)
    assert run_compiled({"propertyNames": {"type": ["integer", "string"], "maxLength": 1}}, {"ab": 1}) == (False, False)


def test_a_newline_before_the_end_does_not_satisfy_dollar():
    """Python's ``$`` matches before a final newline; ECMA-262's and jsonschema-rs's do not."""
    root = {"type": "string", "pattern": "^a$"}
    assert run_compiled(root, "a\n") == (False, False)
    assert run_compiled(root, "a") == (True, True)
