"""The ``pbcfg`` command line: a Click group whose commands load on first use.

``main`` is the console entry point. It owns the promise that no input ever
ends in a traceback: pbcfg's own errors become one line and the exit code
documented in :mod:`pbcfg.report`.
"""

from __future__ import annotations

import importlib
import os
import sys

import click

from . import __version__
from .errors import PbcfgError

__all__ = ["cli", "main"]

# command name -> "module:attribute"; only the command that runs is imported
COMMANDS = {
    "validate": "pbcfg.commands.validate:validate",
    "lint": "pbcfg.commands.lint:lint",
    "codegen": "pbcfg.commands.codegen:codegen",
    "presets": "pbcfg.commands.presets:presets",
    "render": "pbcfg.commands.presets:render",
    "init": "pbcfg.commands.presets:init",
    "add": "pbcfg.commands.presets:add",
    "build": "pbcfg.commands.build:build",
    "migrate": "pbcfg.commands.migrate:migrate",
    "resolve": "pbcfg.commands.run:resolve",
    "status": "pbcfg.commands.run:status",
    "chat": "pbcfg.commands.run:chat",
}


class LazyGroup(click.Group):
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
            from .suggest import did_you_mean

            guess = did_you_mean(name, COMMANDS)
            ctx.fail(f"no command {name!r}" + (f"; did you mean {guess!r}?" if guess else "; see pbcfg --help"))
        return super().resolve_command(ctx, args)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="pbcfg")
def cli() -> None:
    """Check, generate, migrate and run PonyBunny's credentials.json and llm-config.json."""


def main(argv: list[str] | None = None) -> None:
    try:
        code = cli.main(args=argv, prog_name="pbcfg", standalone_mode=False)
    except click.exceptions.Exit as stop:
        code = stop.exit_code
    except click.ClickException as error:
        error.show()
        code = error.exit_code
    except click.Abort:
        click.echo("pbcfg: aborted", err=True)
        code = 130
    except KeyboardInterrupt:
        click.echo("pbcfg: interrupted", err=True)
        code = 130
    except PbcfgError as error:
        click.echo(f"pbcfg: error: {error}", err=True)
        code = error.exit_code
    except BrokenPipeError:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        code = 1
    except Exception as error:  # a bug: say so in one line, keep the traceback for debugging
        if os.environ.get("PBCFG_DEBUG"):
            raise
        click.echo(f"pbcfg: internal error: {type(error).__name__}: {error} "
                   "(this is a bug; rerun with PBCFG_DEBUG=1 for the traceback)", err=True)
        code = 2
    sys.exit(code if isinstance(code, int) else 0)
