"""Is a config file in a git work tree, and would git commit it?

A credentials file in a work tree is a file in a repository, not the live
config of the machine PonyBunny runs on: git checks files out 0644 in 0755
directories, and the keys a process happens to hold say nothing about the
machine that will run PonyBunny. So lint judges file modes and the
environment only outside a work tree (or when asked to), and inside one it
asks instead whether a real key is about to be committed.
"""

from __future__ import annotations

import os

__all__ = ["git_ignored", "in_git_work_tree"]


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
        completed = subprocess.run(["git", "check-ignore", "-q", "--", os.path.basename(path)],
                                   cwd=os.path.dirname(os.path.abspath(path)), capture_output=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return False
    return completed.returncode == 0
