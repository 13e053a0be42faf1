"""Backups: under the git directory inside a work tree (where `git add -A` cannot take them), beside the file
outside one; the newest five of each file; `pbcfg backups` lists and restores them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from pbcfg.errors import WriteError
from pbcfg.util.atomic import Write, write_files
from pbcfg.util.backup_store import KEEP, git_repository
from writing_commands import (
    KEY,
    KILL_BETWEEN_RENAMES,
    STAMP,
    WRITING_COMMANDS,
    prepare,
    snapshot,
    without_write_privilege,
)


@pytest.fixture(autouse=True)
def pinned_stamp(monkeypatch):
    """init and render --config-dir name backups by the second; pin it so the names are known."""
    import time

    real = time.strftime
    monkeypatch.setattr(time, "strftime", lambda fmt, *args: STAMP if fmt == "%Y%m%d-%H%M%S" else real(fmt, *args))


def git(cwd: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True).stdout


def repository(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    git(path, "init", "-q")
    git(path, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "--allow-empty", "-m", "init")
    return path


def mode(path: Path) -> int:
    return os.lstat(path).st_mode & 0o777


def config_dir(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    (path / "credentials.json").write_text('{"endpoints": {}}\n')
    (path / "credentials.json").chmod(0o600)
    return path


def test_outside_a_work_tree_backups_sit_beside_the_file(tmp_path):
    assert git_repository(str(tmp_path)) is None
    cfg = config_dir(tmp_path / "cfg")
    kept = write_files([Write(str(cfg / "credentials.json"), "{}\n", backup=True)])
    assert kept == {str(cfg / "credentials.json"): str(cfg / "credentials.json.bak")}
    assert sorted(os.listdir(cfg)) == ["credentials.json", "credentials.json.bak"]
    assert (cfg / "credentials.json.bak").read_text() == '{"endpoints": {}}\n'
    assert mode(cfg / "credentials.json.bak") == 0o600


@pytest.mark.parametrize("command", [c for c in WRITING_COMMANDS if c != "--output"])
def test_in_a_work_tree_every_writing_command_keeps_its_backups_in_the_git_directory(run, tmp_path, command):
    root = repository(tmp_path / "repo")
    case = prepare(command, root)
    before = sorted(os.listdir(case.directory))
    result = run(*case.args)
    assert result.code in (0, 1), result.err  # 1: findings left after the write
    after = sorted(os.listdir(case.directory))
    assert set(before) <= set(after) and [name for name in after if ".bak" in name] == []
    place = root / ".git" / "pbcfg" / "backups" / "cfg"
    assert sorted(os.listdir(place)) == sorted(case.backups)
    for directory in (root / ".git" / "pbcfg", root / ".git" / "pbcfg" / "backups", place):
        assert mode(directory) == 0o700
    for name in case.backups:
        assert mode(place / name) == (0o600 if name.startswith("credentials") else 0o644)
    assert git(root, "status", "--porcelain", "--untracked-files=all").count(".bak") == 0


def test_a_linked_worktree_keeps_its_backups_in_its_own_git_directory(tmp_path):
    main = repository(tmp_path / "main")
    git(main, "worktree", "add", "-q", str(tmp_path / "linked"))
    cfg = config_dir(tmp_path / "linked" / "team" / "cfg")
    kept = write_files([Write(str(cfg / "credentials.json"), "{}\n", backup=True)])
    expected = main / ".git" / "worktrees" / "linked" / "pbcfg" / "backups" / "team" / "cfg" / "credentials.json.bak"
    assert kept == {str(cfg / "credentials.json"): str(expected)}
    assert sorted(os.listdir(cfg)) == ["credentials.json"]
    assert expected.read_text() == '{"endpoints": {}}\n'


def test_a_separate_git_directory_as_submodules_have_is_found_through_the_git_file(tmp_path):
    store = tmp_path / "super" / ".git" / "modules" / "sub"
    work = tmp_path / "super" / "sub"
    store.parent.mkdir(parents=True)
    git(tmp_path, "init", "-q", f"--separate-git-dir={store}", str(work))
    assert (work / ".git").read_text() == f"gitdir: {store}\n"
    config_dir(work / "cfg")
    kept = write_files([Write(str(work / "cfg" / "credentials.json"), "{}\n", backup=True)])
    assert kept == {
        str(work / "cfg" / "credentials.json"): str(store / "pbcfg" / "backups" / "cfg" / "credentials.json.bak")
    }
    assert sorted(os.listdir(work / "cfg")) == ["credentials.json"]


def rewritten(tmp_path: Path, rounds: int) -> tuple[Path, Path, Path]:
    """A repository whose cfg/credentials.json was rewritten ``rounds`` times: the root, cfg, and its backups' place."""
    root = repository(tmp_path / "repo")
    cfg = config_dir(root / "cfg")
    for round in range(rounds):
        write_files([Write(str(cfg / "credentials.json"), f'{{"round": {round}}}\n', backup=True)])
    return root, cfg, root / ".git" / "pbcfg" / "backups" / "cfg"


