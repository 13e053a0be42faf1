"""JSON text to Python values by the C scanner ``json.loads`` runs, without importing ``json``.

Importing ``json`` compiles six regular expressions, which costs the clean path
of ``pbcfg validate`` more than reading a seed-sized pair; the scanner is
``_json.make_scanner``, the one ``json.decoder`` uses, so the values and what
is refused are the same.
"""

from __future__ import annotations

__all__ = ["loads"]

_BLANK = " \t\n\r"  # JSON's whitespace, and all that json.loads skips around a value


class _Settings:
    """What the scanner reads from a ``json.JSONDecoder``."""

    strict = True
    object_hook = None

    def __init__(self, object_pairs_hook, parse_float, parse_int, parse_constant) -> None:
        self.object_pairs_hook = object_pairs_hook
        self.parse_float = parse_float
        self.parse_int = parse_int
        self.parse_constant = parse_constant


def loads(text: str, *, object_pairs_hook=None, parse_float=float, parse_int=int, parse_constant=float) -> object:
    """``json.loads(text, ...)`` with the same hooks; ValueError when ``text`` is not one JSON value
    (``parse_constant=float`` reads NaN and ±Infinity as json.loads does by default)."""
    settings = _Settings(object_pairs_hook, parse_float, parse_int, parse_constant)
    try:
        from _json import make_scanner
    except ImportError:  # an interpreter without CPython's accelerator
        return _json_loads(text, settings)
    start = len(text) - len(text.lstrip(_BLANK))
    try:
        # typeshed wants a JSONDecoder; the scanner reads only the attributes _Settings has
        value, end = make_scanner(settings)(text, start)  # type: ignore[arg-type]
    except StopIteration:
        raise ValueError("Expecting value") from None
    except SystemError:  # Python 3.11: the scanner cannot raise its error while json.decoder is not imported
        return _json_loads(text, settings)
    if end != len(text.rstrip(_BLANK)):
        raise ValueError("Extra data")
    return value


def _json_loads(text: str, settings: _Settings) -> object:
    """``json.loads`` itself, imported only for text the scanner refused or could not read."""
    import json

    return json.loads(
        text,
        object_pairs_hook=settings.object_pairs_hook,
        parse_float=settings.parse_float,
        parse_int=settings.parse_int,
        parse_constant=settings.parse_constant,
    )
