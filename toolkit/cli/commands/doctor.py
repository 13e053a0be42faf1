"""``pbcfg doctor``: lint, the plan of every tier and agent, and a probe of every endpoint, in one verdict each."""

from __future__ import annotations

import click

from pbcfg.cli.commands.options import config_dir_argument, report_options
from pbcfg.cli.commands.run import probe_timeout_option

__all__ = ["doctor"]


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
    ones; --format json adds every verdict under "verdicts" and the causes several share under "causes".

    \b
    Examples:
      pbcfg doctor
      pbcfg doctor ./pb --timeout 2
      pbcfg doctor --format json --output doctor.json
    """
    from pbcfg.cli.config_dirs import chosen_config_dir
    from pbcfg.reporters import emit
    from pbcfg.workflows.checkup import doctor as run_doctor

    chosen = chosen_config_dir(directory, config_dir, ["doctor"])
    checked = run_doctor(chosen.path, timeout=timeout)
    ctx.exit(
        emit(
            "doctor",
            checked.files,
            checked.diagnostics,
            fmt=fmt,
            fail_on=fail_on,
            color=color,
            output=output,
            notes=checked.notes,
            extra=checked.extra(),
            text=chosen.header() + checked.text(),
        )
    )
