"""Files and locations: the legacy directory and the schema files beside the config."""

from __future__ import annotations

import os

from ..diagnostics import Severity
from .catalog import rule
from .fixes import WriteFile


@rule("files.legacy-copy", Severity.WARNING, "A copy in ~/.ponybunny beside the new config directory.",
      """PonyBunny moved its directory from ~/.ponybunny to ~/.config/ponybunny on 2026-02-20. When both hold
      a file, the legacy copy is silently ignored, so edits made there do nothing. Merge what you need and
      delete the legacy copy.""")
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


@rule("files.stale-schema", Severity.WARNING, "A *.schema.json beside the files is missing or stale.",
      """The $schema key of each file points at a schema file beside it, which editors use for completion and
      checks. PonyBunny writes those only in `pb init`, so they go missing or stale (an old one lacks the
      codex protocol). The fix writes pbcfg's current schemas.""", fixable=True)
def stale_schema(ctx):
    from ..relocation import stale_schema_files

    documents = [document for document in (ctx.credentials, ctx.llm_config) if document is not None]
    return [ctx.at_file(path, "files.stale-schema",
                        f"{os.path.basename(path)} is {'stale' if os.path.exists(path) else 'missing'}",
                        "write the current schema (`pbcfg lint --fix` does)", fix=WriteFile(path, text))
            for path, text in stale_schema_files(documents).items()]
