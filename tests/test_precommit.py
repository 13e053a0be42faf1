"""The real pre-commit tool runs every hook of ours from this checkout (`pre-commit try-repo`), on a good project
and on a bad one where each hook has its own reason to fail.

try-repo builds the hooks' environment afresh on every call (a pip install of this checkout), so each project
state is one call that runs all the hooks; a hook's output is read from its own section. try-repo sees only files
git tracks: new files of this checkout must be `git add`ed first.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from conftest import REPO

PRE_COMMIT = Path(sys.executable).parent / "pre-commit"
PBCFG = Path(sys.executable).parent / "pbcfg"
CONFIG_HOOKS = ["pbcfg-validate", "pbcfg-lint", "pbcfg-build-check", "pbcfg-migrate-check"]


def git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True)


def pbcfg(*args) -> None:
    subprocess.run([PBCFG, *map(str, args)], check=True, capture_output=True)


def project(path: Path) -> Path:
    """YAML sources and the JSON built from them at the top (the build-check hook's default), plus files
    that are not PonyBunny's and must not be seen."""
    path.mkdir(mode=0o700)  # it holds credentials: lint wants the directory private
    git(path, "init", "-q")
    git(path, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "--allow-empty", "-m", "init")
    pbcfg("init", "--preset", "ollama", "--config-dir", path, "--source", "yaml")
    pbcfg("build", path, "--config-dir", path)
    (path / "notes.json").write_text("{not json")
    (path / "other.yaml").write_text("defaults: {timeout: 10}\n")
    return path


def run_hooks(path: Path, cache: Path) -> dict[str, tuple[bool, str]]:
    """Every hook but codegen's on all files: hook id -> (passed, its output)."""
    git(path, "add", "-A")
    env = {**os.environ, "PRE_COMMIT_HOME": str(cache), "GITHUB_ACTIONS": "", "SKIP": "pbcfg-codegen-check"}
    done = subprocess.run([PRE_COMMIT, "try-repo", REPO, "--all-files"], cwd=path, capture_output=True, text=True,
                          env=env)
    verdicts = dict(re.findall(r"^(pbcfg [a-z -]+?)\.+(Passed|Failed)$", done.stdout, re.M))
    sections = dict(re.findall(r"^- hook id: (\S+)\n(.*?)(?=^pbcfg [a-z -]+?\.+|\Z)", done.stdout, re.M | re.S))
    names = {"pbcfg-validate": "pbcfg validate", "pbcfg-lint": "pbcfg lint",
             "pbcfg-build-check": "pbcfg build --check", "pbcfg-migrate-check": "pbcfg migrate --check"}
    assert set(verdicts) == set(names.values()), done.stdout + done.stderr
    return {hook: (verdicts[name] == "Passed", sections.get(hook, "")) for hook, name in names.items()}


def test_every_hook_passes_a_good_project(tmp_path):
    results = run_hooks(project(tmp_path / "good"), tmp_path / "cache")
    assert {hook: passed for hook, (passed, _) in results.items()} == dict.fromkeys(CONFIG_HOOKS, True), results


def test_each_hook_fails_a_bad_project_for_its_own_reason(tmp_path):
    path = project(tmp_path / "bad")
    with open(path / "llm-config.yaml", "a") as source:  # valid, but the JSON is not rebuilt
        source.write("defaults: {temperature: 0.3}\n")
    (path / "team").mkdir()
    (path / "team" / "credentials.yaml").write_text("endpoints:\n  openai-direct:\n    api_key: sk-abc\n")
    (path / "legacy").mkdir()
    (path / "legacy" / "llm-config.json").write_text('{"tiers": {"simple": {"primary": "gpt-5.2", '
                                                     '"fallback": "gpt-5.2"}}}\n')
    results = run_hooks(path, tmp_path / "cache")
    assert {hook: passed for hook, (passed, _) in results.items()} == dict.fromkeys(CONFIG_HOOKS, False), results
    validate, lint = results["pbcfg-validate"][1], results["pbcfg-lint"][1]
    for output in (validate, lint):
        assert ("team/credentials.yaml:3:5: error schema.additionalProperties unknown key 'api_key' in "
                "endpoints/openai-direct") in output
        assert "legacy/llm-config.json:1:57: error schema.type" in output
        assert "other.yaml" not in output and "notes.json" not in output
    build = results["pbcfg-build-check"][1]
    assert "./llm-config.json: error build.out-of-date differs from what the sources build" in build
    assert '+    "temperature": 0.3' in build
    migrate = results["pbcfg-migrate-check"][1]
    assert "legacy/llm-config.json:1:57: error migrate.fallback-array a string → a one-element array" in migrate
    assert "team/credentials.yaml:3:5: error migrate.credential-keys" in migrate


def test_hooks_file_is_generated_from_the_catalog():
    import yaml

    from pbcfg.hooks import HOOKS, render

    text = (REPO / ".pre-commit-hooks.yaml").read_text()
    assert text == render(), "stale: run `python -m pbcfg.hooks > .pre-commit-hooks.yaml`"
    assert yaml.safe_load(text) == HOOKS
