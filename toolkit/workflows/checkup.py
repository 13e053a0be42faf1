"""Can each tier and agent run? Lint the config, probe every endpoint, and read each plan against the probes.

``pbcfg doctor`` prints what this returns:

    from pbcfg.workflows.checkup import doctor

    checked = doctor("./pb", timeout=2)
    checked.verdicts          # one Readiness per tier and agent
    checked.diagnostics       # lint's findings, then doctor.cannot-run / doctor.falls-back
    checked.text()            # what `pbcfg doctor` prints, after its "config:" line
"""

from __future__ import annotations

import os
from collections import Counter
from typing import NamedTuple

from pbcfg.diagnostics import Diagnostic, Severity, plural
from pbcfg.runtime.status import EndpointStatus
from pbcfg.workflows.readiness import Readiness, Ready

__all__ = ["Doctor", "doctor"]


class Doctor(NamedTuple):
    directory: str
    files: list[str]  # the config files lint read
    diagnostics: list[Diagnostic]  # lint's, then one per configured tier or agent that cannot run or falls back
    notes: list[str]  # lint's notes: facts that are no finding
    lint: list[Diagnostic]  # lint's findings alone
    planned: bool  # False when the config has errors, so nothing was planned or probed
    statuses: list[EndpointStatus]
    verdicts: list[Readiness]

    @property
    def causes(self) -> list[str]:
        """The fixes that several verdicts share, in the order the verdicts name them: cause 1, cause 2, ..."""
        return [fix for fix, count in Counter(v.fix for v in self.verdicts if v.fix).items() if count > 1]

    def text(self) -> str:
        """The human report: the lint line, the probes, one line per verdict, the shared causes, the notes."""
        from pbcfg.secrets.boundary import redact
        from pbcfg.source.commands import pbcfg_on

        counts = Counter(d.severity for d in self.lint)
        first = next((d for d in self.lint if d.severity is Severity.ERROR), None)
        lines = [
            f"lint: {plural(counts[Severity.ERROR], 'error')}, {plural(counts[Severity.WARNING], 'warning')}, "
            f"{plural(counts[Severity.INFO], 'info')}"
            + (f"; first: {_where(first)}: {first.rule} {first.message}" if first else "")
        ]
        if not self.planned:
            lines.append(
                f"cannot plan: the config has errors (above); fix them first "
                f"(`{pbcfg_on(self.directory, 'lint')}` lists each one)"
            )
        else:
            probed = [s for s in self.statuses if s.state != "skipped"]
            lines.append("status: " + ("; ".join(f"{s.endpoint} {s.state}" for s in probed) or "no endpoint to probe"))
            numbers = {fix: number for number, fix in enumerate(self.causes, 1)}
            lines += [_said(v, f"cause {numbers[v.fix]}" if v.fix in numbers else None) for v in self.verdicts]
            if numbers:
                lines.append("causes:")
                lines += [f"  {number}. {fix}" for fix, number in numbers.items()]
        lines += [f"note: {note}" for note in self.notes]
        return redact("\n".join(lines) + "\n")

    def extra(self) -> dict:
        """The keys ``--format json`` adds: every verdict (with its line of text) and the shared causes."""
        from pbcfg.secrets.boundary import redact

        verdicts = [{**v._asdict(), "fix": v.fix and redact(v.fix), "text": redact(_said(v))} for v in self.verdicts]
        return {"verdicts": verdicts, "causes": [redact(fix) for fix in self.causes]}


def _where(diagnostic: Diagnostic) -> str:
    return f"{diagnostic.file}:{diagnostic.line}:{diagnostic.column}" if diagnostic.span else diagnostic.file


def _said(verdict: Readiness, fix: str | None = None) -> str:
    """One verdict as a line; ``fix`` stands for the verdict's fix when several verdicts share it (``cause 1``)."""
    fix = fix or verdict.fix
    who = verdict.label + ("" if verdict.configured else " (PonyBunny's default)")
    if verdict.state is Ready.CANNOT_RUN:
        return f"{who}: cannot run; fix first: {fix}"
    return f"{who} → {verdict.model} @ {verdict.endpoint}: {verdict.state}" + (f" (first fix: {fix})" if fix else "")


def doctor(directory: str, *, timeout: float = 5.0, env: dict | None = None, home: str | None = None) -> Doctor:
    """Lint ``directory``; when it has no errors, probe every endpoint (``timeout`` seconds each) and give each
    tier and agent a verdict. ``env`` (default: ``os.environ``) and ``home`` are what lint and the runtime read."""
    from pbcfg.errors import InvalidConfigError
    from pbcfg.lint.linter import lint_paths
    from pbcfg.lint.settings import find_settings
    from pbcfg.runtime import load_runtime
    from pbcfg.workflows.findings import readiness_findings
    from pbcfg.workflows.readiness import readiness

    env = dict(os.environ) if env is None else env
    linted = lint_paths(
        [],
        config_dir=directory,
        kind=None,
        settings=find_settings(directory),
        env=env,
        home=os.path.expanduser("~") if home is None else home,
    )
    linted_findings = list(linted.diagnostics)
    unplanned = Doctor(
        directory, linted.check.files, linted_findings, list(linted.notes), linted_findings, False, [], []
    )
    try:
        runtime = load_runtime(directory, env=env)
    except InvalidConfigError:
        return unplanned
    with runtime:
        statuses = runtime.status(timeout)
        verdicts = readiness(runtime, statuses, runtime.user_config)
        verdict_findings = readiness_findings(runtime, verdicts)
    return unplanned._replace(
        diagnostics=linted_findings + verdict_findings, planned=True, statuses=statuses, verdicts=verdicts
    )
