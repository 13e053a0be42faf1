"""A parsed config file, and the one way to attach a finding to a place in it.

Positions are computed lazily: a document that produces no diagnostic never
builds its index. The first diagnostic of a JSON document builds one
:class:`~pbcfg.source.jsonindex.JsonIndex` and one
:class:`~pbcfg.source.positions.Lines`, which every later diagnostic and every
fix of that document shares.
"""

from __future__ import annotations

from pbcfg.diagnostics import Diagnostic
from pbcfg.source.reading import Source
from pbcfg.util.pointer import join

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing, which validate's clean path never does
if TYPE_CHECKING:
    from pbcfg.source.jsonindex import JsonIndex
    from pbcfg.source.positions import Lines

__all__ = ["Document"]


class Document:
    __slots__ = (
        "source",
        "data",
        "strict_text",
        "_locator",
        "_index",
        "_lines",
        "_display",
        "_shown_lines",
        "room",
        "unbuilt",
        "unique_keys",
    )

    def __init__(self, source: Source, data: object, strict_text: str | None, locator=None) -> None:
        self.source = source
        self.data = data
        self.strict_text = strict_text  # JSON only: offsets equal the source text's; comments blanked
        self._locator = locator  # YAML: given by the parser; JSON: positions come from the index
        self._index: JsonIndex | None = None
        self._lines: Lines | None = None
        self._display: str | None = None  # the text with secrets masked, made only for snippets of very long lines
        self._shown_lines: dict[int, tuple[int, str]] = {}  # line start -> (first, its lines with secrets masked)
        self.room: int | None = None  # how many more diagnostics may be built (the report's cap); None: no cap
        self.unbuilt: dict[str, int] = {}  # rule -> diagnostics found past the cap, counted and never built
        self.unique_keys = False  # JSON without a duplicate key: a position is found by listing up to its key only

    @property
    def kind(self) -> str:
        return self.source.kind

    @property
    def name(self) -> str:
        return self.source.name

    @property
    def index(self):
        """The JSON offset index of this document, built on first use."""
        if self._index is None:
            from pbcfg.source.jsonindex import JsonIndex

            self._index = JsonIndex(self.strict_text, unique_keys=self.unique_keys)
        return self._index

    def _locate(self, tokens: list, key: bool):
        if self._locator is not None:
            return self._locator.locate(tokens, key=key)
        if self._lines is None:
            from pbcfg.source.positions import Lines

            self._lines = Lines(self.source.text)
        offset = self.index.offset(tokens, key=key)
        return self._lines.span(offset), self._lines.snippet(offset, view=self._shown)

    def _shown(self, start: int, end: int) -> str:
        """``text[start:end]`` as a snippet may show it: secrets masked, same length. Each line is masked once,
        however many diagnostics it holds."""
        from pbcfg.secrets.masking import mask_lines, mask_text

        if self._display is None:
            assert self._lines is not None  # a snippet is shown only once the lines are counted
            line = self._lines.line_start(start)
            shown = self._shown_lines.get(line)
            if shown is None or line + len(shown[1]) < end:
                shown = mask_lines(self.source.text, start, end, self.kind)
                if shown is not None:
                    self._shown_lines[line] = shown
            if shown is not None:
                first, masked = shown
                return masked[start - first : end - first]
            self._display = mask_text(self.source.text, self.kind)
        return self._display[start:end]

    def has_room(self, rule: str) -> bool:
        """True while the cap on diagnostics leaves room; past it False, and ``rule`` counted as one more finding
        not built: a file with a million errors costs a count each, not a message, a hint and a position."""
        if self.room is None or self.room > 0:
            return True
        self.unbuilt[rule] = self.unbuilt.get(rule, 0) + 1
        return False

    def diagnostic(
        self, tokens: list, rule: str, message: str, hint: str | None = None, *, key: bool = False
    ) -> Diagnostic:
        """A diagnostic of ``rule`` at the value (or, with ``key``, the key) that ``tokens`` lead to."""
        from pbcfg.catalog import diagnostic

        if self.room is not None:
            self.room -= 1

        located = self._locate(list(tokens), key)
        span, snippet = located if located else (None, None)
        return diagnostic(rule, self.name, message, hint, span=span, pointer=join(tokens), snippet=snippet)
