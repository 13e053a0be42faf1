"""Keep the command samples of the docs true: run each one again and compare or rewrite its output.

A sample is a ``console`` code block right after a ``<!-- sample -->`` comment. Its ``$ `` lines are the
commands; the lines after each are what it printed (stdout and stderr, as a terminal shows them). A comment
``<!-- sample: SHELL -->`` runs SHELL first, unseen, to set the scene. Every block runs in a fresh directory
``~/demo`` holding a copy of examples/, with a fresh HOME and no variable of the caller's environment, so the
output depends only on pbcfg and the block. Paths under the temporary HOME are printed as ``~``.

    python docs/samples.py --write    rewrite every block with the real output (make docs-samples)
    python docs/samples.py            exit 1 and name each block whose output differs
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import NamedTuple

DOCS = Path(__file__).resolve().parent
REPO = DOCS.parent
SAMPLE = re.compile(r"<!-- sample(?:: (?P<setup>.*?))? -->\n```console\n(?P<body>.*?)```\n", re.S)


class Sample(NamedTuple):
    page: Path
    start: int
    end: int
    setup: str
    commands: list[str]
    body: str


def find_samples(page: Path) -> list[Sample]:
    text = page.read_text(encoding="utf-8")
    return [
        Sample(
            page,
            match.start("body"),
            match.end("body"),
            match["setup"] or "",
            [line[2:] for line in match["body"].splitlines() if line.startswith("$ ")],
            match["body"],
        )
        for match in SAMPLE.finditer(text)
    ]


def all_samples() -> list[Sample]:
    return [sample for page in sorted(DOCS.rglob("*.md")) for sample in find_samples(page)]


def run_sample(sample: Sample, bin_dir: Path | None = None) -> str:
    """The block's body as the commands print it now, in a fresh sandbox."""
    bin_dir = bin_dir or Path(sys.executable).parent
    with tempfile.TemporaryDirectory(prefix="pbcfg-sample-") as temp:
        home = Path(temp) / "home"
        demo = home / "demo"
        shutil.copytree(REPO / "examples", demo)
        env = {
            "HOME": str(home),
            "PATH": f"{bin_dir}:/usr/local/bin:/usr/bin:/bin",
            "LANG": "C.UTF-8",
            "NO_COLOR": "1",
            "COLUMNS": "100",
            "TERM": "dumb",
        }
        if sample.setup:
            subprocess.run(["bash", "-c", sample.setup], cwd=demo, env=env, check=True, capture_output=True)
        body = []
        for command in sample.commands:
            done = subprocess.run(
                ["bash", "-c", f"{command} 2>&1"], cwd=demo, env=env, capture_output=True, text=True, errors="replace"
            )
            printed = done.stdout.replace(str(home), "~").rstrip()
            body += [f"$ {command}", *([printed] if printed else [])]
        return "\n".join(body) + "\n"


def main(argv: list[str]) -> int:
    write = "--write" in argv
    stale = 0
    for page in sorted(DOCS.rglob("*.md")):
        samples = find_samples(page)
        if not samples:
            continue
        text = page.read_text(encoding="utf-8")
        for sample in reversed(samples):
            fresh = run_sample(sample)
            if fresh != sample.body:
                stale += 1
                print(f"{page.relative_to(REPO)}: sample `{sample.commands[0]}` {'rewritten' if write else 'differs'}")
                text = text[: sample.start] + fresh + text[sample.end :]
        if write:
            page.write_text(text, encoding="utf-8")
    return 0 if write or not stale else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
