"""A full disk, a read-only mount, a directory the user may not write: one line, exit 2, nothing changed.

Every writing command (:mod:`writing_commands`) runs against each. The full
disk and the read-only mount are a small tmpfs, mounted where the test may
mount (root with CAP_SYS_ADMIN); elsewhere those tests are skipped and say
why. A directory the user may not write is made read-only; root writes
anywhere, so as root the command runs without the capabilities that let it
(``setpriv``), and that test is skipped where that is not possible.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from writing_commands import STAMP, WRITING_COMMANDS, prepare, snapshot, without_write_privilege


@pytest.fixture(autouse=True)
def pinned_stamp(monkeypatch):
    import time

    real = time.strftime
    monkeypatch.setattr(time, "strftime", lambda fmt, *args: STAMP if fmt == "%Y%m%d-%H%M%S" else real(fmt, *args))


@pytest.fixture
def tmpfs(tmp_path):
    """A 512 KiB tmpfs at tmp_path/fs, unmounted afterwards."""
    mount_point = tmp_path / "fs"
    mount_point.mkdir()
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("mounting a small tmpfs needs root and mount(8); the full-disk test cannot run here")
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=512k,mode=0755", "tmpfs", str(mount_point)], capture_output=True, text=True
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here ({done.stderr.strip()}); the full-disk test cannot run")
    yield mount_point
    subprocess.run(["umount", "-l", str(mount_point)], check=True)


def fill(mount_point: Path) -> None:
    """Take every free block of the file system."""
    descriptor = os.open(mount_point / "filler", os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        while True:
            os.write(descriptor, b"\0" * 4096)
    except OSError:
        pass
    finally:
        os.close(descriptor)


def _one_line(result) -> str:
    """The error line; the only other lines allowed are migrate's planned steps, and nothing says it wrote."""
    assert "wrote " not in result.err and "kept " not in result.err
    assert "internal error" not in result.err and "Traceback" not in result.err
    return result.err.splitlines()[-1]


def _leftovers(directory: Path) -> list[str]:
    return sorted(
        name for name in os.listdir(directory) if name.endswith((".tmp", ".bak")) or name.startswith(".pbcfg")
    )


@pytest.mark.parametrize("command", WRITING_COMMANDS)
def test_a_full_disk_is_one_line_and_changes_nothing(run, tmpfs, command):
    case = prepare(command, tmpfs)
    before = snapshot(case.directory)
    fill(tmpfs)
    result = run(*case.args)
    assert result.code == 2
    line = _one_line(result)
    assert (
        line.startswith("pbcfg: error: ")
        and ": no space left on the device; free some and run the command again; nothing was changed" in line
    ), line
    assert snapshot(case.directory) == before
    assert _leftovers(case.directory) == []
    (tmpfs / "filler").unlink()
    assert run(*case.args).code in (0, 1)  # with room again, the same command works


@pytest.mark.parametrize("command", WRITING_COMMANDS)
def test_a_read_only_mount_is_one_line_and_changes_nothing(run, tmpfs, command):
    case = prepare(command, tmpfs)
    before = snapshot(case.directory)
    subprocess.run(["mount", "-o", "remount,ro", str(tmpfs)], check=True)
    result = run(*case.args)
    assert result.code == 2
    line = _one_line(result)
    assert (
        line == f"pbcfg: error: {case.directory}: cannot write in this directory: the file system is read-only; "
        "nothing was changed"
    ), line
    assert snapshot(case.directory) == before


@pytest.mark.parametrize("command", WRITING_COMMANDS)
def test_a_directory_the_user_may_not_write_is_one_line_and_changes_nothing(tmp_path, command):
    case = prepare(command, tmp_path)
    before = snapshot(case.directory)
    case.directory.chmod(0o500)  # the user may read and enter it, not create a file in it
    env = {key: value for key, value in os.environ.items() if key != "GITHUB_ACTIONS"}
    try:
        done = subprocess.run(
            [*without_write_privilege(), sys.executable, "-m", "pbcfg", *case.args],
            capture_output=True,
            text=True,
            env=env,
            timeout=120,
        )
    finally:
        case.directory.chmod(0o700)
    assert done.returncode == 2, done.stdout + done.stderr
    assert "internal error" not in done.stderr and "Traceback" not in done.stderr
    assert done.stderr.splitlines()[-1] == (
        f"pbcfg: error: {case.directory}: cannot write in this directory: "
        "permission denied; check the owner and mode of the file and its "
        "directory; nothing was changed"
    )
    assert snapshot(case.directory) == before


def test_a_report_in_a_directory_that_does_not_exist(run, tmp_path):
    case = prepare("--output", tmp_path)
    result = run("validate", case.directory, "--output", tmp_path / "missing" / "r.json")
    assert (result.code, result.err) == (
        2,
        f"pbcfg: error: {tmp_path / 'missing' / 'r.json'}: cannot write the "
        "report: its directory does not exist; create it first\n",
    )


def test_a_backup_on_a_disk_that_fills_midway_is_removed(tmpfs):
    """The disk fills while the backup is written: no cut .bak stays behind, the file is untouched."""
    from pbcfg.errors import WriteError
    from pbcfg.util.atomic import write_atomic

    target = tmpfs / "llm-config.json"
    big = json.dumps({"padding": "x" * 200_000})
    target.write_text(big)
    filler = tmpfs / "filler"
    filler.write_bytes(b"\0" * (os.statvfs(tmpfs).f_bavail * os.statvfs(tmpfs).f_frsize - 100_000))
    with pytest.raises(WriteError, match="no space left on the device"):
        write_atomic(target, "{}\n", backup=True)
    assert target.read_text() == big and _leftovers(tmpfs) == []
