"""A JSON Schema (draft 2020-12) compiled to a stdlib-only Python function that answers
"certainly valid" (True) or "not sure" (False).

The clean path of ``pbcfg validate`` runs that function instead of importing
jsonschema-rs, so it must never say True where jsonschema-rs says invalid; a
False it did not need to give costs only speed. Every keyword is therefore
either compiled exactly or makes the node answer "not sure":

- known keywords are translated one by one; keywords beside ``$ref`` apply
  as ``allOf`` does (draft 2020-12); an unknown keyword, ``oneOf``, ``not``,
  ``if``, a non-local ``$ref`` or a ``$schema`` other than 2020-12 answer
  "not sure" wherever the node is reached;
- a ``pattern`` is translated token by token from the ECMA-262 subset it is
  written in, and applied only to ASCII strings, where Python's ``re`` with
  ``re.ASCII`` and the ECMA classes agree (``.`` is narrowed to exclude both
  line ends, ``$`` anchors at the very end); any other construct answers
  "not sure" for the strings it applies to;
- the http(s) URL pattern of ``baseUrl`` is first tried without a regex
  (:data:`FAST_PATTERNS`): a common URL is accepted by plain string checks
  that accept nothing the pattern refuses, and compiling the regex (half a
  millisecond, most of a clean check) is left to any other URL;
- ``format: uri`` is RFC 3986 without IP literals, ASCII only, checked
  without a regex (compiling one would cost more than the check); other
  formats answer "not sure";
- values jsonschema-rs cannot take as JSON answer "not sure": strings with a
  lone surrogate, non-finite floats, integers beyond 2**53 where a number is
  compared; an integral float is not taken for an integer, nor ``True`` for 1.

``tests/properties/test_generated_validators.py`` holds the promise against jsonschema-rs
on generated and mutated documents; ``pbcfg codegen --check`` keeps the
generated file current.
"""

from __future__ import annotations

import inspect
import json
import re
from urllib.parse import unquote

from pbcfg.codegen import validator_helpers
from pbcfg.source.limits import has_lone_surrogate

__all__ = ["FAST_PATTERNS", "LONGEST_PATTERN_INPUT", "compile_validators", "translate_pattern"]

DRAFT = "https://json-schema.org/draft/2020-12/schema"
# keywords that only annotate, and containers of subschemas reached through $ref only
_ANNOTATIONS = {
    "title",
    "description",
    "default",
    "examples",
    "deprecated",
    "readOnly",
    "writeOnly",
    "$comment",
    "$defs",
    "definitions",
}
_APPLIED = {
    "$ref",
    "allOf",
    "anyOf",
    "type",
    "enum",
    "const",
    "properties",
    "patternProperties",
    "additionalProperties",
    "propertyNames",
    "required",
    "minProperties",
    "maxProperties",
    "dependentRequired",
    "dependentSchemas",
    "items",
    "prefixItems",
    "minItems",
    "maxItems",
    "uniqueItems",
    "minLength",
    "maxLength",
    "pattern",
    "format",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "multipleOf",
}
_NUMBER = {"minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf"}
# JSON type -> the Python types json.loads gives for it
_PY_TYPES = {
    "string": ("str",),
    "integer": ("int",),
    "number": ("int", "float"),
    "boolean": ("bool",),
    "null": ("None",),
    "object": ("dict",),
    "array": ("list",),
}
_TEST = {
    "str": "type({v}) is{n} str",
    "int": "type({v}) is{n} int",
    "float": "type({v}) is{n} float",
    "bool": "type({v}) is{n} bool",
    "None": "{v} is{n} None",
    "dict": "type({v}) is{n} dict",
    "list": "type({v}) is{n} list",
}
_ORDER = ("dict", "list", "str", "int", "float", "bool", "None")
LONGEST_PATTERN_INPUT = 4096  # Python's re backtracks; longer strings go to jsonschema-rs
INLINE_MAX = 6  # a $ref target of at most this many statements is checked in place, not called
# ECMA pattern -> a helper that answers True only for strings the pattern finds (False: ask the regex)
FAST_PATTERNS = {
    r"^[Hh][Tt][Tt][Pp][Ss]?://([^\x00-\x20/?#\\@]*@)?(\[[0-9A-Fa-f:.]+\]|[^\x00-\x20\x7f/?#\\@:<>^|%\[\]]+)"
    r"(:(0*([0-9]{1,4}|[1-5][0-9]{4}|6[0-4][0-9]{3}|65[0-4][0-9]{2}|655[0-2][0-9]|6553[0-5]))?)?"
    r"([/?#][^\x00-\x20\\]*)?$": "_http_url",
}

