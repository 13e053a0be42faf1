"""``pbcfg rename`` and ``pbcfg remove``: change a model's or an endpoint's id, or take it out, with every
reference, as text edits that keep the rest of each file."""

from __future__ import annotations

import click

from pbcfg.cli.commands.options import config_dir_option, report_options

__all__ = ["remove", "rename"]

_WHAT = click.Choice(["model", "endpoint"])


def _edit_options(command):
    options = [
        config_dir_option,
        click.option(
            "--diff", is_flag=True, help="Print what would change (a unified diff, secrets masked); write nothing."
        ),
        click.option("--no-backup", is_flag=True, help="Keep no backup of the changed files."),
    ]
    for option in reversed(options):
        command = option(command)
    return report_options(command)


@click.command()
@click.argument("what", type=_WHAT)
@click.argument("old")
@click.argument("new")
@_edit_options
def rename(what, old, new, config_dir, diff, no_backup, fmt, output, fail_on, color) -> None:
    """Rename a model or an endpoint (WHAT), and every reference to it.

    A model is renamed in models and in every tier and agent; an endpoint in both files and in every
    model's endpoint list. Nothing is written if the new id is taken or the result would not validate.

    \b
    Examples:
      pbcfg rename model llama3.1:8b llama3.1:70b
      pbcfg rename endpoint gpu-box gpu-box-1 --diff     show the change, write nothing
    """
    from pbcfg.edit.rename import rename as rename_entry
    from pbcfg.source.locations import config_dir as resolve_config_dir

    directory = resolve_config_dir(config_dir)
    with _locked(directory, diff):
        outcome = rename_entry(directory, what, old, new, preview=diff, backup=not no_backup)
    _finish("rename", directory, outcome, diff, fmt=fmt, output=output, fail_on=fail_on, color=color)


@click.command()
@click.argument("what", type=_WHAT)
@click.argument("ident", metavar="ID")
@click.option("--cascade", is_flag=True, help="Also change every reference to it (each change is listed).")
@_edit_options
def remove(what, ident, cascade, config_dir, diff, no_backup, fmt, output, fail_on, color) -> None:
    """Remove a model or an endpoint (WHAT); refused while anything names it, unless --cascade.

    With --cascade a fallback loses the id, a tier promotes its next model, an agent starts from its
    tier's primary, and a model left without an endpoint goes too. An endpoint goes from both files.

    \b
    Examples:
      pbcfg remove model old-model                   refused, listing each reference, if one remains
      pbcfg remove endpoint gpu-box --cascade --diff preview every change
      pbcfg remove endpoint gpu-box --cascade
    """
    from pbcfg.edit.remove import remove as remove_entry
    from pbcfg.source.locations import config_dir as resolve_config_dir

    directory = resolve_config_dir(config_dir)
    with _locked(directory, diff):
        outcome = remove_entry(directory, what, ident, cascade=cascade, preview=diff, backup=not no_backup)
    _finish("remove", directory, outcome, diff, fmt=fmt, output=output, fail_on=fail_on, color=color)


def _locked(directory: str, preview: bool):
    """The directory's write lock from the first read to the last write (none for a preview, which writes
    nothing), so no other pbcfg's update is lost."""
    import contextlib
    import os

    from pbcfg.util.dirlock import lock_directories

    return contextlib.nullcontext() if preview or not os.path.isdir(directory) else lock_directories([directory])


def _finish(command: str, directory: str, outcome, preview: bool, **report) -> None:
    """Report why nothing was written (exit 1), or list the changes and show the diffs; a report in another
    format or file holds them under "changes" (and "diffs", with --diff)."""
    from pbcfg.errors import Refused
    from pbcfg.reporters import emit
    from pbcfg.source.commands import pbcfg_on

    if outcome.diagnostics:
        emit(command, outcome.files, outcome.diagnostics, **report)
        rules = {d.rule for d in outcome.diagnostics}
        why = (
            "the references above remain; pass --cascade to change them too"
            if rules == {"edit.referenced"}
            else "the id is taken (above)"
            if rules == {"edit.conflict"}
            else "the config would not validate after the edit"
            if rules == {"edit.invalid-result"}
            else f"fix the config's errors above (`{pbcfg_on(directory, 'validate')}`) first"
        )
        raise Refused(f"nothing was written: {why}")
    if report["fmt"] not in (None, "text") or report["output"] is not None:
        changes = {"changes": outcome.lines, "diffs": outcome.diffs, "written": not preview}
        emit(command, outcome.files, [], extra=changes, **report)
    else:
        for diff in outcome.diffs:
            click.echo(diff, nl=False)
    for line in outcome.lines:
        click.echo(("would change " if preview else "") + line, err=True)
