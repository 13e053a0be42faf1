"""Files and locations: the legacy directory and the schema files beside the config."""

from __future__ import annotations

import os

from pbcfg.lint.fixes import WriteFile
from pbcfg.lint.reach import english_list
from pbcfg.lint.registry import Finding, check
from pbcfg.source.commands import pbcfg_on


@check("files.legacy-copy", any_shape=True)
def legacy_copy(ctx):
    legacy = os.path.join(ctx.home, ".ponybunny")
    if os.path.realpath(legacy) == os.path.realpath(ctx.directory):
        return []
    found = []
    for name in ("credentials.json", "llm-config.json"):
        if os.path.isfile(os.path.join(legacy, name)) and os.path.isfile(ctx.path_of(name)):
            found.append(
                ctx.at_file(
                    os.path.join(legacy, name),
                    "files.legacy-copy",
                    f"ignored: {ctx.path_of(name)} exists, and PonyBunny reads only that one",
                    "merge anything you still need into the new file, then delete this one",
                )
            )
    return found


@check("files.backup-in-work-tree", any_shape=True)
def backup_in_work_tree(ctx):
    """Backups beside the files in a work tree (made before `git init`): untracked files `git add -A` commits,
    keys and all. Said in the group of the directory's files, never again in the group of a backup linted."""
    from pbcfg.source.reading import is_backup
    from pbcfg.util.backup_store import beside

    documents = [document for document in (ctx.credentials, ctx.llm_config) if document is not None]
    if not ctx.in_git or any(is_backup(document.source.path) for document in documents):
        return []
    shown = os.path.dirname(ctx.path_of("credentials.json"))
    hint = (
        f"move them under the git directory, where no commit takes them: `{pbcfg_on(shown, 'backups', '--move')}` "
        f"(`{pbcfg_on(shown, 'backups')}` lists them)"
    )
    return [
        ctx.at_file(
            ctx.path_of(os.path.basename(backup.path)),
            "files.backup-in-work-tree",
            f"a backup of {backup.file} beside it in a git work tree: `git add -A` commits it, with any key it holds",
            hint,
        )
        for backup in beside(ctx.directory)
    ]


@check("files.stale-schema", any_shape=True)
def stale_schema(ctx):
    from pbcfg.ponybunny.schema_files import stale_schema_files

    documents = [document for document in (ctx.credentials, ctx.llm_config) if document is not None]
    found = []
    for stale in stale_schema_files(documents):
        name = os.path.basename(stale.path)
        fix = WriteFile(stale.path, stale.text)
        hint = f"write the current schema (`{pbcfg_on(os.path.dirname(stale.path), 'lint', '--fix')}` does)"
        if stale.state == "missing":  # said where it is named: never at a file that does not exist
            found.append(
                Finding(
                    stale.document.diagnostic(
                        ["$schema"], "files.stale-schema", f"$schema names {name}, which is missing", hint
                    ),
                    fix,
                )
            )
        else:
            found.append(ctx.at_file(stale.path, "files.stale-schema", f"{name} is stale", hint, fix=fix))
    return found


@check("files.llm-config-absent", any_shape=True)
def llm_config_absent(ctx):
    """Said once, at the file that is there, with what it means for that file's entries."""
    from pbcfg.ponybunny.builtins import defaults
    from pbcfg.source.reading import SUFFIXES

    if (
        ctx.credentials is None
        or ctx.llm_config is not None
        or any(os.path.exists(os.path.join(ctx.directory, "llm-config" + suffix)) for suffix in SUFFIXES)
    ):
        return []
    endpoints = defaults()["endpoints"]
    entries = ctx.credentials.data.get("endpoints") if isinstance(ctx.credentials.data, dict) else None
    unused = [
        endpoint_id
        for endpoint_id, entry in (entries.items() if isinstance(entries, dict) else ())
        if isinstance(entry, dict)
        and entry.get("enabled") is not False
        and not (endpoints.get(endpoint_id) or {}).get("enabled")
    ]
    message = (
        f"there is no llm-config.json beside {os.path.basename(ctx.credentials.name)}: "
        "PonyBunny runs on its built-in defaults"
    )
    many = len(unused) > 1
    if unused:
        why = [f"{e} is off" if e in endpoints else f"{e} is not defined" for e in unused]
        message += (
            f", where {english_list(why)}, so {'their entries' if many else 'its entry'} here "
            f"{'are' if many else 'is'} not used"
        )
    return [
        ctx.in_credentials(
            [],
            "files.llm-config-absent",
            message,
            f"create llm-config.json that enables {'them' if many else 'it'} and names "
            f"{'their' if many else 'its'} models (`pbcfg presets` lists the presets that write one)"
            if unused
            else None,
        )
    ]
