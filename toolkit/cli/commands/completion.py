"""``pbcfg completion``: the shell completion script, from Click's own completion support."""

from __future__ import annotations

import click

__all__ = ["completion"]

SHELLS = ("bash", "zsh", "fish")


@click.command()
@click.argument("shell", type=click.Choice(SHELLS))
def completion(shell: str) -> None:
    """Print the completion script for SHELL: commands, options, choices, presets and paths.

    \b
    Examples:
      eval "$(pbcfg completion bash)"                                 in ~/.bashrc
      eval "$(pbcfg completion zsh)"                                  in ~/.zshrc
      pbcfg completion fish > ~/.config/fish/completions/pbcfg.fish
    """
    from click.shell_completion import get_completion_class

    from pbcfg.cli.commands import cli

    script = get_completion_class(shell)(cli, {}, "pbcfg", "_PBCFG_COMPLETE").source()
    click.echo(script, nl=not script.endswith("\n"))
