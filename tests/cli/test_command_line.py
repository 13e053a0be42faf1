"""One consistent command line: help with no arguments, one-line usage errors, examples in every --help, one
--config-dir (old spellings hidden but working), `validate -`, `schema`, and shell completion that works."""

from __future__ import annotations

import importlib
import io
import os
import subprocess
import sys
from pathlib import Path

import click
import pytest

from helpers import REPO
from pbcfg.cli.commands import COMMANDS, cli

PBCFG = Path(sys.executable).parent / "pbcfg"


def command(name: str) -> click.Command:
    module, attribute = COMMANDS[name].split(":")
    return getattr(importlib.import_module(module), attribute)


def test_no_arguments_prints_the_help_and_succeeds(run):
    result = run()
    assert (result.code, result.err) == (0, "")
    assert result.out.startswith("Usage: pbcfg [OPTIONS] COMMAND [ARGS]...\n")
    assert "\nCommands:\n" in result.out


def test_the_command_list_shows_each_summary_whole():
    commands = run_help()
    listing = " ".join(commands.split("\nCommands:\n", 1)[1].split())
    for name in COMMANDS:
        summary = command(name).get_short_help_str(limit=10_000)
        assert f"{name} {summary}" in listing, name
    assert "..." not in listing


def run_help() -> str:
    done = subprocess.run([PBCFG, "--help"], capture_output=True, text=True, env={**os.environ, "COLUMNS": "80"})
    assert done.returncode == 0
    return done.stdout


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_every_commands_help_has_examples(run, name):
    result = run(name, "--help")
    assert result.code == 0
    examples = result.out.split("\n  Examples:\n", 1)[1].split("\n\n", 1)[0].splitlines()
    assert examples and all(line.startswith(("    pbcfg ", "    eval ", "    cat ")) for line in examples), examples


@pytest.mark.parametrize(
    "args, message",
    [
        (["validate", "--bogus"], "--bogus"),
        (["lint", "--fail-on", "nope"], "'nope'"),
        (["rename", "model", "only-one"], "'NEW'"),
        (["schema", "settings"], "'settings'"),
        (["completion", "tcsh"], "'tcsh'"),
    ],
)
def test_a_usage_error_is_one_line_that_says_where_to_look(run, args, message):
    result = run(*args)
    assert (result.code, result.out) == (2, "")
    assert result.err.count("\n") == 1 and result.err.startswith("pbcfg: error: ") and message in result.err
    assert result.err.endswith(f" (try `pbcfg {args[0]} --help`)\n")


def test_an_unknown_command_suggests_one(run):
    assert run("lnit").err == "pbcfg: error: no command 'lnit'; did you mean 'lint'? (try `pbcfg --help`)\n"


@pytest.mark.parametrize("name", ["init", "render", "build", "add", "validate", "lint", "migrate", "rename", "remove"])
def test_every_command_names_the_config_directory_config_dir(run, name):
    options = {opt for param in command(name).params if not getattr(param, "hidden", False) for opt in param.opts}
    assert "--config-dir" in options
    assert not options & {"--dir", "--out"}
    help_text = run(name, "--help").out
    assert "--config-dir" in help_text and "--dir " not in help_text and "--out " not in help_text


def test_each_option_has_one_spelling(run, tmp_path):
    """Nothing is released yet, so no old spelling is kept hidden beside the one in --help."""
    for args in (("init", "ollama", "--dir"), ("render", "ollama", "--out"), ("build", tmp_path, "--out")):
        result = run(*args, tmp_path / "a")
        assert (result.code, result.err.startswith(f"pbcfg: error: no such option '{args[-1]}'.")) == (2, True)
    assert not (tmp_path / "a").exists()
    hidden = [p.opts for name in ("init", "render", "build") for p in command(name).params if getattr(p, "hidden", 0)]
    assert hidden == []


def test_no_option_that_cannot_work(run):
    assert "--source" not in {opt for param in command("add").params for opt in param.opts}
    forced = run("render", "ollama", "--force")
    assert (forced.code, forced.err) == (
        2,
        "pbcfg: error: --force overwrites files in --config-dir: give --config-dir too\n",
    )


