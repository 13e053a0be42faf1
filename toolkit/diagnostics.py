"""The one diagnostic type every pbcfg command reports through.

A finding is data: where it is (file, span, JSON pointer), what it is (rule,
severity, message) and what to do (hint). Reporters turn a list of them into
text, JSON, SARIF, JUnit or GitHub annotations; the exit code is decided from
them in :mod:`pbcfg.report`. Value types here and on the validate path are
NamedTuples: as clear as dataclasses, several times cheaper to define at
start-up. Their modules do without ``from __future__ import annotations``:
typing compiles every string annotation of a NamedTuple field, which costs
more than the rest of the class.
"""

from enum import IntEnum
from typing import NamedTuple

__all__ = ["Diagnostic", "Severity", "Span"]


class Severity(IntEnum):
    """Ordered so that ``severity >= threshold`` reads naturally."""

    INFO = 1
    WARNING = 2
    ERROR = 3

    @property
    def label(self) -> str:
        return self.name.lower()

    @classmethod
    def parse(cls, text: str) -> "Severity":
        return cls[text.upper()]


class Span(NamedTuple):
    """1-based line and column (in characters) of the first character."""

    line: int
    column: int


class Diagnostic(NamedTuple):
    file: str
    span: Span | None
    pointer: str | None
    rule: str
    severity: Severity
    message: str
    hint: str | None = None
    snippet: str | None = None

    @property
    def line(self) -> int | None:
        return self.span.line if self.span else None

    @property
    def column(self) -> int | None:
        return self.span.column if self.span else None

    def sort_key(self) -> tuple:
        return (self.file, self.line or 0, self.column or 0, self.rule, self.pointer or "")

    def as_dict(self) -> dict:
        """The stable JSON shape tools parse (see README, "JSON output")."""
        return {
            "file": self.file,
            "line": self.line,
            "column": self.column,
            "pointer": self.pointer,
            "rule": self.rule,
            "severity": self.severity.label,
            "message": self.message,
            "hint": self.hint,
        }

