"""The real pre-commit tool runs each of our hooks from this checkout (`pre-commit try-repo`), on a good and a
bad project. try-repo sees only files git tracks: new files of this checkout must be `git add`ed first."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import REPO

PRE_COMMIT = Path(sys.executable).parent / "pre-commit"
PBCFG = Path(sys.executable).parent / "pbcfg"


def git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True)


@pytest.fixture(scope="module")
def cache(tmp_path_factory) -> Path:
    """One pre-commit home for the module: the hook environment is built once, not once per call."""
    return tmp_path_factory.mktemp("pre-commit-home")


@pytest.fixture
def project(tmp_path) -> Path:
    path = tmp_path / "project"
    path.mkdir()
    git(path, "init", "-q")
    git(path, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "--allow-empty", "-m", "init")
    return path


@pytest.fixture
def hook(project, cache):
    """``hook("pbcfg-lint")`` stages everything in the project, then runs the hook on all its files."""
    env = {**os.environ, "PRE_COMMIT_HOME": str(cache), "GITHUB_ACTIONS": ""}

    def run(name: str) -> subprocess.CompletedProcess:
        git(project, "add", "-A")
        return subprocess.run([PRE_COMMIT, "try-repo", REPO, name, "--all-files"], cwd=project, capture_output=True,
                              text=True, env=env)

    return run


def passed(done: subprocess.CompletedProcess, name: str) -> bool:
    return done.returncode == 0 and f"{name}." in done.stdout and "Passed" in done.stdout


def test_pbcfg_validate_hook_passes_a_good_config_and_fails_a_bad_one(project, hook):
    (project / "llm-config.json").write_text(json.dumps({"defaults": {"timeout": 120000}}))
    (project / "notes.json").write_text("{not json")  # not a PonyBunny file: the hook must not see it
    assert passed(hook("pbcfg-validate"), "pbcfg validate")
    linted = hook("pbcfg-lint")
    assert passed(linted, "pbcfg lint"), linted.stdout + linted.stderr

    (project / "llm-config.json").write_text('{"defaults": {"timeout": 10}}')
    bad = hook("pbcfg-validate")
    assert bad.returncode == 1
    assert "Failed" in bad.stdout
    assert "llm-config.json:1:26: error schema.minimum must be ≥ 1000, found 10" in bad.stdout


def test_validate_and_lint_hooks_check_yaml_sources(project, hook):
    (project / "config-src").mkdir()
    (project / "config-src" / "llm-config.yaml").write_text("defaults:\n  timeout: 120000\n")
    (project / "config-src" / "other.yaml").write_text("defaults: {timeout: 10}\n")  # not a config source
    assert passed(hook("pbcfg-validate"), "pbcfg validate")

    (project / "config-src" / "llm-config.yaml").write_text("defaults:\n  timeout: 10\n")
    bad = hook("pbcfg-lint")
    assert (bad.returncode, "Failed" in bad.stdout) == (1, True)
    assert "config-src/llm-config.yaml:2:12: error schema.minimum must be ≥ 1000, found 10" in bad.stdout


def test_build_check_hook_fails_when_the_built_json_is_stale(project, hook):
    subprocess.run([PBCFG, "init", "--preset", "ollama", "--config-dir", project, "--source", "yaml"], check=True,
                   capture_output=True)
    subprocess.run([PBCFG, "build", project, "--config-dir", project], check=True, capture_output=True)
    assert passed(hook("pbcfg-build-check"), "pbcfg build --check")

    with open(project / "llm-config.yaml", "a") as source:  # a source changed, the JSON not rebuilt
        source.write("defaults: {temperature: 0.3}\n")
    stale = hook("pbcfg-build-check")
    assert (stale.returncode, "Failed" in stale.stdout) == (1, True)
    assert "./llm-config.json: error build.out-of-date differs from what the sources build" in stale.stdout
    assert '+    "temperature": 0.3' in stale.stdout


def test_migrate_check_hook_fails_when_a_migration_is_pending(project, hook):
    (project / "llm-config.json").write_text('{"tiers": {"simple": {"primary": "gpt-5.2", "fallback": ["gemini-2.0-flash"]}}}\n')
    assert passed(hook("pbcfg-migrate-check"), "pbcfg migrate --check")

    (project / "llm-config.json").write_text('{"tiers": {"simple": {"primary": "gpt-5.2", "fallback": "gpt-5.2"}}}\n')
    pending = hook("pbcfg-migrate-check")
    assert (pending.returncode, "Failed" in pending.stdout) == (1, True)
    assert "llm-config.json:1:57: error migrate.fallback-array a string → a one-element array" in pending.stdout


def test_hooks_file_is_generated_from_the_catalog():
    import yaml

    from pbcfg.hooks import HOOKS, render

    text = (REPO / ".pre-commit-hooks.yaml").read_text()
    assert text == render(), "stale: run `python -m pbcfg.hooks > .pre-commit-hooks.yaml`"
    assert yaml.safe_load(text) == HOOKS
