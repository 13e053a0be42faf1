"""What a new user still trips on in the first hour: a backup copied or left in the work tree and committed with
its key, and hints that act on another directory than the one this run read."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from test_first_hour import OPENAI, every_committed_text, secret_runs
from test_precommit import PBCFG, PLANTED, PRE_COMMIT, git, hook_repo, new_project, pre_commit_env  # noqa: F401

KEYED = json.dumps({"endpoints": {"openai-direct": {"apiKey": OPENAI}}}, indent=2) + "\n"


def committer(project: Path, hook_repo):  # noqa: F811
    """The recommended hook installed in ``project``; ``commit(message)``: `git add -A && git commit`."""
    from pbcfg.hooks import RECOMMENDED

    repository, revision, _ = hook_repo
    (project / ".pre-commit-config.yaml").write_text(
        f"repos:\n  - repo: {json.dumps(str(repository))}\n    rev: {revision}\n    hooks:\n"
        + "".join(f"      - id: {hook}\n" for hook in RECOMMENDED)
    )
    env = pre_commit_env(hook_repo)
    subprocess.run([PRE_COMMIT, "install"], cwd=project, check=True, capture_output=True, env=env)

    def commit(message: str) -> subprocess.CompletedProcess:
        git(project, "add", "-A")
        return subprocess.run(
            ["git", "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-m", message],
            cwd=project,
            capture_output=True,
            text=True,
            env=env,
        )

    return commit


def test_a_staged_backup_holding_a_key_fails_the_recommended_hook(tmp_path, hook_repo):  # noqa: F811
    """No config file is staged, only copies under every name pbcfg's backups take: the hook still runs on them,
    reads each as credentials (by its name: none has a $schema) and refuses the commit."""
    project = new_project(tmp_path)
    commit = committer(project, hook_repo)
    old = project / "old"
    old.mkdir()
    names = ["credentials.json.bak", "credentials.json.1.bak", "credentials.json.20260101-120000.3.bak"]
    for name in names:
        (old / name).write_text(KEYED)
    refused = commit("old backups")
    assert refused.returncode == 1, refused.stdout + refused.stderr
    # lint pairs one credentials file per directory (the first named) and finds the others as staged copies of it
    assert PLANTED.findall(refused.stderr) == [
        ("old/credentials.json.1.bak:4:17", "secrets.key-in-git"),
        ("old/credentials.json.20260101-120000.3.bak:4:18", "secrets.key-staged"),
        ("old/credentials.json.bak:4:18", "secrets.key-staged"),
    ]
    assert "Skipped" not in refused.stderr
    assert (
        subprocess.run(["git", "rev-list", "--count", "HEAD"], cwd=project, capture_output=True, text=True).stdout
        == "1\n"
    )
    assert [run for run in secret_runs(OPENAI) if run in every_committed_text(project)] == []


@pytest.mark.parametrize("name", ["credentials.yaml.bak", "credentials.yml.2.bak"])
def test_lint_reads_a_yaml_backup_as_yaml_credentials(run, tmp_path, name):
    git(tmp_path, "init", "-q")
    (tmp_path / name).write_text(f"endpoints:\n  openai-direct:\n    apiKey: {OPENAI}\n")
    result = run("lint", tmp_path / name, "--select", "secrets")
    assert result.code == 1, result.out + result.err
    assert PLANTED.findall(result.out) == [(f"{tmp_path / name}:3:13", "secrets.key-in-git")]
    assert [run for run in secret_runs(OPENAI) if run in result.out + result.err] == []