# the helpers a generated module may need, each with the functions it calls
_HELPERS = {
    "_text": (validator_helpers._text,),
    "_plain": (validator_helpers._plain,),
    "_unique": (validator_helpers._unique,),
    "_uri": (validator_helpers._uri, validator_helpers._chars),
    "_http_url": (validator_helpers._http_url,),
    "_search": (validator_helpers._search,),
}
_URI_SETS = {name: getattr(validator_helpers, name) for name in ("_SCHEME", "_HOST", "_USERINFO", "_PATH", "_QUERY")}


class _Unsupported(Exception):
    """A construct the compiler cannot express exactly: its node answers "not sure"."""


def translate_pattern(pattern: str) -> str:
    """An ECMA-262 ``pattern`` as a Python regex with the same meaning on ASCII input (``re.ASCII``).

    Raises :class:`_Unsupported` for anything outside the subset translated here.
    """
    out, i, depth, atom = [], 0, 0, False  # atom: whether a quantifier may follow
    while i < len(pattern):
        char = pattern[i]
        if char == "\\":
            escape, i = _escape(pattern, i, in_class=False)
            out.append(escape)
            atom = True
            continue
        if char == "[":
            end, body = _char_class(pattern, i)
            out.append(body)
            i, atom = end, True
            continue
        if char == "(":
            if pattern.startswith("(?:", i):
                out.append("(?:")
                i += 3
            elif pattern.startswith("(?", i):
                raise _Unsupported(f"group {pattern[i : i + 4]!r}")
            else:
                out.append("(")
                i += 1
            depth += 1
            atom = False
            continue
        if char == ")":
            if depth == 0:
                raise _Unsupported("unbalanced )")
            depth -= 1
            out.append(")")
            i, atom = i + 1, True
            continue
        if char in "*+?{":
            if not atom:
                raise _Unsupported("quantifier without an atom")
            if char == "{":
                match = re.match(r"\{(\d+)(,(\d*))?\}", pattern[i:])
                if not match:
                    raise _Unsupported("a brace that is not a quantifier")
                low, high = int(match.group(1)), match.group(3)
                if high and int(high) < low:
                    raise _Unsupported("quantifier range out of order")
                out.append(match.group(0))
                i += len(match.group(0))
            else:
                out.append(char)
                i += 1
            if pattern.startswith("?", i):  # lazy
                out.append("?")
                i += 1
            if i < len(pattern) and pattern[i] in "*+?{":
                raise _Unsupported("stacked quantifiers")
            atom = False
            continue
        if char in _SINGLE:
            spelling, atom = _SINGLE[char]
            out.append(spelling)
            i += 1
            continue
        if char in "]}":
            raise _Unsupported(f"a bare {char!r}")
        out.append(re.escape(char))
        i, atom = i + 1, True
    if depth:
        raise _Unsupported("unbalanced (")
    return "".join(out)


# one character outside a class -> (its Python spelling, whether a quantifier may follow): "^" and "$" anchor at
# the very start and end (Python's "$" also matches before a final newline), "." excludes both line ends
_SINGLE = {"^": (r"\A", False), "$": (r"\Z", False), ".": (r"[^\n\r]", True), "|": ("|", False)}
_CLASS_ESCAPES = {
    "d": r"\d",
    "D": r"\D",
    "w": r"\w",
    "W": r"\W",
    "s": r"\s",
    "S": r"\S",
    "n": r"\n",
    "r": r"\r",
    "t": r"\t",
    "f": r"\f",
    "v": r"\v",
}
_SYNTAX = set("^$\\.*+?()[]{}|/-")


