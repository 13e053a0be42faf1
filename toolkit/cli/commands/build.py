"""``pbcfg build``: turn YAML sources into the JSON files PonyBunny reads."""

from __future__ import annotations

import click

from pbcfg.cli.commands.options import report_options
from pbcfg.reporters import emit

__all__ = ["build"]


@click.command()
@click.argument("source_dir", type=click.Path(file_okay=False))
@click.option("--out", "out_dir", type=click.Path(file_okay=False), help="Where the JSON goes (default: PonyBunny's config directory).")
@click.option("--check", is_flag=True, help="Write nothing; print a diff and exit 1 when the JSON is out of date.")
@report_options
@click.pass_context
def build(ctx, source_dir, out_dir, check, fmt, output, fail_on, color) -> None:
    """Validate SOURCE_DIR's credentials.yaml and llm-config.yaml, then write them as JSON."""
    from pbcfg.presets.build import build_outputs, out_of_date
    from pbcfg.source.locations import config_dir

    out_dir = config_dir(out_dir)
    result = build_outputs(source_dir)
    if not result.files:
        code = emit("build", result.sources, result.diagnostics, fmt=fmt, fail_on=fail_on, color=color, output=output)
        click.echo("nothing was built: fix the errors above first", err=True)
        ctx.exit(code or 1)
    diffs = out_of_date(result, out_dir)
    if check:
        for diff in diffs.values():
            click.echo(diff, nl=False)
        click.echo(f"{out_dir} is {'out of date: run `pbcfg build`' if diffs else 'up to date'}", err=True)
        ctx.exit(1 if diffs else 0)
    from pbcfg.presets.build import write_outputs

    for line in write_outputs(result, out_dir, diffs) or [f"{out_dir} is up to date"]:
        click.echo(line, err=True)
