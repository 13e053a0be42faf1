"""Exit codes and the summary, the same for every command that reports diagnostics.

    0  no diagnostic at or above the ``--fail-on`` threshold (default: error);
       warnings and infos alone never fail a run unless asked to
    1  at least one diagnostic at or above the threshold
    2  the run could not check what was asked: a usage error, or input that
       cannot be read (missing file, permission denied, not UTF-8, too large),
       or a missing optional dependency
    130 interrupted (Ctrl-C)

A Python traceback is a bug: :func:`pbcfg.cli.entry` turns every failure into
one line on stderr and one of the codes above.
"""

from collections import namedtuple

from pbcfg.diagnostics import Diagnostic, Severity

__all__ = ["Summary", "exit_code"]


class Summary(namedtuple("Summary", "files errors warnings infos notes", defaults=((),))):
    """Counts of files and of diagnostics by severity; ``notes``: facts that are no diagnostic (nothing in
    the files to point at or to fix), folded into the summary: "4 enabled endpoints lack credentials in
    this environment and are skipped: …"."""

    __slots__ = ()

    @classmethod
    def of(cls, files: int, diagnostics: list[Diagnostic], notes=()) -> "Summary":
        counts = {severity: 0 for severity in Severity}
        for diagnostic in diagnostics:
            counts[diagnostic.severity] += 1
        return cls(files, counts[Severity.ERROR], counts[Severity.WARNING], counts[Severity.INFO], tuple(notes))

    def as_dict(self) -> dict:
        """``notes`` only when there are some: a list of one-line strings."""
        counts = {"files": self.files, "errors": self.errors, "warnings": self.warnings, "infos": self.infos}
        return {**counts, "notes": list(self.notes)} if self.notes else counts

    def sentence(self) -> str:
        def plural(n: int, word: str) -> str:
            return f"{n} {word}{'' if n == 1 else 's'}"

        return (f"{plural(self.files, 'file')} checked: {plural(self.errors, 'error')}, "
                f"{plural(self.warnings, 'warning')}, {plural(self.infos, 'info')}")

    def lines(self) -> list[str]:
        """The sentence, then one ``note: …`` line per note: what a terminal shows."""
        return [self.sentence()] + [f"note: {note}" for note in self.notes]


def exit_code(diagnostics: list[Diagnostic], fail_on: Severity = Severity.ERROR) -> int:
    return 1 if any(d.severity >= fail_on for d in diagnostics) else 0
