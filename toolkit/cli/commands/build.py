"""``pbcfg build``: turn YAML sources into the JSON files PonyBunny reads."""

from __future__ import annotations

import os

import click

from pbcfg.cli.commands.options import report_options
from pbcfg.reporters import emit

__all__ = ["build"]


@click.command()
@click.argument("source_dir", type=click.Path(file_okay=False))
@click.option(
    "--config-dir",
    type=click.Path(file_okay=False),
    help="Where the JSON goes (default: PonyBunny's config directory).",
)
@click.option("--check", is_flag=True, help="Write nothing; print a diff and exit 1 when the JSON is out of date.")
@report_options
@click.pass_context
def build(ctx, source_dir, config_dir, check, fmt, output, fail_on, color) -> None:
    """Validate SOURCE_DIR's credentials.yaml and llm-config.yaml, then write them as JSON.

    \b
    Examples:
      pbcfg build config-src                              into PonyBunny's config directory
      pbcfg build config-src --config-dir config          into config/ (e.g. committed beside the sources)
      pbcfg build config-src --config-dir config --check  CI: exit 1 with a diff when config/ is out of date
    """
    from pbcfg.presets.yaml_build import build_outputs, out_of_date, stale_diagnostics, write_outputs
    from pbcfg.source.commands import pbcfg_command
    from pbcfg.source.locations import config_dir as resolve_config_dir

    out_dir = resolve_config_dir(config_dir)
    result = build_outputs(source_dir)
    if not result.outputs:
        code = emit("build", result.sources, result.diagnostics, fmt=fmt, fail_on=fail_on, color=color, output=output)
        click.echo("nothing was built: fix the errors above first", err=True)
        ctx.exit(code or 1)
    stale = out_of_date(result, out_dir)
    again = pbcfg_command("build", source_dir, *(["--config-dir", config_dir] if config_dir else []))
    if check:
        if fmt in (None, "text") and output is None:
            for entry in stale:
                click.echo(entry.diff, nl=False)
        code = emit(
            "build",
            [os.path.join(out_dir, output.name) for output in result.outputs],
            result.diagnostics + stale_diagnostics(stale, again),
            fmt=fmt,
            fail_on=fail_on,
            color=color,
            output=output,
        )
        click.echo(f"{out_dir} is {f'out of date: run `{again}`' if stale else 'up to date'}", err=True)
        ctx.exit(code)
    for line in write_outputs(stale, out_dir) or [f"{out_dir} is up to date"]:
        click.echo(line, err=True)
    if output is not None or fmt is not None or result.diagnostics:  # what was asked for, and what it found
        ctx.exit(
            emit("build", result.sources, result.diagnostics, fmt=fmt, fail_on=fail_on, color=color, output=output)
        )
