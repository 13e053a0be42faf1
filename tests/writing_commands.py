"""Every pbcfg command that writes files, each with a directory it will really write into.

``prepare(name, root)`` builds what the command needs under ``root`` and
returns a :class:`Case`: its arguments, the directory it writes, the files it
replaces there, and the backup names it would use. The planted-link,
full-disk and read-only tests run every case, so a new writing command added
here is held to every promise at once. Also the script that kills pbcfg between the two renames of a
pair write, and the prefix that runs a command without root's power to write anywhere.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import NamedTuple

import pytest

STAMP = "20260101-000000"  # the timestamp init and render --config-dir put in backup names; the tests pin it
KEY = "sk-Wq8rTz3nVb6yHk2pLm5xCd9f"

CREDENTIALS = {"endpoints": {"openai-compatible": {"apiKey": KEY, "baseUrl": "http://localhost:8000/v1/"}}}
LLM_CONFIG = {
    "endpoints": {"openai-compatible": {"enabled": True, "protocol": "openai", "priority": 1}},
    "models": {
        "local": {
            "displayName": "Local",
            "endpoints": ["openai-compatible"],
            "costPer1kTokens": {"input": 0, "output": 0},
        }
    },
    "tiers": {"simple": {"primary": "local", "fallback": ["gpt-5.2", "gpt-5.2"]}},
}
OLD_CREDENTIALS = {"endpoints": {"openai-compatible": {"baseURL": "http://localhost:8000/v1", "api_key": KEY}}}
OLD_LLM_CONFIG = {"tiers": {"simple": {"primary": "gpt-5.2", "fallback": "claude-haiku-4-5"}}}
CREDENTIALS_YAML = f"endpoints:\n  openai-compatible:\n    apiKey: {KEY}\n    baseUrl: http://localhost:9000/v1\n"
LLM_CONFIG_YAML = "tiers:\n  simple:\n    primary: gpt-5.2\n"


class Case(NamedTuple):
    args: list[str]
    directory: Path  # where it writes
    replaces: list[str]  # file names it replaces there
    backups: list[str]  # the name of each replaced file's first backup ("" if it keeps none)


def config(
    directory: Path, credentials: dict | str = CREDENTIALS, llm_config: dict | str = LLM_CONFIG, *, yaml: bool = False
) -> Path:
    """A private config directory holding both files (JSON, or YAML sources)."""
    directory.mkdir(parents=True, exist_ok=True)
    directory.chmod(0o700)
    suffix = ".yaml" if yaml else ".json"
    for name, content in ((f"credentials{suffix}", credentials), (f"llm-config{suffix}", llm_config)):
        path = directory / name
        path.write_text(content if isinstance(content, str) else json.dumps(content, indent=2) + "\n")
        path.chmod(0o600 if name.startswith("credentials") else 0o644)
    return directory


def prepare(name: str, root: Path) -> Case:
    cfg = root / "cfg"
    pair = ["credentials.json", "llm-config.json"]
    if name == "lint --fix":
        config(cfg)
        return Case(["lint", str(cfg), "--fix"], cfg, pair, [n + ".bak" for n in pair])
    if name == "add":
        config(cfg)
        return Case(
            ["add", "vllm", "--config-dir", str(cfg), "--endpoint-id", "box", "--model", "big"],
            cfg,
            pair,
            [n + ".bak" for n in pair],
        )
    if name == "migrate":
        config(cfg, OLD_CREDENTIALS, OLD_LLM_CONFIG)
        return Case(["migrate", str(cfg)], cfg, pair, [n + ".bak" for n in pair])
    if name == "init --force":
        config(cfg)
        return Case(
            ["init", "ollama", "--config-dir", str(cfg), "--force"], cfg, pair, [f"{n}.{STAMP}.bak" for n in pair]
        )
    if name == "render --config-dir":
        config(cfg)
        return Case(
            ["render", "ollama", "--config-dir", str(cfg), "--force"], cfg, pair, [f"{n}.{STAMP}.bak" for n in pair]
        )
    if name == "build --config-dir":
        config(root / "src", CREDENTIALS_YAML, LLM_CONFIG_YAML, yaml=True)
        config(cfg)
        return Case(["build", str(root / "src"), "--config-dir", str(cfg)], cfg, pair, [n + ".bak" for n in pair])
    if name == "rename":
        config(cfg)
        return Case(
            ["rename", "model", "local", "local-2", "--config-dir", str(cfg)],
            cfg,
            ["llm-config.json"],
            ["llm-config.json.bak"],
        )
    if name == "remove":
        config(cfg)
        return Case(
            ["remove", "model", "local", "--cascade", "--config-dir", str(cfg)],
            cfg,
            ["llm-config.json"],
            ["llm-config.json.bak"],
        )
    if name == "--output":
        config(cfg)
        (cfg / "report.json").write_text("{}\n")
        return Case(
            ["validate", str(cfg), "--format", "json", "--output", str(cfg / "report.json")], cfg, ["report.json"], [""]
        )
    raise KeyError(name)


WRITING_COMMANDS = [
    "lint --fix",
    "add",
    "migrate",
    "init --force",
    "render --config-dir",
    "build --config-dir",
    "rename",
    "remove",
    "--output",
]


def snapshot(directory: Path) -> dict[str, tuple[bytes | str, int]]:
    """Every entry of ``directory``: a file's bytes and mode, or a link's target (the lock file aside: a writer
    killed while holding it leaves it, and the next one removes it)."""
    found = {}
    for entry in sorted(set(os.listdir(directory)) - {".pbcfg.lock"}):
        path = directory / entry
        if path.is_symlink():
            found[entry] = (os.readlink(path), 0)
        elif path.is_file():
            found[entry] = (path.read_bytes(), path.stat().st_mode & 0o7777)
    return found


# runs pbcfg, killing itself right after the first rename of a pair write
KILL_BETWEEN_RENAMES = r"""
import os, signal, sys
real_replace = os.replace
def replace(source, target):
    real_replace(source, target)
    os.kill(os.getpid(), signal.SIGKILL)
os.replace = replace
from pbcfg.cli.entry import main
main(sys.argv[1:])
"""


def without_write_privilege() -> list[str]:
    """The prefix that runs a command unable to write where the mode says no (root: without its capabilities)."""
    if os.geteuid() != 0:
        return []
    if shutil.which("setpriv") is None:
        pytest.skip("root writes anywhere and setpriv(1) is missing to drop that; the permission test cannot run")
    return ["setpriv", "--bounding-set=-dac_override,-dac_read_search,-fowner", "--inh-caps=-all", "--"]