def test_the_newest_five_are_kept_and_numbers_only_grow(tmp_path):
    root, cfg, place = rewritten(tmp_path, 8)
    assert KEEP == 5
    assert sorted(os.listdir(place)) == [f"credentials.json.{n}.bak" for n in range(3, 8)]
    assert [(place / f"credentials.json.{n}.bak").read_text() for n in range(3, 8)] == [
        f'{{"round": {round}}}\n' for round in range(2, 7)
    ]


def test_backups_lists_newest_first_and_restore_keeps_the_current_file(run, tmp_path):
    root, cfg, place = rewritten(tmp_path, 3)

    listed = run("backups", cfg, "--format", "json")
    assert listed.code == 0, listed.err
    body = json.loads(listed.out)
    assert (body["backups_directory"], body["in_git"]) == (str(place), True)
    assert [(entry["which"], entry["path"]) for entry in body["backups"]["credentials.json"]] == [
        (1, str(place / "credentials.json.2.bak")),
        (2, str(place / "credentials.json.1.bak")),
        (3, str(place / "credentials.json.bak")),
    ]

    text = run("backups", cfg)
    assert text.out.splitlines()[0] == (
        f"backups of {cfg}: {place} (in the git directory, which no commit takes); the newest 5 of each file are kept"
    )
    assert text.out.splitlines()[-1] == (
        f"restore the newest of credentials.json: pbcfg backups {cfg} --restore "
        "credentials.json (--which 2 for the one before)"
    )

    restored = run("backups", cfg, "--restore", "credentials.json", "--which", "3")
    assert restored.code == 0, restored.err
    assert (cfg / "credentials.json").read_text() == '{"endpoints": {}}\n'
    assert mode(cfg / "credentials.json") == 0o600
    assert (
        f"restored {cfg / 'credentials.json'} from {place / 'credentials.json.bak'} (its content until now is "
        f"in {place / 'credentials.json.3.bak'})"
    ) in restored.out
    assert (place / "credentials.json.3.bak").read_text() == '{"round": 2}\n'

    missing = run("backups", cfg, "--restore", "credentials.json", "--which", "9")
    assert (missing.code, missing.err) == (2, "pbcfg: error: --which 9: credentials.json has 4 backups; pick 1 to 4\n")
    none = run("backups", cfg, "--restore", "llm-config.json")
    assert (none.code, none.err) == (
        2,
        f"pbcfg: error: --restore llm-config.json: no backup of it in {cfg} (files with backups: credentials.json)\n",
    )


def test_backups_outside_a_work_tree_and_before_any_write(run, tmp_path):
    cfg = config_dir(tmp_path / "cfg")
    empty = run("backups", cfg)
    assert (empty.code, empty.out) == (0, f"backups of {cfg}: {cfg}; the newest 5 of each file are kept\nnone yet\n")
    write_files([Write(str(cfg / "credentials.json"), "{}\n", backup=True)])
    listed = run("backups", cfg, "--format", "json")
    assert (json.loads(listed.out)["in_git"], json.loads(listed.out)["backups"]["credentials.json"][0]["path"]) == (
        False,
        str(cfg / "credentials.json.bak"),
    )
    missing = run("backups", tmp_path / "nowhere")
    assert (missing.code, missing.err) == (
        2,
        f"pbcfg: error: {tmp_path / 'nowhere'}: no such directory; name the config directory whose backups to list\n",
    )


def test_a_link_planted_on_the_way_to_the_backups_is_not_followed(tmp_path):
    root = repository(tmp_path / "repo")
    cfg = config_dir(root / "cfg")
    outside = tmp_path / "outside"
    outside.mkdir()
    (root / ".git" / "pbcfg").symlink_to(outside)
    with pytest.raises(WriteError) as refused:
        write_files([Write(str(cfg / "credentials.json"), "{}\n", backup=True)])
    assert str(refused.value) == (
        f"{root / '.git' / 'pbcfg'}: is a symbolic link or not a directory, where pbcfg "
        "keeps backups; pbcfg will not write through it. Remove it and run the command "
        "again; nothing was written"
    )
    assert os.listdir(outside) == []
    assert (cfg / "credentials.json").read_text() == '{"endpoints": {}}\n'


