"""The real pre-commit tool runs our hooks from this checkout: a good and a bad config for validate and lint,
every config hook on a good project and on a bad one where each hook has its own reason to fail, and a
committed key.

The checkout is frozen once into a repository of its own (uncommitted and new files included), so pre-commit
builds the hooks' environment once for the module (`pre-commit try-repo` would build it on every call).
"""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest
from git_projects import PBCFG, PLANTED, PRE_COMMIT, git, new_project, pre_commit_env

from helpers import REPO, fingerprint

CONFIG_HOOKS = {
    "pbcfg-validate": "pbcfg validate",
    "pbcfg-lint": "pbcfg lint",
    "pbcfg-build-check": "pbcfg build --check",
    "pbcfg-migrate-check": "pbcfg migrate --check",
}


def hooks(project: Path, hook_repo, chosen=tuple(CONFIG_HOOKS)):
    """``hook(id)``: `pre-commit run ID --all-files` in ``project``, with the ``chosen`` hooks in its config, as a
    user has it."""
    repository, revision, _ = hook_repo
    (project / ".pre-commit-config.yaml").write_text(
        f"repos:\n  - repo: {json.dumps(str(repository))}\n    rev: {revision}\n"
        "    hooks:\n" + "".join(f"      - id: {hook}\n" for hook in chosen)
    )
    git(project, "add", ".pre-commit-config.yaml")  # pre-commit refuses a config that is not staged
    env = pre_commit_env(hook_repo)

    def hook(name: str | None = "pbcfg-validate") -> subprocess.CompletedProcess:
        """One hook, or with None every hook of the config."""
        return subprocess.run(
            [PRE_COMMIT, "run", *([name] if name else []), "--all-files"],
            cwd=project,
            capture_output=True,
            text=True,
            env=env,
        )

    return hook


def test_pbcfg_validate_hook_passes_a_good_config_and_fails_a_bad_one(tmp_path, hook_repo):
    project = new_project(tmp_path)
    (project / "llm-config.json").write_text(json.dumps({"defaults": {"timeout": 120000}}))
    (project / "notes.json").write_text("{not json")  # not a PonyBunny file: the hook must not see it
    git(project, "add", ".")
    hook = hooks(project, hook_repo)

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


def test_a_committed_config_with_keys_from_env_passes_and_a_committed_key_fails(tmp_path, hook_repo):
    """In a git work tree, file modes (git checks out 0644 in 0755) and the keys this
    process holds say nothing; a real-looking key in a committed credentials.json is an error of its own."""
    from pbcfg.presets.render import Parameters, render
    from pbcfg.presets.service_presets import get_preset

    project = new_project(tmp_path)
    config = project / "config"
    config.mkdir(mode=0o755)
    for name, text in render(get_preset("openai"), Parameters()).files.items():  # the key stays in $OPENAI_API_KEY
        (config / name).write_text(text)
        (config / name).chmod(0o644)
    git(project, "add", ".")
    git(project, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "-m", "config")
    hook = hooks(project, hook_repo)

    for name in ("pbcfg-validate", "pbcfg-lint"):
        passed = hook(name)
        assert passed.returncode == 0, passed.stdout + passed.stderr
        assert "Passed" in passed.stdout and "secrets." not in passed.stdout and "env." not in passed.stdout

    key = "sk-proj-4f9Qx2Lm8Rt6Vb1Nc3Zd7Hk5"
    credentials = json.loads((config / "credentials.json").read_text())
    credentials["endpoints"]["openai-direct"]["apiKey"] = key
    (config / "credentials.json").write_text(json.dumps(credentials, indent=2) + "\n")
    git(project, "add", ".")
    assert hook("pbcfg-validate").returncode == 0  # valid: the file is fine, committing it is not
    failed = hook("pbcfg-lint")
    assert failed.returncode == 1, failed.stdout + failed.stderr
    assert (
        f"config/credentials.json:6:17: error secrets.key-in-git apiKey of openai-direct (sk-…{fingerprint(key)}) "
        "looks like a real key, in a file inside a git work tree, where a commit publishes it\n"
    ) in failed.stdout
    assert "hint: remove it here and set $OPENAI_API_KEY where PonyBunny runs" in failed.stdout
    assert key[8:] not in failed.stdout and "secrets.file-permissions" not in failed.stdout