def _escape(pattern: str, i: int, *, in_class: bool) -> tuple[str, int]:
    """One escape at ``pattern[i]`` (the backslash): its Python spelling and the index after it."""
    if i + 1 >= len(pattern):
        raise _Unsupported("trailing backslash")
    char = pattern[i + 1]
    if char in _CLASS_ESCAPES:
        return _CLASS_ESCAPES[char], i + 2
    if char in "bB" and not in_class:
        return "\\" + char, i + 2
    if char in _SYNTAX:
        return re.escape(char), i + 2
    if char == "x" and re.fullmatch(r"[0-9A-Fa-f]{2}", pattern[i + 2 : i + 4]):
        return re.escape(chr(int(pattern[i + 2 : i + 4], 16))), i + 4
    if char == "u" and re.fullmatch(r"[0-9A-Fa-f]{4}", pattern[i + 2 : i + 6]):
        code = int(pattern[i + 2 : i + 6], 16)
        if 0xD800 <= code <= 0xDFFF:
            raise _Unsupported("surrogate escape")
        return re.escape(chr(code)), i + 6
    raise _Unsupported(f"escape \\{char}")


def _char_class(pattern: str, i: int) -> tuple[int, str]:
    """The class starting at ``pattern[i]`` (``[``): the index after it and its Python spelling."""
    out, j = ["["], i + 1
    if pattern.startswith("^", j):
        out.append("^")
        j += 1
    if pattern.startswith("]", j):
        raise _Unsupported("empty class or a leading ]")
    previous_single = False  # whether the last item was one character (a range may start from it)
    while j < len(pattern) and pattern[j] != "]":
        char = pattern[j]
        if char == "\\":
            escape, j = _escape(pattern, j, in_class=True)
            single = escape not in _CLASS_ESCAPES.values() or escape in (r"\n", r"\r", r"\t", r"\f", r"\v")
        elif char == "-" and previous_single and j + 1 < len(pattern) and pattern[j + 1] != "]":
            following = pattern[j + 1]
            if following == "\\":
                escape, _ = _escape(pattern, j + 1, in_class=True)
                if escape in _CLASS_ESCAPES.values() and escape not in (r"\n", r"\r", r"\t", r"\f", r"\v"):
                    raise _Unsupported("a range to a class escape")
            out.append("-")
            j += 1
            previous_single = False
            continue
        elif char == "[":
            escape, j = r"\[", j + 1
            single = True
        else:
            escape, j = re.escape(char), j + 1
            single = True
        out.append(escape)
        previous_single = single
    if j >= len(pattern):
        raise _Unsupported("unterminated class")
    out.append("]")
    try:
        re.compile("".join(out), re.ASCII)
    except re.error as error:
        raise _Unsupported(f"class: {error}") from None
    return j + 1, "".join(out)


