"""YAML sources (config as code): read with ruamel.yaml, positions from its line/column marks.

A YAML file is held to what the JSON it stands for can express: no anchors or
aliases (a YAML bomb expands exponentially; an anchored ``true`` reads as the
integer 1), no custom tags, no duplicate keys. Everything else is checked
exactly like the JSON files. The depth limit is checked in the scanner too, at
each ``[`` and ``{``: the scanner reads a whole flow collection ahead of the
parser, in time that grows faster than its size.
"""

from __future__ import annotations

from typing import NamedTuple

from pbcfg.catalog import diagnostic
from pbcfg.diagnostics import Diagnostic, Span
from pbcfg.source.limits import MAX_DEPTH, MAX_STRING, MAX_VALUES, has_lone_surrogate
from pbcfg.source.positions import Lines

__all__ = ["ParsedYaml", "YamlLocator", "parse_yaml"]


class ParsedYaml(NamedTuple):
    data: object
    diagnostics: list[Diagnostic]
    readable: bool
    locator: object


class _Unsupported(Exception):
    def __init__(self, message: str, tokens: list) -> None:
        super().__init__(message)
        self.tokens = tokens


class YamlLocator:
    def __init__(self, root, text: str, kind: str | None) -> None:
        self.root = root
        self.text, self.kind = text, kind
        self._lines: Lines | None = None

    @property
    def lines(self) -> Lines:
        """The lines of the text as shown (secrets masked), counted the first time a position is asked for."""
        if self._lines is None:
            from pbcfg.secrets.masking import mask_text

            self._lines = Lines(mask_text(self.text, self.kind, yaml=True))
        return self._lines

    def _mark(self, tokens: list, key: bool) -> tuple[int, int] | None:
        node, mark = self.root, (0, 0)
        for index, token in enumerate(tokens):
            last = index == len(tokens) - 1
            try:
                if isinstance(node, dict) and hasattr(node, "lc") and token in node:
                    mark = node.lc.key(token) if (last and key) else node.lc.value(token)
                    node = node[token]
                elif isinstance(node, list) and hasattr(node, "lc") and int(token) < len(node):
                    mark = node.lc.item(int(token))
                    node = node[int(token)]
                else:
                    break
            except (KeyError, ValueError, TypeError, AttributeError):
                break
        return mark

    def locate(self, tokens: list, *, key: bool = False) -> tuple[Span, str] | None:
        mark = self._mark(tokens, key)
        if mark is None:
            return None
        line, column = mark
        offset = self.lines.offset(line, column)
        if offset is None:
            return None
        return Span(line + 1, column + 1), self.lines.snippet(offset)


class _Limit(Exception):
    """A node of the source refused: a limit of :mod:`pbcfg.source.limits` broken, text that is not Unicode,
    an anchor or an alias."""

    def __init__(self, rule: str, message: str, hint: str, mark) -> None:
        super().__init__(message)
        self.rule, self.hint, self.mark = rule, hint, mark


_DEPTH_MESSAGE = (
    f"more than {MAX_DEPTH} nested mappings and sequences: pbcfg reads at most that many; no PonyBunny "
    "config nests more than a few levels"
)
_DEPTH_HINT = "check the file for runaway nesting"


def _bounded_composer(base):
    """ruamel.yaml's composer, held to the limits as it builds each node, before it goes any deeper."""

    class Bounded(base):
        levels = values = 0

        def _next_mark(self):
            return self.parser.peek_event().start_mark

        def compose_node(self, parent, index):
            from ruamel.yaml.events import AliasEvent

            event = self.parser.peek_event()
            if isinstance(event, AliasEvent) or getattr(event, "anchor", None) is not None:
                what = (
                    f"an alias (*{event.anchor})" if isinstance(event, AliasEvent) else f"an anchor (&{event.anchor})"
                )
                raise _Limit(
                    "yaml.unsupported",
                    f"{what}: anchors and aliases are not supported in PonyBunny config sources",
                    "write the value out in full, as JSON would",
                    event.start_mark,
                )
            if parent is not None and index is not None:  # a mapping's value or a sequence's item
                self.values += 1
                if self.values > MAX_VALUES:
                    raise _Limit(
                        "limits.values",
                        f"more than {MAX_VALUES:,} keys and array items: pbcfg reads at most that many in one file",
                        "check that this is the file you meant",
                        self._next_mark(),
                    )
            return super().compose_node(parent, index)

        def _container(self, compose, anchor):
            if self.levels >= MAX_DEPTH:
                raise _Limit("limits.depth", _DEPTH_MESSAGE, _DEPTH_HINT, self._next_mark())
            self.levels += 1
            try:
                return compose(anchor)
            finally:
                self.levels -= 1

        def compose_sequence_node(self, anchor):
            return self._container(super().compose_sequence_node, anchor)

        def compose_mapping_node(self, anchor):
            return self._container(super().compose_mapping_node, anchor)

        def compose_scalar_node(self, anchor):
            event = self.parser.peek_event()
            if len(event.value) > MAX_STRING:
                raise _Limit(
                    "limits.string-length",
                    f"a string of {len(event.value):,} characters: pbcfg reads at most {MAX_STRING:,} in one string",
                    "check that this is the file you meant",
                    event.start_mark,
                )
            if not event.value.isascii() and has_lone_surrogate(event.value):
                raise _Limit(
                    "yaml.lone-surrogate",
                    "a \\u escape that is half of a UTF-16 surrogate pair, without "
                    "the other half: text that is not Unicode, which cannot be written as UTF-8",
                    "write the character itself, or \\U and its eight hex digits (YAML joins no pairs)",
                    event.start_mark,
                )
            return super().compose_scalar_node(anchor)

    return Bounded


