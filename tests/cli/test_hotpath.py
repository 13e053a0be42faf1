"""The hot path: `pbcfg validate|lint FILE...` run without Click and say exactly what the Click path says."""

from __future__ import annotations

import inspect
import json
import os
import subprocess
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers import PONYBUNNY, REPO

TWO_PROBLEMS = (
    '{\n  "defaults": {"timeout": 10},\n  "tiers": {"simple": {"primary": "gpt-5.2", "fallback": ["gpt-5.2"]}}\n}\n'
)
HEAVY = ("click", "httpx", "jinja2", "pydantic", "ruamel", "limits", "jsonschema")


def imported_modules(*args) -> tuple[subprocess.CompletedProcess, set[str]]:
    """Run ``python -m pbcfg ARGS`` (the console path: argv from the process) and list what it imported."""
    env = {k: v for k, v in os.environ.items() if k not in ("GITHUB_ACTIONS", "NO_COLOR")}
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "pbcfg", *map(str, args)], capture_output=True, text=True, env=env
    )
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


# What the clean path of `pbcfg validate` never imports: jsonschema-rs (the generated check answers), typing;
# re, enum and functools, which cost more than the whole check (the scanners read text with str methods);
# json and base64, whose imports compile regular expressions (the C scanner and encoders do the work);
# importlib and warnings behind them (the hot path and the reporters import by name); shlex (no command to
# quote); hashlib (a key's fingerprint shows only in a finding); and what only an unusual file needs: a URL with a
# secret in llm-config.json (urllib, ipaddress), a schema file of another's (copy), an interrupted write
# (contextlib, time), a deep or lopsided document (array).
NEVER_ON_THE_CLEAN_PATH = {
    "jsonschema_rs",
    "typing",
    "re",
    "enum",
    "functools",
    "base64",
    "pydantic",
    "json",
    "importlib",
    "warnings",
    "shlex",
    "hashlib",
    "urllib",
    "ipaddress",
    "copy",
    "contextlib",
    "time",
    "array",
}


def console_script_imports(*args) -> tuple[subprocess.CompletedProcess, set[str]]:
    """Run pbcfg as its console script does (``main()``, argv from the process, no runpy) and list what it
    imported from its own first import on. What the interpreter's start-up imported (an editable install's
    finder imports pathlib, and re behind it) is forgotten first, so that pbcfg's own imports of it show."""
    env = {k: v for k, v in os.environ.items() if k not in ("GITHUB_ACTIONS", "NO_COLOR")}
    forget = (
        "import sys; never = %r; "
        "[sys.modules.pop(name) for name in list(sys.modules) if name.partition('.')[0] in never]; "
        "from pbcfg.cli.entry import main; main()"
    ) % sorted(NEVER_ON_THE_CLEAN_PATH)
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", forget, *map(str, args)], capture_output=True, text=True, env=env
    )
    lines = [line.rsplit("|", 1)[1].strip() for line in done.stderr.splitlines() if line.startswith("import time:")]
    return done, set(lines[lines.index("pbcfg") :])


def test_the_clean_path_imports_only_what_it_needs():
    """A valid seed-sized pair: the generated check answers and the reference checks run."""
    done, modules = console_script_imports(
        "validate", REPO / "examples" / "credentials.json", REPO / "examples" / "llm-config.json"
    )
    assert (done.returncode, done.stdout) == (0, CLEAN)
    assert {"pbcfg.generated.validators", "pbcfg.check.cross_references"} <= modules
    assert top_level(modules) & NEVER_ON_THE_CLEAN_PATH == set()


def test_real_keys_and_urls_keep_the_clean_path(tmp_path):
    """Keys are registered for masking (every written form of each) and URLs read for secrets, without re."""
    credentials = {
        "endpoints": {
            "openai-direct": {"apiKey": "sk-proj-" + "a1B2c3D4" * 5},
            "anthropic-direct": {"apiKey": "sk-ant-api03-" + "Zz9_" * 10},
            "openai-compatible": {"apiKey": "ollama", "baseUrl": "http://gpu-box.lan:8000/v1?model=llama"},
        }
    }
    (tmp_path / "credentials.json").write_text(json.dumps(credentials))
    (tmp_path / "llm-config.json").write_text((REPO / "examples" / "llm-config.json").read_text())
    done, modules = console_script_imports("validate", tmp_path / "credentials.json", tmp_path / "llm-config.json")
    assert (done.returncode, done.stdout) == (0, CLEAN)
    assert {"pbcfg.generated.validators", "binascii", "_json"} <= modules
    assert top_level(modules) & NEVER_ON_THE_CLEAN_PATH == set()


