"""``pbcfg validate``: strict JSON, the schemas, and references within and across files."""

from __future__ import annotations

import click

from pbcfg.cli.commands.options import config_dir_option, report_options
from pbcfg.diagnostics import MAX_DIAGNOSTICS
from pbcfg.source.reading import KINDS

__all__ = ["validate"]


@click.command()
@click.argument("paths", nargs=-1, type=click.Path())
@config_dir_option
@click.option(
    "--kind",
    type=click.Choice(KINDS),
    default=None,
    help="Kind of files whose name and $schema do not tell (required with -, stdin).",
)
@click.option(
    "--max-diagnostics",
    type=click.IntRange(min=0),
    default=MAX_DIAGNOSTICS,
    show_default=True,
    metavar="N",
    help="Report at most N diagnostics per file, then how many more (0: every one).",
)
@report_options
@click.pass_context
def validate(
    ctx: click.Context,
    paths: tuple[str, ...],
    config_dir: str | None,
    kind: str | None,
    max_diagnostics: int,
    fmt: str | None,
    output: str | None,
    fail_on: str,
    color: bool | None,
) -> None:
    """Check PATHS (files, config directories, - for stdin; default: the config directory).

    \b
    Examples:
      pbcfg validate                                  the config directory
      pbcfg validate .                                credentials.json and llm-config.json here
      pbcfg validate llm-config.json --format json
      cat llm-config.json | pbcfg validate - --kind llm-config
      pbcfg validate config/ --format sarif --output pbcfg.sarif
    """
    from pbcfg.cli.actions import run_validate

    ctx.exit(
        run_validate(
            list(paths),
            config_dir=config_dir,
            kind=kind,
            fmt=fmt,
            output=output,
            fail_on=fail_on,
            color=color,
            max_diagnostics=max_diagnostics,
        )
    )