class _Compiler:
    """Compiles one schema document; functions and constants are shared per generated module."""

    def __init__(self, module: _Module, root: dict, prefix: str) -> None:
        self.module = module
        self.root = root
        self.prefix = prefix
        self.base = root.get("$id") if isinstance(root, dict) else None
        self.refs: dict[tuple, str] = {}  # pointer tokens -> function name
        self.inlining: list[tuple] = []  # the $ref targets being compiled, innermost last
        self.inline_size: dict[tuple, int] = {}  # $ref target -> statements it compiles to
        self.counter = 0

    def fresh(self) -> str:
        self.counter += 1
        return f"v{self.counter}"

    # --- $ref -------------------------------------------------------------------------------

    def resolve(self, ref: object) -> tuple:
        if not isinstance(ref, str):
            raise _Unsupported("$ref is not a string")
        if self.base and ref.startswith(self.base + "#"):
            ref = ref[len(self.base) :]
        if ref == "#":
            return ()
        if not ref.startswith("#/"):
            raise _Unsupported(f"$ref {ref!r} is not a JSON pointer into this schema")
        tokens = tuple(unquote(t).replace("~1", "/").replace("~0", "~") for t in ref[2:].split("/"))
        node = self.root
        for token in tokens:
            if isinstance(node, dict) and token in node:
                node = node[token]
            elif isinstance(node, list) and token.isdigit() and int(token) < len(node):
                node = node[int(token)]
            else:
                raise _Unsupported(f"$ref {ref!r} leads nowhere")
        return tokens

    def node_at(self, tokens: tuple) -> object:
        node = self.root
        for token in tokens:
            node = node[int(token)] if isinstance(node, list) else node[token]
        return node

    def function(self, tokens: tuple, node: object = None) -> str:
        """The name of a function checking the subschema at ``tokens`` (compiled once; recursion allowed)."""
        if tokens in self.refs:
            return self.refs[tokens]
        name = self.module.name(self.prefix, tokens)
        self.refs[tokens] = name
        node = self.node_at(tokens) if node is None else node
        self.inlining.append(tokens)
        body = self.check(node, "x", tokens)
        self.inlining.pop()
        self.module.functions.append(_function(name, body, "/".join(tokens) or "the root"))
        return name

    def reference(self, tokens: tuple, var: str) -> list[str]:
        """A ``$ref``: a small target's statements in place (no call per value), else a call to its function."""
        if tokens not in self.inlining and self.inline_size.get(tokens, 0) <= INLINE_MAX:
            self.inlining.append(tokens)
            lines = self.check(self.node_at(tokens), var, tokens)
            self.inlining.pop()
            self.inline_size[tokens] = len(lines)
            if len(lines) <= INLINE_MAX:
                return lines
        return [f"if not {self.function(tokens)}({var}): return False"]

    # --- one schema node ------------------------------------------------------------------------

    def check(
        self, node: object, var: str, where: tuple, *, covered: bool = False, known: str | None = None
    ) -> list[str]:
        """Statements that ``return False`` unless ``var`` is certainly valid against ``node``.

        Unless ``covered`` (another check visits the whole value), the statements visit every
        string, number, key and value inside ``var``, so that each is one jsonschema-rs takes as
        JSON, or return False. ``known``: the Python type ``var`` is known to have (keys: "str").
        """
        try:
            return self._check(node, var, where, covered, known)
        except _Unsupported as why:
            return [f"return False  # not sure: {_comment(str(why))}"]

    def _check(self, node: object, var: str, where: tuple, covered: bool, known: str | None) -> list[str]:
        if node is True:
            return [] if covered else [f"if not {self.module.use('_plain')}({var}): return False"]
        if node is False:
            return ["return False  # nothing is valid"]
        if not isinstance(node, dict):
            raise _Unsupported("a schema that is neither an object nor a boolean")
        for key in node:
            if key.startswith("x-") or key in _ANNOTATIONS or key in _APPLIED:
                continue
            if where == () and (key == "$id" or (key == "$schema" and node[key] == DRAFT)):
                continue
            raise _Unsupported(f"keyword {key!r}")
        lines: list[str] = []
        if "$ref" in node:
            lines += self.reference(self.resolve(node["$ref"]), var)
            covered = True
        for index, branch in enumerate(_list(node, "allOf")):
            lines += self.check(branch, var, where + ("allOf", str(index)))
            covered = True
        if "anyOf" in node:
            branches = [
                self.function(where + ("anyOf", str(i)), branch) for i, branch in enumerate(_list(node, "anyOf"))
            ]
            lines.append(f"if not ({' or '.join(f'{b}({var})' for b in branches)}): return False")
            covered = True
        return lines + self._typed(node, var, where, covered, known)

    def _typed(self, node: dict, var: str, where: tuple, covered: bool, known: str | None) -> list[str]:
        allowed = set(_ORDER) if known is None else {known}
        if "type" in node:
            types = node["type"] if isinstance(node["type"], list) else [node["type"]]
            if not all(isinstance(t, str) and t in _PY_TYPES for t in types):
                raise _Unsupported(f"type {node['type']!r}")
            allowed &= {py for t in types for py in _PY_TYPES[t]}
        members = None
        if "enum" in node or "const" in node:
            members = [node["const"]] if "const" in node else _list(node, "enum")
            if "const" in node and "enum" in node:
                members = [m for m in members if _same(m, node["const"])]
            members = [m for m in members if _scalar(m)]
            allowed &= {_py_type(m) for m in members}
        branches = []
        for py in _ORDER:
            if py not in allowed:
                continue
            body = self._branch(
                py, node, var, where, covered, None if members is None else [m for m in members if _py_type(m) == py]
            )
            if body is not None:
                branches.append((py, body))
        if known is not None:
            return branches[0][1] if branches else [] if allowed else ["return False  # not of this type"]
        if allowed == set(_ORDER):  # any type: only the branches with something to check
            return _dispatch(var, branches, restrict=False)
        return _dispatch(
            var, branches + [(py, []) for py in _ORDER if py in allowed and py not in dict(branches)], restrict=True
        )

    def _branch(self, py: str, node: dict, var: str, where: tuple, covered: bool, members) -> list[str] | None:
        """The checks for a value of Python type ``py``; None when there is nothing to check."""
        lines: list[str] = []
        if members is not None:
            lines += self._members(py, var, members)
        if py == "str":
            # a pattern or a format already answers "not sure" for a string that is not ASCII
            if not covered and members is None and "pattern" not in node and "format" not in node:
                lines.append(f"if not ({var}.isascii() or {self.module.use('_text')}({var})): return False")
            lines += self._string(node, var)
        elif py in ("int", "float"):
            lines += self._number(py, node, var, covered or members is not None)
        elif py == "dict":
            lines += self._object(node, var, where, covered)
        elif py == "list":
            lines += self._array(node, var, where, covered)
        return lines or None

    def _members(self, py: str, var: str, members: list) -> list[str]:
        if py == "None":
            return []
        if py == "bool":
            values = {m for m in members}
            return [] if values == {True, False} else [f"if {var} is not {members[0]!r}: return False"]
        if py == "str" and len(members) > 3:
            return [f"if {var} not in {self.module.constant(frozenset(members))}: return False"]
        return [f"if {' and '.join(f'{var} != {m!r}' for m in members)}: return False"]

    def _string(self, node: dict, var: str) -> list[str]:
        lines = []
        for key, op in (("minLength", "<"), ("maxLength", ">")):
            if key in node:
                limit = _natural(node[key], key)
                lines.append(f"if len({var}) {op} {limit}: return False")
        if "pattern" in node:
            if not isinstance(node["pattern"], str):
                raise _Unsupported("pattern is not a string")
            try:
                regex = self.module.regex(translate_pattern(node["pattern"]))
            except _Unsupported as why:
                lines.append(f"return False  # not sure: pattern {_comment(node['pattern'])}: {_comment(str(why))}")
                return lines
            if node["pattern"] in FAST_PATTERNS:
                self.module.fast[regex] = self.module.use(FAST_PATTERNS[node["pattern"]])
            lines.append(f"if not {regex}({var}): return False")
        if "format" in node:
            if node["format"] != "uri":
                lines.append(f"return False  # not sure: format {_comment(str(node['format']))}")
                return lines
            lines.append(f"if not {self.module.use('_uri')}({var}): return False")
        return lines

    def _number(self, py: str, node: dict, var: str, covered: bool) -> list[str]:
        lines = []
        bounded = any(key in node for key in _NUMBER)
        if py == "float" and (not covered or bounded):
            lines.append(f"if not -{self.module.use('_FLOAT')} <= {var} <= _FLOAT: return False")
        if py == "int" and bounded:
            lines.append(f"if not -{self.module.use('_BIG')} <= {var} <= _BIG: return False")
        for key, op in (("minimum", "<"), ("maximum", ">"), ("exclusiveMinimum", "<="), ("exclusiveMaximum", ">=")):
            if key in node:
                limit = node[key]
                if type(limit) not in (int, float) or isinstance(limit, bool) or abs(limit) > 2**53 or limit != limit:
                    raise _Unsupported(f"{key} {limit!r}")
                lines.append(f"if {var} {op} {limit!r}: return False")
        if "multipleOf" in node:
            divisor = node["multipleOf"]
            if py == "float" or type(divisor) is not int or divisor <= 0:
                lines.append("return False  # not sure: multipleOf outside integers")
            else:
                lines.append(f"if {var} % {divisor}: return False")
        return lines

    def _object(self, node: dict, var: str, where: tuple, covered: bool) -> list[str]:
        lines = []
        properties = _dict(node, "properties")
        if not all(_encodable(name) for name in properties):
            raise _Unsupported("a property name with a lone surrogate")
        patterns = _dict(node, "patternProperties")
        extra = node.get("additionalProperties")
        required = _list(node, "required")
        if not all(isinstance(name, str) and _encodable(name) for name in required):
            raise _Unsupported("required holds a non-string or a lone surrogate")
        if required:
            if len(required) == 1:
                lines.append(f"if {required[0]!r} not in {var}: return False")
            else:
                lines.append(f"if not {self.module.constant(frozenset(required))} <= {var}.keys(): return False")
        for key, op in (("minProperties", "<"), ("maxProperties", ">")):
            if key in node:
                lines.append(f"if len({var}) {op} {_natural(node[key], key)}: return False")
        for name, needed in _dict(node, "dependentRequired").items():
            if not isinstance(needed, list) or not all(isinstance(n, str) for n in needed):
                raise _Unsupported("dependentRequired holds a non-string")
            if needed:
                lines.append(
                    f"if {name!r} in {var} and not {self.module.constant(frozenset(needed))} <= {var}.keys(): "
                    "return False"
                )
        for name, sub in _dict(node, "dependentSchemas").items():
            body = self.check(sub, var, where + ("dependentSchemas", name), covered=covered)
            lines += [f"if {name!r} in {var}:"] + _indent(body or ["pass"])
        for name, sub in properties.items():
            value = self.fresh()
            body = self.check(sub, value, where + ("properties", name), covered=covered)
            if body:
                lines += [f"if {name!r} in {var}:", f"    {value} = {var}[{name!r}]"] + _indent(body)
        # every key: its name, patternProperties, and additionalProperties for keys no other keyword names
        key, value = self.fresh(), self.fresh()
        per_key: list[str] = []
        names = node.get("propertyNames")
        if names is not None:
            per_key += self.check(names, key, where + ("propertyNames",), known="str")
        translated = []
        for pattern, sub in patterns.items():
            try:
                regex = self.module.regex(translate_pattern(pattern))
            except _Unsupported as why:
                per_key.append(f"return False  # not sure: patternProperties {_comment(pattern)}: {_comment(str(why))}")
                break
            body = self.check(sub, value, where + ("patternProperties", pattern), covered=covered)
            translated.append(regex)
            per_key += [
                f"if not {key}.isascii() or len({key}) > {LONGEST_PATTERN_INPUT}: return False",
                f"if {regex}({key}):",
            ] + _indent(body or ["pass"])
        known = self.module.constant(frozenset(properties)) if properties else None
        if extra is False:
            extra_body = ["return False"]
        elif extra is None or extra is True:
            extra_body = (
                []
                if covered
                else [
                    f"if not (({key}.isascii() or {self.module.use('_text')}({key})) and {self.module.use('_plain')}({value})): "
                    "return False"
                ]
            )
        else:
            extra_body = (
                []
                if covered or names is not None
                else [f"if not ({key}.isascii() or {self.module.use('_text')}({key})): return False"]
            )
            extra_body += self.check(extra, value, where + ("additionalProperties",), covered=covered)
        if extra_body and translated:
            matched = " or ".join(f"{regex}({key})" for regex in translated)
            extra_body = [f"if not ({matched}):"] + _indent(extra_body)
        if extra_body and known:
            extra_body = [f"if {key} not in {known}:"] + _indent(extra_body)
        if extra is False and not per_key and not translated:
            if known:
                lines.append(f"if not {var}.keys() <= {known}: return False")
            else:
                lines.append(f"if {var}: return False")
        elif per_key or extra_body:
            lines += [f"for {key}, {value} in {var}.items():"] + _indent(per_key + extra_body)
        return lines

    def _array(self, node: dict, var: str, where: tuple, covered: bool) -> list[str]:
        lines = []
        for key, op in (("minItems", "<"), ("maxItems", ">")):
            if key in node:
                lines.append(f"if len({var}) {op} {_natural(node[key], key)}: return False")
        prefix = _list(node, "prefixItems")
        for index, sub in enumerate(prefix):
            value = self.fresh()
            body = self.check(sub, value, where + ("prefixItems", str(index)), covered=covered)
            if body:
                lines += [f"if len({var}) > {index}:", f"    {value} = {var}[{index}]"] + _indent(body)
        items = node.get("items")
        rest = f"{var}[{len(prefix)}:]" if prefix else var
        value = self.fresh()
        if items is False:
            lines.append(f"if len({var}) > {len(prefix)}: return False")
        elif items is None or items is True:
            if not covered:
                lines.append(f"for {value} in {rest}:")
                lines += _indent([f"if not {self.module.use('_plain')}({value}): return False"])
        else:
            body = self.check(items, value, where + ("items",), covered=covered)
            if body:
                lines += [f"for {value} in {rest}:"] + _indent(body)
        if node.get("uniqueItems") is True:
            lines.append(f"if len({var}) > 1 and not {self.module.use('_unique')}({var}): return False")
        elif "uniqueItems" in node and node["uniqueItems"] is not False:
            raise _Unsupported("uniqueItems is not a boolean")
        return lines