def pbcfg(*args) -> None:
    subprocess.run([PBCFG, *map(str, args)], check=True, capture_output=True)


def yaml_project(tmp_path: Path) -> Path:
    """YAML sources and the JSON built from them at the top (the build-check hook's default), plus files
    that are not PonyBunny's and must not be seen."""
    path = new_project(tmp_path)
    pbcfg("init", "ollama", "--config-dir", path, "--source", "yaml")
    pbcfg("build", path, "--config-dir", path)
    (path / "notes.json").write_text("{not json")
    (path / "other.yaml").write_text("defaults: {timeout: 10}\n")
    return path


def run_hooks(path: Path, hook_repo) -> dict[str, tuple[bool, str]]:
    """Every config hook on all files: hook id -> (passed, its output)."""
    git(path, "add", "-A")
    done = hooks(path, hook_repo)(None)
    verdicts = dict(re.findall(r"^(pbcfg [a-z -]+?)\.+(Passed|Failed)$", done.stdout, re.M))
    sections = dict(re.findall(r"^- hook id: (\S+)\n(.*?)(?=^pbcfg [a-z -]+?\.+|\Z)", done.stdout, re.M | re.S))
    assert set(verdicts) == set(CONFIG_HOOKS.values()), done.stdout + done.stderr
    return {hook: (verdicts[name] == "Passed", sections.get(hook, "")) for hook, name in CONFIG_HOOKS.items()}


def test_every_hook_passes_a_good_project(tmp_path, hook_repo):
    results = run_hooks(yaml_project(tmp_path), hook_repo)
    assert {hook: passed for hook, (passed, _) in results.items()} == dict.fromkeys(CONFIG_HOOKS, True), results


def test_each_hook_fails_a_bad_project_for_its_own_reason(tmp_path, hook_repo):
    path = yaml_project(tmp_path)
    with open(path / "llm-config.yaml", "a") as source:  # valid, but the JSON is not rebuilt
        source.write("defaults: {temperature: 0.3}\n")
    (path / "team").mkdir()
    (path / "team" / "credentials.yaml").write_text("endpoints:\n  openai-direct:\n    api_key: sk-abc\n")
    (path / "legacy").mkdir()
    (path / "legacy" / "llm-config.json").write_text(
        '{"tiers": {"simple": {"primary": "gpt-5.2", "fallback": "gpt-5.2"}}}\n'
    )
    results = run_hooks(path, hook_repo)
    assert {hook: passed for hook, (passed, _) in results.items()} == dict.fromkeys(CONFIG_HOOKS, False), results
    validate, lint = results["pbcfg-validate"][1], results["pbcfg-lint"][1]
    for output in (validate, lint):
        assert (
            "team/credentials.yaml:3:5: error schema.additionalProperties unknown key 'api_key' in "
            "endpoints/openai-direct"
        ) in output
        assert "legacy/llm-config.json:1:57: error schema.type" in output
        assert "other.yaml" not in output and "notes.json" not in output
    build = results["pbcfg-build-check"][1]
    assert "./llm-config.json: error build.out-of-date differs from what the sources build" in build
    assert '+    "temperature": 0.3' in build
    migrate = results["pbcfg-migrate-check"][1]
    assert "legacy/llm-config.json:1:57: error migrate.fallback-array a string → a one-element array" in migrate
    assert "team/credentials.yaml:3:5: error migrate.credential-keys" in migrate


