"""The pre-commit hook catalog: ``.pre-commit-hooks.yaml`` is generated from it.

    python -m pbcfg.hooks > .pre-commit-hooks.yaml

A test keeps the file equal to this catalog.
"""

from __future__ import annotations

import json

from pbcfg.util.backup_store import BACKUP_SUFFIX

__all__ = ["HOOKS", "RECOMMENDED", "render"]

# PonyBunny's two files, and the YAML sources `pbcfg build` turns into them
_CONFIG_FILES = r"(^|/)(credentials|llm-config)\.(json|ya?ml)$"
_CONFIG_TYPES = ["json", "yaml"]
# and every backup of them (NAME.bak, NAME.N.bak, NAME.STAMP.N.bak: a copy a user moved or git may take holds keys
# too); no types_or, which would drop them, as identify gives a .bak no json or yaml type
_CONFIG_FILES_AND_BACKUPS = rf"(^|/)(credentials|llm-config)\.(json|ya?ml)({BACKUP_SUFFIX})?$"

# the one hook a config repository needs (with pbcfg-build-check when it has YAML sources): pbcfg-lint
# validates, runs every rule, finds keys about to be committed, and says in its hints which findings
# `pbcfg migrate` fixes, so each error is reported once. pbcfg-validate and pbcfg-migrate-check report
# the same places again: they are for a repository that wants only them, never beside pbcfg-lint.
RECOMMENDED = ("pbcfg-lint",)

HOOKS: list[dict[str, object]] = [
    {
        "id": "pbcfg-lint",
        "name": "pbcfg lint",
        "description": "The recommended hook, alone: validate (strict JSON, schemas, references), the rules that catch "
        "what PonyBunny silently gets wrong, and keys about to be committed in any staged file or backup; a "
        "finding `pbcfg migrate` fixes says so. Each error is reported once.",
        "entry": "pbcfg lint",
        "language": "python",
        "files": _CONFIG_FILES_AND_BACKUPS,
        "require_serial": True,
    },
    {
        "id": "pbcfg-validate",
        "name": "pbcfg validate",
        "description": "Only validate (strict JSON, schemas, references), for a repository that wants no lint rules. "
        "pbcfg-lint includes it: use one of the two.",
        "entry": "pbcfg validate",
        "language": "python",
        "files": _CONFIG_FILES,
        "types_or": _CONFIG_TYPES,
    },
    {
        "id": "pbcfg-build-check",
        "name": "pbcfg build --check",
        "description": "Fail when the JSON built from the YAML sources is out of date. Default: sources and JSON at "
        "the top of the repository; set args: [SOURCE_DIR, --config-dir, JSON_DIR] for others.",
        "entry": "pbcfg build --check",
        "language": "python",
        "args": [".", "--config-dir", "."],
        "files": _CONFIG_FILES,
        "types_or": _CONFIG_TYPES,
        "pass_filenames": False,
        "require_serial": True,
    },
    {
        "id": "pbcfg-migrate-check",
        "name": "pbcfg migrate --check",
        "description": "Fail when a config file needs a migration to today's format (`pbcfg migrate` makes it). "
        "pbcfg-lint reports the same places: use this only without it.",
        "entry": "pbcfg migrate --check",
        "language": "python",
        "files": _CONFIG_FILES,
        "types_or": _CONFIG_TYPES,
    },
    {
        "id": "pbcfg-codegen-check",
        "name": "pbcfg codegen --check",
        "description": "Fail when generated/ models are stale against schemas/.",
        "entry": "pbcfg codegen --check",
        "language": "python",
        "additional_dependencies": ["datamodel-code-generator==0.89.0"],
        "files": "^(schemas|generated)/",
        "pass_filenames": False,
        "require_serial": True,
    },
]


def render() -> str:
    """YAML, written by hand: every scalar as a JSON string or literal, which YAML reads the same."""
    lines = ["# Generated from pbcfg/hooks.py (python -m pbcfg.hooks > .pre-commit-hooks.yaml). Do not edit."]
    for hook in HOOKS:
        for index, (key, value) in enumerate(hook.items()):
            lines.append(f"{'- ' if index == 0 else '  '}{key}: {json.dumps(value)}")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(render(), end="")
