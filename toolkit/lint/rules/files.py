"""Files and locations: the legacy directory and the schema files beside the config."""

from __future__ import annotations

import os

from pbcfg.lint.fixes import WriteFile
from pbcfg.lint.registry import check


@check("files.legacy-copy")
def legacy_copy(ctx):
    legacy = os.path.join(ctx.home, ".ponybunny")
    if os.path.realpath(legacy) == os.path.realpath(ctx.directory):
        return []
    found = []
    for name in ("credentials.json", "llm-config.json"):
        if os.path.isfile(os.path.join(legacy, name)) and os.path.isfile(ctx.path_of(name)):
            found.append(ctx.at_file(os.path.join(legacy, name), "files.legacy-copy",
                                     f"ignored: {ctx.path_of(name)} exists, and PonyBunny reads only that one",
                                     "merge anything you still need into the new file, then delete this one"))
    return found


@check("files.stale-schema", any_shape=True)
def stale_schema(ctx):
    from pbcfg.ponybunny.schema_files import stale_schema_files

    documents = [document for document in (ctx.credentials, ctx.llm_config) if document is not None]
    return [ctx.at_file(stale.path, "files.stale-schema", f"{os.path.basename(stale.path)} is {stale.state}",
                        "write the current schema (`pbcfg lint --fix` does)", fix=WriteFile(stale.path, stale.text))
            for stale in stale_schema_files(documents)]
