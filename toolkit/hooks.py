"""The pre-commit hook catalog: ``.pre-commit-hooks.yaml`` is generated from it.

    python -m pbcfg.hooks > .pre-commit-hooks.yaml

A test keeps the file equal to this catalog.
"""

from __future__ import annotations

import json

__all__ = ["HOOKS", "render"]

_CONFIG_FILES = r"(^|/)(credentials|llm-config)\.json$"

HOOKS = [
    {"id": "pbcfg-validate", "name": "pbcfg validate",
     "description": "Check PonyBunny's credentials.json and llm-config.json (strict JSON, schemas, references).",
     "entry": "pbcfg validate", "language": "python", "files": _CONFIG_FILES, "types": ["json"]},
    {"id": "pbcfg-lint", "name": "pbcfg lint",
     "description": "Validate plus the rules that catch what PonyBunny silently gets wrong.",
     "entry": "pbcfg lint", "language": "python", "files": _CONFIG_FILES, "types": ["json"]},
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
