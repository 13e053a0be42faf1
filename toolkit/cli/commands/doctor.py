"""``pbcfg doctor``: lint, the plan of every tier and agent, and a probe of every endpoint, in one verdict each."""

from __future__ import annotations

import os

import click

from pbcfg.cli.commands.options import config_dir_option

__all__ = ["doctor"]


def _lint(directory: str):
    from pbcfg.lint.engine import lint_paths
    from pbcfg.lint.settings import find_settings

    return lint_paths([], config_dir=directory, kind=None, settings=find_settings(directory), env=dict(os.environ),
                      home=os.path.expanduser("~")).diagnostics


def _where(diagnostic) -> str:
    return f"{diagnostic.file}:{diagnostic.line}:{diagnostic.column}" if diagnostic.span else diagnostic.file


@click.command()
@config_dir_option
@click.option("--timeout", type=float, default=5.0, show_default=True, help="Seconds per endpoint probe.")
@click.pass_context
def doctor(ctx, config_dir, timeout) -> None:
    """Can each tier and agent run? Lint, then plan every tier and agent and probe every endpoint.

    Prints one verdict per tier and agent, "simple → llama3.1:8b @ openai-compatible: ok", with the first thing to
    fix; exits 1 when the config has errors or a tier or agent your llm-config.json configures cannot run.
    """
    from pbcfg.diagnostics import Severity
    from pbcfg.errors import InvalidConfigError
    from pbcfg.reporters.report import Summary
    from pbcfg.runtime import load_runtime
    from pbcfg.runtime.readiness import Ready, readiness
    from pbcfg.source.locations import config_dir as resolve_config_dir
    from pbcfg.util.redaction import redact

    directory = resolve_config_dir(config_dir)
    findings = _lint(directory)
    summary = Summary.of(0, findings)
    errors = [d for d in findings if d.severity is Severity.ERROR]
    line = f"lint: {summary.errors} error(s), {summary.warnings} warning(s), {summary.infos} info(s)"
    click.echo(line + (f"; first: {_where(errors[0])}: {errors[0].rule} {errors[0].message}" if errors else ""))
    try:
        runtime = load_runtime(directory)
    except InvalidConfigError:
        click.echo("cannot plan: the config has errors (above); fix them first (`pbcfg lint` lists each one)")
        ctx.exit(1)
    with runtime:
        statuses = runtime.status(timeout)
        probed = [s for s in statuses if s.state != "skipped"]
        click.echo("status: " + ("; ".join(f"{s.endpoint} {s.state}" for s in probed) or "no endpoint to probe"))
        verdicts = readiness(runtime, statuses, runtime.user_config)
    failing = False
    for verdict in verdicts:
        who = verdict.label + ("" if verdict.configured else " (PonyBunny's default)")
        if verdict.state is Ready.CANNOT_RUN:
            failing = failing or verdict.configured
            said = f"{who}: cannot run; fix first: {verdict.fix}"
        else:
            said = f"{who} → {verdict.model} @ {verdict.endpoint}: {verdict.state}"
            said += f" (first fix: {verdict.fix})" if verdict.fix else ""
        click.echo(redact(said))
    ctx.exit(1 if errors or failing else 0)
