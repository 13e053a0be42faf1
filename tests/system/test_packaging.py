"""The distribution: `make dist`'s sdist and wheel pass `twine check`, and the wheel installed into a fresh venv works
from anywhere: --version, validate, init, lint, load and the runtime, with templates and schemas inside it."""

from __future__ import annotations

import subprocess
import sys
import zipfile

import pytest

from helpers import PONYBUNNY, REPO
from pbcfg import __version__


@pytest.fixture(scope="module")
def dist(tmp_path_factory):
    """An sdist and a wheel, built as `make dist` builds them (the wheel from the sdist)."""
    out = tmp_path_factory.mktemp("dist")
    subprocess.run([sys.executable, "-m", "build", "--outdir", out, REPO], check=True, capture_output=True)
    return out


@pytest.fixture(scope="module")
def installed(dist, tmp_path_factory):
    """A fresh venv holding the wheel, and a directory outside the repository to run it in."""
    venv = tmp_path_factory.mktemp("venv")
    subprocess.run([sys.executable, "-m", "venv", venv], check=True)
    (wheel,) = dist.glob("pbcfg-*.whl")
    subprocess.run([venv / "bin" / "pip", "install", "--quiet", wheel], check=True, capture_output=True)
    return venv / "bin", tmp_path_factory.mktemp("elsewhere")


def test_dist_builds_an_sdist_and_a_wheel_of_the_one_version_that_twine_accepts(dist):
    assert sorted(path.name for path in dist.iterdir()) == [
        f"pbcfg-{__version__}-py3-none-any.whl",
        f"pbcfg-{__version__}.tar.gz",
    ]
    checked = subprocess.run(
        [sys.executable, "-m", "twine", "check", "--strict", *sorted(dist.iterdir())], capture_output=True, text=True
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert checked.stdout.count("PASSED") == 2


def test_the_wheel_carries_schemas_templates_and_generated_models(dist):
    (wheel,) = dist.glob("pbcfg-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    assert {
        "pbcfg/cli/entry.py",
        "pbcfg/lint/rules/url.py",
        "pbcfg/schemas/credentials.schema.json",
        "pbcfg/schemas/llm-config.schema.json",
        "pbcfg/schemas/ponybunny-defaults.json",
        "pbcfg/generated/llm_config.py",
        "pbcfg/templates/ollama/preset.toml",
        "pbcfg/templates/_shared/routing.json.j2",
        "pbcfg/templates/_shared/openai-compatible/llm-config.json.j2",
    } <= names
    assert not [n for n in names if n.split("/")[0] in ("toolkit", "generated", "schemas", "tests", "docs")]


def test_the_installed_wheel_works_outside_the_repository(installed):
    bin_dir, outside = installed
    pbcfg = bin_dir / "pbcfg"

    def run(*args):
        return subprocess.run([*args], cwd=outside, capture_output=True, text=True)

    assert run(pbcfg, "--version").stdout == f"pbcfg, version {__version__}\n"
    done = run(pbcfg, "validate", PONYBUNNY / "credentials.example.json", PONYBUNNY / "llm-config.example.json")
    assert (done.returncode, done.stdout) == (0, "2 files checked: 0 errors, 0 warnings, 0 infos\n")
    initialised = run(pbcfg, "init", "ollama", "--config-dir", "pb")
    assert initialised.returncode == 0, initialised.stderr
    assert (outside / "pb" / "llm-config.schema.json").is_file()
    assert run(pbcfg, "lint", "pb").returncode == 0
    loaded = run(
        bin_dir / "python",
        "-c",
        "import pbcfg,sys; c=pbcfg.load(files=sys.argv[1:]); print(type(c.llm_config).__name__)",
        PONYBUNNY / "llm-config.example.json",
    )
    assert loaded.stdout == "LlmConfig\n", loaded.stderr
    planned = run(
        bin_dir / "python",
        "-c",
        "from pbcfg.runtime import load_runtime\n"
        "plan = load_runtime('pb', env={}).plan(tier='simple')\n"
        "print([(a.model, a.endpoint.id) for a in plan.attempts][0])",
    )
    assert planned.stdout == "('llama3.1:8b', 'openai-compatible')\n", planned.stderr


def test_a_folder_named_pbcfg_beside_a_script_does_not_hide_the_installed_package(installed):
    """A clone named pbcfg in the script's directory is a namespace folder; the installed package wins over it."""
    bin_dir, outside = installed
    (outside / "pbcfg").mkdir()  # what `git clone …/pbcfg` leaves in the parent directory
    (outside / "script.py").write_text("import pbcfg\nprint(pbcfg.load.__module__)\n")
    done = subprocess.run([bin_dir / "python", "script.py"], cwd=outside, capture_output=True, text=True)
    assert (done.returncode, done.stdout) == (0, "pbcfg.loading\n"), done.stderr
