"""The hot path: `pbcfg validate|lint FILE...` run without Click and say exactly what the Click path says."""

from __future__ import annotations

import inspect
import json
import os
import subprocess
import sys

import pytest

from conftest import PONYBUNNY, REPO

TWO_PROBLEMS = '{\n  "defaults": {"timeout": 10},\n  "tiers": {"simple": {"primary": "gpt-5.2", "fallback": ["gpt-5.2"]}}\n}\n'
HEAVY = ("click", "httpx", "jinja2", "pydantic", "ruamel", "limits", "jsonschema")


def imported_modules(*args) -> tuple[subprocess.CompletedProcess, set[str]]:
    """Run ``python -m pbcfg ARGS`` (the console path: argv from the process) and list what it imported."""
    env = {k: v for k, v in os.environ.items() if k not in ("GITHUB_ACTIONS", "NO_COLOR")}
    done = subprocess.run([sys.executable, "-X", "importtime", "-m", "pbcfg", *map(str, args)],
                          capture_output=True, text=True, env=env)
    modules = {line.rsplit("|", 1)[1].strip() for line in done.stderr.splitlines() if line.startswith("import time:")}
    return done, modules


def top_level(modules: set[str]) -> set[str]:
    return {name.split(".")[0] for name in modules}


@pytest.mark.parametrize("command", ["validate", "lint"])
def test_operands_only_import_no_click_and_nothing_heavy(command):
    done, modules = imported_modules(command, REPO / "examples")
    assert done.returncode == 0
    assert done.stdout == "2 files checked: 0 errors, 0 warnings, 0 infos\n"
    assert top_level(modules) & set(HEAVY) == set()


CLEAN = "2 files checked: 0 errors, 0 warnings, 0 infos\n"


def test_the_clean_path_imports_neither_jsonschema_rs_nor_typing():
    """A valid seed-sized pair: the generated check answers, the reference checks run, and neither
    jsonschema-rs nor typing is imported (enum is: json needs re, which needs it)."""
    done, modules = imported_modules("validate", REPO / "examples" / "credentials.json", REPO / "examples" / "llm-config.json")
    assert (done.returncode, done.stdout) == (0, CLEAN)
    assert {"pbcfg.generated.validators", "pbcfg.check.cross_references"} <= modules
    assert top_level(modules) & {"jsonschema_rs", "typing", "pydantic"} == set()
    # nor what only an unusual file needs: a URL holding a secret (urllib), a schema file of another's (copy),
    # an interrupted write (contextlib, time), a deep or lopsided document (array); counted from pbcfg's own
    # first import, since an editable install's finder imports some of them as the interpreter starts
    lines = [line.rsplit("|", 1)[1].strip() for line in done.stderr.splitlines() if line.startswith("import time:")]
    ours = set(lines[lines.index("pbcfg"):])
    assert top_level(ours) & {"urllib", "ipaddress", "copy", "contextlib", "time", "array"} == set()


@pytest.mark.parametrize("case", ["a finding", "valid, not sure", "valid, too large"])
def test_jsonschema_rs_answers_when_the_generated_check_is_not_sure(write, tmp_path, case):
    from pbcfg.check.pipeline import CLEAN_PATH_MAX_CHARS

    if case == "a finding":
        path, code, said = write("llm-config.json", TWO_PROBLEMS), 1, "1 file checked: 1 error, 1 warning, 0 infos\n"
    elif case == "valid, not sure":  # jsonschema-rs takes 4096.0 for an integer; the generated check never does
        path, code, said = write("llm-config.json", '{"defaults": {"maxTokens": 4096.0}}'), 0, CLEAN.replace("2 files", "1 file")
    else:
        text = json.dumps({"agents": {"planning": {"description": "x" * CLEAN_PATH_MAX_CHARS}}})
        path, code, said = write("llm-config.json", text), 0, CLEAN.replace("2 files", "1 file")
    done, modules = imported_modules("validate", path)
    assert (done.returncode, done.stdout.splitlines()[-1] + "\n", "jsonschema_rs" in top_level(modules)) == (code, said, True)


def test_a_valid_file_at_the_size_limit_takes_the_clean_path(write):
    from pbcfg.check.pipeline import CLEAN_PATH_MAX_CHARS

    text = json.dumps({"agents": {"planning": {"description": ""}}})
    text = text.replace('""', '"' + "x" * (CLEAN_PATH_MAX_CHARS - len(text)) + '"')
    assert len(text) == CLEAN_PATH_MAX_CHARS
    done, modules = imported_modules("validate", write("llm-config.json", text))
    assert (done.returncode, "jsonschema_rs" in top_level(modules)) == (0, False)


def test_an_option_sends_the_command_line_to_click():
    done, modules = imported_modules("validate", "--fail-on", "error", PONYBUNNY / "llm-config.example.json")
    assert (done.returncode, "click" in top_level(modules)) == (0, True)