def test_python_m_pbcfg_takes_the_same_clean_path():
    done, modules = imported_modules(
        "validate", REPO / "examples" / "credentials.json", REPO / "examples" / "llm-config.json"
    )
    assert (done.returncode, done.stdout) == (0, CLEAN)
    lines = [line.rsplit("|", 1)[1].strip() for line in done.stderr.splitlines() if line.startswith("import time:")]
    assert top_level(set(lines[lines.index("pbcfg") :])) & NEVER_ON_THE_CLEAN_PATH == set()


LOADS_CASES = [
    ' {"a": [1, -0, 1.5E-3, 2e400, "\\u00e9\\ud83d\\ude00", true, null]}\r\n\t',
    "[]",
    "0",
    '"x"',
    "1 2",
    "",
    " ",
    "\x0b1",
    "1\x0c",
    "\ufeff{}",
    "[1,]",
    '{"a": 1,}',
    "NaN",
    "[-Infinity]",
    '{"a": 1, "a": 2}',
    '{"a": {"b": 1, "b": 1}}',
    '"open',
    "[1] ]",
    "{'a': 1}",
    '"tab\there"',
    "01",
    "- 1",
]


LOADS_OPTIONS = {
    "none": "{}",
    "strict": "{'object_pairs_hook': _pairs, 'parse_constant': _reject_constant}",
    "as written": "{'parse_int': str, 'parse_float': str, 'parse_constant': str}",
}
OUTCOMES = """
import sys
from pbcfg.source.jsonparse import _pairs, _reject_constant
from pbcfg.util.json_load import loads
assert "json.decoder" not in sys.modules  # as on the clean path: the scanner raises its errors through it
def outcome(text, options):
    try:
        return ["value", repr(loads(text, **options))]  # repr: NaN is not equal to itself
    except Exception as error:  # json.JSONDecodeError is a ValueError; _Duplicate is neither
        return ["refused", "ValueError" if isinstance(error, ValueError) else type(error).__name__]
cases, options = sys.argv[1:]
print(repr({hooks: [outcome(text, eval(spelled)) for text in eval(cases)] for hooks, spelled in eval(options).items()}))
"""


@pytest.fixture(scope="module")
def fresh_loads() -> dict:
    """What ``loads`` makes of each case in an interpreter that has not imported json."""
    done = subprocess.run(
        [sys.executable, "-c", OUTCOMES, repr(LOADS_CASES), repr(LOADS_OPTIONS)],
        capture_output=True,
        text=True,
        check=True,
    )
    return eval(done.stdout)


@pytest.mark.parametrize("index", range(len(LOADS_CASES)))
@pytest.mark.parametrize("hooks", LOADS_OPTIONS)
def test_loads_reads_and_refuses_what_json_loads_does(fresh_loads, index, hooks):
    from pbcfg.source.jsonparse import _pairs, _reject_constant  # noqa: F401 (LOADS_OPTIONS names them)

    try:
        expected = ["value", repr(json.loads(LOADS_CASES[index], **eval(LOADS_OPTIONS[hooks])))]
    except Exception as error:
        expected = ["refused", "ValueError" if isinstance(error, ValueError) else type(error).__name__]
    assert fresh_loads[hooks][index] == expected