def test_validate_reads_stdin_with_kind(run, monkeypatch, tmp_path):
    def stdin(data: bytes) -> None:
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))

    stdin(b'{\n  "defaults": {"timeout": 10}\n}\n')
    result = run("validate", "-", "--kind", "llm-config")
    assert result.code == 1
    assert result.out.startswith("<stdin>:2:27: error schema.minimum must be ≥ 1000, found 10\n")
    stdin(b'{"defaults": {"timeout": 10}}')
    assert run("validate", "-").err == (
        "pbcfg: error: - reads the config from stdin: pass --kind credentials or --kind llm-config\n"
    )
    (tmp_path / "credentials.json").write_text('{"endpoints": {"gpu": {"apiKey": "x"}}}')
    stdin(b'{"endpoints": {"gpu": {"enabled": true, "protocol": "openai", "priority": 1}}}')
    together = run("validate", "-", tmp_path / "credentials.json", "--kind", "llm-config", "--format", "json")
    assert (together.code, together.json["summary"]["files"]) == (0, 2)
    stdin(b'{"a": "\xff"}')
    bad = run("validate", "-", "--kind", "credentials")
    assert (bad.code, bad.err) == (
        2,
        "pbcfg: error: <stdin>:1:8: not valid UTF-8 (byte 0xff); save the file as UTF-8\n",
    )


def test_schema_prints_or_writes_each_schema(run, tmp_path):
    for kind in ("credentials", "llm-config"):
        text = (REPO / "schemas" / f"{kind}.schema.json").read_text()
        assert run("schema", kind).out == text
        written = run("schema", kind, "--output", tmp_path / f"{kind}.json")
        assert (written.code, written.err) == (0, f"wrote {tmp_path / f'{kind}.json'}\n")
        assert (tmp_path / f"{kind}.json").read_text() == text
    nowhere = run("schema", "credentials", "--output", tmp_path / "missing" / "x.json")
    assert nowhere.code == 2 and nowhere.err.startswith(
        f"pbcfg: error: {tmp_path / 'missing' / 'x.json'}: cannot write the schema: "
    )


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_completion_prints_clicks_script_for_the_shell(run, shell):
    from click.shell_completion import get_completion_class

    script = get_completion_class(shell)(cli, {}, "pbcfg", "_PBCFG_COMPLETE").source()
    result = run("completion", shell)
    assert (result.code, result.out) == (0, script if script.endswith("\n") else script + "\n")
    assert f"_PBCFG_COMPLETE={shell}_complete" in result.out


@pytest.mark.parametrize(
    "words, expected",
    [
        ("pbcfg vali", "plain,validate"),
        ("pbcfg lint --sel", "plain,--select"),
        ("pbcfg rename ", "plain,model\nplain,endpoint"),
        ("pbcfg add oll", "plain,ollama"),
        ("pbcfg completion f", "plain,fish"),
    ],
)
def test_the_installed_completion_answers_the_shell(words, expected):
    env = {
        **os.environ,
        "_PBCFG_COMPLETE": "bash_complete",
        "COMP_WORDS": words,
        "COMP_CWORD": str(len(words.split(" ")) - 1),
    }
    done = subprocess.run([PBCFG], capture_output=True, text=True, env=env)
    assert (done.returncode, done.stdout.strip()) == (0, expected)


def test_the_docs_document_every_command_and_option():
    readme = "".join(page.read_text() for page in sorted((REPO / "docs").rglob("*.md")))
    missing = [
        f"{name} {opt}"
        for name in sorted(COMMANDS)
        for param in command(name).params
        if not getattr(param, "hidden", False)
        for opt in [*param.opts, *param.secondary_opts]
        if opt.startswith("-") and opt not in readme
    ]
    assert [name for name in sorted(COMMANDS) if f"pbcfg {name}" not in readme] == []
    assert missing == []


def test_codegen_without_its_generator_names_the_extra_to_install(run, monkeypatch):
    monkeypatch.setitem(sys.modules, "datamodel_code_generator", None)  # as if the codegen extra were not installed
    result = run("codegen", "--check")
    assert (result.code, result.out) == (2, "")
    assert result.err == (
        "pbcfg: error: this needs datamodel-code-generator, which is not installed: pip install 'pbcfg[codegen]'\n"
    )