class _Module:
    """What one generated file holds: functions, constants, regexes and the helpers they use."""

    def __init__(self) -> None:
        self.functions: list[str] = []
        self.constants: dict[tuple[str, str], str] = {}  # (kind, source text) -> name
        self.helpers: set[str] = set()
        self.names: set[str] = set()
        self.fast: dict[str, str] = {}  # pattern function -> the helper it tries first

    def use(self, helper: str) -> str:
        """``helper``'s name, marked as used (with what it uses in turn)."""
        self.helpers.add(helper)
        if helper == "_plain":
            self.helpers.update(("_text", "_BIG", "_FLOAT"))
        return helper

    def constant(self, value: frozenset) -> str:
        return self._named("_SET", "frozenset({" + ", ".join(repr(v) for v in sorted(value)) + "})")

    def regex(self, python_pattern: str) -> str:
        """A function answering whether the pattern finds a string (ASCII, not too long), results cached:
        the same endpoint id or URL recurs across a file, and a cache hit costs a tenth of a search."""
        return self._named("_pattern", python_pattern)

    def _named(self, stem: str, text: str) -> str:
        if (stem, text) not in self.constants:
            self.constants[stem, text] = f"{stem}{sum(1 for kind, _ in self.constants if kind == stem)}"
        return self.constants[stem, text]

    def name(self, prefix: str, tokens: tuple) -> str:
        stem = (
            "_"
            + prefix
            + (
                "_" + "_".join(re.sub(r"\W+", "_", t, flags=re.ASCII).strip("_") for t in tokens if t != "$defs")
                if tokens
                else ""
            )
        )
        name, n = stem, 1
        while name in self.names:
            n += 1
            name = f"{stem}_{n}"
        self.names.add(name)
        return name


