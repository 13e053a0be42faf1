"""A new user's first hour in a team config repository: every writing command, a commit after each through the
recommended pre-commit hook, and not one key in any commit; then planted errors, each reported once.
Also the staged-key check on its own: any staged file that holds a key of the credentials checked."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest
from git_projects import (
    ANTHROPIC,
    OPENAI,
    PLANTED,
    PRE_COMMIT,
    every_committed_text,
    git,
    new_project,
    pbcfg,
    position,
    pre_commit_env,
    secret_runs,
)

from helpers import fingerprint


def edit_json(path: Path, change) -> None:
    data = json.loads(path.read_text())
    change(data)
    path.write_text(json.dumps(data, indent=2) + "\n")


def test_the_first_hour_commits_no_key_and_reports_each_planted_error_once(tmp_path, hook_repo):  # noqa: F811
    from pbcfg.hooks import RECOMMENDED

    project = new_project(tmp_path)
    repository, revision, _ = hook_repo
    (project / ".gitignore").write_text("credentials.json\n")  # keys stay out of the repository; backups were not
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

    config, legacy = project / "config", project / "legacy"
    steps = [
        ("init", lambda: pbcfg(project, "init", "ollama", "--config-dir", "config")),
        ("add openai", lambda: pbcfg(project, "add", "openai", "--config-dir", "config", "--api-key", OPENAI)),
        ("add anthropic", lambda: pbcfg(project, "add", "anthropic", "--config-dir", "config", "--api-key", ANTHROPIC)),
        (
            "lint --fix",
            lambda: (
                edit_json(
                    config / "llm-config.json", lambda d: d["tiers"]["simple"].update(fallback=["gpt-5.2", "gpt-5.2"])
                ),
                pbcfg(project, "lint", "--fix", "config"),
            ),
        ),
        (
            "migrate",
            lambda: (
                legacy.mkdir(),
                (legacy / "credentials.json").write_text(
                    json.dumps({"endpoints": {"openai-direct": {"api_key": OPENAI}}}) + "\n"
                ),
                (legacy / "llm-config.json").write_text(
                    '{"tiers": {"simple": {"primary": "gpt-5.2", "fallback": "gpt-5.2"}}}\n'
                ),
                pbcfg(project, "migrate", "legacy"),
            ),
        ),
        ("rename", lambda: pbcfg(project, "rename", "model", "llama3.1:8b", "llama3.2:3b", "--config-dir", "config")),
        ("remove", lambda: pbcfg(project, "remove", "endpoint", "aws-bedrock", "--config-dir", "config")),
    ]
    for name, step in steps:
        step()
        committed = commit(name)
        assert committed.returncode == 0, (name, committed.stdout + committed.stderr)
        assert re.search(r"^pbcfg lint\.+Passed$", committed.stderr, re.M), (name, committed.stderr)

    assert [name for name in sorted(p.name for p in config.iterdir()) if "bak" in name] == []
    backups = project / ".git" / "pbcfg" / "backups"
    held = [path for path in backups.rglob("*.bak") if OPENAI in path.read_text() or ANTHROPIC in path.read_text()]
    assert held, "the walk-through made no backup holding a key: it proves nothing"
    assert len(list((backups / "config").glob("llm-config.json*.bak"))) == 5  # six rewrites, five kept
    assert git_log_count(project) == 1 + len(steps)

    text = every_committed_text(project)
    for key in (OPENAI, ANTHROPIC):
        assert [run for run in secret_runs(key) if run in text] == []

    # planted errors, as a user makes them: each must be reported once, by the one hook
    edit_json(
        config / "llm-config.json",
        lambda d: (d.setdefault("defaults", {}).update(timeout=10), d["tiers"]["medium"].update(fallback="gpt-5.2")),
    )
    (project / "notes").mkdir()
    (project / "notes" / "keys.txt").write_text(f"the anthropic key for the demo:\n  {ANTHROPIC}\n")
    (config / "credentials.backup.json").write_text((config / "credentials.json").read_text())
    head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=project, capture_output=True, text=True).stdout
    refused = commit("planted")
    assert refused.returncode == 1, refused.stdout + refused.stderr
    llm_config = (config / "llm-config.json").read_text()
    copied = (config / "credentials.backup.json").read_text()
    first_key = min(copied.index(OPENAI), copied.index(ANTHROPIC))
    timeout, fallback = '"timeout": 10', '"fallback": "gpt-5.2"\n'  # the two planted values end each
    assert sorted(PLANTED.findall(refused.stderr)) == sorted(
        [
            (
                f"config/credentials.backup.json:{position(copied, copied[first_key : first_key + 12])}",
                "secrets.key-staged",
            ),
            (f"config/llm-config.json:{position(llm_config, timeout, len(timeout) - 2)}", "schema.minimum"),
            (f"config/llm-config.json:{position(llm_config, fallback, len(fallback) - 10)}", "schema.type"),
            ("notes/keys.txt:2:3", "secrets.key-staged"),
        ]
    )
    assert 'hint: write it as an array: ["gpt-5.2"] (`pbcfg migrate config` does this)' in refused.stderr
    assert (
        "notes/keys.txt:2:3: error secrets.key-staged holds apiKey of anthropic-direct from "
        f"config/credentials.json (sk-…{fingerprint(ANTHROPIC)}), and is staged: the next commit publishes it"
    ) in refused.stderr
    for key in (OPENAI, ANTHROPIC):
        assert [run for run in secret_runs(key) if run in refused.stdout + refused.stderr] == []
    assert subprocess.run(["git", "rev-parse", "HEAD"], cwd=project, capture_output=True, text=True).stdout == head


def git_log_count(project: Path) -> int:
    return int(
        subprocess.run(
            ["git", "rev-list", "--count", "HEAD"], cwd=project, check=True, capture_output=True, text=True
        ).stdout
    )


@pytest.fixture
def keyed(tmp_path):
    """A repository with config/credentials.json holding a key, and git ignoring it."""
    project = new_project(tmp_path)
    (project / ".gitignore").write_text("credentials.json\n")
    (project / "config").mkdir()
    (project / "config" / "credentials.json").write_text(
        json.dumps({"endpoints": {"openai-direct": {"apiKey": OPENAI}}}, indent=2) + "\n"
    )
    (project / "config" / "llm-config.json").write_text("{}\n")
    return project


def test_a_staged_file_holding_a_key_is_an_error_and_an_unstaged_one_is_not(run, keyed, monkeypatch):
    monkeypatch.chdir(keyed)
    (keyed / "config" / "notes.md").write_text(f"# demo\nkey = {OPENAI}\n")
    (keyed / "scratch.txt").write_text(OPENAI)
    git(keyed, "add", "config/notes.md", "config/llm-config.json", ".gitignore")
    result = run("lint", "config", "--select", "secrets")
    assert result.code == 1, result.out + result.err
    assert PLANTED.findall(result.out) == [("config/notes.md:2:7", "secrets.key-staged")]
    assert (
        "config/notes.md:2:7: error secrets.key-staged holds apiKey of openai-direct from config/credentials.json "
        f"(sk-…{fingerprint(OPENAI)}), and is staged: the next commit publishes it\n"
        "  hint: unstage it (`git rm --cached "
        "config/notes.md`, and list it in .gitignore) or delete the key from it; rotate the key if it was ever "
        "pushed\n"
    ) in result.out
    assert [run for run in secret_runs(OPENAI) if run in result.out + result.err] == []

    git(keyed, "rm", "-q", "--cached", "config/notes.md")
    assert run("lint", "config", "--select", "secrets").code == 0


def test_git_is_not_asked_outside_a_work_tree_or_without_a_key(run, tmp_path, keyed, monkeypatch):
    calls = []
    real = subprocess.run
    monkeypatch.setattr(
        subprocess, "run", lambda command, *a, **k: (calls.append(command[:2]), real(command, *a, **k))[1]
    )
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "credentials.json").write_text(json.dumps({"endpoints": {"openai-direct": {"apiKey": OPENAI}}}))
    (outside / "credentials.json").chmod(0o600)
    outside.chmod(0o700)
    assert run("lint", outside, "--select", "secrets").code == 0
    (keyed / "config" / "credentials.json").write_text('{"endpoints": {"openai-direct": {"enabled": false}}}\n')
    assert run("lint", keyed / "config", "--select", "secrets").code == 0
    assert calls == []