@pytest.mark.parametrize("case", ["a finding", "valid, not sure", "valid, too large"])
def test_jsonschema_rs_answers_when_the_generated_check_is_not_sure(write, tmp_path, case):
    from pbcfg.check.pipeline import CLEAN_PATH_MAX_CHARS

    if case == "a finding":
        path, code, said = write("llm-config.json", TWO_PROBLEMS), 1, "1 file checked: 1 error, 1 warning, 0 infos\n"
    elif case == "valid, not sure":  # jsonschema-rs takes 4096.0 for an integer; the generated check never does
        path, code, said = (
            write("llm-config.json", '{"defaults": {"maxTokens": 4096.0}}'),
            0,
            CLEAN.replace("2 files", "1 file"),
        )
    else:
        text = json.dumps({"agents": {"planning": {"description": "x" * CLEAN_PATH_MAX_CHARS}}})
        path, code, said = write("llm-config.json", text), 0, CLEAN.replace("2 files", "1 file")
    done, modules = imported_modules("validate", path)
    assert (done.returncode, done.stdout.splitlines()[-1] + "\n", "jsonschema_rs" in top_level(modules)) == (
        code,
        said,
        True,
    )


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
    options = {
        param.name: param.get_default(context)
        for param in click_command.params
        if param.name not in ("paths", "explain", "list_rules")
    }
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
    assert (
        hot.code
        == {"clean pair": 0, "two problems": 1, "not json": 1, "missing file": 2, "directory": 1, "empty dir": 2}[case]
    )


def test_help_and_unknown_commands_still_go_through_click(run):
    assert run("validate", "--help").out.startswith("Usage: pbcfg validate [OPTIONS] [PATHS]...")
    assert run("valdate", "x.json").err == (
        "pbcfg: error: no command 'valdate'; did you mean 'validate'? (try `pbcfg --help`)\n"
    )


@pytest.mark.parametrize("command", ["validate", "lint"])
def test_no_path_and_no_config_directory_says_which_directory_and_how_to_check_here(command, tmp_path):
    here, nowhere = tmp_path / "here", tmp_path / "nowhere"
    here.mkdir()
    (here / "credentials.json").write_text('{"endpoints": {}}')
    (here / "llm-config.json").write_text("{}")
    env = {k: v for k, v in os.environ.items() if k not in ("GITHUB_ACTIONS", "XDG_CONFIG_HOME")}

    def pbcfg(*args: str, **overrides: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-X", "importtime", "-m", "pbcfg", command, *args],
            cwd=here,
            capture_output=True,
            text=True,
            env={**env, **overrides},
        )

    def said(done: subprocess.CompletedProcess) -> tuple[int, list[str]]:
        return done.returncode, [line for line in done.stderr.splitlines() if not line.startswith("import time:")]

    hot = pbcfg(PONYBUNNY_CONFIG_DIR=str(nowhere))
    assert said(hot) == (
        2,
        [
            f"pbcfg: error: {nowhere}: no credentials.json or llm-config.json in the config "
            f"directory (from $PONYBUNNY_CONFIG_DIR); to check the credentials.json and "
            f"llm-config.json here, run `pbcfg {command} .`"
        ],
    )
    assert "click" not in {
        line.rsplit("|", 1)[1].strip() for line in hot.stderr.splitlines() if line.startswith("import time:")
    }
    assert said(pbcfg("--fail-on", "error", PONYBUNNY_CONFIG_DIR=str(nowhere))) == said(hot)
    by_default = pbcfg(HOME=str(tmp_path), PONYBUNNY_CONFIG_DIR="")
    assert said(by_default)[1][0].startswith(
        f"pbcfg: error: {tmp_path / '.config' / 'ponybunny'}: no "
        "credentials.json or llm-config.json in the config directory (from the "
        "default, ~/.config/ponybunny); to check"
    )
    followed = pbcfg(".", PONYBUNNY_CONFIG_DIR=str(nowhere))  # the advice works: both files here are checked
    summary = [line for line in followed.stdout.splitlines() if line.startswith("2 files checked: ")]
    # lint: the summary, the fixable count, a note
    assert summary == [followed.stdout.splitlines()[-1 if command == "validate" else -3]]


URL_CHARACTERS = "aZ09.-_~:@[]/?#%<>|^\\ \t\x00\x7fé"  # a few of each class the URL pattern tells apart
URLS = st.builds(
    "{}{}{}{}".format,
    st.sampled_from(["http", "HTTPS", "hTtP", "ftp", ""]),
    st.sampled_from(["://", ":/", ""]),
    st.text(URL_CHARACTERS, max_size=12),
    st.sampled_from(["", ":", ":0", ":8000", ":65535", ":65536", ":000080", ":x"]) | st.text(URL_CHARACTERS),
)


