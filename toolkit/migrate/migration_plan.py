"""A whole ``pbcfg migrate`` run, decided before anything is written.

The plan holds the move out of ``~/.ponybunny``, each file's migration and
the schema files to rewrite, every step as a diagnostic: ``--check`` reports
them, ``--diff`` shows them, and a run writes them only when no file is
blocked and the migrated files validate.
"""

from __future__ import annotations

import os
from typing import NamedTuple

from pbcfg.catalog import diagnostic
from pbcfg.diagnostics import Diagnostic, Severity
from pbcfg.migrate.file_migration import FileMigration, migrate_file
from pbcfg.migrate.migrations import Options
from pbcfg.migrate.relocation import LegacyMove, apply_moves, legacy_directory, plan_legacy_move
from pbcfg.ponybunny.schema_files import StaleSchema

__all__ = ["MigrationPlan", "plan_migration", "refusals", "remaining_errors", "write_migration"]


class MigrationPlan(NamedTuple):
    move: LegacyMove
    files: list[FileMigration]
    schema_files: list[StaleSchema]
    diagnostics: list[Diagnostic]  # every step, note and blocker, in file order

    @property
    def pending(self) -> int:
        """Steps a run would make: moves, changes, schema files."""
        return len(self.move.moves) + sum(len(f.pending) for f in self.files) + len(self.schema_files)

    @property
    def blocked(self) -> list[FileMigration]:
        return [f for f in self.files if f.blocked]

    @property
    def changed(self) -> list[FileMigration]:
        return [f for f in self.files if f.changed]

    @property
    def steps(self) -> list[Diagnostic]:
        """What a run changes, one diagnostic each; every other diagnostic is a note."""
        return [d for d in self.diagnostics if d.severity is Severity.ERROR]

    @property
    def notes(self) -> list[Diagnostic]:
        """What a run reports but cannot change: unknown keys left in place, a legacy copy beside the new one."""
        return [d for d in self.diagnostics if d.severity is not Severity.ERROR]

    @property
    def checked(self) -> list[str]:
        return [f.source.name for f in self.files]


def plan_migration(
    paths: list[str],
    *,
    config_dir: str,
    home: str,
    options: Options,
    only: set[str] | None,
    command: str = "pbcfg migrate",
) -> MigrationPlan:
    """Plan every selected migration of ``paths`` (none: the config directory, and the files PonyBunny would
    move into it out of ``~/.ponybunny``, migrated where they are now: the move and the migration are one step).
    ``command``: the command line that makes the plan, for the hints."""
    from pbcfg.check.pipeline import parse_source
    from pbcfg.ponybunny.schema_files import stale_schema_files
    from pbcfg.source.locations import CONFIG_FILES
    from pbcfg.source.reading import expand_paths, read_source

    found: list[Diagnostic] = []
    move = LegacyMove([], [])
    targets = list(paths)
    if not paths and (only is None or "location" in only):
        move = plan_legacy_move(home, config_dir)
        for blocked in move.blocked:
            found.append(
                diagnostic(
                    "files.legacy-copy",
                    os.path.join(legacy_directory(home), os.path.basename(blocked)),
                    f"{blocked} exists too, so this one does not move; PonyBunny reads only that one",
                    "merge what you still need into it by hand, then delete the legacy copy",
                )
            )
        for source, target in move.moves:
            found.append(
                diagnostic(
                    "migrate.location",
                    source,
                    f"→ {target}, where PonyBunny reads it",
                    f"`{command}` moves it and migrates its content in one step (never overwriting)",
                )
            )
        moving = [source for source, _ in move.moves if os.path.basename(source) in CONFIG_FILES]
        if moving:
            present = any(os.path.lexists(os.path.join(config_dir, name)) for name in CONFIG_FILES)
            targets = moving + ([config_dir] if present else [])
    if not targets and not _holds_config(config_dir):
        from pbcfg.errors import InputError

        raise InputError(
            f"{config_dir}: no {' or '.join(CONFIG_FILES)} in the config directory"
            + (f", nor in {legacy_directory(home)}" if only is None or "location" in only else "")
            + ": nothing to migrate. Pass the files, or point --config-dir at your PonyBunny config directory"
        )
    files = expand_paths(targets, config_dir)
    migrations = [migrate_file(read_source(path), options, only) for path in files]
    for migration in migrations:
        found.extend(migration.diagnostics)
    schemas = []
    if only is None or "schema-files" in only:
        migrated = [m.source._replace(text=m.after) for m in migrations if not m.blocked]
        documents = [document for document, _ in map(parse_source, migrated) if document is not None]
        schemas = [_retargeted(stale, move) for stale in stale_schema_files(documents)]
        schemas += _arriving_schemas(move, documents, {stale.path for stale in schemas})
        moved = {target: source for source, target in move.moves}
        for stale in schemas:  # a missing schema file is reported on the config file that names it
            found.append(
                diagnostic(
                    "migrate.schema-files",
                    moved.get(stale.path) or (stale.path if stale.state == "stale" else stale.document.name),
                    f"{os.path.basename(stale.path)} is {'stale' if stale.path in moved else stale.state} → the "
                    "current schema",
                    f"run `{command}` to write it",
                )
            )
    return MigrationPlan(move, migrations, schemas, found)


