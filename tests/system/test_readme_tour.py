"""README's three-command tour works as pasted, in an empty directory, with the installed pbcfg, and prints what
README shows."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from helpers import REPO

README = (REPO / "README.md").read_text()


def tour() -> tuple[list[str], str]:
    """The tour's command lines, and the output block README shows after them."""
    section = README.split("## A three-command tour\n", 1)[1].split("\n## ", 1)[0]
    commands, shown = re.findall(r"```(?:sh)?\n(.*?)```", section, re.S)[:2]
    return [line for line in commands.splitlines() if line.strip()], shown


def test_the_tour_is_init_validate_lint():
    commands, _ = tour()
    assert [line.split()[:2] for line in commands] == [["pbcfg", "init"], ["pbcfg", "validate"], ["pbcfg", "lint"]]


def test_the_tour_runs_as_pasted_and_prints_what_readme_shows(tmp_path):
    commands, shown = tour()
    home = tmp_path / "home"
    here = home / "work"
    here.mkdir(parents=True)
    env = {
        "HOME": str(home),
        "PATH": f"{Path(sys.executable).parent}:/usr/bin:/bin",
        "LANG": "C.UTF-8",
        "NO_COLOR": "1",
    }
    outputs = []
    for line in commands:
        done = subprocess.run(["bash", "-c", line], cwd=here, env=env, capture_output=True, text=True)
        assert done.returncode == 0, f"{line}\n{done.stdout}{done.stderr}"
        outputs.append(done.stdout)
    assert (here / "my-config" / "credentials.json").stat().st_mode & 0o777 == 0o600
    assert outputs[1] == "2 files checked: 0 errors, 0 warnings, 0 infos\n"
    assert outputs[2] == shown
