"""What a new user still trips on in the first hour: a backup copied or left in the work tree and committed with
its key, and hints that act on another directory than the one this run read."""

from __future__ import annotations

import json
import re
import shlex
import subprocess
from pathlib import Path

import pytest
from git_projects import (
    ANTHROPIC,
    OPENAI,
    PBCFG,
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

KEYED = json.dumps({"endpoints": {"openai-direct": {"apiKey": OPENAI}}}, indent=2) + "\n"


def committer(project: Path, hook_repo):
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


def test_a_staged_backup_holding_a_key_fails_the_recommended_hook(tmp_path, hook_repo):
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
    # each backup is judged alone, as a credentials file of its own: its keys are as real
    assert PLANTED.findall(refused.stderr) == [(f"old/{name}:4:17", "secrets.key-in-git") for name in sorted(names)]
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


def test_backups_made_before_git_init_never_reach_a_commit(tmp_path, hook_repo):
    """Edits before `git init` leave backups beside the files; the keys then move to the environment and the
    directory becomes a repository: the first `git add -A` stages the backups, and the hook refuses them."""
    project = tmp_path / "project"
    project.mkdir()
    pbcfg(project, "init", "openai", "--config-dir", "config", "--api-key", OPENAI)
    pbcfg(project, "add", "anthropic", "--config-dir", "config", "--api-key", ANTHROPIC)
    config = project / "config"
    assert OPENAI in (config / "credentials.json.bak").read_text()
    credentials = json.loads((config / "credentials.json").read_text())
    for entry in credentials["endpoints"].values():
        del entry["apiKey"]  # the keys now come from $OPENAI_API_KEY and $ANTHROPIC_API_KEY
    (config / "credentials.json").write_text(json.dumps(credentials, indent=2) + "\n")
    git(project, "init", "-q")
    commit = committer(project, hook_repo)

    refused = commit("config")
    assert refused.returncode == 1, refused.stdout + refused.stderr
    backup = (config / "credentials.json.bak").read_text()
    assert PLANTED.findall(refused.stderr) == [
        (f"config/credentials.json.bak:{position(backup, OPENAI, -1)}", "secrets.key-in-git")
    ]
    warned = re.findall(
        r"^(\S+): warning files\.backup-in-work-tree .*\n  hint: .*?`(pbcfg [^`]+)`", refused.stderr, re.M
    )
    assert warned == [
        ("config/credentials.json.bak", "pbcfg backups config --move"),
        ("config/llm-config.json.bak", "pbcfg backups config --move"),
    ]
    moved = pbcfg(project, *shlex.split(warned[0][1])[1:])
    assert moved.stdout.splitlines()[0] == (
        f"moved 2 backups of config into {project / '.git' / 'pbcfg' / 'backups' / 'config'}, where no commit "
        "takes them"
    )

    committed = commit("config")
    assert committed.returncode == 0, committed.stdout + committed.stderr
    assert sorted(path.name for path in config.iterdir() if "bak" in path.name) == []
    assert (project / ".git" / "pbcfg" / "backups" / "config" / "credentials.json.bak").read_text() == backup
    for key in (OPENAI, ANTHROPIC):
        assert [run for run in secret_runs(key) if run in every_committed_text(project)] == []


def test_a_write_in_a_work_tree_moves_older_backups_beside_the_file_into_the_git_directory(tmp_path):
    """Oldest first and with their times kept: the newest five of all of them are kept, the newest being the one
    this write makes."""
    import os

    project = tmp_path / "project"
    project.mkdir()
    pbcfg(project, "init", "ollama", "--config-dir", "config")
    config = project / "config"
    names = ["llm-config.json.bak", *(f"llm-config.json.{n}.bak" for n in range(1, 6))]
    for made, name in enumerate(names, 1):
        (config / name).write_text(f'{{"made": {made}}}\n')
        made_ns = (1_600_000_000 + made) * 10**9  # in 2020, in the order of their names
        os.utime(config / name, ns=(made_ns, made_ns))
    git(project, "init", "-q")

    pbcfg(project, "add", "openai", "--config-dir", "config")

    assert sorted(path.name for path in config.iterdir() if "bak" in path.name) == []
    store = project / ".git" / "pbcfg" / "backups" / "config"
    kept = sorted(store.glob("llm-config.json*.bak"), key=lambda path: path.stat().st_mtime_ns)
    assert [path.read_text() for path in kept[:4]] == [f'{{"made": {made}}}\n' for made in (3, 4, 5, 6)]
    assert '"made"' not in kept[4].read_text() and '"tiers"' in kept[4].read_text()
    assert len(kept) == 5


GOOD_LLM_CONFIG = {"tiers": {"simple": {"primary": "gpt-5.2"}}}


def hinted(text: str) -> list[str]:
    """Every command a message tells the user to run: the `pbcfg …` spans between backticks."""
    return re.findall(r"`(pbcfg [^`]+)`", text)


@pytest.fixture
def repo(tmp_path, monkeypatch):
    """A project whose config is config/, and a home whose own config directory is somewhere else: a hint that
    forgets this run's directory acts on the home's."""
    home = tmp_path / "home"
    (home / ".config" / "ponybunny").mkdir(parents=True)
    project = tmp_path / "project"
    (project / "config").mkdir(parents=True)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.delenv("XDG_CONFIG_HOME", raising=False)
    monkeypatch.delenv("PONYBUNNY_CONFIG_DIR", raising=False)
    return project


def shell(project: Path, command: str) -> subprocess.CompletedProcess:
    """``command`` as pasted into a shell in ``project``."""
    return subprocess.run([str(PBCFG), *shlex.split(command)[1:]], cwd=project, capture_output=True, text=True)


@pytest.mark.parametrize(
    "case, text, run, hint, code, after",
    [
        (
            "comment",
            '{\n  // mine\n  "tiers": {"simple": {"primary": "gpt-5.2"}}\n}\n',
            "validate config",
            "pbcfg migrate config",
            0,
            lambda text: "//" not in text,
        ),
        (
            "fallback string",
            '{"tiers": {"simple": {"primary": "gpt-5.2", "fallback": "gpt-5.2"}}}\n',
            "validate config",
            "pbcfg migrate config",
            0,
            lambda text: json.loads(text)["tiers"]["simple"]["fallback"] == ["gpt-5.2"],
        ),
        (
            "dropped model",
            '{"tiers": {"simple": {"primary": "gpt-4o"}}}\n',
            "validate config",
            "pbcfg migrate config --rename-model gpt-4o=gpt-5.2",
            0,
            lambda text: json.loads(text)["tiers"]["simple"]["primary"] == "gpt-5.2",
        ),
        (
            "lint of a comment",
            '{\n  // mine\n  "tiers": {"simple": {"primary": "gpt-5.2"}}\n}\n',
            "lint --fix config",
            "pbcfg migrate config --only strict-json",
            0,
            lambda text: "//" not in text,
        ),
        (
            "add refused",
            '{"tiers": {"simple": {"primary": "gpt-5.2", "fallback": "gpt-5.2"}}}\n',
            "add ollama --config-dir config",
            "pbcfg validate config",
            1,
            lambda text: '"fallback": "gpt-5.2"' in text,
        ),
    ],
)
def test_a_pasted_hint_acts_on_this_runs_directory(repo, case, text, run, hint, code, after):
    llm_config = repo / "config" / "llm-config.json"
    llm_config.write_text(text)
    (repo / "config" / "credentials.json").write_text('{"endpoints": {}}\n')
    first = shell(repo, f"pbcfg {run}")
    assert first.returncode != 0, first.stdout + first.stderr
    assert hint in hinted(first.stdout + first.stderr), first.stdout + first.stderr
    pasted = shell(repo, hint)
    assert pasted.returncode == code, pasted.stdout + pasted.stderr
    assert "already up to date" not in pasted.stderr
    assert after(llm_config.read_text())
    if code:
        assert "config/llm-config.json:1:" in pasted.stdout


def test_renaming_onto_a_taken_id_hints_the_remove_that_frees_it(repo):
    model = {"displayName": "M", "endpoints": ["openai-direct"], "costPer1kTokens": {"input": 0, "output": 0}}
    config = {"models": {"a": model, "b": model}, "tiers": {"simple": {"primary": "a"}}}
    (repo / "config" / "llm-config.json").write_text(json.dumps(config, indent=2) + "\n")
    (repo / "config" / "credentials.json").write_text('{"endpoints": {}}\n')
    refused = shell(repo, "pbcfg rename model a b --config-dir config")
    assert refused.returncode == 1, refused.stdout + refused.stderr
    assert hinted(refused.stdout) == ["pbcfg remove model b --config-dir config"]
    removed = shell(repo, "pbcfg remove model b --config-dir config")
    assert removed.returncode == 0, removed.stdout + removed.stderr
    assert list(json.loads((repo / "config" / "llm-config.json").read_text())["models"]) == ["a"]


def test_a_bad_base_url_from_the_environment_is_fixed_in_its_variable():
    from pbcfg.runtime.status import EndpointStatus, State
    from pbcfg.workflows.findings import status_hint

    from_env = EndpointStatus(
        "openai-compatible", State.CONFIG_ERROR, None, "not a URL", source="env OPENAI_COMPATIBLE_BASE_URL"
    )
    assert status_hint(from_env) == "correct $OPENAI_COMPATIBLE_BASE_URL (pbcfg sent nothing)"
    from_file = from_env._replace(source="credentials.json /endpoints/openai-compatible/baseUrl")
    assert status_hint(from_file) == "correct the value where this finding points (pbcfg sent nothing)"


def test_a_base_url_variable_path_b_ignores_says_it_once_in_plain_words(run, tmp_path, monkeypatch):
    (tmp_path / "credentials.json").write_text('{"endpoints": {"openai-compatible": {"apiKey": "not-needed"}}}\n')
    (tmp_path / "llm-config.json").write_text('{"endpoints": {"openai-compatible": {"enabled": true}}}\n')
    monkeypatch.setenv("OPENAI_COMPATIBLE_BASE_URL", "http://127.0.0.1:9/v1")
    result = run("lint", tmp_path, "--select", "env.ignored-on-path-b", "--format", "json")
    assert [d["message"] for d in result.json["diagnostics"]] == [
        "$OPENAI_COMPATIBLE_BASE_URL is set, but PonyBunny's Path B (the conversation agent) never reads it: there "
        "it has no base URL, so every request fails ('Failed to parse URL'); pbcfg's runtime and Path A (work items, "
        "planning) use it"
    ]


@pytest.mark.parametrize(
    "command, endpoint, line",
    [
        (["init", "openai", "--api-key", ANTHROPIC], "openai-direct", 5),
        (["add", "openai", "--api-key", ANTHROPIC], "openai-direct", 10),
    ],
)
def test_a_key_of_another_service_is_written_as_asked_and_said_at_once(run, tmp_path, command, endpoint, line):
    config = tmp_path / "config"
    if command[0] == "add":
        assert run("init", "ollama", "--config-dir", config).code == 0
    result = run(*command, "--config-dir", config)
    assert result.code == 0, result.out + result.err
    warnings = [text for text in result.err.splitlines() if text.startswith("warning: ")]
    assert warnings == [
        f"warning: {config / 'credentials.json'}:{line}:17: secrets.key-for-another-service apiKey of {endpoint} is "
        f"an Anthropic API key (sk-…{fingerprint(ANTHROPIC)}), but {endpoint} speaks the openai protocol: "
        "the server refuses it"
    ]
    assert [run for run in secret_runs(ANTHROPIC) if run in result.out + result.err] == []
    assert ANTHROPIC in (config / "credentials.json").read_text()


def test_add_on_a_file_past_the_cap_counts_every_error_and_says_how_to_see_the_rest(run, tmp_path):
    (tmp_path / "llm-config.json").write_text(json.dumps({f"k{i}": 1 for i in range(1500)}))
    result = run("add", "ollama", "--config-dir", tmp_path)
    assert result.code == 1
    name = tmp_path / "llm-config.json"
    assert result.out.splitlines()[-2:] == [
        f"… and 500 more in {name}; `pbcfg validate --max-diagnostics 0 {name}` shows them all",
        "1 file checked: 1500 errors, 0 warnings, 0 infos",
    ]
    shown = run("validate", "--max-diagnostics", "0", name)
    assert shown.out.splitlines()[-1] == "1 file checked: 1500 errors, 0 warnings, 0 infos"
