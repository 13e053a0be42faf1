"""Writers at the same moment: every update survives, because each holds the directory's lock from its
first read to its last write; one that cannot get the lock says so and writes nothing."""

from __future__ import annotations

import fcntl
import json
import os
import select
import subprocess
import sys

import pytest

from pbcfg.errors import WriteError
from pbcfg.util.dirlock import lock_directories
from writing_commands import config, prepare, snapshot

ROUNDS = int(os.environ.get("PBCFG_RACE_ROUNDS", "20"))
ROUND_TIMEOUT = 120  # seconds a round may take before the test fails rather than hangs

# one process per writer, pbcfg imported once; each line on stdin is the command line of one round
WORKER = r"""
import json, os, sys
from pbcfg.cli.entry import main
answers = os.fdopen(os.dup(1), "w")
os.dup2(os.open(os.devnull, os.O_WRONLY), 1)
sys.stdout = open(os.devnull, "w")
print("ready", file=answers, flush=True)
for line in sys.stdin:
    try:
        main(json.loads(line))
    except SystemExit as stop:
        code = stop.code
    print(f"exit {code}", file=answers, flush=True)
"""


class Workers:
    def __init__(self, count: int) -> None:
        env = {**os.environ, "PBCFG_LOCK_TIMEOUT": str(ROUND_TIMEOUT)}
        self.processes = [
            subprocess.Popen(
                [sys.executable, "-c", WORKER],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
                text=True,
                env=env,
            )
            for _ in range(count)
        ]
        for process in self.processes:
            assert self._line(process) == "ready"

    def _line(self, process) -> str:
        ready, _, _ = select.select([process.stdout], [], [], ROUND_TIMEOUT)
        assert ready, "a writer did not answer in time"
        return process.stdout.readline().strip()

    def run(self, commands: list[list[str]]) -> list[str]:
        """Start one command in each worker at once; the exit lines, in worker order."""
        for process, command in zip(self.processes, commands):
            process.stdin.write(json.dumps([str(a) for a in command]) + "\n")
        for process in self.processes:
            process.stdin.flush()
        return [self._line(process) for process in self.processes]

    def close(self) -> None:
        for process in self.processes:
            process.stdin.close()
            process.wait(timeout=ROUND_TIMEOUT)


@pytest.fixture
def workers():
    made = []

    def start(count: int) -> Workers:
        made.append(Workers(count))
        return made[-1]

    yield start
    for pool in made:
        pool.close()


def endpoints(directory) -> tuple[set, set]:
    credentials = json.loads((directory / "credentials.json").read_text())["endpoints"]
    llm_config = json.loads((directory / "llm-config.json").read_text())["endpoints"]
    return set(credentials), set(llm_config)


def test_three_concurrent_adds_all_survive(tmp_path, workers, run, capsys):
    pool = workers(3)
    for round_number in range(ROUNDS):
        directory = config(tmp_path / f"round{round_number}")
        codes = pool.run(
            [
                ["add", "vllm", "--config-dir", directory, "--endpoint-id", f"box{n}", "--model", f"m{n}"]
                for n in range(3)
            ]
        )
        assert codes == ["exit 0"] * 3, round_number
        credentials, llm_config = endpoints(directory)
        assert {"box0", "box1", "box2"} <= credentials & llm_config, round_number
        models = json.loads((directory / "llm-config.json").read_text())["models"]
        assert {"m0", "m1", "m2"} <= set(models), round_number
        assert run("validate", directory).code == 0
        assert sorted(p.name for p in directory.iterdir() if p.name.startswith(".")) == [], round_number
    with capsys.disabled():
        print(f"\n{ROUNDS} rounds of 3 concurrent adds: {3 * ROUNDS} adds, all kept")