@given(URLS)
@settings(max_examples=int(os.environ.get("PBCFG_FUZZ_EXAMPLES", 300)), deadline=None)
def test_the_url_fast_path_accepts_only_what_the_url_pattern_finds(text):
    """The generated check tries the http(s) URL pattern without its regex first: a True there must be a
    match of the regex; a False only sends the string on to the regex."""
    import re

    from pbcfg.codegen.validator_compiler import FAST_PATTERNS, translate_pattern
    from pbcfg.generated import validators

    ((pattern, helper),) = FAST_PATTERNS.items()
    found = text.isascii() and re.search(translate_pattern(pattern), text, re.ASCII) is not None
    assert getattr(validators, helper)(text) <= found if text.isascii() else True


@pytest.mark.parametrize(
    "url, fast, found",
    [
        ("http://localhost:11434/v1", True, True),
        ("HTTPS://api.example.com", True, True),
        ("http://gpu-box.lan:8000/v1?x=1#y", True, True),
        ("http://h:", True, True),
        ("http://h:00080/", True, True),
        ("http://h:000080/", False, True),
        ("http://[::1]:8080", False, True),
        ("http://u:p@h", False, True),
        ("http://h:65536", False, False),
        ("http://h/a b", False, False),
        ("http://", False, False),
        ("ftp://h", False, False),
    ],
)
def test_the_url_fast_path_takes_common_urls_and_leaves_the_rest_to_the_regex(url, fast, found):
    from pbcfg.generated.validators import _http_url, _pattern0

    assert (_http_url(url), _pattern0(url)) == (fast, found)


WATCHING_SPAWNS = (
    "import sys\n"
    "sys.addaudithook(lambda event, args: event == 'subprocess.Popen' and print('spawned', *args[1],"
    " file=sys.__stderr__))\n"
    "from pbcfg.cli.entry import main; main()"
)
REAL_LOOKING_KEY = "sk-proj-4f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a"


@pytest.mark.parametrize("where", ["outside a git work tree", "in a git work tree"])
def test_lint_asks_git_only_in_a_git_work_tree(tmp_path, where):
    """``pbcfg lint FILE...`` with a real-looking key: git is asked what is staged only inside a work tree, and
    subprocess is imported only then."""
    directory = tmp_path / "pb"
    directory.mkdir(mode=0o700)
    credentials = json.loads((REPO / "examples" / "credentials.json").read_text())
    credentials["endpoints"]["openai-direct"] = {"apiKey": REAL_LOOKING_KEY}
    (directory / "credentials.json").write_text(json.dumps(credentials, indent=2))
    (directory / "credentials.json").chmod(0o600)
    for name in ("llm-config.json", "credentials.schema.json", "llm-config.schema.json"):
        (directory / name).write_text((REPO / "examples" / name).read_text())
    if where == "in a git work tree":
        subprocess.run(["git", "init", "-q", str(directory)], check=True)
    env = {k: v for k, v in os.environ.items() if k not in ("GITHUB_ACTIONS", "NO_COLOR")}
    done = subprocess.run(
        [
            sys.executable,
            "-X",
            "importtime",
            "-c",
            WATCHING_SPAWNS,
            "lint",
            directory / "credentials.json",
            directory / "llm-config.json",
        ],
        capture_output=True,
        text=True,
        env=env,
    )
    spawned = [line.split()[1:] for line in done.stderr.splitlines() if line.startswith("spawned ")]
    lines = [line.rsplit("|", 1)[1].strip() for line in done.stderr.splitlines() if line.startswith("import time:")]
    imported = top_level(set(lines[lines.index("pbcfg") :]))
    summary = done.stdout.splitlines()[-1]
    if where == "outside a git work tree":
        assert (summary, spawned, "subprocess" in imported) == (CLEAN.strip(), [], False)
    else:  # the key is in a file git would commit (secrets.key-in-git), and git is asked about staged copies
        assert (summary, [args[:3] for args in spawned]) == (
            CLEAN.strip().replace("0 errors", "1 error"),
            [["git", "check-ignore", "-q"], ["git", "grep", "--cached"]],
        )
