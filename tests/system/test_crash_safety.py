"""Killed at any moment, a write leaves each file old or new and never half; a pair left half old, half new
is reported by the next run; modes are right from the first byte; a backup never overwrites another."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time

import pytest

from pbcfg.check.pipeline import check_paths
from pbcfg.errors import WriteError
from pbcfg.util.atomic import Write, write_atomic, write_files
from writing_commands import KEY, KILL_BETWEEN_RENAMES, STAMP, config, prepare, snapshot

KILLS = int(os.environ.get("PBCFG_KILL_RUNS", "30"))  # `make fuzz` runs 250

# writes the pair again and again, version n in both files, a backup of each every other time
# the writer imports this module and, through it, tests/writing_commands.py
WRITER_PATH = os.pathsep.join([os.path.dirname(__file__), os.path.dirname(os.path.dirname(__file__))])
WRITER = r"""
import itertools, sys
from test_crash_safety import pair
from pbcfg.util.atomic import write_files
directory, start = sys.argv[1], int(sys.argv[2])
for n in itertools.count(start):
    write_files(pair(directory, n, backup=n % 2 == 0))
    if n == start:
        print("wrote", flush=True)  # the kill comes after this: mid-stream, never before the first write
"""


def pair(directory, n: int, *, backup: bool = False) -> list[Write]:
    """Both files at version ``n``."""
    credentials = {
        "endpoints": {"openai-compatible": {"apiKey": f"sk-version-{n:08d}", "baseUrl": "http://localhost:8000/v1"}}
    }
    llm_config = {"defaults": {"timeout": 1000 + n}, "padding": "x" * (1000 + n % 20000)}
    return [
        Write(f"{directory}/credentials.json", json.dumps(credentials), backup=backup),
        Write(f"{directory}/llm-config.json", json.dumps(llm_config), backup=backup),
    ]


def versions(directory) -> tuple[int, int]:
    credentials = json.loads((directory / "credentials.json").read_text())  # complete and valid, old or new
    llm_config = json.loads((directory / "llm-config.json").read_text())
    return int(credentials["endpoints"]["openai-compatible"]["apiKey"][-8:]), llm_config["defaults"]["timeout"] - 1000


def interrupted_reports(directory) -> list:
    return [
        d
        for d in check_paths([str(directory)], config_dir=str(directory)).diagnostics
        if d.rule == "files.interrupted-write"
    ]


def test_sigkill_at_random_points_never_leaves_a_broken_file_or_an_unreported_pair(tmp_path, capsys):
    directory = tmp_path / "cfg"
    directory.mkdir(mode=0o700)
    write_files(pair(directory, 0))
    (directory / "llm-config.json").chmod(0o640)
    rng = random.Random(20261127)
    seen_backups: dict[str, bytes] = {}
    newest, mixed = 0, 0
    for _ in range(KILLS):
        writer = subprocess.Popen(
            [sys.executable, "-c", WRITER, str(directory), str(newest + 1)],
            stdout=subprocess.PIPE,
            env={**os.environ, "PYTHONPATH": WRITER_PATH},
        )
        writer.stdout.readline()
        time.sleep(rng.uniform(0, 0.05))
        writer.send_signal(signal.SIGKILL)
        writer.wait()
        credentials, llm_config = versions(directory)
        assert os.stat(directory / "credentials.json").st_mode & 0o777 == 0o600
        assert os.stat(directory / "llm-config.json").st_mode & 0o777 == 0o640
        reports = interrupted_reports(directory)
        if credentials == llm_config:
            assert reports == []
        else:  # killed between the two renames: the newer file is named, with its backup
            mixed += 1
            newer = "credentials.json" if credentials > llm_config else "llm-config.json"
            assert [d.file for d in reports] == [str(directory / newer)]
            (directory / ".pbcfg-pending.json").unlink()  # the user has looked at the pair, and mended it
            write_files(pair(directory, max(credentials, llm_config)))
        for entry in directory.iterdir():
            if entry.name.endswith(".bak"):
                content = entry.read_bytes()
                assert seen_backups.setdefault(entry.name, content) == content, entry  # never overwritten
                json.loads(content)  # a complete copy, never a cut one
                expected = 0o600 if entry.name.startswith("credentials") else 0o640
                assert os.stat(entry).st_mode & 0o777 == expected, entry
            elif entry.name.endswith(".tmp"):
                assert entry.name.startswith((".credentials.json.pbcfg-", ".llm-config.json.pbcfg-")), entry
        for entry in directory.glob("*.bak"):  # make room: a run of 250 kills would make thousands
            entry.unlink()
            seen_backups.pop(entry.name)
        newest = max(credentials, llm_config)
    assert newest >= KILLS  # every writer finished a pair before it was killed
    write_files([Write(directory / "llm-config.json", "{}\n")])  # the next write sweeps what the kills left
    assert sorted(p.name for p in directory.iterdir()) == ["credentials.json", "llm-config.json"]
    with capsys.disabled():
        print(f"\n{KILLS} kills, {newest} pair writes, {mixed} killed between the two renames (reported)")


def test_a_pair_left_half_written_is_reported_and_blocks_writers_until_looked_at(run, tmp_path):
    case = prepare("add", tmp_path)
    cfg = case.directory
    killed = subprocess.run([sys.executable, "-c", KILL_BETWEEN_RENAMES, *case.args], capture_output=True)
    assert killed.returncode == -signal.SIGKILL
    assert '"box"' in (cfg / "credentials.json").read_text()  # renamed first
    assert '"box"' not in (cfg / "llm-config.json").read_text()  # never renamed
    assert os.stat(cfg / "credentials.json").st_mode & 0o777 == 0o600
    for command in ("validate", "lint"):
        result = run(command, cfg, "--format", "json")
        assert result.code == 1
        first = result.json["diagnostics"][0]
        assert (first["file"], first["rule"], first["severity"]) == (
            str(cfg / "credentials.json"),
            "files.interrupted-write",
            "error",
        )
        assert first["message"].startswith("newer than llm-config.json: a pbcfg write that began ")
        assert first["message"].endswith(
            " replaced credentials.json and was killed before the rest, so the files "
            f"may not match; the previous credentials.json is in "
            f"{cfg / 'credentials.json.bak'}"
        )
        assert first["hint"] == f"compare them (restore a backup to go back), then delete {cfg / '.pbcfg-pending.json'}"
    assert (
        KEY in (cfg / "credentials.json.bak").read_text() and '"box"' not in (cfg / "credentials.json.bak").read_text()
    )
    before = snapshot(cfg)
    refused = run("lint", cfg, "--fix")
    assert refused.code == 2
    assert refused.err.startswith(
        f"pbcfg: error: {cfg}: an earlier pbcfg write was interrupted (credentials.json "
        "replaced, llm-config.json not), so the files may not match"
    )
    assert snapshot(cfg) == before
    (cfg / ".pbcfg-pending.json").unlink()
    os.replace(cfg / "credentials.json.bak", cfg / "credentials.json")  # the user restores the backup
    assert run(*case.args).code == 0
    assert run("validate", cfg).code == 0


def test_a_journal_left_by_a_kill_before_any_rename_is_harmless(run, tmp_path):
    case = prepare("add", tmp_path)
    killed = subprocess.run(
        [sys.executable, "-c", KILL_BETWEEN_RENAMES.replace("real_replace(source, target)\n", ""), *case.args],
        capture_output=True,
    )
    assert killed.returncode == -signal.SIGKILL
    assert (case.directory / ".pbcfg-pending.json").exists()
    assert run("validate", case.directory).code == 0  # nothing was replaced: nothing to report
    assert run(*case.args).code == 0
    assert sorted(p.name for p in case.directory.iterdir() if p.name.startswith(".")) == []


def test_modes_are_final_before_the_first_byte(tmp_path, monkeypatch):
    """build --config-dir over a 0644 credentials.json: the new key is never in a file others can read."""
    (tmp_path / "credentials.json").write_text('{"endpoints": {}}\n')
    (tmp_path / "credentials.json").chmod(0o644)
    (tmp_path / "llm-config.json").write_text("{}\n")
    (tmp_path / "llm-config.json").chmod(0o604)
    real_write, modes = os.write, []

    def write(descriptor, data):
        modes.append(os.fstat(descriptor).st_mode & 0o777)
        return real_write(descriptor, data)

    monkeypatch.setattr(os, "write", write)
    kept = write_files(
        [
            Write(tmp_path / "credentials.json", '{"endpoints": {"x": {"apiKey": "new"}}}\n', backup=True),
            Write(tmp_path / "llm-config.json", '{"a": 1}\n', backup=True),
        ]
    )
    monkeypatch.undo()
    # backup, then temp file, for each: credentials and their backup 0600, the other file keeps its 0604
    assert modes == [0o600, 0o600, 0o604, 0o604, 0o600]  # the last one: the journal of the pair
    assert kept == {
        str(tmp_path / "credentials.json"): str(tmp_path / "credentials.json.bak"),
        str(tmp_path / "llm-config.json"): str(tmp_path / "llm-config.json.bak"),
    }
    assert [
        os.stat(tmp_path / n).st_mode & 0o777
        for n in ("credentials.json", "credentials.json.bak", "llm-config.json", "llm-config.json.bak")
    ] == [0o600, 0o600, 0o604, 0o604]


def test_init_force_twice_in_one_second_keeps_the_original_key(run, tmp_path, monkeypatch):
    real = time.strftime
    monkeypatch.setattr(time, "strftime", lambda fmt, *args: STAMP if fmt == "%Y%m%d-%H%M%S" else real(fmt, *args))
    cfg = config(tmp_path / "cfg")
    original = (cfg / "credentials.json").read_bytes()
    for _ in range(2):
        assert run("init", "ollama", "--config-dir", cfg, "--force").code == 0
    assert (cfg / f"credentials.json.{STAMP}.bak").read_bytes() == original
    assert KEY not in (cfg / f"credentials.json.{STAMP}.1.bak").read_text()  # the first init's file
    assert os.stat(cfg / f"credentials.json.{STAMP}.1.bak").st_mode & 0o777 == 0o600


def test_a_second_fix_keeps_the_first_backup(run, tmp_path):
    case = prepare("lint --fix", tmp_path)
    original = (case.directory / "llm-config.json").read_bytes()
    assert run(*case.args).code == 0
    (case.directory / "llm-config.json").write_text(original.decode())  # the user brings the repeat back
    assert run(*case.args).code == 0
    assert (case.directory / "llm-config.json.bak").read_bytes() == original
    assert (case.directory / "llm-config.json.1.bak").read_bytes() == original
    assert run(*case.args).code == 0  # nothing left to fix: no third backup
    assert not (case.directory / "llm-config.json.2.bak").exists()


def test_a_link_out_of_the_directory_is_refused_unless_allowed(tmp_path, monkeypatch):
    outside = tmp_path / "outside.json"
    outside.write_text("{}")
    (tmp_path / "config").mkdir()
    link = tmp_path / "config" / "llm-config.json"
    link.symlink_to(outside)
    with pytest.raises(WriteError) as refused:
        write_atomic(link, "{}\n")
    assert str(refused.value).endswith("pbcfg will not write through it (set PBCFG_ALLOW_SYMLINKS=1 if you mean it)")
    assert outside.read_text() == "{}"
    monkeypatch.setenv("PBCFG_ALLOW_SYMLINKS", "1")
    write_atomic(link, '{"a": 1}\n')
    assert outside.read_text() == '{"a": 1}\n' and link.is_symlink()


def test_new_credentials_are_0600_and_modes_are_kept(tmp_path, run):
    assert run("init", "ollama", "--config-dir", tmp_path / "c").code == 0
    assert os.stat(tmp_path / "c" / "credentials.json").st_mode & 0o777 == 0o600
    assert os.stat(tmp_path / "c").st_mode & 0o777 == 0o700
    path = tmp_path / "c" / "llm-config.json"
    path.chmod(0o604)
    write_atomic(path, "{}\n", backup=True)
    assert os.stat(path).st_mode & 0o777 == 0o604 and os.stat(str(path) + ".bak").st_mode & 0o777 == 0o604


@pytest.mark.parametrize("failing_rename", [1, 2])
def test_a_rename_that_fails_is_one_line_and_says_what_was_replaced(tmp_path, monkeypatch, failing_rename):
    import errno

    case = prepare("add", tmp_path)
    cfg, real_replace, calls = case.directory, os.replace, []
    before = snapshot(cfg)

    def replace(source, target):
        calls.append(target)
        if len(calls) == failing_rename:
            raise OSError(errno.EIO, "Input/output error")
        real_replace(source, target)

    monkeypatch.setattr(os, "replace", replace)
    with pytest.raises(WriteError) as failed:
        write_files(
            [Write(cfg / "credentials.json", "{}\n", backup=True), Write(cfg / "llm-config.json", "{}\n", backup=True)]
        )
    monkeypatch.undo()
    name = ["credentials.json", "llm-config.json"][failing_rename - 1]
    if failing_rename == 1:
        assert (
            str(failed.value) == f"{cfg / name}: cannot write: input/output error from the device; nothing was changed"
        )
        assert snapshot(cfg) == before  # no temp file, no backup, no record left
    else:
        assert str(failed.value) == (
            f"{cfg / name}: cannot write: input/output error from the device; "
            f"{cfg / 'credentials.json'} already replaced, so the files may not match "
            f"(`pbcfg validate {cfg}` says where the backups are)"
        )
        assert [d.file for d in interrupted_reports(cfg)] == [str(cfg / "credentials.json")]
        assert not [p for p in cfg.iterdir() if p.name.endswith(".tmp")]


def test_lint_fix_writes_each_file_once_whatever_number_of_passes_it_needs(run, tmp_path, monkeypatch):
    """Three copies of one fallback take two passes (the second removal overlaps the first): both are made in
    memory and each file is replaced once, so a kill cannot leave the fix half done."""
    case = prepare("lint --fix", tmp_path)
    cfg = case.directory
    text = (
        (cfg / "llm-config.json")
        .read_text()
        .replace('"gpt-5.2",\n        "gpt-5.2"', '"gpt-5.2",\n        "gpt-5.2",\n        "gpt-5.2"')
    )
    (cfg / "llm-config.json").write_text(text)
    real_replace, renamed = os.replace, []

    def replace(source, target):
        renamed.append(os.path.basename(target))
        real_replace(source, target)

    monkeypatch.setattr(os, "replace", replace)
    result = run(*case.args)
    monkeypatch.undo()
    assert result.code == 0, result.err
    assert sorted(renamed) == ["credentials.json", "llm-config.json"]
    assert json.loads((cfg / "llm-config.json").read_text())["tiers"]["simple"]["fallback"] == ["gpt-5.2"]
    assert (cfg / "llm-config.json.bak").read_text() == text and not (cfg / "llm-config.json.1.bak").exists()
    assert f"fixed: edit {cfg / 'llm-config.json'} (2 fixes)\n" in result.err
