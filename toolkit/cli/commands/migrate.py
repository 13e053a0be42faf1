"""``pbcfg migrate``: bring old configs to today's format, every change visible, nothing lost."""

from __future__ import annotations

import os

import click

from pbcfg.cli.commands.options import config_dir_option

__all__ = ["migrate"]


def _masked(source, text: str) -> str:
    from pbcfg.util.masking import redact

    return redact(text, source.kind, yaml=source.is_yaml)


@click.command()
@click.argument("paths", nargs=-1, type=click.Path())
@config_dir_option
@click.option("--check", is_flag=True, help="Write nothing; exit 1 if any migration is pending, and list them.")
@click.option("--diff", is_flag=True, help="Print a unified diff and write nothing.")
@click.option("--no-backup", is_flag=True, help="Keep no .bak of changed files.")
@click.option("--only", "only", multiple=True, metavar="ID", help="Run only these migrations (repeatable).")
@click.option("--list", "list_migrations", is_flag=True, help="List the migrations, in the order they run.")
@click.option("--drop-unknown", is_flag=True, help="Drop credential keys that have no mapping (default: report them).")
@click.option("--rename-model", "renames", multiple=True, metavar="OLD=NEW",
              help="Point references to a model id the defaults dropped at another (e.g. gpt-4o=gpt-5.2).")
@click.option("--pin-defaults", is_flag=True, help="Pin aws-bedrock and codex enabled: false where a file relies on "
                                                   "a default that flipped.")
@click.pass_context
def migrate(ctx, paths, config_dir, check, diff, no_backup, only, list_migrations, drop_unknown, renames,
            pin_defaults) -> None:
    """Migrate PATHS (default: the config directory, moving it out of ~/.ponybunny first if needed)."""
    from pbcfg.errors import Refused, UsageError
    from pbcfg.migrate.migrations import MIGRATIONS, Options

    if list_migrations:
        for migration in MIGRATIONS:
            click.echo(f"{migration.id:<17} {migration.description}")
        ctx.exit(0)
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
    options = Options(drop_unknown, tuple(pairs), pin_defaults)
    selected = set(only) or None
    dry = check or diff

    from pbcfg.migrate.engine import migrate_file
    from pbcfg.migrate.relocation import move_legacy, plan_legacy_move
    from pbcfg.ponybunny.schema_files import stale_schema_files
    from pbcfg.source.files import expand_paths, read_source
    from pbcfg.source.locations import config_dir as resolve_config_dir

    lines: list[str] = []
    pending = 0
    directory = resolve_config_dir(config_dir)
    targets = list(paths)
    if not paths and (selected is None or "location" in selected):
        move = plan_legacy_move(os.path.expanduser("~/.ponybunny"), directory)
        for blocked in move.blocked:
            lines.append(f"[location] {blocked} exists in both places; nothing was moved (merge by hand, "
                         "then delete the copy in ~/.ponybunny)")
        if move.moves:
            pending += len(move.moves)
            if dry:
                lines += [f"[location] would move {source} -> {target}" for source, target in move.moves]
                targets = [os.path.dirname(move.moves[0][0])]  # migrate the files where they are, to show it
            else:
                lines += [f"[location] {line}" for line in move_legacy(move)]
    try:
        files = expand_paths(targets, directory)
    except Exception:
        if pending:
            files = []
        else:
            raise
    results = [migrate_file(read_source(path), options, selected) for path in files]

    errors = [r for r in results if r.error]
    for result in results:
        for step in result.steps:
            where = f" {step.pointer}" if step.pointer else ""
            lines.append(f"{result.source.name}: [{step.migration}]{where}: {step.message}")
            pending += step.pending and not result.error
    for result in errors:
        lines.append(f"{result.source.name}: error: {result.error}")
    from pbcfg.check.pipeline import check_sources

    documents = check_sources([r.source._replace(text=r.after) for r in results if not r.error]).documents
    schemas = stale_schema_files(documents) if selected is None or "schema-files" in selected else {}
    for path in schemas:
        lines.append(f"{path}: [schema-files] {'stale' if os.path.exists(path) else 'missing'}; "
                     f"{'would write' if dry else 'writing'} the current schema")
    pending += len(schemas)
    for line in lines:
        click.echo(line)
    if errors:
        raise Refused(f"{len(errors)} file(s) cannot be migrated automatically (above); nothing was written")
    changed = [r for r in results if r.changed]
    if check:
        click.echo(f"{pending} migration step(s) pending" if pending else "already up to date", err=True)
        ctx.exit(1 if pending else 0)
    if diff:
        import difflib

        for result in changed:
            click.echo("".join(difflib.unified_diff(
                _masked(result.source, result.source.text).splitlines(keepends=True),
                _masked(result.source, result.after).splitlines(keepends=True),
                f"{result.source.name} (before)", f"{result.source.name} (after)")), nl=False)
        ctx.exit(0)
    if not changed and not schemas and not pending:
        click.echo("already up to date", err=True)
        ctx.exit(0)
    verdict = check_sources([r.source._replace(text=r.after) for r in changed])
    problems = [d for d in verdict.diagnostics if d.severity.label == "error"]
    if problems:
        for d in problems:
            click.echo(f"{d.file}:{d.line}:{d.column}: error {d.rule} {d.message}", err=True)
        raise Refused("the migrated files would still have the errors above; nothing was written (fix them, "
                      "then run pbcfg migrate again)")
    from pbcfg.util.atomic import write_atomic

    for result in changed:
        kept = write_atomic(result.source.path, result.after, backup=not no_backup)
        click.echo(f"wrote {result.source.path}" + (f" (kept {kept})" if kept else ""), err=True)
    for path, text in schemas.items():
        write_atomic(path, text, backup=False)
        click.echo(f"wrote {path}", err=True)
