"""Is a config file in a git work tree, and would git commit it?

A credentials file in a work tree is a file in a repository, not the live
config of the machine PonyBunny runs on: git checks files out 0644 in 0755
directories, and the keys a process happens to hold say nothing about the
machine that will run PonyBunny. So lint judges file modes and the
environment only outside a work tree (or when asked to), and inside one it
asks instead whether a real key is about to be committed: in the credentials
file, or in any other file staged (git's index, read by ``git grep
--cached`` only when there is a key to look for).
"""

from __future__ import annotations

import os
from typing import NamedTuple

__all__ = ["StagedCopy", "git_ignored", "in_git_work_tree", "staged_copies"]


def in_git_work_tree(directory: str) -> bool:
    """True when ``directory`` or a parent holds ``.git`` (a directory, or a worktree's file)."""
    current = os.path.realpath(directory)
    while True:
        if os.path.lexists(os.path.join(current, ".git")):
            return True
        parent = os.path.dirname(current)
        if parent == current:
            return False
        current = parent


def git_ignored(path: str) -> bool:
    """True when git would ignore ``path`` (so it is never committed); False when unsure."""
    import subprocess  # only when a credentials file in a work tree holds a real-looking key

    try:
        completed = subprocess.run(
            ["git", "check-ignore", "-q", "--", os.path.basename(path)],
            cwd=os.path.dirname(os.path.abspath(path)),
            capture_output=True,
            timeout=10,
        )
    except (OSError, subprocess.SubprocessError):
        return False
    return completed.returncode == 0


class StagedCopy(NamedTuple):
    path: str  # relative to the directory searched from
    line: int
    column: int
    secret: str  # which of the secrets searched for


def staged_copies(directory: str, secrets: list[str], *, limit: int = 100) -> list[StagedCopy]:
    """The files staged for the next commit (anywhere in the repository) that hold one of ``secrets``: the first
    place in each, at most ``limit`` files; empty when git cannot say. The secrets reach git on its standard
    input, never on its command line, which other users of the machine can read."""
    import subprocess  # only when lint checks a credentials file in a work tree that holds a real-looking key

    command = [
        "git",
        "grep",
        "--cached",
        "-I",
        "-F",
        "-n",
        "--column",
        "-o",
        "-z",
        "--max-count=1",
        "-f",
        "-",
        "--",
        ":/",
    ]
    try:
        completed = subprocess.run(
            command, cwd=directory, input="\n".join(secrets).encode(), capture_output=True, timeout=30
        )
    except (OSError, subprocess.SubprocessError):
        return []
    found = []
    for record in completed.stdout.split(b"\n")[:limit]:
        fields = record.split(b"\0")
        if len(fields) != 4 or not fields[1].isdigit() or not fields[2].isdigit():
            continue
        secret = fields[3].decode("utf-8", "replace")
        if secret in secrets:
            found.append(StagedCopy(os.fsdecode(fields[0]), int(fields[1]), int(fields[2]), secret))
    return found
