"""Strict JSON, as PonyBunny's ``JSON.parse`` reads it, with plain-spoken errors.

The clean path is one ``json.loads`` call. Only when it fails, or when the
duplicate-key hook fires, does the lenient scanner run to say exactly what is
wrong and where: each comment, trailing comma and duplicate key gets its own
diagnostic, because each has its own fix.
"""

import json
from typing import NamedTuple

from .diagnostics import Diagnostic, Severity

__all__ = ["ParsedJson", "parse_json"]

_IGNORED_WHOLE = {
    "llm-config": "PonyBunny's loader would silently ignore this whole file and run on its built-in defaults",
    "credentials": "PonyBunny's loader would fail to read this file, so none of its credentials would be used",
}


class ParsedJson(NamedTuple):
    data: object
    diagnostics: list[Diagnostic]
    strict_text: str  # the text with comments and trailing commas blanked, offsets unchanged
    readable: bool  # False when no JSON value could be read at all


class _Duplicate(Exception):
    pass


def _pairs(pairs: list) -> dict:
    result = dict(pairs)
    if len(result) != len(pairs):
        raise _Duplicate
    return result


def _reject_constant(name: str) -> None:
    raise ValueError(name)


def parse_json(text: str, file: str, kind: str | None) -> ParsedJson:
    if text.startswith("\ufeff"):
        from .positions import line_col, snippet

        bom = Diagnostic(file, line_col(text, 0), "", "json.bom", Severity.ERROR,
                         "the file starts with a UTF-8 byte order mark, which JSON.parse rejects",
                         "save the file as UTF-8 without BOM", snippet(text, 0))
        return ParsedJson(None, [bom], text, False)
    try:
        return ParsedJson(json.loads(text, object_pairs_hook=_pairs, parse_constant=_reject_constant), [], text, True)
    except (ValueError, RecursionError, _Duplicate):
        pass
    from .jsonscan import scan

    result = scan(text)
    from .masking import redact

    text = redact(text, kind)
    diagnostics = [_diagnostic(finding, text, file, kind) for finding in result.findings]
    if result.fatal is None:
        data = json.loads(result.cleaned, parse_constant=float)
        return ParsedJson(data, diagnostics, result.cleaned, True)
    return ParsedJson(None, diagnostics, result.cleaned, False)


def _diagnostic(finding, text: str, file: str, kind: str | None) -> Diagnostic:
    from .pointer import join
    from .positions import line_col, snippet

    ignored = _IGNORED_WHOLE.get(kind or "", "PonyBunny's loader would not read this file")
    if finding.kind == "comment":
        rule, message = "json.comment", f"JSON does not allow comments: {ignored}"
        hint = "delete the comment, or run `pbcfg migrate`, which strips comments and lists each one it removed"
    elif finding.kind == "trailing-comma":
        rule, message = "json.trailing-comma", f"trailing comma before a closing bracket: {ignored}"
        hint = "delete this comma"
    elif finding.kind == "duplicate-key":
        earlier = line_col(text, finding.earlier)
        rule = "json.duplicate-key"
        message = (f"duplicate key {finding.text!r}: JSON.parse keeps only this last one, so the value "
                   f"at line {earlier.line} is silently lost")
        hint = "keep one of the two entries"
    elif finding.kind == "constant":
        rule, message = "json.syntax", f"{finding.text} is not a JSON number: {ignored}"
        hint = "write a finite number"
    elif finding.kind == "depth":
        rule, message = "json.depth", f"{finding.text}: no PonyBunny config nests this deep"
        hint = "check the file for runaway brackets"
    else:
        rule, message = "json.syntax", f"{finding.text}: {ignored}"
        hint = "fix the JSON syntax at the caret"
    pointer = join(finding.path) if finding.kind == "duplicate-key" else None
    return Diagnostic(file, line_col(text, finding.offset), pointer, rule, Severity.ERROR, message, hint,
                      snippet(text, finding.offset))
