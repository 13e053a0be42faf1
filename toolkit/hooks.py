"""The pre-commit hook catalog: ``.pre-commit-hooks.yaml`` is generated from it.

    python -m pbcfg.hooks > .pre-commit-hooks.yaml

A test keeps the file equal to this catalog.
"""

from __future__ import annotations

import json

__all__ = ["HOOKS", "render"]

# PonyBunny's two files, and the YAML sources `pbcfg build` turns into them
_CONFIG_FILES = r"(^|/)(credentials|llm-config)\.(json|ya?ml)$"
_CONFIG_TYPES = ["json", "yaml"]

HOOKS = [
    {"id": "pbcfg-validate", "name": "pbcfg validate",
     "description": "Check PonyBunny's credentials.json and llm-config.json, and their YAML sources (strict JSON, "
                    "schemas, references).",
     "entry": "pbcfg validate", "language": "python", "files": _CONFIG_FILES, "types_or": _CONFIG_TYPES},
    {"id": "pbcfg-lint", "name": "pbcfg lint",
     "description": "Validate plus the rules that catch what PonyBunny silently gets wrong.",
     "entry": "pbcfg lint", "language": "python", "files": _CONFIG_FILES, "types_or": _CONFIG_TYPES},
    {"id": "pbcfg-build-check", "name": "pbcfg build --check",
     "description": "Fail when the JSON built from the YAML sources is out of date. Default: sources and JSON at "
                    "the top of the repository; set args: [SOURCE_DIR, --config-dir, JSON_DIR] for others.",
     "entry": "pbcfg build --check", "language": "python", "args": [".", "--config-dir", "."],
     "files": _CONFIG_FILES, "types_or": _CONFIG_TYPES, "pass_filenames": False, "require_serial": True},
    {"id": "pbcfg-migrate-check", "name": "pbcfg migrate --check",
     "description": "Fail when a config file needs a migration to today's format (`pbcfg migrate` makes it).",
     "entry": "pbcfg migrate --check", "language": "python", "files": _CONFIG_FILES, "types_or": _CONFIG_TYPES},
    {"id": "pbcfg-codegen-check", "name": "pbcfg codegen --check",
     "description": "Fail when generated/ models are stale against schemas/.",
     "entry": "pbcfg codegen --check", "language": "python",
     "additional_dependencies": ["datamodel-code-generator==0.89.0"],
     "files": "^(schemas|generated)/", "pass_filenames": False, "require_serial": True},
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
