"""Strict JSON, as PonyBunny's ``JSON.parse`` reads it, with plain-spoken errors.

The clean path is one ``json.loads`` (:mod:`pbcfg.util.json_load`). Only when it fails, or when the
duplicate-key hook fires, does the lenient scanner run to say exactly what is
wrong and where: each comment, trailing comma and duplicate key gets its own
diagnostic, because each has its own fix.
"""

from pbcfg.diagnostics import Diagnostic
from pbcfg.source.limits import MAX_DEPTH, MAX_STRING, MAX_VALUES, fits, has_lone_surrogate, may_hold_lone_surrogate
from pbcfg.util.json_load import loads

__all__ = ["ParsedJson", "parse_json"]

_IGNORED_WHOLE = {
    "llm-config": "PonyBunny's loader would silently ignore this whole file and run on its built-in defaults",
    "credentials": "PonyBunny's loader would fail to read this file, so none of its credentials would be used",
}


# an empty file: what PonyBunny does (measured: JSON.parse("") throws "Unexpected end of JSON input"), and the fix
_EMPTY = {
    "llm-config": (
        "PonyBunny will warn that it cannot load it and run on its built-in defaults",
        "write {} to run on the defaults, or a config (`pbcfg render ollama` prints one; `pbcfg presets` lists the "
        "others)",
    ),
    "credentials": (
        "PonyBunny will warn that it cannot load it, ignore it and take keys only from environment variables",
        "write {} if every key comes from the environment, or the keys (`pbcfg render openai` prints a file; "
        "`pbcfg presets` lists the others)",
    ),
}


class ParsedJson:
    """``data``; ``diagnostics``; ``strict_text``: the text with comments and trailing commas blanked, offsets
    unchanged; ``readable``: False when no JSON value could be read at all. (A plain class: defining a
    namedtuple costs the clean path a tenth of a millisecond.)"""

    __slots__ = ("data", "diagnostics", "readable", "strict_text")

    def __init__(self, data: object, diagnostics: list[Diagnostic], strict_text: str, readable: bool) -> None:
        self.data = data
        self.diagnostics = diagnostics
        self.strict_text = strict_text
        self.readable = readable


class _Duplicate(Exception):
    pass


def _pairs(pairs: list) -> dict:
    result = dict(pairs)
    if len(result) != len(pairs):
        raise _Duplicate
    return result


def _reject_constant(name: str) -> None:
    raise ValueError(name)


def _is_unicode(data: object) -> bool:
    """False when some string or key holds half a surrogate pair (rare: only a \\uD800-\\uDFFF escape does that)."""
    import json

    try:
        json.dumps(data, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def parse_json(text: str, file: str, kind: str | None) -> ParsedJson:
    if text.startswith("\ufeff"):
        from pbcfg.catalog import diagnostic
        from pbcfg.source.positions import line_col, snippet

        bom = diagnostic(
            "json.bom",
            file,
            "the file starts with a UTF-8 byte order mark, which JSON.parse rejects",
            "save the file as UTF-8 without BOM",
            span=line_col(text, 0),
            pointer="",
            snippet=snippet(text, 0),
        )
        return ParsedJson(None, [bom], text, False)
    if not text.strip():
        from pbcfg.catalog import diagnostic
        from pbcfg.source.positions import line_col, snippet

        consequence, hint = _EMPTY.get(kind or "", ("PonyBunny's loader will not read it", "write {} or delete it"))
        empty = diagnostic(
            "json.syntax",
            file,
            f"the file is empty; {consequence}",
            hint,
            span=line_col(text, 0),
            snippet=snippet(text, 0),
        )
        return ParsedJson(None, [empty], text, False)
    if fits(text) and (text.isascii() or not has_lone_surrogate(text)):  # within every limit, if it parses
        try:
            data = loads(text, object_pairs_hook=_pairs, parse_constant=_reject_constant)
        except (ValueError, RecursionError, _Duplicate):
            pass
        else:
            if not may_hold_lone_surrogate(text) or _is_unicode(data):
                return ParsedJson(data, [], text, True)
    from pbcfg.source.jsonscan import scan

    result = scan(text)
    from pbcfg.secrets.masking import mask_text
    from pbcfg.source.positions import Lines

    lines = Lines(mask_text(text, kind))  # one count of the lines for every deviation; secrets masked in snippets
    diagnostics = [_diagnostic(deviation, lines, file, kind) for deviation in result.deviations]
    if result.fatal is None:
        data = loads(result.cleaned)
        return ParsedJson(data, diagnostics, result.cleaned, True)
    return ParsedJson(None, diagnostics, result.cleaned, False)


_LIMITS = {  # deviation kind -> (rule, the limit and why it is enough, what to do)
    "depth": (
        "limits.depth",
        f"pbcfg reads at most {MAX_DEPTH}; no PonyBunny config nests more than a few levels",
        "check the file for runaway brackets",
    ),
    "string": (
        "limits.string-length",
        f"pbcfg reads at most {MAX_STRING:,} in one string; no PonyBunny setting comes near",
        "check that this is the file you meant, and that the string ends where it should",
    ),
    "values": (
        "limits.values",
        f"pbcfg reads at most {MAX_VALUES:,} in one file; a config of 50,000 models has about 650,000",
        "check that this is the file you meant",
    ),
}


def _diagnostic(deviation, lines, file: str, kind: str | None) -> Diagnostic:
    from pbcfg.catalog import diagnostic
    from pbcfg.util.pointer import join

    ignored = _IGNORED_WHOLE.get(kind or "", "PonyBunny's loader would not read this file")
    if deviation.kind == "comment":
        rule, message = "json.comment", f"JSON does not allow comments: {ignored}"
        from os.path import dirname

        from pbcfg.source.commands import pbcfg_on

        hint = (
            f"delete the comment, or run `{pbcfg_on(dirname(file), 'migrate')}`, which strips comments "
            "and lists each one it removed"
        )
    elif deviation.kind == "trailing-comma":
        rule, message = "json.trailing-comma", f"trailing comma before a closing bracket: {ignored}"
        hint = "delete this comma"
    elif deviation.kind == "duplicate-key":
        earlier = lines.span(deviation.earlier)
        rule = "json.duplicate-key"
        message = (
            f"duplicate key {deviation.text!r}: JSON.parse keeps only this last one, so the value "
            f"at line {earlier.line} is silently lost"
        )
        hint = "keep one of the two entries"
    elif deviation.kind == "constant":
        rule, message = "json.syntax", f"{deviation.text} is not a JSON number: {ignored}"
        hint = "write a finite number"
    elif deviation.kind in _LIMITS:
        rule, limit, hint = _LIMITS[deviation.kind]
        message = f"{deviation.text}: {limit}"
    elif deviation.kind == "surrogate":
        rule, message = "json.lone-surrogate", deviation.text
        hint = "delete the escape, or write the character meant: both halves of its pair, or the character itself"
    else:
        rule, message = "json.syntax", f"{deviation.text}: {ignored}"
        hint = "fix the JSON syntax at the caret"
    pointer = (
        join(deviation.path) if deviation.kind not in ("comment", "trailing-comma", "constant", "syntax") else None
    )
    return diagnostic(
        rule,
        file,
        message,
        hint,
        span=lines.span(deviation.offset),
        pointer=pointer,
        snippet=lines.snippet(deviation.offset),
    )
