"""The wheel carries schemas and generated models; `pbcfg` works from anywhere once installed."""

from __future__ import annotations

import subprocess
import sys
import zipfile

from conftest import PONYBUNNY, REPO


def test_wheel_installs_in_a_fresh_venv_and_validates_outside_the_repo(tmp_path):
    dist = tmp_path / "dist"
    subprocess.run([sys.executable, "-m", "build", "--wheel", "--outdir", dist, REPO],
                   check=True, capture_output=True)
    (wheel,) = dist.glob("pbcfg-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    assert {"pbcfg/cli/entry.py", "pbcfg/lint/rules/url.py", "pbcfg/schemas/credentials.schema.json", "pbcfg/schemas/llm-config.schema.json",
            "pbcfg/schemas/ponybunny-defaults.json", "pbcfg/generated/llm_config.py",
            "pbcfg/templates/ollama/preset.toml", "pbcfg/templates/_shared/routing.json.j2",
            "pbcfg/templates/_shared/openai-compatible/llm-config.json.j2"} <= names
    assert not [n for n in names if n.split("/")[0] in ("toolkit", "generated", "schemas", "tests")]

    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", venv], check=True)
    subprocess.run([venv / "bin" / "pip", "install", "--quiet", wheel], check=True, capture_output=True)
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    done = subprocess.run([venv / "bin" / "pbcfg", "validate", PONYBUNNY / "credentials.example.json",
                           PONYBUNNY / "llm-config.example.json"], cwd=outside, capture_output=True, text=True)
    assert (done.returncode, done.stdout) == (0, "2 files checked: 0 errors, 0 warnings, 0 infos\n")
    loaded = subprocess.run([venv / "bin" / "python", "-c",
                             "import pbcfg,sys; c=pbcfg.load(files=sys.argv[1:]); print(type(c.llm_config).__name__)",
                             PONYBUNNY / "llm-config.example.json"], cwd=outside, capture_output=True, text=True)
    assert loaded.stdout == "LlmConfig\n", loaded.stderr
    initialised = subprocess.run([venv / "bin" / "pbcfg", "init", "ollama", "--config-dir", "pb"], cwd=outside,
                                 capture_output=True, text=True)
    assert initialised.returncode == 0, initialised.stderr
    assert subprocess.run([venv / "bin" / "pbcfg", "lint", "pb"], cwd=outside).returncode == 0