def _bounded_scanner(base):
    """ruamel.yaml's scanner, refusing a flow collection nested too deep as it reaches its bracket.

    Its open block collections (one indentation each) and flow collections are a lower bound of the depth the
    composer counts (an indentless sequence adds none), so it refuses nothing the composer would accept."""

    class Bounded(base):
        def fetch_flow_collection_start(self, TokenClass, to_push):
            if len(self.indents) + len(self.flow_context) + 1 > MAX_DEPTH:
                raise _Limit("limits.depth", _DEPTH_MESSAGE, _DEPTH_HINT, self.reader.get_mark())
            return super().fetch_flow_collection_start(TokenClass, to_push)

    return Bounded


def _plain(node, tokens: list):
    """CommentedMap/Seq to dict/list, refusing tags and non-string keys (the composer refused anchors and aliases)."""
    if isinstance(node, (dict, list)):
        if isinstance(node, list):
            return [_plain(item, tokens + [index]) for index, item in enumerate(node)]
        plain = {}
        for key, value in node.items():
            if not isinstance(key, str):
                raise _Unsupported(f"the key {key!r} is not a string", tokens)
            plain[str(key)] = _plain(value, tokens + [key])
        return plain
    if isinstance(node, bool) or node is None:
        return node
    for kind in (int, float, str):
        if isinstance(node, kind):
            return kind(node)
    raise _Unsupported(f"a value of YAML type {type(node).__name__} (a tag or a date?), which JSON cannot hold", tokens)


def _tab_indents(text: str, line: int) -> bool:
    """True when a tab sits in the indentation of the 0-based ``line``."""
    lines = text.split("\n")
    if line >= len(lines):
        return False
    content = lines[line]
    return "\t" in content[: len(content) - len(content.lstrip(" \t"))]


def parse_yaml(text: str, file: str, kind: str | None) -> ParsedYaml:
    from ruamel.yaml import YAML
    from ruamel.yaml.error import MarkedYAMLError, YAMLError

    yaml = YAML(typ="rt")
    yaml.Composer = _bounded_composer(yaml.Composer)
    yaml.Scanner = _bounded_scanner(yaml.Scanner)

    def at(rule: str, message: str, hint: str, mark) -> ParsedYaml:
        lines = YamlLocator(None, text, kind).lines
        offset = lines.offset(mark.line, mark.column) if mark else None
        span = Span(mark.line + 1, mark.column + 1) if mark else None
        shown = lines.snippet(offset) if offset is not None else None
        return ParsedYaml(None, [diagnostic(rule, file, message, hint, span=span, snippet=shown)], False, None)

    try:
        root = yaml.load(text)
    except _Limit as limit:
        return at(limit.rule, str(limit), limit.hint, limit.mark)
    except MarkedYAMLError as error:
        rule = "yaml.duplicate-key" if "Duplicate" in type(error).__name__ else "yaml.syntax"
        problem, hint = (error.problem or "invalid YAML").strip(), "fix the YAML at the caret"
        mark = error.problem_mark or error.context_mark
        if mark and "'\\t'" in problem:
            problem = (
                "YAML does not allow tabs for indentation; use spaces"
                if _tab_indents(text, mark.line)
                else "a tab where YAML takes only spaces; use spaces"
            )
            hint = "replace the tabs with spaces"
        return at(rule, problem, hint, mark)
    except (YAMLError, ValueError) as error:
        return ParsedYaml(
            None, [diagnostic("yaml.syntax", file, str(error).split("\n")[0], "fix the YAML")], False, None
        )
    locator = YamlLocator(root, text, kind)
    try:
        data = _plain(root, [])
    except _Unsupported as unsupported:
        from pbcfg.util.pointer import join

        located = locator.locate(unsupported.tokens)
        span, shown = located if located else (None, None)
        return ParsedYaml(
            None,
            [
                diagnostic(
                    "yaml.unsupported",
                    file,
                    str(unsupported),
                    "write the values out in full, as JSON would",
                    span=span,
                    pointer=join(unsupported.tokens),
                    snippet=shown,
                )
            ],
            False,
            None,
        )
    return ParsedYaml(data, [], True, locator)
