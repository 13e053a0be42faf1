"""Killed at any moment, a write leaves the old file or the new one, complete; never half of either."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time

import pytest

from pbcfg.errors import WriteError
from pbcfg.util.atomic import write_atomic

WRITER = """
import itertools, json, sys
from pbcfg.util.atomic import write_atomic
target = sys.argv[1]
print("ready", flush=True)
for n in itertools.count():
    write_atomic(target, json.dumps({"version": n, "padding": "x" * (1000 + n % 50000)}), backup=n % 2 == 0)
"""
KILLS = int(os.environ.get("PBCFG_KILL_RUNS", "30"))


def test_sigkill_at_random_points_never_leaves_a_broken_file(tmp_path):
    target = tmp_path / "llm-config.json"
    target.write_text(json.dumps({"version": -1}))
    target.chmod(0o640)
    rng = random.Random(20261124)
    versions = []
    for _ in range(KILLS):
        writer = subprocess.Popen([sys.executable, "-c", WRITER, str(target)], stdout=subprocess.PIPE)
        writer.stdout.readline()
        time.sleep(rng.uniform(0, 0.05))
        writer.send_signal(signal.SIGKILL)
        writer.wait()
        data = json.loads(target.read_text())  # complete and valid, old or new
        versions.append(data["version"])
        assert os.stat(target).st_mode & 0o777 == 0o640
        leftovers = [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")]
        assert all(name.startswith(".llm-config.json.pbcfg-") for name in leftovers), leftovers
        write_atomic(target, json.dumps({"version": data["version"]}))  # the next write sweeps them
        assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []
    assert max(versions) > 0  # the writer really was interrupted mid-stream, not before its first write


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


def test_a_link_inside_the_directory_is_followed(tmp_path):
    real = tmp_path / "llm-config.real.json"
    real.write_text("{}")
    link = tmp_path / "llm-config.json"
    link.symlink_to(real.name)
    write_atomic(link, '{"b": 2}\n')
    assert real.read_text() == '{"b": 2}\n' and link.is_symlink()


def test_new_credentials_are_0600_and_modes_are_kept(tmp_path, run):
    assert run("init", "--preset", "ollama", "--dir", tmp_path / "c").code == 0
    assert os.stat(tmp_path / "c" / "credentials.json").st_mode & 0o777 == 0o600
    path = tmp_path / "c" / "llm-config.json"
    path.chmod(0o604)
    write_atomic(path, "{}\n", backup=True)
    assert os.stat(path).st_mode & 0o777 == 0o604 and os.stat(str(path) + ".bak").st_mode & 0o777 == 0o604
