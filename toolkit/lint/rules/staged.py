"""secrets.key-staged: a key of the credentials file in any other file staged for commit (a copy, a note, a
backup made by hand). A rule of the secrets group, in a module of its own because it is the one rule that
asks git what the next commit takes."""

from __future__ import annotations

import os

from pbcfg.lint.registry import Finding, check

__all__ = ["key_staged"]


@check("secrets.key-staged", any_shape=True, reads=("credentials",))
def key_staged(ctx):
    from pbcfg.catalog import diagnostic
    from pbcfg.diagnostics import Span
    from pbcfg.lint.gitwork import staged_copies
    from pbcfg.lint.rules.secrets import looks_real
    from pbcfg.secrets.masking import is_secret_field, mask
    from pbcfg.source.reading import is_backup

    if ctx.credentials is None or not ctx.in_git or not isinstance(ctx.credentials.data, dict):
        return []
    if is_backup(ctx.credentials.source.path):  # judged alone (secrets.key-in-git), never as the source of copies
        return []
    entries = ctx.credentials.data.get("endpoints")
    owners = {
        value: f"{field} of {endpoint_id}"
        for endpoint_id, entry in (entries.items() if isinstance(entries, dict) else ())
        if isinstance(entry, dict)
        for field, value in entry.items()
        if is_secret_field(field) and looks_real(value)
    }
    if not owners:
        return []
    import shlex  # for the hint of a finding: lint runs this rule on every credentials file

    path = ctx.credentials.source.path
    directory = os.path.dirname(os.path.abspath(path))
    shown = os.path.dirname(ctx.credentials.name)
    found, seen = [], set()
    for copy in staged_copies(directory, list(owners)):
        where = os.path.join(directory, copy.path)
        if copy.path in seen or (os.path.exists(where) and os.path.samefile(where, path)):
            continue  # the credentials file itself: secrets.key-in-git judges it
        seen.add(copy.path)
        name = os.path.normpath(os.path.join(shown, copy.path))
        found.append(
            Finding(
                diagnostic(
                    "secrets.key-staged",
                    name,
                    f"holds {owners[copy.secret]} from {ctx.credentials.name} ({mask(copy.secret)}), and is staged: the "
                    "next commit publishes it",
                    f"unstage it (`git rm --cached {shlex.quote(name)}`, and list it in .gitignore) or delete the key from "
                    "it; rotate the key if it was ever pushed",
                    span=Span(copy.line, copy.column),
                )
            )
        )
    return found