def test_a_link_planted_at_the_backup_name_is_not_followed(tmp_path):
    root = repository(tmp_path / "repo")
    cfg = config_dir(root / "cfg")
    place = root / ".git" / "pbcfg" / "backups" / "cfg"
    place.mkdir(parents=True)
    victim = tmp_path / "victim"
    victim.write_text("victim's own file\n")
    (place / "credentials.json.bak").symlink_to(victim)
    with pytest.raises(WriteError) as refused:
        write_files([Write(str(cfg / "credentials.json"), "{}\n", backup=True)])
    assert str(refused.value) == (
        f"{place / 'credentials.json.bak'}: is a symbolic link where pbcfg keeps a backup; "
        "pbcfg will not write through it. Remove it and run the command again; nothing "
        "was written"
    )
    assert victim.read_text() == "victim's own file\n"
    assert sorted(os.listdir(place)) == ["credentials.json.bak"]
    assert (cfg / "credentials.json").read_text() == '{"endpoints": {}}\n'


WRITER = r"""
import sys
from pbcfg.util.atomic import Write, write_files
target, content = sys.argv[1], sys.argv[2]
sys.stdin.read()  # every writer starts when the test closes its stdin
write_files([Write(target, content, backup=True)])
"""


def test_concurrent_writers_lose_no_backup(tmp_path):
    root = repository(tmp_path / "repo")
    cfg = config_dir(root / "cfg")
    contents = [f'{{"writer": {number}}}\n' for number in range(4)]
    env = {**os.environ, "PBCFG_LOCK_TIMEOUT": "120"}
    writers = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, str(cfg / "credentials.json"), content], stdin=subprocess.PIPE, env=env
        )
        for content in contents
    ]
    for writer in writers:
        writer.stdin.close()
    assert [writer.wait(timeout=120) for writer in writers] == [0, 0, 0, 0]
    place = root / ".git" / "pbcfg" / "backups" / "cfg"
    assert sorted(os.listdir(place)) == [
        "credentials.json.1.bak",
        "credentials.json.2.bak",
        "credentials.json.3.bak",
        "credentials.json.bak",
    ]
    kept = sorted((place / name).read_text() for name in os.listdir(place))
    final = (cfg / "credentials.json").read_text()
    assert sorted([*kept, final]) == sorted(['{"endpoints": {}}\n', *contents])


def test_no_key_of_a_backup_shows_in_git_status(tmp_path, run):
    root = repository(tmp_path / "repo")
    cfg = root / "cfg"
    assert run("init", "openai", "--config-dir", cfg).code == 0
    git(root, "add", "-A")
    changed = run("add", "openai", "--config-dir", cfg, "--replace", "--api-key", KEY)
    assert changed.code in (0, 1), changed.err
    again = run("add", "openai", "--config-dir", cfg, "--replace", "--api-key", KEY[::-1])
    assert again.code in (0, 1), again.err
    git(root, "add", "-A")
    staged = git(root, "diff", "--cached", "--name-only").split()
    assert all(not name.endswith(".bak") for name in staged), staged
    assert KEY in (root / ".git" / "pbcfg" / "backups" / "cfg" / "credentials.json.1.bak").read_text()


def test_a_write_killed_halfway_names_the_backup_in_the_git_directory(run, tmp_path):
    import signal

    root = repository(tmp_path / "repo")
    case = prepare("add", root)
    killed = subprocess.run([sys.executable, "-c", KILL_BETWEEN_RENAMES, *case.args], capture_output=True)
    assert killed.returncode == -signal.SIGKILL
    result = run("validate", case.directory, "--format", "json")
    first = json.loads(result.out)["diagnostics"][0]
    assert first["rule"] == "files.interrupted-write"
    assert first["message"].endswith(
        f"the previous credentials.json is in {root / '.git' / 'pbcfg' / 'backups' / 'cfg' / 'credentials.json.bak'}"
    )


def test_a_git_directory_pbcfg_cannot_write_in_is_one_line_naming_it(tmp_path):
    root = repository(tmp_path / "repo")
    case = prepare("add", root)
    before = snapshot(case.directory)
    (root / ".git").chmod(0o500)
    try:
        done = subprocess.run(
            [*without_write_privilege(), sys.executable, "-m", "pbcfg", *case.args],
            capture_output=True,
            text=True,
            timeout=120,
        )
    finally:
        (root / ".git").chmod(0o755)
    assert done.returncode == 2, done.stdout + done.stderr
    assert done.stderr.splitlines()[-1] == (
        f"pbcfg: error: {root / '.git' / 'pbcfg' / 'backups' / 'cfg'}: cannot keep a backup in the git directory: "
        "permission denied; check the owner and mode of the file and its directory; nothing was written"
    )
    assert snapshot(case.directory) == before
