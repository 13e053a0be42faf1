"""Git repositories for the pre-commit tests: this checkout frozen into one commit for pre-commit to install
hooks from, a new project to commit into, and pre-commit's environment."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from helpers import REPO

PRE_COMMIT = Path(sys.executable).parent / "pre-commit"
PBCFG = Path(sys.executable).parent / "pbcfg"


def git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True)


def new_project(tmp_path: Path) -> Path:
    project = tmp_path / "project"
    project.mkdir()
    git(project, "init", "-q")
    git(project, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "--allow-empty", "-m", "init")
    return project


def pre_commit_env(hook_repo) -> dict[str, str]:
    return {**os.environ, "PRE_COMMIT_HOME": str(hook_repo[2]), "GITHUB_ACTIONS": ""}


def freeze_checkout(tmp_path_factory):
    """This checkout as it is (uncommitted and new files included) frozen in one commit, and one pre-commit
    home for the module: pre-commit builds the hooks' environment once per repository and revision.
    (`pre-commit try-repo` would build it again on every call, in a store of its own.)"""
    frozen = tmp_path_factory.mktemp("hook-repo")
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=REPO,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split("\0")
    for name in filter(None, listed):
        if (REPO / name).is_file():
            (frozen / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(REPO / name, frozen / name)
    git(frozen, "init", "-q")
    git(frozen, "add", "-A")
    git(frozen, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "-m", "frozen")
    revision = subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=frozen, check=True, capture_output=True, text=True
    ).stdout.strip()
    return frozen, revision, tmp_path_factory.mktemp("pre-commit-home")


# one error line of pbcfg's text report: (file:line:col, rule id)
PLANTED = re.compile(r"^(\S+:\d+:\d+): error (\S+) ", re.M)


# two keys as a new user pastes them, and what a test needs to find any part of them in git or in output
OPENAI = "sk-proj-Q7vLm2Xc9Rt4Wz8Nb3Hk6Pd1"
ANTHROPIC = "sk-ant-api03-Zx4Cv7Bn2Mq9Lk5Jh8Gf3Ds6"
PUBLIC_PREFIXES = ("sk-proj-", "sk-ant-api03-")  # the vendors' documented prefixes: not secret


def secret_runs(key: str) -> set[str]:
    """Every 4-character run of the secret part of ``key``: no output may show even that much of it."""
    secret = key[len(next(p for p in PUBLIC_PREFIXES if key.startswith(p))) :]
    return {secret[i : i + 4] for i in range(len(secret) - 3)}


def position(text: str, needle: str, offset: int = 0) -> str:
    """``line:column`` (1-based) ``offset`` characters into the first ``needle`` in ``text``."""
    before = text[: text.index(needle) + offset]
    return f"{before.count(chr(10)) + 1}:{len(before) - before.rfind(chr(10))}"


def pbcfg(project: Path, *args: str) -> subprocess.CompletedProcess:
    done = subprocess.run([PBCFG, *args], cwd=project, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    return done


def every_committed_text(project: Path) -> str:
    """`git log -p --all` and the content of every object any commit reaches."""
    log = subprocess.run(["git", "log", "-p", "--all"], cwd=project, check=True, capture_output=True).stdout
    listed = subprocess.run(
        ["git", "rev-list", "--all", "--objects"], cwd=project, check=True, capture_output=True, text=True
    ).stdout
    names = "".join(line.split(" ", 1)[0] + "\n" for line in listed.splitlines())
    contents = subprocess.run(
        ["git", "cat-file", "--batch"], cwd=project, input=names.encode(), check=True, capture_output=True
    ).stdout
    return (log + contents).decode("utf-8", "replace")
