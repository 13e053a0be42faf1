"""``pbcfg completion``: the shell completion script, from Click's own completion support."""

from __future__ import annotations

import click

from pbcfg.cli.commands.options import report_options

__all__ = ["completion"]

SHELLS = ("bash", "zsh", "fish")


@click.command()
@click.argument("shell", type=click.Choice(SHELLS))
@report_options
@click.pass_context
def completion(ctx, shell: str, fmt, output, fail_on, color) -> None:
    """Print the completion script for SHELL: commands, options, choices, presets and paths.

    --format json gives it under "completion", with the shell.

    \b
    Examples:
      eval "$(pbcfg completion bash)"                                 in ~/.bashrc
      eval "$(pbcfg completion zsh)"                                  in ~/.zshrc
      pbcfg completion fish > ~/.config/fish/completions/pbcfg.fish
    """
    from click.shell_completion import get_completion_class

    from pbcfg.cli.commands import cli
    from pbcfg.cli.data_report import emit_data

    completion_class = get_completion_class(shell)
    assert completion_class is not None  # the shell is one of the click.Choice, each a shell click completes
    script = completion_class(cli, {}, "pbcfg", "_PBCFG_COMPLETE").source()
    script += "" if script.endswith("\n") else "\n"
    ctx.exit(
        emit_data(
            "completion",
            "completion",
            {"shell": shell, "script": script},
            script,
            fmt=fmt,
            output=output,
            fail_on=fail_on,
            color=color,
        )
    )
