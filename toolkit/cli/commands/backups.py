"""``pbcfg backups``: the backups pbcfg kept of a config directory's files, and restoring one."""

from __future__ import annotations

import os

import click

from pbcfg.cli.commands.options import report_options
from pbcfg.diagnostics import plural

__all__ = ["backups"]


@click.command()
@click.argument("directory", required=False, type=click.Path(file_okay=False))
@click.option(
    "--restore",
    "restore",
    metavar="FILE",
    help="Put a backup of FILE (a name in DIRECTORY, e.g. credentials.json) back in place.",
)
@click.option(
    "--which",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    help="With --restore, which backup: 1 is the newest, 2 the one before...",
)
@click.option(
    "--move",
    is_flag=True,
    help="In a git work tree, move the backups left beside the files (made before `git init`) under the "
    "git directory, where no commit takes them.",
)
@report_options
@click.pass_context
def backups(ctx, directory, restore, which, move, fmt, output, fail_on, color) -> None:
    """List the backups of DIRECTORY's files (default: the config directory), newest first, or restore one.

    Every command that rewrites a file keeps its previous content: beside it outside a git work tree, and under
    the repository's git directory (.git/pbcfg/backups/...) inside one, where no commit takes it. The newest 5
    of each file are kept. Restoring is itself a write that keeps a backup of the file it replaces.

    \b
    Examples:
      pbcfg backups
      pbcfg backups ./config --format json
      pbcfg backups ./config --restore credentials.json --which 2
      pbcfg backups ./config --move
    """
    from pbcfg.errors import UsageError
    from pbcfg.reporters import emit
    from pbcfg.source.locations import config_dir
    from pbcfg.util.backup_store import KEEP, beside, list_backups

    if directory is None:
        directory = config_dir()
    if not os.path.isdir(directory):
        raise UsageError(f"{directory}: no such directory; name the config directory whose backups to list")
    if move and restore:
        raise UsageError("--move and --restore: pass one of them")
    moved = _move(directory) if move else None
    place, found = list_backups(directory)
    restored = _restore(directory, found, restore, which) if restore else None
    if restored is not None:
        place, found = list_backups(directory)
    where = place.directory + (" (in the git directory, which no commit takes)" if place.repository else "")
    lines = (
        []
        if moved is None
        else [f"moved {plural(len(moved), 'backup')} of {directory} into {place.directory}, where no commit takes them"]
    )
    lines.append(f"backups of {directory}: {where}; the newest {KEEP} of each file are kept")
    left = beside(directory)
    if left:
        lines.append(
            f"left beside the files, where `git add -A` commits them: "
            f"{', '.join(os.path.basename(backup.path) for backup in left)}; move them: "
            f"pbcfg backups {_quoted(directory)} --move"
        )
    if restored is not None:
        lines.append(restored["text"])
    for file, kept in found.items():
        lines.append(f"{file}:")
        lines += [f"  {number}  {_when(backup.made_ns)}  {backup.path}" for number, backup in enumerate(kept, 1)]
    if not found:
        lines.append("none yet")
    elif restored is None:
        first = next(iter(found))
        lines.append(
            f"restore the newest of {first}: pbcfg backups {_quoted(directory)} --restore {first} "
            "(--which 2 for the one before)"
        )
    listing = {
        file: [
            {"which": number, "path": backup.path, "made": _when(backup.made_ns)}
            for number, backup in enumerate(kept, 1)
        ]
        for file, kept in found.items()
    }
    extra = {
        "directory": directory,
        "backups_directory": place.directory,
        "in_git": place.repository is not None,
        "backups": listing,
        **({"restored": {k: v for k, v in restored.items() if k != "text"}} if restored else {}),
    }
    ctx.exit(
        emit(
            "backups",
            [],
            [],
            fmt=fmt,
            fail_on=fail_on,
            color=color,
            output=output,
            extra=extra,
            text="\n".join(lines) + "\n",
        )
    )


def _move(directory: str) -> list[tuple[str, str]]:
    """Move the backups left beside ``directory``'s files under the git directory; each move."""
    from pbcfg.errors import UsageError
    from pbcfg.util.backup_store import adopt, place_of
    from pbcfg.util.dirlock import lock_directories

    if place_of(directory).repository is None:
        raise UsageError(f"--move: {directory} is in no git work tree; its backups belong beside its files")
    with lock_directories([directory]):
        return adopt(directory)


def _restore(directory: str, found: dict, file: str, which: int) -> dict:
    """Put backup ``which`` of ``file`` back, keeping a backup of what it replaces; what was done."""
    from pbcfg.errors import UsageError
    from pbcfg.util.atomic import Write, write_files
    from pbcfg.util.backup_store import list_backups, read_backup
    from pbcfg.util.dirlock import lock_directories

    name = os.path.basename(file)
    if os.path.dirname(file) and os.path.realpath(os.path.dirname(file)) != os.path.realpath(directory):
        raise UsageError(f"--restore {file}: not in {directory}; give its name, or its directory as DIRECTORY")
    if name not in found:
        known = ", ".join(found) or "none"
        raise UsageError(f"--restore {name}: no backup of it in {directory} (files with backups: {known})")
    with lock_directories([directory]):  # no write may prune the backup between reading and restoring it
        kept = list_backups(directory)[1].get(name, [])
        if which > len(kept):
            raise UsageError(f"--which {which}: {name} has {plural(len(kept), 'backup')}; pick 1 to {len(kept)}")
        backup = kept[which - 1]
        data, mode = read_backup(backup)
        target = os.path.join(directory, name)
        replaced = write_files([Write(target, data, backup=True, mode=mode)]).get(target)
    text = f"restored {target} from {backup.path}" + (f" (its content until now is in {replaced})" if replaced else "")
    return {"file": target, "from": backup.path, "previous": replaced, "text": text}


def _when(nanoseconds: int) -> str:
    import time

    return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(nanoseconds / 1e9))


def _quoted(path: str) -> str:
    import shlex

    return shlex.quote(path)
