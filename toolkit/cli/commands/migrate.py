"""``pbcfg migrate``: bring old configs to today's format, every change visible, nothing lost."""

from __future__ import annotations

import os

import click

from pbcfg.cli.commands.options import config_dir_option, report_options
from pbcfg.diagnostics import plural

__all__ = ["migrate"]


@click.command()
@click.argument("paths", nargs=-1, type=click.Path())
@config_dir_option
@click.option("--check", is_flag=True, help="Write nothing; report every pending step and exit 1 if there is one.")
@click.option(
    "--diff",
    is_flag=True,
    help="Print the moves and a unified diff, report what would block them, write "
    "nothing; exit 1 when a step is pending.",
)
@click.option("--no-backup", is_flag=True, help="Keep no backup of changed files.")
@click.option("--only", "only", multiple=True, metavar="ID", help="Run only these migrations (repeatable).")
@click.option("--list", "list_migrations", is_flag=True, help="List the migrations, in the order they run.")
@click.option("--drop-unknown", is_flag=True, help="Drop credential keys that have no mapping (default: report them).")
@click.option(
    "--rename-model",
    "renames",
    multiple=True,
    metavar="OLD=NEW",
    help="Point references to a model id the defaults dropped at another (e.g. gpt-4o=gpt-5.2).",
)
@click.option(
    "--pin-defaults",
    is_flag=True,
    help="Pin aws-bedrock and codex enabled: false where a file relies on a default that flipped.",
)
@report_options
@click.pass_context
def migrate(
    ctx,
    paths,
    config_dir,
    check,
    diff,
    no_backup,
    only,
    list_migrations,
    drop_unknown,
    renames,
    pin_defaults,
    fmt,
    output,
    fail_on,
    color,
) -> None:
    """Migrate PATHS (default: the config directory, and the files PonyBunny would move into it out of
    ~/.ponybunny).

    Every step is a diagnostic (rule migrate.ID) at its place in the file: --check reports them,
    --diff shows them and what would block them (exit 1 when a step is pending), and a run makes them
    all, a move and its file's migration as one step, only when every migrated file validates.

    \b
    Examples:
      pbcfg migrate --check                  CI: exit 1 and the list when a migration is pending
      pbcfg migrate --diff                   the changes as a diff (secrets masked); writes nothing
      pbcfg migrate                          the config directory; a file still in ~/.ponybunny moves in too
      pbcfg migrate old/llm-config.json --rename-model gpt-4o=gpt-5.2
    """
    from pbcfg.errors import Refused
    from pbcfg.migrate.migration_plan import plan_migration, refusals, write_migration
    from pbcfg.reporters import emit
    from pbcfg.source.locations import config_dir as resolve_config_dir

    if list_migrations:
        ctx.exit(_list_migrations(fmt=fmt, output=output, fail_on=fail_on, color=color))
    options, selected = _options(only, renames, drop_unknown, pin_defaults)
    directory = resolve_config_dir(config_dir)

    def planned():
        return plan_migration(
            list(paths),
            config_dir=directory,
            home=os.path.expanduser("~"),
            options=options,
            only=selected,
            command=_again(paths, config_dir),
        )

    def report(diagnostics, files, extra=None) -> int:
        return emit("migrate", files, diagnostics, fmt=fmt, fail_on=fail_on, color=color, output=output, extra=extra)

    plan = planned()
    if check:
        code = report(plan.diagnostics, plan.checked)
        click.echo(
            f"{plural(plan.pending, 'migration step')} pending" if plan.pending else "already up to date", err=True
        )
        ctx.exit(code)
    problems = refusals(plan)
    if diff:
        diffs = _diffs(plan)
        on_terminal = fmt in (None, "text") and output is None  # else the report holds them: one document
        if on_terminal:
            _log(f"would move {source} -> {target}" for source, target in plan.move.moves)
            click.echo("".join(diffs), nl=False)
        shown = [d for d in plan.diagnostics if d.rule in ("migrate.location", "files.legacy-copy")] + problems
        moves = [{"from": source, "to": target} for source, target in plan.move.moves]
        code = report(shown, plan.checked, {"moves": moves, "diffs": diffs}) if shown or not on_terminal else 0
        if problems:
            click.echo(
                f"{plural(plan.pending, 'migration step')} pending; a run would write nothing until what is reported "
                "above is fixed",
                err=True,
            )
        else:
            click.echo(
                f"{plural(plan.pending, 'migration step')} pending: `{_again(paths, config_dir)}` makes them"
                if plan.pending
                else "already up to date",
                err=True,
            )
        ctx.exit(max(code, 1 if plan.pending or problems else 0))
    if problems:
        report(problems, plan.checked)
        moving = " moved or" if plan.move.moves else ""
        raise Refused(
            f"{plural(len(plan.blocked) or len({d.file for d in problems}), 'file')} cannot be migrated as "
            f"written (above), so nothing was{moving} written. Fix what is reported (or pass the options its "
            f"hints name), then run `{_again(paths, config_dir)}` again"
        )
    if not plan.pending:
        click.echo("already up to date", err=True)
        ctx.exit(report(plan.notes, plan.checked))
    _log([_line(d) for d in plan.steps])
    _log(write_migration(plan, backup=not no_backup))
    ctx.exit(report(plan.notes, plan.checked))


