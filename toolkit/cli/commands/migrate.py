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
@click.option("--diff", is_flag=True, help="Print a unified diff and write nothing.")
@click.option("--no-backup", is_flag=True, help="Keep no .bak of changed files.")
@click.option("--only", "only", multiple=True, metavar="ID", help="Run only these migrations (repeatable).")
@click.option("--list", "list_migrations", is_flag=True, help="List the migrations, in the order they run.")
@click.option("--drop-unknown", is_flag=True, help="Drop credential keys that have no mapping (default: report them).")
@click.option("--rename-model", "renames", multiple=True, metavar="OLD=NEW",
              help="Point references to a model id the defaults dropped at another (e.g. gpt-4o=gpt-5.2).")
@click.option("--pin-defaults", is_flag=True, help="Pin aws-bedrock and codex enabled: false where a file relies on "
                                                   "a default that flipped.")
@report_options
@click.pass_context
def migrate(ctx, paths, config_dir, check, diff, no_backup, only, list_migrations, drop_unknown, renames,
            pin_defaults, fmt, output, fail_on, color) -> None:
    """Migrate PATHS (default: the config directory, moving it out of ~/.ponybunny first if needed).

    Every step is a diagnostic (rule migrate.ID) at its place in the file: --check reports them,
    --diff shows them, and a run writes them only when every migrated file validates.

    \b
    Examples:
      pbcfg migrate --check                  CI: exit 1 and the list when a migration is pending
      pbcfg migrate --diff                   the changes as a diff (secrets masked); writes nothing
      pbcfg migrate                          the config directory, out of ~/.ponybunny first if needed
      pbcfg migrate old/llm-config.json --rename-model gpt-4o=gpt-5.2
    """
    from pbcfg.errors import Refused
    from pbcfg.migrate.migrations import MIGRATIONS
    from pbcfg.migrate.plan import move, plan_migration, remaining_errors, write_migration
    from pbcfg.reporters import emit
    from pbcfg.source.locations import config_dir as resolve_config_dir

    if list_migrations:
        from pbcfg.rules import RULES

        for migration in MIGRATIONS:
            click.echo(f"{migration.id:<17} {RULES['migrate.' + migration.id].summary}")
        ctx.exit(0)
    options, selected = _options(only, renames, drop_unknown, pin_defaults)
    directory = resolve_config_dir(config_dir)

    def planned():
        return plan_migration(list(paths), config_dir=directory, home=os.path.expanduser("~"), options=options,
                              only=selected)

    def report(diagnostics, files) -> int:
        return emit("migrate", files, diagnostics, fmt=fmt, fail_on=fail_on, color=color, output=output)

    plan = planned()
    if check:
        code = report(plan.diagnostics, plan.checked)
        click.echo(f"{plural(plan.pending, 'migration step')} pending" if plan.pending else "already up to date", err=True)
        ctx.exit(code)
    if diff:
        from pbcfg.util.masking import masked_diff

        for migration in plan.changed:
            source = migration.source
            click.echo(masked_diff(source.text, migration.after, kind=source.kind, yaml=source.is_yaml,
                                   old_label=f"{source.name} (before)", new_label=f"{source.name} (after)"), nl=False)
        ctx.exit(report([d for d in plan.diagnostics if d.rule.startswith("migrate.blocked")], plan.checked)
                 if plan.blocked else 0)
    done = []
    if plan.move.moves:  # the move stands on its own (PonyBunny makes it too); then migrate the moved files
        done = move(plan)
        _log(done)
        plan = planned()
    problems = [d for f in plan.blocked for d in f.diagnostics] or remaining_errors(plan)
    if problems:
        report(problems, plan.checked)
        waiting = sum(len(f.pending) for f in plan.files) + len(plan.schema_files)
        what = (f"the move above was made; {plural(waiting, 'change')} to the content {'was' if waiting == 1 else 'were'} not "
                "(`pbcfg migrate --diff` shows them)" if done else "nothing was written")
        raise Refused(f"{plural(len(plan.blocked) or len({d.file for d in problems}), 'file')} cannot be migrated as "
                      f"{'it is' if (len(plan.blocked) or len({d.file for d in problems})) == 1 else 'they are'} (above); {what}. Fix what is reported, then run pbcfg migrate again")
    if not plan.pending and not done:
        click.echo("already up to date", err=True)
        ctx.exit(report(plan.notes, plan.checked))
    _log([_line(d) for d in plan.steps])
    _log(write_migration(plan, backup=not no_backup))
    ctx.exit(report(plan.notes, plan.checked))


def _options(only, renames, drop_unknown, pin_defaults):
    """The migrations' options and the selected ids, or a usage error naming the bad value."""
    from pbcfg.errors import UsageError
    from pbcfg.migrate.migrations import MIGRATIONS, Options

    known = {m.id for m in MIGRATIONS}
    for migration_id in only:
        if migration_id not in known:
            from pbcfg.util.suggest import did_you_mean

            guess = did_you_mean(migration_id, known)
            raise UsageError(f"--only {migration_id}: no such migration" + (f"; did you mean {guess!r}?" if guess else ""))
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
