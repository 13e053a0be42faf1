"""``pbcfg doctor``: lint, the plan of every tier and agent, and a probe of every endpoint, in one verdict each."""

from __future__ import annotations

import os

import click

from pbcfg.cli.commands.options import config_dir_option, report_options
from pbcfg.cli.commands.run import probe_timeout_option

__all__ = ["doctor"]


def _lint(directory: str):
    from pbcfg.lint.engine import lint_paths
    from pbcfg.lint.settings import find_settings

    return lint_paths([], config_dir=directory, kind=None, settings=find_settings(directory), env=dict(os.environ),
                      home=os.path.expanduser("~"))


def _where(diagnostic) -> str:
    return f"{diagnostic.file}:{diagnostic.line}:{diagnostic.column}" if diagnostic.span else diagnostic.file


def _said(verdict) -> str:
    from pbcfg.runtime.readiness import Ready

    who = verdict.label + ("" if verdict.configured else " (PonyBunny's default)")
    if verdict.state is Ready.CANNOT_RUN:
        return f"{who}: cannot run; fix first: {verdict.fix}"
    return f"{who} → {verdict.model} @ {verdict.endpoint}: {verdict.state}" + \
        (f" (first fix: {verdict.fix})" if verdict.fix else "")


@click.command()
@config_dir_option
@report_options
@probe_timeout_option
@click.pass_context
def doctor(ctx, config_dir, fmt, output, fail_on, color, timeout) -> None:
    """Can each tier and agent run? Lint, then plan every tier and agent and probe every endpoint.

    Prints one verdict per tier and agent, "simple → llama3.1:8b @ openai-compatible: ok", with the first thing to
    fix; exits 1 when the config has errors or a tier or agent your llm-config.json configures cannot run. Other
    formats report lint's findings and doctor.* ones; --format json adds every verdict under "verdicts".

    \b
    Examples:
      pbcfg doctor
      pbcfg doctor --config-dir ./pb --timeout 2
      pbcfg doctor --format json --output doctor.json
    """
    from pbcfg.diagnostics import Severity, plural
    from pbcfg.errors import InvalidConfigError
    from pbcfg.reporters import emit
    from pbcfg.reporters.report import Summary
    from pbcfg.runtime import load_runtime
    from pbcfg.runtime.findings import readiness_findings
    from pbcfg.runtime.readiness import readiness
    from pbcfg.source.locations import config_dir as resolve_config_dir
    from pbcfg.util.redaction import redact

    directory = resolve_config_dir(config_dir)
    linted = _lint(directory)
    findings = list(linted.diagnostics)
    summary = Summary.of(len(linted.check.files), findings)
    first = next((d for d in findings if d.severity is Severity.ERROR), None)
    lines = [f"lint: {plural(summary.errors, 'error')}, {plural(summary.warnings, 'warning')}, {plural(summary.infos, 'info')}"
             + (f"; first: {_where(first)}: {first.rule} {first.message}" if first else "")]
    verdicts = []
    try:
        runtime = load_runtime(directory)
    except InvalidConfigError:
        lines.append("cannot plan: the config has errors (above); fix them first (`pbcfg lint` lists each one)")
    else:
        with runtime:
            statuses = runtime.status(timeout)
            probed = [s for s in statuses if s.state != "skipped"]
            lines.append("status: " + ("; ".join(f"{s.endpoint} {s.state}" for s in probed) or "no endpoint to probe"))
            verdicts = readiness(runtime, statuses, runtime.user_config)
            findings += readiness_findings(runtime, verdicts)
        lines += [_said(verdict) for verdict in verdicts]
    lines += [f"note: {note}" for note in linted.notes]
    shown = [{**verdict._asdict(), "fix": verdict.fix and redact(verdict.fix), "text": redact(_said(verdict))}
             for verdict in verdicts]
    ctx.exit(emit("doctor", linted.check.files, findings, fmt=fmt, fail_on=fail_on, color=color, output=output,
                  notes=linted.notes, extra={"verdicts": shown}, text=redact("\n".join(lines) + "\n")))
