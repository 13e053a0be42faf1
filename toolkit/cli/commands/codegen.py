"""``pbcfg codegen``: regenerate ``generated/`` from ``schemas/``, or check it is current."""

from __future__ import annotations

import click

from pbcfg.cli.commands.options import report_options

__all__ = ["codegen"]


@click.command()
@click.option("--check", is_flag=True, help="Write nothing; print a diff and exit 1 if generated/ is stale.")
@report_options
@click.pass_context
def codegen(ctx: click.Context, check: bool, fmt, output, fail_on, color) -> None:
    """Generate the typed pydantic models from the JSON Schemas.

    --format json gives under "codegen" the diffs found ("diffs", with --check) and the files written ("written").

    \b
    Examples:
      pbcfg codegen            regenerate generated/ from schemas/
      pbcfg codegen --check    CI: exit 1 with a diff when generated/ is stale
    """
    from pathlib import Path

    from pbcfg.cli.data_report import emit_data
    from pbcfg.codegen import generate, stale
    from pbcfg.util.resources import resource_dir

    generation = generate()
    directory = Path(resource_dir("generated"))
    for note in generation.notes:
        click.echo(f"note: {note}", err=True)
    diffs = stale(generation, directory)
    written = []
    if check:
        click.echo(f"generated/ is {'stale: run `pbcfg codegen`' if diffs else 'up to date'}", err=True)
    else:
        from pbcfg.util.atomic import write_atomic

        for name, content in generation.files.items():
            if (directory / name).exists() and (directory / name).read_text(encoding="utf-8") == content:
                continue
            write_atomic(directory / name, content)
            written.append(f"generated/{name}")
            click.echo(f"wrote generated/{name}", err=True)
    shown = {"diffs": diffs if check else [], "written": written}
    code = emit_data(
        "codegen", "codegen", shown, "".join(shown["diffs"]), fmt=fmt, output=output, fail_on=fail_on, color=color
    )
    ctx.exit(1 if check and diffs else code)
