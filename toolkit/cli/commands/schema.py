"""``pbcfg schema``: the JSON Schema of either file, for editors and other tools, and the editor settings that
use the schema files beside the config, with no network."""

from __future__ import annotations

import os

import click

from pbcfg.reporters import FORMATS
from pbcfg.source.reading import KINDS

__all__ = ["schema"]


@click.command()
@click.argument("kind", type=click.Choice(KINDS), required=False)
@click.option(
    "--output",
    type=click.Path(),
    metavar="PATH",
    help="Write KIND's schema to this file; without KIND (or naming a directory), write the schema files "
    "into that directory, under the names the configs' $schema points at.",
)
@click.option(
    "--vscode",
    "vscode_dir",
    type=click.Path(file_okay=False),
    metavar="DIR",
    help="Print .vscode/settings.json content that gives the files in DIR (a folder of the workspace, the "
    "current directory) the schema files beside them.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    default="text",
    show_default=True,
    help='json: the standard report, with the schema under "schema", the settings under "vscode", or the files '
    'written under "written".',
)
def schema(kind: str | None, output: str | None, vscode_dir: str | None, fmt: str) -> None:
    """Print the JSON Schema of credentials.json or llm-config.json (KIND), or write the schema files.

    Editors find a schema through the file beside the config: `$schema` in the JSON files and the
    yaml-language-server modeline of YAML sources say `./KIND.schema.json`. Nothing needs the network.

    \b
    Examples:
      pbcfg schema llm-config                      the schema on stdout
      pbcfg schema --output config                 config/credentials.schema.json and config/llm-config.schema.json
      pbcfg schema credentials --output x.json     one schema, to a file of any name
      pbcfg schema --vscode config                 VS Code settings for config/'s files (JSON and YAML)
    """
    import json

    from pbcfg.cli.data_report import emit_data
    from pbcfg.errors import UsageError
    from pbcfg.schema_store import schema_text

    kinds = [kind] if kind else list(KINDS)
    if vscode_dir is not None:
        if output is not None:
            raise UsageError(
                "--vscode prints the settings to merge into .vscode/settings.json; write the schema "
                "files with a separate `pbcfg schema --output DIR`"
            )
        settings = vscode_settings(vscode_dir, kinds)
        emit_data("schema", "vscode", json.loads(settings), settings + "\n", fmt=fmt, output=None)
        _missing_schema_files(vscode_dir, kinds)
        return
    if output is None:
        if kind is None:
            raise UsageError(
                "give KIND (credentials or llm-config) to print its schema, or --output DIR to write both schema files"
            )
        text = schema_text(kind)
        emit_data("schema", "schema", json.loads(text), text, fmt=fmt, output=None)
        return
    from pbcfg.schema_store import SCHEMA_FILES
    from pbcfg.util.atomic import Write, write_files

    into_directory = kind is None or os.path.isdir(output)
    if into_directory:
        from pbcfg.util.filemodes import make_private_directory

        make_private_directory(output)
    paths = {k: os.path.join(output, SCHEMA_FILES[k]) if into_directory else output for k in kinds}
    write_files([Write(paths[k], schema_text(k), by_product_of=()) for k in kinds], doing="cannot write the schema")
    for k in kinds:
        click.echo(f"wrote {paths[k]}", err=True)
    emit_data("schema", "written", [paths[k] for k in kinds], "", fmt=fmt, output=None)


def _missing_schema_files(directory: str, kinds: list[str]) -> None:
    import shlex

    from pbcfg.schema_store import SCHEMA_FILES

    missing = [SCHEMA_FILES[k] for k in kinds if not os.path.isfile(os.path.join(directory, SCHEMA_FILES[k]))]
    if missing:
        command = shlex.join(["pbcfg", "schema", *([kinds[0]] if len(kinds) == 1 else []), "--output", directory])
        click.echo(
            f"note: {directory} has no {' or '.join(missing)} yet: `{command}` writes "
            f"{'it' if len(missing) == 1 else 'them'}",
            err=True,
        )


def vscode_settings(directory: str, kinds: list[str]) -> str:
    """``json.schemas`` and ``yaml.schemas`` for the config files in ``directory`` only, each pointing at the
    schema file beside them by a path in the workspace: no pattern claims another project's credentials.json."""
    import json

    from pbcfg.errors import UsageError
    from pbcfg.schema_store import SCHEMA_FILES

    relative = os.path.relpath(os.path.abspath(directory), os.getcwd()).replace(os.sep, "/")
    if relative == ".." or relative.startswith("../"):
        raise UsageError(
            f"--vscode {directory}: not inside the current directory; run pbcfg from the workspace "
            "folder whose .vscode/settings.json gets these settings"
        )
    wildcards = sorted(set(relative) & set("*?[]{}"))
    if wildcards:
        raise UsageError(
            f"--vscode {directory}: its path holds {' '.join(wildcards)}, which VS Code reads as a pattern, so the "
            "settings would claim other folders' files; rename the folder (or write its fileMatch by hand)"
        )
    folder = "" if relative == "." else relative + "/"
    settings = {
        "json.schemas": [
            {"fileMatch": [f"/{folder}{kind}.json"], "url": f"./{folder}{SCHEMA_FILES[kind]}"} for kind in kinds
        ],
        "yaml.schemas": {
            f"./{folder}{SCHEMA_FILES[kind]}": [f"/{folder}{kind}.yaml", f"/{folder}{kind}.yml"] for kind in kinds
        },
    }
    return json.dumps(settings, indent=2)