def compile_validators(schemas: dict[str, dict], header: str) -> str:
    """The source of a module with one function per schema (``kind`` -> schema), and ``CERTAINLY_VALID``.

    Each function takes the data ``json.loads`` returned and answers True ("certainly valid") or
    False ("not sure").
    """
    module = _Module()
    entries = []
    for kind, root in schemas.items():
        prefix = re.sub(r"\W+", "_", kind, flags=re.ASCII)
        inner = _Compiler(module, root, prefix).function((), root)
        public = f"{prefix}_certainly_valid"
        body = ["try:", f"    return {inner}(data)", "except RecursionError:", "    return False"]
        module.functions.append(
            f"def {public}(data):\n"
            f'    """True: ``data`` is certainly valid against {kind}\'s schema; False: not sure."""\n'
            + "\n".join("    " + line for line in body)
            + "\n"
        )
        entries.append(f"    {kind!r}: {public},")
    patterns = any(kind == "_pattern" for kind, _ in module.constants)
    parts = [header.rstrip("\n") + "\n"]
    values = []
    if "_BIG" in module.helpers:
        values.append("_BIG = 2 ** 53")
    if "_FLOAT" in module.helpers:
        values.append("_FLOAT = 1.7976931348623157e308")
    if "_uri" in module.helpers:
        values += [f"{name} = {chars!r}" for name, chars in _URI_SETS.items()]
    if "_unique" in module.helpers:
        values.append("_STR_OR_INT = frozenset((str, int))")
    if "_http_url" in module.helpers:
        values.append(f"_HOST_NAME = {validator_helpers._HOST_NAME!r}")
    values += [f"{name} = {text}" for (kind, text), name in module.constants.items() if kind == "_SET"]
    parts.append("\n".join(values) + "\n" if values else "")
    helpers = ("_text", "_plain", "_unique", "_uri", "_http_url")
    parts += [_helper_source(h) for h in helpers if h in module.helpers]
    parts += [_helper_source("_search")] if patterns else []
    parts += [
        _pattern_function(name, text, module.fast.get(name))
        for (kind, text), name in module.constants.items()
        if kind == "_pattern"
    ]
    parts += ["\n" + f for f in module.functions]
    parts.append("\nCERTAINLY_VALID = {\n" + "\n".join(entries) + "\n}\n")
    return "\n".join(part for part in parts if part)


