"""A parsed config file, and the one way to attach a finding to a place in it.

Positions are computed lazily: a document that produces no diagnostic never
builds a locator.
"""

from __future__ import annotations

from pbcfg.diagnostics import Diagnostic
from pbcfg.source.files import Source
from pbcfg.util.pointer import join

__all__ = ["Document"]


class Document:
    __slots__ = ("source", "data", "strict_text", "_locator")

    def __init__(self, source: Source, data: object, strict_text: str | None, locator=None) -> None:
        self.source = source
        self.data = data
        self.strict_text = strict_text  # JSON only: offsets equal the source text's; comments blanked
        self._locator = locator  # built on first use for JSON; given for YAML

    @property
    def kind(self) -> str:
        return self.source.kind

    @property
    def name(self) -> str:
        return self.source.name

    def _locate(self, tokens: list, key: bool):
        if self._locator is None:
            from pbcfg.source.positions import JsonLocator
            from pbcfg.util.masking import redact

            self._locator = JsonLocator(self.strict_text, redact(self.source.text, self.kind))
        return self._locator.locate(tokens, key=key)

    def diagnostic(self, tokens: list, rule: str, message: str, hint: str | None = None, *,
                   key: bool = False) -> Diagnostic:
        """A diagnostic of ``rule`` at the value (or, with ``key``, the key) that ``tokens`` lead to."""
        from pbcfg.rules import diagnostic

        located = self._locate(list(tokens), key)
        span, snippet = located if located else (None, None)
        return diagnostic(rule, self.name, message, hint, span=span, pointer=join(tokens), snippet=snippet)
