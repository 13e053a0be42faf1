"""``pbcfg doctor``: lint, the plan of every tier and agent, and a probe of every endpoint, in one verdict each."""

from __future__ import annotations

import os

import click

from pbcfg.cli.commands.options import config_dir_argument, report_options
from pbcfg.cli.commands.run import probe_timeout_option

__all__ = ["doctor"]


def _lint(directory: str):
    from pbcfg.lint.engine import lint_paths
    from pbcfg.lint.settings import find_settings

    return lint_paths([], config_dir=directory, kind=None, settings=find_settings(directory), env=dict(os.environ),
                      home=os.path.expanduser("~"))


def _where(diagnostic) -> str:
    return f"{diagnostic.file}:{diagnostic.line}:{diagnostic.column}" if diagnostic.span else diagnostic.file


def _said(verdict, fix: str | None = None) -> str:
    """One verdict; ``fix`` stands for the verdict's fix when several verdicts share it (``cause 1``)."""
    from pbcfg.runtime.readiness import Ready

    fix = fix or verdict.fix
    who = verdict.label + ("" if verdict.configured else " (PonyBunny's default)")
    if verdict.state is Ready.CANNOT_RUN:
        return f"{who}: cannot run; fix first: {fix}"
    return f"{who} → {verdict.model} @ {verdict.endpoint}: {verdict.state}" + (f" (first fix: {fix})" if fix else "")


def _verdict_lines(verdicts) -> list[str]:
    """One line per verdict; a cause that several of them share is said once, below them, and named by number."""
    from collections import Counter

    shared = [fix for fix, count in Counter(v.fix for v in verdicts if v.fix).items() if count > 1]
    numbers = {fix: number for number, fix in enumerate(shared, 1)}
    lines = [_said(v, f"cause {numbers[v.fix]}" if v.fix in numbers else None) for v in verdicts]
    if shared:
        lines.append("causes:")
        lines += [f"  {number}. {fix}" for fix, number in numbers.items()]
    return lines


@click.command()
@config_dir_argument
@report_options
@probe_timeout_option
@click.pass_context
def doctor(ctx, directory, config_dir, fmt, output, fail_on, color, timeout) -> None:
    """Can each tier and agent of DIR (default: the config directory) run? Lint, then plan every tier and agent
    and probe every endpoint.

    Prints one verdict per tier and agent, "simple → llama3.1:8b @ openai-compatible: ok", with the first thing to
    fix (a cause several of them share is said once, under "causes:"); exits 1 when the config has errors or a
    tier or agent your llm-config.json configures cannot run. Other formats report lint's findings and doctor.*
    ones; --format json adds every verdict under "verdicts".

    \b
    Examples:
      pbcfg doctor
      pbcfg doctor ./pb --timeout 2
      pbcfg doctor --format json --output doctor.json
    """
    from pbcfg.cli.config_dirs import chosen_config_dir
    from pbcfg.diagnostics import Severity, plural
    from pbcfg.errors import InvalidConfigError
    from pbcfg.reporters import emit
    from pbcfg.reporters.report import Summary
    from pbcfg.runtime import load_runtime
    from pbcfg.runtime.findings import readiness_findings
    from pbcfg.runtime.readiness import readiness
    from pbcfg.secrets.boundary import redact
    from pbcfg.source.commands import pbcfg_on

    chosen = chosen_config_dir(directory, config_dir, ["doctor"])
    directory = chosen.path
    linted = _lint(directory)
    findings = list(linted.diagnostics)
    summary = Summary.of(len(linted.check.files), findings)
    first = next((d for d in findings if d.severity is Severity.ERROR), None)
    lines = [chosen.header().rstrip("\n"), f"lint: {plural(summary.errors, 'error')}, {plural(summary.warnings, 'warning')}, {plural(summary.infos, 'info')}"
             + (f"; first: {_where(first)}: {first.rule} {first.message}" if first else "")]
    verdicts = []
    try:
        runtime = load_runtime(directory)
    except InvalidConfigError:
        lines.append(f"cannot plan: the config has errors (above); fix them first (`{pbcfg_on(directory, 'lint')}` "
                     "lists each one)")
    else:
        with runtime:
            statuses = runtime.status(timeout)
            probed = [s for s in statuses if s.state != "skipped"]
            lines.append("status: " + ("; ".join(f"{s.endpoint} {s.state}" for s in probed) or "no endpoint to probe"))
            verdicts = readiness(runtime, statuses, runtime.user_config)
            findings += readiness_findings(runtime, verdicts)
        lines += _verdict_lines(verdicts)
    lines += [f"note: {note}" for note in linted.notes]
    shown = [{**verdict._asdict(), "fix": verdict.fix and redact(verdict.fix), "text": redact(_said(verdict))}
             for verdict in verdicts]
    ctx.exit(emit("doctor", linted.check.files, findings, fmt=fmt, fail_on=fail_on, color=color, output=output,
                  notes=linted.notes, extra={"verdicts": shown}, text=redact("\n".join(lines) + "\n")))
