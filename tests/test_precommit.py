"""The real pre-commit tool runs our hooks from this checkout on a good and a bad config."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from conftest import REPO

PRE_COMMIT = Path(sys.executable).parent / "pre-commit"


def git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True)


def test_pbcfg_validate_hook_passes_a_good_config_and_fails_a_bad_one(tmp_path):
    project = tmp_path / "project"
    project.mkdir()
    git(project, "init", "-q")
    git(project, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "--allow-empty", "-m", "init")
    (project / "llm-config.json").write_text(json.dumps({"defaults": {"timeout": 120000}}))
    (project / "notes.json").write_text("{not json")  # not a PonyBunny file: the hook must not see it
    git(project, "add", ".")
    env = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "cache"), "GITHUB_ACTIONS": ""}

    def hook(name: str = "pbcfg-validate") -> subprocess.CompletedProcess:
        return subprocess.run([PRE_COMMIT, "try-repo", REPO, name, "--all-files"],
                              cwd=project, capture_output=True, text=True, env=env)

    good = hook()
    assert good.returncode == 0, good.stdout + good.stderr
    assert "pbcfg validate" in good.stdout and "Passed" in good.stdout
    linted = hook("pbcfg-lint")
    assert linted.returncode == 0, linted.stdout + linted.stderr
    assert "pbcfg lint" in linted.stdout and "Passed" in linted.stdout

    (project / "llm-config.json").write_text('{"defaults": {"timeout": 10}}')
    git(project, "add", ".")
    bad = hook()
    assert bad.returncode == 1
    assert "Failed" in bad.stdout
    assert "llm-config.json:1:26: error schema.minimum must be ≥ 1000, found 10" in bad.stdout


def test_hooks_file_is_generated_from_the_catalog():
    import yaml

    from pbcfg.hooks import HOOKS, render

    text = (REPO / ".pre-commit-hooks.yaml").read_text()
    assert text == render(), "stale: run `python -m pbcfg.hooks > .pre-commit-hooks.yaml`"
    assert yaml.safe_load(text) == HOOKS
