"""``pbcfg codegen``: regenerate ``generated/`` from ``schemas/``, or check it is current."""

from __future__ import annotations

import click

__all__ = ["codegen"]


@click.command()
@click.option("--check", is_flag=True, help="Write nothing; print a diff and exit 1 if generated/ is stale.")
@click.pass_context
def codegen(ctx: click.Context, check: bool) -> None:
    """Generate the typed pydantic models from the JSON Schemas.

    \b
    Examples:
      pbcfg codegen            regenerate generated/ from schemas/
      pbcfg codegen --check    CI: exit 1 with a diff when generated/ is stale
    """
    from pathlib import Path

    from pbcfg.codegen import generate, stale
    from pbcfg.util.resources import resource_dir

    generation = generate()
    directory = Path(resource_dir("generated"))
    for note in generation.notes:
        click.echo(f"note: {note}", err=True)
    diffs = stale(generation, directory)
    if check:
        for diff in diffs:
            click.echo(diff, nl=False)
        click.echo(f"generated/ is {'stale: run `pbcfg codegen`' if diffs else 'up to date'}", err=True)
        ctx.exit(1 if diffs else 0)
    from pbcfg.util.atomic import write_atomic

    for name, content in generation.files.items():
        if (directory / name).exists() and (directory / name).read_text(encoding="utf-8") == content:
            continue
        write_atomic(directory / name, content)
        click.echo(f"wrote generated/{name}", err=True)