def _arriving_schemas(move: LegacyMove, documents, covered: set[str]) -> list[StaleSchema]:
    """A schema file moving in beside a config file that is not pbcfg's current schema: PonyBunny would apply
    it to that file from then on, so it moves with the current schema as its content."""
    from pbcfg.ponybunny.schema_files import schema_file_beside
    from pbcfg.schema_store import schema_text

    arriving = []
    for source, target in move.moves:
        kind = os.path.basename(source).split(".")[0]
        if not source.endswith(".schema.json") or target in covered:
            continue
        document = next((d for d in documents if d.kind == kind and not d.source.is_yaml), None)
        legacy_config = os.path.join(os.path.dirname(source), f"{kind}.json")
        if document is not None and schema_file_beside(legacy_config, kind).state != "same":
            arriving.append(StaleSchema(document, target, schema_text(kind)))
    return arriving


def _holds_config(directory: str) -> bool:
    from pbcfg.source.locations import CONFIG_FILES
    from pbcfg.source.reading import SOURCE_FILES

    return any(os.path.lexists(os.path.join(directory, name)) for name in CONFIG_FILES + SOURCE_FILES)


def _retargeted(stale: StaleSchema, move: LegacyMove) -> StaleSchema:
    """The schema file of a config file that moves belongs beside it where it goes."""
    moved = dict(move.moves)
    if stale.document.source.path not in moved:
        return stale
    return stale._replace(
        path=os.path.join(os.path.dirname(moved[stale.document.source.path]), os.path.basename(stale.path))
    )


def refusals(plan: MigrationPlan) -> list[Diagnostic]:
    """Why a run would write nothing: a blocked file, or what the migrated files would still get wrong."""
    return [d for f in plan.blocked for d in f.diagnostics] or remaining_errors(plan)


def remaining_errors(plan: MigrationPlan) -> list[Diagnostic]:
    """What the migrated files would still get wrong: a run writes nothing while there is any.

    Positions would point into text that is not on disk, so these keep only their pointer.
    """
    from pbcfg.check.pipeline import check_sources

    # schema files this run replaces with pbcfg's are not what PonyBunny will apply afterwards
    result = check_sources([f.source._replace(text=f.after) for f in plan.changed], schema_files=not plan.schema_files)
    return [d._replace(span=None, snippet=None, message=f"after migrating, still: {d.message}") for d in result.errors]


def write_migration(plan: MigrationPlan, *, backup: bool) -> list[str]:
    """Make the whole plan as one unit: every move (with its file's migrated content), every changed file and
    schema file, or nothing.

    A file that changed on disk since it was planned is not overwritten (nor moved): nothing is written, and
    the run says to start again (:class:`pbcfg.errors.WriteError`)."""
    from pbcfg.util.atomic import Write, write_files

    moved = dict(plan.move.moves)
    arriving = {target: source for source, target in moved.items()}
    stay = [m for m in plan.changed if m.source.path not in moved]
    schema_texts = {stale.path: stale.text for stale in plan.schema_files}
    contents = {m.source.path: m.after for m in plan.changed if m.source.path in moved}
    contents.update({arriving[path]: text for path, text in schema_texts.items() if path in arriving})
    writes = [Write(m.source.path, m.after, backup, expected=m.source.text) for m in stay] + [
        Write(path, text) for path, text in schema_texts.items() if path not in arriving
    ]
    if plan.move.moves:
        expected = {m.source.path: m.source.text for m in plan.files}
        lines, kept = apply_moves(plan.move, contents, expected, writes, backup=backup)
    else:
        lines, kept = [], write_files(writes)
    return (
        lines
        + [f"wrote {m.source.path}" + (f" (kept {kept[m.source.path]})" if m.source.path in kept else "") for m in stay]
        + [f"wrote {path}" for path in schema_texts if path not in arriving]
    )
