"""Strict JSON, as PonyBunny's ``JSON.parse`` reads it, with plain-spoken errors.

The clean path is one ``json.loads`` call. Only when it fails, or when the
duplicate-key hook fires, does the lenient scanner run to say exactly what is
wrong and where: each comment, trailing comma and duplicate key gets its own
diagnostic, because each has its own fix.
"""

import json
from collections import namedtuple

from pbcfg.diagnostics import Diagnostic

__all__ = ["ParsedJson", "parse_json"]

_IGNORED_WHOLE = {
    "llm-config": "PonyBunny's loader would silently ignore this whole file and run on its built-in defaults",
    "credentials": "PonyBunny's loader would fail to read this file, so none of its credentials would be used",
}


# an empty file: what PonyBunny does (measured: JSON.parse("") throws "Unexpected end of JSON input"), and the fix
_EMPTY = {
    "llm-config": ("PonyBunny will warn that it cannot load it and run on its built-in defaults",
                   "write {} to run on the defaults, or a config (`pbcfg render PRESET` prints one)"),
    "credentials": ("PonyBunny will warn that it cannot load it, ignore it and take keys only from environment "
                    "variables", "write {} if every key comes from the environment, or the keys (`pbcfg render "
                    "PRESET` prints a file)"),
}

# strict_text: the text with comments and trailing commas blanked, offsets unchanged;
# readable: False when no JSON value could be read at all
ParsedJson = namedtuple("ParsedJson", "data diagnostics strict_text readable")


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
        from pbcfg.rules import diagnostic
        from pbcfg.source.positions import line_col, snippet

        bom = diagnostic("json.bom", file, "the file starts with a UTF-8 byte order mark, which JSON.parse rejects",
                         "save the file as UTF-8 without BOM", span=line_col(text, 0), pointer="", snippet=snippet(text, 0))
        return ParsedJson(None, [bom], text, False)
    if not text.strip():
        from pbcfg.rules import diagnostic
        from pbcfg.source.positions import line_col, snippet

        consequence, hint = _EMPTY.get(kind or "", ("PonyBunny's loader will not read it", "write {} or delete it"))
        empty = diagnostic("json.syntax", file, f"the file is empty; {consequence}", hint, span=line_col(text, 0),
                           snippet=snippet(text, 0))
        return ParsedJson(None, [empty], text, False)
    try:
        return ParsedJson(json.loads(text, object_pairs_hook=_pairs, parse_constant=_reject_constant), [], text, True)
    except (ValueError, RecursionError, _Duplicate):
        pass
    from pbcfg.source.jsonscan import scan

    result = scan(text)
    from pbcfg.util.masking import redact

    text = redact(text, kind)
    diagnostics = [_diagnostic(deviation, text, file, kind) for deviation in result.deviations]
    if result.fatal is None:
        data = json.loads(result.cleaned, parse_constant=float)
        return ParsedJson(data, diagnostics, result.cleaned, True)
    return ParsedJson(None, diagnostics, result.cleaned, False)


def _diagnostic(deviation, text: str, file: str, kind: str | None) -> Diagnostic:
    from pbcfg.rules import diagnostic
    from pbcfg.source.positions import line_col, snippet
    from pbcfg.util.pointer import join

    ignored = _IGNORED_WHOLE.get(kind or "", "PonyBunny's loader would not read this file")
    if deviation.kind == "comment":
        rule, message = "json.comment", f"JSON does not allow comments: {ignored}"
        hint = "delete the comment, or run `pbcfg migrate`, which strips comments and lists each one it removed"
    elif deviation.kind == "trailing-comma":
        rule, message = "json.trailing-comma", f"trailing comma before a closing bracket: {ignored}"
        hint = "delete this comma"
    elif deviation.kind == "duplicate-key":
        earlier = line_col(text, deviation.earlier)
        rule = "json.duplicate-key"
        message = (f"duplicate key {deviation.text!r}: JSON.parse keeps only this last one, so the value "
                   f"at line {earlier.line} is silently lost")
        hint = "keep one of the two entries"
    elif deviation.kind == "constant":
        rule, message = "json.syntax", f"{deviation.text} is not a JSON number: {ignored}"
        hint = "write a finite number"
    elif deviation.kind == "depth":
        rule, message = "json.depth", f"{deviation.text}: no PonyBunny config nests this deep"
        hint = "check the file for runaway brackets"
    else:
        rule, message = "json.syntax", f"{deviation.text}: {ignored}"
        hint = "fix the JSON syntax at the caret"
    pointer = join(deviation.path) if deviation.kind == "duplicate-key" else None
    return diagnostic(rule, file, message, hint, span=line_col(text, deviation.offset), pointer=pointer,
                      snippet=snippet(text, deviation.offset))
