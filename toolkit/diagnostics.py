"""The one diagnostic type every pbcfg command reports through.

A finding is data: where it is (file, span, JSON pointer), what it is (rule,
severity, message) and what to do (hint). Reporters turn a list of them into
text, JSON, SARIF, JUnit or GitHub annotations; the exit code is decided from
them in :mod:`pbcfg.reporters.report`. Value types here and on the validate path are
``collections.namedtuple`` classes: as clear as dataclasses, several times
cheaper to define at start-up, and without ``typing``, which the clean path of
``pbcfg validate`` never imports (README, "Speed"). Their fields' types are
said in the docstring.
"""

from __future__ import annotations

from collections import namedtuple

__all__ = ["MAX_DIAGNOSTICS", "Diagnostic", "Severity", "Span", "hidden_severities", "plural"]

MAX_DIAGNOSTICS = 1000  # per file, by default: past it a report says how many more, and --max-diagnostics shows them


def plural(count: int, word: str, words: str | None = None) -> str:
    """``1 error``, ``0 errors``, ``2 errors``: the one plural form of every count pbcfg prints."""
    return f"{count} {word if count == 1 else words or word + 's'}"


class _SeverityType(type):
    """``Severity['ERROR']`` and ``for severity in Severity``, as an enum's."""

    def __getitem__(cls, name: str) -> Severity:
        return _SEVERITY_BY_NAME[name]

    def __iter__(cls):
        return iter(cls.ALL)


class Severity(int, metaclass=_SeverityType):
    """Ordered so that ``severity >= threshold`` reads naturally: ``INFO < WARNING < ERROR``. Three instances:
    ``Severity(3)``, a copy or an unpickled one is ``Severity.ERROR`` itself, and any other value a ValueError.
    An int like an ``IntEnum`` member, without the enum module, which costs a clean ``pbcfg validate`` more than
    its checks."""

    __slots__ = ()
    INFO: Severity
    WARNING: Severity
    ERROR: Severity
    ALL: tuple[Severity, ...]  # least severe first

    def __new__(cls, value: object) -> Severity:
        try:
            return _SEVERITY_BY_VALUE[value]  # type: ignore[index]
        except (KeyError, TypeError):
            raise ValueError(f"{value!r} is not a valid Severity") from None

    @property
    def name(self) -> str:
        return _SEVERITY_NAMES[self]

    @property
    def value(self) -> int:
        return int(self)

    @property
    def label(self) -> str:
        return self.name.lower()

    @classmethod
    def parse(cls, text: str) -> Severity:
        """The severity named ``text`` (any case); a KeyError for any other name."""
        return _SEVERITY_BY_NAME[text.upper()]

    def __repr__(self) -> str:
        return f"<Severity.{self.name}: {int(self)}>"

    __str__ = int.__repr__  # "3", as an IntEnum member prints

    def __reduce__(self) -> tuple:
        return Severity, (int(self),)


_SEVERITY_NAMES = ("", "INFO", "WARNING", "ERROR")
_SEVERITY_BY_VALUE = {value: int.__new__(Severity, value) for value in (1, 2, 3)}
Severity.INFO, Severity.WARNING, Severity.ERROR = _SEVERITY_BY_VALUE.values()
Severity.ALL = (Severity.INFO, Severity.WARNING, Severity.ERROR)
_SEVERITY_BY_NAME = {severity.name: severity for severity in Severity.ALL}


class Span(namedtuple("Span", "line column")):
    """1-based ``line`` and ``column`` (in characters, ints) of the first character."""

    __slots__ = ()


class Diagnostic(
    namedtuple("Diagnostic", "file span pointer rule severity message hint snippet", defaults=(None, None))
):
    """``file`` (str), ``span`` (Span or None), ``pointer`` (str or None), ``rule`` (str), ``severity``
    (Severity), ``message`` (str), ``hint`` and ``snippet`` (str or None)."""

    __slots__ = ()

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


def hidden_severities(hidden: dict, severity_of) -> dict:
    """Counts of diagnostics past the cap (file -> rule -> count) as file -> Severity -> count; ``severity_of``:
    rule -> the Severity it is reported at, or None when it is not reported."""
    found: dict = {}
    for name, rules in hidden.items():
        for rule, count in rules.items():
            severity = severity_of(rule)
            if severity is not None:
                by_severity = found.setdefault(name, {})
                by_severity[severity] = by_severity.get(severity, 0) + count
    return found