# --- small helpers ------------------------------------------------------------------------------


def _helper_source(helper: str) -> str:
    """The source of ``helper`` and the functions it calls, as the generated module holds them."""
    return "\n" + "\n\n".join(inspect.getsource(function) for function in _HELPERS[helper])


def _pattern_function(name: str, python_pattern: str, fast: str | None) -> str:
    search = f"_search({python_pattern!r}, s)"
    return f"\ndef {name}(s):\n    return s.isascii() and len(s) <= {LONGEST_PATTERN_INPUT} and " + (
        f"({fast}(s) or {search})\n" if fast else f"{search}\n"
    )


def _function(name: str, body: list[str], where: str) -> str:
    return f"def {name}(x):  # {_comment(where)}\n" + "\n".join("    " + line for line in body + ["return True"]) + "\n"


def _dispatch(var: str, branches: list[tuple[str, list[str]]], *, restrict: bool) -> list[str]:
    """Type-dispatched branches; with ``restrict``, any other type answers "not sure"."""
    if restrict and len(branches) == 1:
        py, body = branches[0]
        return [f"if {_TEST[py].format(v=var, n=' not')}: return False"] + body
    lines = []
    for index, (py, body) in enumerate(branches):
        lines.append(f"{'if' if index == 0 else 'elif'} {_TEST[py].format(v=var, n='')}:")
        lines += _indent(body or ["pass"])
    if restrict:
        lines += ["else:", "    return False"] if lines else ["return False"]
    return lines


def _indent(lines: list[str]) -> list[str]:
    return ["    " + line for line in lines]


def _comment(text: str) -> str:
    return json.dumps(text, ensure_ascii=True)[1:-1][:80]


def _list(node: dict, key: str) -> list:
    value = node.get(key, [])
    if not isinstance(value, list):
        raise _Unsupported(f"{key} is not an array")
    return value


def _dict(node: dict, key: str) -> dict:
    value = node.get(key, {})
    if not isinstance(value, dict):
        raise _Unsupported(f"{key} is not an object")
    return value


def _natural(value: object, key: str) -> int:
    if type(value) is not int or value < 0:
        raise _Unsupported(f"{key} {value!r}")
    return value


def _scalar(value: object) -> bool:
    """A const/enum member matched here; arrays, objects, non-finite numbers and lone surrogates never are."""
    if type(value) is float:
        return value == value and abs(value) <= 1.7976931348623157e308
    if type(value) is str:
        return _encodable(value)
    return type(value) in (int, bool) or value is None


def _encodable(text: str) -> bool:
    return not has_lone_surrogate(text)


def _py_type(value: object) -> str:
    return "None" if value is None else type(value).__name__


def _same(a: object, b: object) -> bool:
    return type(a) is type(b) and a == b
