"""The Click group: one module per ``pbcfg`` subcommand, imported on first use.

:func:`pbcfg.cli.entry.main` reaches this only when the hot path (:mod:`pbcfg.cli.hotpath`)
does not take the command line, so importing Click is paid only here.
"""

from __future__ import annotations

import importlib

import click

from pbcfg import __version__

__all__ = ["COMMANDS", "cli"]

# command name -> "module:attribute"; only the command that runs is imported
COMMANDS = {
    "validate": "pbcfg.cli.commands.validate:validate",
    "lint": "pbcfg.cli.commands.lint:lint",
    "codegen": "pbcfg.cli.commands.codegen:codegen",
    "presets": "pbcfg.cli.commands.presets:presets",
    "render": "pbcfg.cli.commands.presets:render",
    "init": "pbcfg.cli.commands.presets:init",
    "add": "pbcfg.cli.commands.presets:add",
    "rename": "pbcfg.cli.commands.edit:rename",
    "remove": "pbcfg.cli.commands.edit:remove",
    "schema": "pbcfg.cli.commands.schema:schema",
    "completion": "pbcfg.cli.commands.completion:completion",
    "build": "pbcfg.cli.commands.build:build",
    "migrate": "pbcfg.cli.commands.migrate:migrate",
    "resolve": "pbcfg.cli.commands.run:resolve",
    "status": "pbcfg.cli.commands.run:status",
    "chat": "pbcfg.cli.commands.run:chat",
    "doctor": "pbcfg.cli.commands.doctor:doctor",
    "backups": "pbcfg.cli.commands.backups:backups",
}


class LazyGroup(click.Group):
    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if not args and not ctx.resilient_parsing:  # `pbcfg` alone asks what there is: the help, and success
            click.echo(ctx.get_help())
            ctx.exit(0)
        return super().parse_args(ctx, args)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """Each command's whole first sentence, wrapped rather than cut at 45 characters."""
        rows = [(name, self.get_command(ctx, name).get_short_help_str(limit=1000)) for name in self.list_commands(ctx)]
        with formatter.section("Commands"):
            formatter.write_dl(rows)

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, name: str):
        target = COMMANDS.get(name)
        if target is None:
            return None
        module, attribute = target.split(":")
        return getattr(importlib.import_module(module), attribute)

    def resolve_command(self, ctx, args):
        name = args[0] if args else ""
        if name and name not in COMMANDS and not name.startswith("-"):
            from pbcfg.util.suggest import did_you_mean

            guess = did_you_mean(name, COMMANDS)
            ctx.fail(f"no command {name!r}" + (f"; did you mean {guess!r}?" if guess else ""))
        return super().resolve_command(ctx, args)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="pbcfg")
def cli() -> None:
    """Check, generate, migrate and run PonyBunny's credentials.json and llm-config.json.

    \b
    Examples:
      pbcfg validate                         the config directory (strict JSON, schemas, references)
      pbcfg lint --fix                       also what PonyBunny silently gets wrong; apply the safe fixes
      pbcfg init ollama                      a fresh config for a local Ollama
      pbcfg rename model old-id new-id       with every reference
      pbcfg COMMAND --help                   a command's options and examples
    """
