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

from pbcfg.diagnostics import Diagnostic, Severity, plural

__all__ = ["Fixes", "Summary", "exit_code"]


class Fixes(namedtuple("Fixes", "safe unsafe command")):
    """What lint's fixes would do: how many findings ``command`` (``pbcfg lint --fix`` and this run's paths)
    fixes, and how many more it fixes with ``--unsafe-fixes``."""

    __slots__ = ()


class Summary(
    namedtuple("Summary", "files errors warnings infos notes fixes hidden tool", defaults=((), None, (), "validate"))
):
    """Counts of files and of diagnostics by severity, those past the cap included; ``notes``: facts that are
    no diagnostic (nothing in the files to point at or to fix), folded into the summary: "4 enabled endpoints
    lack credentials in this environment and are skipped: …"; ``fixes``: lint's :class:`Fixes`, None for other
    commands; ``hidden``: (file, how many of its diagnostics are past the cap) pairs; ``tool``: the command, which
    the line about them names."""

    __slots__ = ()

    @classmethod
    def of(
        cls,
        files: int,
        diagnostics: list[Diagnostic],
        notes=(),
        fixes: Fixes | None = None,
        hidden: dict[str, dict[Severity, int]] | None = None,
        tool: str = "validate",
    ) -> "Summary":
        counts = {severity: 0 for severity in Severity.ALL}
        for diagnostic in diagnostics:
            counts[diagnostic.severity] += 1
        for by_severity in (hidden or {}).values():
            for severity, count in by_severity.items():
                counts[severity] += count
        past = tuple((name, sum(by_severity.values())) for name, by_severity in (hidden or {}).items())
        return cls(
            files,
            counts[Severity.ERROR],
            counts[Severity.WARNING],
            counts[Severity.INFO],
            tuple(notes),
            fixes,
            past,
            tool,
        )

    def as_dict(self) -> dict:
        """``fixable`` for lint (and ``unsafeFixable``); ``notShown`` (file -> count) past the cap; ``notes`` only
        when there are some: one-line strings."""
        counts = {"files": self.files, "errors": self.errors, "warnings": self.warnings, "infos": self.infos}
        if self.fixes is not None:
            counts.update(fixable=self.fixes.safe, unsafeFixable=self.fixes.unsafe)
        if self.hidden:
            counts["notShown"] = dict(self.hidden)
        return {**counts, "notes": list(self.notes)} if self.notes else counts

    def hidden_lines(self) -> list[str]:
        """One line per file with diagnostics past the cap; the command that shows them all is lint's for lint,
        else validate's (add and the others have no --max-diagnostics)."""
        if not self.hidden:
            return []
        import shlex

        tool = "lint" if self.tool == "lint" else "validate"
        return [
            f"… and {count:,} more in {name}; `pbcfg {tool} --max-diagnostics 0 {shlex.quote(name)}` shows them all"
            for name, count in self.hidden
        ]

    def sentence(self) -> str:
        return (
            f"{plural(self.files, 'file')} checked: {plural(self.errors, 'error')}, "
            f"{plural(self.warnings, 'warning')}, {plural(self.infos, 'info')}"
        )

    def fix_line(self) -> str | None:
        """``2 fixable with `pbcfg lint --fix .` (1 more with --unsafe-fixes)``; None when nothing is."""
        fixes = self.fixes
        if fixes is None or not fixes.safe + fixes.unsafe:
            return None
        if not fixes.safe:
            return f"{fixes.unsafe} fixable with `{fixes.command} --unsafe-fixes` (fixes that guess; check each)"
        more = f" ({fixes.unsafe} more with --unsafe-fixes)" if fixes.unsafe else ""
        return f"{fixes.safe} fixable with `{fixes.command}`{more}"

    def lines(self) -> list[str]:
        """What a terminal shows: how many diagnostics are past the cap, the sentence, the fixable count (lint),
        then one ``note: …`` line per note."""
        fix_line = self.fix_line()
        return (
            self.hidden_lines()
            + [self.sentence()]
            + ([fix_line] if fix_line else [])
            + [f"note: {note}" for note in self.notes]
        )


def exit_code(
    diagnostics: list[Diagnostic],
    fail_on: Severity = Severity.ERROR,
    hidden: dict[str, dict[Severity, int]] | None = None,
) -> int:
    """1 when a diagnostic, shown or past the cap (``hidden``), is at or above ``fail_on``."""
    past = (severity for by_severity in (hidden or {}).values() for severity in by_severity)
    return 1 if any(d.severity >= fail_on for d in diagnostics) or any(s >= fail_on for s in past) else 0