def test_the_hot_path_flushes_its_whole_report_before_it_exits(run, write):
    broken = write("llm-config.json", TWO_PROBLEMS)
    done, _ = imported_modules("validate", broken)
    through_click = run("validate", "--fail-on", "error", broken)
    said = [line for line in done.stderr.splitlines() if not line.startswith("import time:")]
    assert (done.returncode, done.stdout, said) == (1, through_click.out, [])
    assert done.stdout.startswith(f"{broken}:2:27: error schema.minimum must be ≥ 1000, found 10\n")
    assert done.stdout.endswith("1 file checked: 1 error, 1 warning, 0 infos\n")


@pytest.mark.parametrize("command", ["validate", "lint"])
def test_hot_defaults_are_the_click_options_defaults(command):
    import importlib

    import click

    from pbcfg.cli.commands import COMMANDS
    from pbcfg.cli.hotpath import HOT

    click_command = getattr(importlib.import_module(COMMANDS[command].split(":")[0]), command)
    function = getattr(importlib.import_module(HOT[command].split(":")[0]), HOT[command].split(":")[1])
    signature = inspect.signature(function).parameters
    # options that answer instead of checking (--explain, --list-rules) never reach the function
    context = click.Context(click_command)
    options = {param.name: param.get_default(context) for param in click_command.params
               if param.name not in ("paths", "explain", "list_rules")}
    assert options == {name: signature[name].default for name in options}
    assert set(options) == {name for name, p in signature.items() if p.kind is p.KEYWORD_ONLY}


@pytest.mark.parametrize("command", ["validate", "lint"])
@pytest.mark.parametrize("case", ["clean pair", "two problems", "not json", "missing file", "directory", "empty dir"])
def test_hot_and_click_paths_print_the_same(run, write, tmp_path, command, case):
    if case == "clean pair":
        args = [REPO / "examples" / "credentials.json", REPO / "examples" / "llm-config.json"]
    elif case == "two problems":
        args = [write("llm-config.json", TWO_PROBLEMS)]
    elif case == "not json":
        args = [write("credentials.json", '{"endpoints": {"openai": {"apiKey": "sk-abcdefgh12345678"},}}')]
    elif case == "missing file":
        args = [tmp_path / "nowhere" / "llm-config.json"]
    elif case == "directory":
        write("llm-config.json", TWO_PROBLEMS, tmp_path / "pb")
        args = [tmp_path / "pb"]
    else:
        (tmp_path / "empty").mkdir()
        args = [tmp_path / "empty"]
    hot = run(command, *args)
    through_click = run(command, "--fail-on", "error", *args)
    assert (hot.code, hot.out, hot.err) == (through_click.code, through_click.out, through_click.err)
    assert hot.code == {"clean pair": 0, "two problems": 1, "not json": 1, "missing file": 2, "directory": 1,
                        "empty dir": 2}[case]


def test_help_and_unknown_commands_still_go_through_click(run):
    assert run("validate", "--help").out.startswith("Usage: pbcfg validate [OPTIONS] [PATHS]...")
    assert run("valdate", "x.json").err == ("pbcfg: error: no command 'valdate'; did you mean 'validate'? "
                                            "(try `pbcfg --help`)\n")


@pytest.mark.parametrize("command", ["validate", "lint"])
def test_no_path_and_no_config_directory_says_which_directory_and_how_to_check_here(command, tmp_path):
    here, nowhere = tmp_path / "here", tmp_path / "nowhere"
    here.mkdir()
    (here / "credentials.json").write_text('{"endpoints": {}}')
    (here / "llm-config.json").write_text("{}")
    env = {k: v for k, v in os.environ.items() if k not in ("GITHUB_ACTIONS", "XDG_CONFIG_HOME")}

    def pbcfg(*args: str, **overrides: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-X", "importtime", "-m", "pbcfg", command, *args], cwd=here,
                              capture_output=True, text=True, env={**env, **overrides})

    def said(done: subprocess.CompletedProcess) -> tuple[int, list[str]]:
        return done.returncode, [line for line in done.stderr.splitlines() if not line.startswith("import time:")]

    hot = pbcfg(PONYBUNNY_CONFIG_DIR=str(nowhere))
    assert said(hot) == (2, [f"pbcfg: error: {nowhere}: no credentials.json or llm-config.json in the config "
                             f"directory (from $PONYBUNNY_CONFIG_DIR); to check the credentials.json and "
                             f"llm-config.json here, run `pbcfg {command} .`"])
    assert "click" not in {line.rsplit("|", 1)[1].strip() for line in hot.stderr.splitlines()
                           if line.startswith("import time:")}
    assert said(pbcfg("--fail-on", "error", PONYBUNNY_CONFIG_DIR=str(nowhere))) == said(hot)
    by_default = pbcfg(HOME=str(tmp_path), PONYBUNNY_CONFIG_DIR="")
    assert said(by_default)[1][0].startswith(f"pbcfg: error: {tmp_path / '.config' / 'ponybunny'}: no "
                                             "credentials.json or llm-config.json in the config directory (from the "
                                             "default, ~/.config/ponybunny); to check")
    followed = pbcfg(".", PONYBUNNY_CONFIG_DIR=str(nowhere))  # the advice works: both files here are checked
    summary = [line for line in followed.stdout.splitlines() if line.startswith("2 files checked: ")]
    # lint: the summary, the fixable count, a note
    assert summary == [followed.stdout.splitlines()[-1 if command == "validate" else -3]]
