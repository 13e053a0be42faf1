"""The house rules of toolkit/: one file name per module, stages import downward only, no module imports itself
in a circle, few modules at the top, and the code is clean by ruff's pyflakes and import-order checks."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

from helpers import REPO

TOOLKIT = REPO / "toolkit"

# lower stages first; a module may import from its own stage or any lower one
STAGES = [
    "base",
    "source",
    "ponybunny",
    "check",
    "lint",
    "migrate",
    "presets",
    "edit",
    "runtime",
    "workflows",
    "facade",
    "reporters",
    "cli",
]
BASE = {"pbcfg.diagnostics", "pbcfg.errors", "pbcfg.catalog", "pbcfg.schema_store"}
FACADES = {"pbcfg", "pbcfg.loading", "pbcfg.codegen", "pbcfg.hooks"}  # the public API beside the CLI


def module_name(path: Path) -> str:
    parts = ["pbcfg", *path.relative_to(TOOLKIT).with_suffix("").parts]
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(path): path for path in TOOLKIT.rglob("*.py")}


def stage_of(module: str) -> str:
    if module in BASE or module.startswith(("pbcfg.util", "pbcfg.secrets")):
        return "base"
    if module in FACADES or module.startswith("pbcfg.codegen."):
        return "facade"
    if module == "pbcfg.__main__":
        return "cli"
    return module.split(".")[1]


def imports_of(path: Path) -> set[str]:
    """Every pbcfg module ``path`` imports, at the top or inside a function."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("pbcfg"):
            for alias in node.names:  # `from pbcfg.x import y` may name the module pbcfg.x.y
                found.add(f"{node.module}.{alias.name}" if f"{node.module}.{alias.name}" in MODULES else node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names if alias.name.startswith("pbcfg"))
    return {name for name in found if name in MODULES}


GRAPH = {module: imports_of(path) for module, path in MODULES.items()}


def test_no_two_modules_share_a_file_name():
    """A name says one job: ``plan.py`` in two folders makes every mention of it ambiguous."""
    by_name: dict[str, list[str]] = {}
    for path in sorted(TOOLKIT.rglob("*.py")):
        if path.name not in ("__init__.py", "__main__.py"):
            by_name.setdefault(path.name, []).append(str(path.relative_to(TOOLKIT)))
    assert {name: paths for name, paths in by_name.items() if len(paths) > 1} == {}


def test_every_module_sits_in_a_known_stage():
    assert {stage_of(module) for module in MODULES} <= set(STAGES)


def test_stages_import_downward_only():
    upward = [
        f"{module} ({stage_of(module)}) imports {target} ({stage_of(target)})"
        for module, targets in GRAPH.items()
        for target in targets
        if STAGES.index(stage_of(target)) > STAGES.index(stage_of(module))
    ]
    assert upward == []


def test_no_import_cycles():
    def cycle_from(start: str) -> list[str] | None:
        stack = [(start, [start])]
        seen = set()
        while stack:
            module, path = stack.pop()
            for target in GRAPH[module]:
                if target == start:
                    return path + [start]
                if target not in seen and target != module and not start.startswith(target + "."):
                    seen.add(target)
                    stack.append((target, path + [target]))
        return None

    # a package's __init__ importing its own submodule is not a cycle of meaning; everything else is
    cycles = [cycle for module in MODULES if (cycle := cycle_from(module))]
    assert cycles == []


def test_few_modules_at_the_top():
    top = sorted(path.name for path in TOOLKIT.glob("*.py"))
    assert len(top) <= 10, top


def test_ruff_finds_nothing():
    done = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "toolkit", "tests", "bench"], cwd=REPO, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_import_contracts_hold():
    """pyproject.toml's import-linter contracts: the stages as layers, and what the runtime's loop and HTTP may
    import."""
    done = subprocess.run(
        [Path(sys.executable).parent / "lint-imports", "--no-cache"], cwd=REPO, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Contracts: 3 kept, 0 broken." in done.stdout