def test_an_add_racing_lint_fix_survives_and_the_fix_too(tmp_path, workers, capsys):
    pool = workers(2)
    for round_number in range(ROUNDS):
        directory = config(tmp_path / f"round{round_number}")
        codes = pool.run(
            [
                ["add", "vllm", "--config-dir", directory, "--endpoint-id", "box"],
                ["lint", directory, "--fix", "--fail-on", "error"],
            ]
        )
        assert codes == ["exit 0", "exit 0"], round_number
        credentials, llm_config = endpoints(directory)
        assert "box" in credentials and "box" in llm_config, round_number
        fixed = json.loads((directory / "credentials.json").read_text())["endpoints"]["openai-compatible"]
        assert fixed["baseUrl"] == "http://localhost:8000/v1", round_number
        tiers = json.loads((directory / "llm-config.json").read_text())["tiers"]
        assert tiers["simple"]["fallback"] == ["gpt-5.2"], round_number
    with capsys.disabled():
        print(f"\n{ROUNDS} rounds of add racing lint --fix: every add and every fix kept")


def test_an_add_racing_a_rename_survives_and_the_rename_too(tmp_path, workers, capsys):
    pool = workers(2)
    for round_number in range(ROUNDS):
        directory = config(tmp_path / f"round{round_number}")
        codes = pool.run(
            [
                ["add", "vllm", "--config-dir", directory, "--endpoint-id", "box", "--model", "big"],
                ["rename", "model", "local", "local-2", "--config-dir", directory],
            ]
        )
        assert codes == ["exit 0", "exit 0"], round_number
        llm_config = json.loads((directory / "llm-config.json").read_text())
        assert "box" in llm_config["endpoints"] and "big" in llm_config["models"], round_number
        assert "local-2" in llm_config["models"] and "local" not in llm_config["models"], round_number
        assert llm_config["tiers"]["simple"]["primary"] == "local-2", round_number
    with capsys.disabled():
        print(f"\n{ROUNDS} rounds of add racing rename: every add and every rename kept")


def test_a_writer_that_cannot_get_the_lock_says_so_and_writes_nothing(run, tmp_path, monkeypatch):
    case = prepare("add", tmp_path)
    holder = os.open(case.directory / ".pbcfg.lock", os.O_RDWR | os.O_CREAT, 0o600)
    fcntl.flock(holder, fcntl.LOCK_EX)  # another process's lock, as far as pbcfg can tell
    try:
        before = snapshot(case.directory)
        monkeypatch.setenv("PBCFG_LOCK_TIMEOUT", "0")
        result = run(*case.args)
        assert (result.code, result.err) == (
            2,
            f"pbcfg: error: {case.directory}: another pbcfg is writing here "
            f"(it holds {case.directory / '.pbcfg.lock'}); nothing was written. "
            "Run the command again when it is done\n",
        )
        assert snapshot(case.directory) == before
    finally:
        os.close(holder)
    assert run(*case.args).code == 0
    assert not (case.directory / ".pbcfg.lock").exists()  # the lock file lives only while it is held


def test_the_lock_waits_until_its_timeout_on_the_injected_clock(tmp_path):
    holder = os.open(tmp_path / ".pbcfg.lock", os.O_RDWR | os.O_CREAT, 0o600)
    fcntl.flock(holder, fcntl.LOCK_EX)
    now, naps = [100.0], []

    def sleep(seconds):
        naps.append(seconds)
        now[0] += 0.25  # the machine is slow: each nap takes a quarter of a second

    try:
        with pytest.raises(WriteError, match="another pbcfg is writing here"):
            with lock_directories([tmp_path], timeout=1.0, clock=lambda: now[0], sleep=sleep):
                pass
    finally:
        os.close(holder)
    assert naps == [0.05] * 4  # tried at 100, 100.25, 100.5, 100.75, then gave up at 101
    with lock_directories([tmp_path], timeout=0, clock=lambda: now[0], sleep=sleep):
        with lock_directories([tmp_path], timeout=0):  # the same process again: counted, not taken twice
            assert (tmp_path / ".pbcfg.lock").exists()
        assert (tmp_path / ".pbcfg.lock").exists()
    assert not (tmp_path / ".pbcfg.lock").exists()
