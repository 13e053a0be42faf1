"""``pbcfg schema``: the JSON Schema of either file, for editors and other tools."""

from __future__ import annotations

import click

from pbcfg.source.files import KINDS

__all__ = ["schema"]


@click.command()
@click.argument("kind", type=click.Choice(KINDS))
@click.option("--out", type=click.Path(dir_okay=False), help="Write the schema to this file (atomically) instead.")
def schema(kind: str, out: str | None) -> None:
    """Print the JSON Schema of credentials.json or llm-config.json (KIND), or write it with --out.

    Its $id is the schema's stable URL, which editors can fetch (see the README, "Editors").

    \b
    Examples:
      pbcfg schema llm-config
      pbcfg schema credentials --out .vscode/credentials.schema.json
    """
    from pbcfg.schema_store import schema_text

    if out is None:
        click.echo(schema_text(kind), nl=False)
        return
    from pbcfg.util.atomic import write_atomic

    write_atomic(out, schema_text(kind), doing="cannot write the schema", by_product_of=())
    click.echo(f"wrote {out}", err=True)