def _list_migrations(**report) -> int:
    """``--list``: each migration's id and what it does, in the order they run; --format json lists them under
    "migrations"."""
    from pbcfg.catalog import RULES
    from pbcfg.cli.data_report import emit_data
    from pbcfg.migrate.migrations import MIGRATIONS

    listed = [{"id": m.id, "summary": RULES["migrate." + m.id].summary} for m in MIGRATIONS]
    text = "".join(f"{m['id']:<17} {m['summary']}\n" for m in listed)
    return emit_data("migrate", "migrations", listed, text, **report)


def _diffs(plan) -> list[str]:
    """Each file as a run would leave it, under the name it would have, as a masked unified diff: a moved file's
    diff goes from where it is to where it goes."""
    from pbcfg.secrets.masking import masked_diff

    moved = dict(plan.move.moves)
    return [
        masked_diff(
            migration.source.text,
            migration.after,
            kind=migration.source.kind,
            yaml=migration.source.is_yaml,
            old_label=f"{migration.source.name} (before)",
            new_label=f"{moved.get(migration.source.path, migration.source.name)} (after)",
        )
        for migration in plan.files
        if migration.changed or migration.source.path in moved
    ]


def _again(paths, config_dir) -> str:
    """This run's command line, to paste."""
    import shlex

    return shlex.join(["pbcfg", "migrate", *paths, *(["--config-dir", config_dir] if config_dir else [])])


def _options(only, renames, drop_unknown, pin_defaults):
    """The migrations' options and the selected ids, or a usage error naming the bad value."""
    from pbcfg.errors import UsageError
    from pbcfg.migrate.migrations import MIGRATIONS, Options

    known = {m.id for m in MIGRATIONS}
    for migration_id in only:
        if migration_id not in known:
            from pbcfg.util.suggest import did_you_mean

            guess = did_you_mean(migration_id, known)
            raise UsageError(
                f"--only {migration_id}: no such migration" + (f"; did you mean {guess!r}?" if guess else "")
            )
    pairs = []
    for item in renames:
        old, sep, new = item.partition("=")
        if not sep or not old or not new:
            raise UsageError(f"--rename-model {item!r}: expected OLD=NEW")
        pairs.append((old, new))
    return Options(drop_unknown, tuple(pairs), pin_defaults), set(only) or None


def _line(diagnostic) -> str:
    """One step of the run, as the log shows it: ``file:line:col: [id] what changes``."""
    where = f"{diagnostic.file}:{diagnostic.line}:{diagnostic.column}" if diagnostic.span else diagnostic.file
    pointer = f" {diagnostic.pointer}" if diagnostic.pointer and not diagnostic.span else ""
    return f"{where}: [{diagnostic.rule.split('.', 1)[1]}]{pointer} {diagnostic.message}"


def _log(lines) -> None:
    for line in lines:
        click.echo(line, err=True)
