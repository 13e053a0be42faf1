"""YAML sources (config as code): read with ruamel.yaml, positions from its line/column marks.

A YAML file is held to what the JSON it stands for can express: no anchors or
aliases (a YAML bomb expands exponentially), no custom tags, no duplicate
keys. Everything else is checked exactly like the JSON files.
"""

from __future__ import annotations

from typing import NamedTuple

from pbcfg.diagnostics import Diagnostic, Span
from pbcfg.rules import diagnostic
from pbcfg.source.positions import snippet

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


def _offset(text: str, line: int, column: int) -> int:
    """Offset of a 0-based line and column."""
    offset = 0
    for _ in range(line):
        offset = text.index("\n", offset) + 1
    return offset + column


class YamlLocator:
    def __init__(self, root, display: str) -> None:
        self.root = root
        self.display = display

    def _mark(self, tokens: list, key: bool) -> tuple[int, int] | None:
        node, mark = self.root, (0, 0)
        for index, token in enumerate(tokens):
            last = index == len(tokens) - 1
            try:
                if hasattr(node, "lc") and isinstance(node, dict) and token in node:
                    mark = node.lc.key(token) if (last and key) else node.lc.value(token)
                    node = node[token]
                elif hasattr(node, "lc") and isinstance(node, list) and int(token) < len(node):
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
        try:
            offset = _offset(self.display, line, column)
        except ValueError:
            return None
        return Span(line + 1, column + 1), snippet(self.display, offset)


def _plain(node, seen: set, tokens: list):
    """CommentedMap/Seq to dict/list, refusing aliases, tags and non-string keys."""
    if isinstance(node, (dict, list)):
        if id(node) in seen:
            raise _Unsupported("a YAML alias: anchors and aliases are not supported in PonyBunny config sources",
                               tokens)
        seen.add(id(node))
        if isinstance(node, list):
            return [_plain(item, seen, tokens + [index]) for index, item in enumerate(node)]
        plain = {}
        for key, value in node.items():
            if not isinstance(key, str):
                raise _Unsupported(f"the key {key!r} is not a string", tokens)
            plain[str(key)] = _plain(value, seen, tokens + [key])
        return plain
    if isinstance(node, bool) or node is None:
        return node
    for kind in (int, float, str):
        if isinstance(node, kind):
            return kind(node)
    raise _Unsupported(f"a value of YAML type {type(node).__name__} (a tag or a date?), which JSON cannot hold",
                       tokens)


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

    from pbcfg.util.masking import redact

    display = redact(text, kind, yaml=True)
    yaml = YAML(typ="rt")
    try:
        root = yaml.load(text)
    except MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        rule = "yaml.duplicate-key" if "Duplicate" in type(error).__name__ else "yaml.syntax"
        span = Span(mark.line + 1, mark.column + 1) if mark else None
        shown = snippet(display, _offset(display, mark.line, mark.column)) if mark and mark.line < display.count("\n") + 1 else None
        problem, hint = (error.problem or "invalid YAML").strip(), "fix the YAML at the caret"
        if mark and "'\\t'" in problem:
            problem = ("YAML does not allow tabs for indentation; use spaces" if _tab_indents(text, mark.line)
                       else "a tab where YAML takes only spaces; use spaces")
            hint = "replace the tabs with spaces"
        return ParsedYaml(None, [diagnostic(rule, file, problem, hint, span=span, snippet=shown)], False, None)
    except (YAMLError, RecursionError, ValueError) as error:
        message = "nesting too deep" if isinstance(error, RecursionError) else str(error).split("\n")[0]
        return ParsedYaml(None, [diagnostic("yaml.syntax", file, message, "fix the YAML")], False, None)
    locator = YamlLocator(root, display)
    try:
        data = _plain(root, set(), [])
    except _Unsupported as unsupported:
        from pbcfg.util.pointer import join

        located = locator.locate(unsupported.tokens)
        span, shown = located if located else (None, None)
        return ParsedYaml(None, [diagnostic("yaml.unsupported", file, str(unsupported), "write the values out in full, as JSON would",
                                            span=span, pointer=join(unsupported.tokens), snippet=shown)], False, None)
    except RecursionError:
        return ParsedYaml(None, [diagnostic("yaml.syntax", file, "nesting too deep", "check the file for runaway nesting")], False, None)
    return ParsedYaml(data, [], True, locator)