def test_the_recommended_hook_reports_each_planted_error_once(tmp_path, hook_repo):
    """The bad project of the test above, with the recommended setup: every error once, migrations included."""
    from pbcfg.hooks import RECOMMENDED

    path = yaml_project(tmp_path)
    (path / "team").mkdir()
    (path / "team" / "credentials.yaml").write_text("endpoints:\n  openai-direct:\n    api_key: sk-abc\n")
    (path / "legacy").mkdir()
    (path / "legacy" / "llm-config.json").write_text(
        '{"tiers": {"simple": {"primary": "gpt-5.2", "fallback": "gpt-5.2"}}}\n'
    )
    git(path, "add", "-A")
    done = hooks(path, hook_repo, RECOMMENDED)(None)
    assert done.returncode == 1, done.stdout + done.stderr
    assert re.findall(r"^(pbcfg [a-z -]+?)\.+(Passed|Failed)$", done.stdout, re.M) == [("pbcfg lint", "Failed")]
    assert sorted(PLANTED.findall(done.stdout)) == [
        ("legacy/llm-config.json:1:57", "schema.type"),
        ("team/credentials.yaml:3:5", "schema.additionalProperties"),
    ]
    assert 'hint: write it as an array: ["gpt-5.2"] (`pbcfg migrate legacy` does this)' in done.stdout


def test_a_pair_pre_commit_could_split_across_batches_is_reported_once(tmp_path, hook_repo):
    """pre-commit splits many files into one batch per CPU, and lint judges each file with its partner: run in
    parallel, a pair split across two batches would report what it finds beyond the pair (a staged copy of a
    key) twice."""
    from pbcfg.hooks import RECOMMENDED

    project = new_project(tmp_path)
    for name in "abcdefgh":
        (project / name).mkdir()
        (project / name / "credentials.json").write_text('{"endpoints": {}}\n')
        (project / name / "llm-config.json").write_text('{"defaults": {"timeout": 120000}}\n')
    split = _split_pair(
        sorted(f"{name}/{file}" for name in "abcdefgh" for file in ("credentials.json", "llm-config.json"))
    )
    key = "sk-proj-4f9Qx2Lm8Rt6Vb1Nc3Zd7Hk5"
    (project / split / "credentials.json").write_text(f'{{"endpoints": {{"openai-direct": {{"apiKey": "{key}"}}}}}}\n')
    (project / "notes.txt").write_text(key + "\n")  # found through the pair's credentials, whichever file is given
    git(project, "add", "-A")
    done = hooks(project, hook_repo, RECOMMENDED)(None)
    assert done.returncode == 1, done.stdout + done.stderr
    assert PLANTED.findall(done.stdout) == [
        (f"{split}/credentials.json:1:44", "secrets.key-in-git"),
        ("notes.txt:1:1", "secrets.key-staged"),
    ]


def _split_pair(files: list[str]) -> str:
    """A directory whose two files pre-commit, run in parallel, would pass to two different processes: it
    shuffles the files (with a fixed seed) and splits them into one batch per CPU."""
    from pre_commit import lang_base, xargs

    batches = list(xargs.partition(("pbcfg", "lint"), lang_base._shuffled(files), xargs.cpu_count()))
    batch_of = {file: index for index, batch in enumerate(batches) for file in batch[2:]}
    split = [
        name
        for name in sorted({file.split("/")[0] for file in files})
        if batch_of[f"{name}/credentials.json"] != batch_of[f"{name}/llm-config.json"]
    ]
    if not split:
        pytest.skip("one CPU: pre-commit passes every file to one process, so no pair can be split")
    return split[0]


def test_hooks_file_is_generated_from_the_catalog():
    import yaml

    from pbcfg.hooks import HOOKS, RECOMMENDED, render

    text = (REPO / ".pre-commit-hooks.yaml").read_text()
    assert text == render(), "stale: run `python -m pbcfg.hooks > .pre-commit-hooks.yaml`"
    assert yaml.safe_load(text) == HOOKS
    assert RECOMMENDED == ("pbcfg-lint",) and HOOKS[0]["id"] == "pbcfg-lint" and HOOKS[0]["require_serial"] is True
