"""Lint's signal: zero noise on a good config, the root cause first and alone, a hint that fixes it.

Each test takes the input the issue names and asserts rule ids, pointers and the words of the hint.
"""

from __future__ import annotations

import ast
import json
import os
import subprocess

import pytest

from helpers import REPO, fingerprint
from pbcfg.catalog import RULES
from pbcfg.lint.linter import lint_paths
from pbcfg.lint.settings import Settings
from pbcfg.presets.render import Parameters, render
from pbcfg.presets.service_presets import get_preset

PINS = {"aws-bedrock": {"enabled": False}, "codex": {"enabled": False}}


def write_config(directory, credentials=None, llm_config=None, *, private=True):
    directory.mkdir(parents=True, exist_ok=True)
    directory.chmod(0o700 if private else 0o755)
    for name, content in (("credentials.json", credentials), ("llm-config.json", llm_config)):
        if content is not None:
            path = directory / name
            path.write_text(content if isinstance(content, str) else json.dumps(content, indent=2) + "\n")
            path.chmod(0o600 if private else 0o644)
    return directory


def lint(directory, *, env=None, environment=None, paths=None):
    return lint_paths(
        [str(p) for p in (paths or [directory])],
        config_dir=str(directory),
        kind=None,
        settings=Settings(environment=environment),
        env=env or {},
        home=str(directory / "no-home"),
    )


def summary(result):
    return [(os.path.basename(d.file), d.rule, d.pointer, d.line, d.severity.label) for d in result.diagnostics]


def ollama(**changes):
    """pbcfg's own Ollama preset, as `pbcfg render ollama` writes it, with ``changes`` to llm-config.json."""
    data = render(get_preset("ollama"), Parameters()).data
    llm = json.loads(json.dumps(data["llm-config.json"]))
    del llm["$schema"]
    for key, value in changes.items():
        llm[key] = value
    return {"endpoints": data["credentials.json"]["endpoints"]}, llm


# -- 1. severity in output and in the table agree -------------------------------------------------------


def test_no_rule_changes_its_severity_at_run_time():
    """Only the user's own `severity = {...}` setting may; a rule's severity is the catalog's."""
    offenders = []
    for path in (REPO / "toolkit").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "_replace"
                and any(keyword.arg == "severity" for keyword in node.keywords)
            ):
                offenders.append(path.relative_to(REPO).as_posix())
    assert offenders == ["toolkit/lint/settings.py"]


@pytest.mark.parametrize("environment", [None, "check", "summary", "ignore"])
def test_every_diagnostic_has_the_catalogs_severity(tmp_path, environment):
    credentials, llm = ollama(tiers={"simpel": {"primary": "llama3.1:8b", "fallback": []}}, defaults={"temperature": 0})
    llm["endpoints"]["openai-compatible"].pop("enabled")
    credentials["endpoints"]["openai-direct"] = {"apiKey": "sk-xxx"}
    directory = write_config(tmp_path / "c", credentials, llm, private=False)
    result = lint(directory, environment=environment)
    assert len({d.rule for d in result.diagnostics}) >= 4
    assert [(d.rule, d.severity) for d in result.diagnostics] == [
        (d.rule, RULES[d.rule].severity) for d in result.diagnostics
    ]


def test_the_summary_note_is_in_the_json_summary_and_never_fails_a_run(run, tmp_path, monkeypatch):
    for name in ("ANTHROPIC_API_KEY", "OPENAI_API_KEY", "GEMINI_API_KEY", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.delenv(name, raising=False)
    credentials, llm = ollama()
    directory = write_config(tmp_path / "c", credentials, llm)
    result = run("lint", directory, "--format", "json", "--fail-on", "info")
    assert result.code == 0
    assert result.json["summary"] == {
        "files": 2,
        "errors": 0,
        "warnings": 0,
        "infos": 0,
        "fixable": 0,
        "unsafeFixable": 0,
        "notes": [
            "3 enabled endpoints lack credentials in this environment and are skipped: anthropic-direct, "
            f"openai-direct and google-ai-studio (`pbcfg status {directory}` shows each)"
        ],
    }
    sarif = json.loads(run("lint", directory, "--format", "sarif").out)
    assert [
        n["message"]["text"] for n in sarif["runs"][0]["invocations"][0]["toolExecutionNotifications"]
    ] == result.json["summary"]["notes"]


@pytest.mark.parametrize(
    "fmt, expected",
    [
        ("text", "1 file checked: 0 errors, 0 warnings, 0 infos\nnote: a fact\n"),
        ("github", "note: a fact\n"),  # a plain log line, not an annotation
    ],
)
def test_notes_follow_the_summary_in_every_terminal_format(fmt, expected):
    from pbcfg.reporters import Report, render

    assert render(fmt, Report("lint", ["c.json"], [], notes=("a fact",))) == expected
    assert "<system-out>note: a fact</system-out>" in render("junit", Report("lint", ["c.json"], [], notes=("a fact",)))


# -- 2. a git work tree: no file modes, no verdicts on this process's keys, committed keys ------------------


def git_repo(path):
    path.mkdir(parents=True)
    subprocess.run(["git", "init", "-q"], cwd=path, check=True)
    return path


def test_in_a_git_work_tree_file_modes_and_the_environment_are_not_judged(tmp_path):
    repo = git_repo(tmp_path / "repo")
    data = render(get_preset("openai"), Parameters()).data  # the key stays in $OPENAI_API_KEY
    directory = write_config(repo / "config", data["credentials.json"], data["llm-config.json"], private=False)
    (directory / "llm-config.json").write_text(render(get_preset("openai"), Parameters()).files["llm-config.json"])
    result = lint(directory)
    assert (summary(result), result.notes) == (
        [
            ("credentials.json", "files.stale-schema", "/$schema", 2, "warning"),
            ("llm-config.json", "files.stale-schema", "/$schema", 2, "warning"),
        ],
        [],
    )
    checked = lint(directory, environment="check")  # a CI job that holds the keys asks for it
    assert [
        (os.path.basename(d.file), d.rule, d.pointer)
        for d in checked.diagnostics
        if d.rule.startswith(("secrets", "env", "routing"))
    ] == [
        ("credentials.json", "secrets.file-permissions", None),
        ("credentials.json", "secrets.file-permissions", None),
        ("credentials.json", "routing.chain-unusable", "/endpoints/openai-direct"),
    ]
    [chain] = [d for d in checked.diagnostics if d.rule == "routing.chain-unusable"]
    assert chain.message.startswith(
        "openai-direct has no apiKey (not in credentials.json, and $OPENAI_API_KEY is not set); "
    )
    with_key = lint(directory, environment="check", env={"OPENAI_API_KEY": "sk-proj-k"})
    assert [d for d in with_key.diagnostics if d.rule != "secrets.file-permissions"] == lint(directory).diagnostics


def test_a_git_worktree_file_counts_as_a_work_tree(tmp_path):
    (tmp_path / "wt").mkdir()
    (tmp_path / "wt" / ".git").write_text("gitdir: /elsewhere/.git/worktrees/wt\n")
    directory = write_config(tmp_path / "wt" / "c", {"endpoints": {}}, {"endpoints": PINS}, private=False)
    assert summary(lint(directory)) == []
    assert [d.rule for d in lint(directory, environment="summary").diagnostics] == ["secrets.file-permissions"] * 2


def test_a_committed_real_looking_key_is_an_error_of_its_own(tmp_path):
    repo = git_repo(tmp_path / "repo")
    credentials = {
        "endpoints": {
            "anthropic-direct": {"apiKey": "sk-ant-api03-Zx8Qm2Lp5Vt9Rk3N"},
            "openai-compatible": {"apiKey": "ollama", "baseUrl": "http://localhost:11434/v1"},
            "gpu": {"apiKey": "short-key-12345"},
        }
    }
    directory = write_config(repo, credentials, {"endpoints": PINS})
    found = [
        (d.pointer, d.line, d.severity.label, d.message, d.hint)
        for d in lint(directory).diagnostics
        if d.rule == "secrets.key-in-git"
    ]
    assert found == [
        (
            "/endpoints/anthropic-direct/apiKey",
            4,
            "error",
            f"apiKey of anthropic-direct (sk-…{fingerprint('sk-ant-api03-Zx8Qm2Lp5Vt9Rk3N')}) looks like a real key, "
            "in a file inside a git work tree, "
            "where a commit publishes it",
            "remove it here and set $ANTHROPIC_API_KEY where PonyBunny runs, which it reads instead; "
            "rotate the key if it was ever pushed",
        )
    ]
    assert "Zx8Qm2" not in repr(found)
    (repo / ".gitignore").write_text("credentials.json\n")  # never committed: nothing to say
    assert [d for d in lint(directory).diagnostics if d.rule == "secrets.key-in-git"] == []


@pytest.mark.parametrize(
    "endpoint_id, words",
    [
        ("openai-compatible", "PonyBunny's conversation agent ignores $OPENAI_COMPATIBLE_API_KEY"),
        ("gpu-box", "PonyBunny reads the key of gpu-box only from the file"),
    ],
)
def test_a_committed_key_that_only_the_file_can_hold_says_to_keep_the_file_out(tmp_path, endpoint_id, words):
    repo = git_repo(tmp_path / "repo")
    credentials = {"endpoints": {endpoint_id: {"apiKey": "tb-4f9Qx2Lm8Rt6Vb1N", "baseUrl": "https://p.example/v1"}}}
    llm = {"endpoints": {**PINS, endpoint_id: {"enabled": True, "protocol": "openai", "priority": 2}}}
    [hint] = [d.hint for d in lint(write_config(repo, credentials, llm)).diagnostics if d.rule == "secrets.key-in-git"]
    assert (
        hint.startswith("keep this credentials.json out of the repository (`git rm --cached` it, add it to .gitignore)")
        and words in hint
    )


# -- 3. only credentials.json ----------------------------------------------------------------------------

ONLY_CREDENTIALS = {"endpoints": {"openai-compatible": {"apiKey": "ollama", "baseUrl": "http://localhost:11434/v1"}}}


def test_only_credentials_says_once_that_llm_config_is_absent(tmp_path):
    directory = write_config(tmp_path / "c", ONLY_CREDENTIALS)
    result = lint(directory)
    assert summary(result) == [("credentials.json", "files.llm-config-absent", "", 1, "info")]
    assert result.diagnostics[0].message == (
        "there is no llm-config.json beside credentials.json: PonyBunny runs on its built-in defaults, where "
        "openai-compatible is off, so its entry here is not used"
    )
    assert result.diagnostics[0].hint == (
        "create llm-config.json that enables it and names its models (`pbcfg presets` lists the presets that write one)"
    )


@pytest.mark.parametrize("environment", [None, "check", "ignore"])
def test_no_diagnostic_points_into_a_file_that_does_not_exist(tmp_path, environment):
    directory = write_config(tmp_path / "c", ONLY_CREDENTIALS)
    result = lint(directory, environment=environment)
    assert result.diagnostics and all(os.path.exists(d.file) for d in result.diagnostics)
    assert "llm-config.json" not in {os.path.basename(d.file) for d in result.diagnostics}


def test_one_file_of_a_pair_is_linted_with_its_partner_and_only_it_is_reported(tmp_path):
    """pre-commit passes only the files that changed: credentials.json alone still means its pair."""
    credentials, llm = ollama()
    llm["endpoints"]["openai-compatible"]["enabled"] = False
    llm["defaults"] = {"temperature": 0}
    directory = write_config(tmp_path / "c", credentials, llm)
    result = lint(directory, paths=[directory / "credentials.json"])
    assert result.files == [str(directory / "credentials.json")]
    assert summary(result) == []  # the cause and the temperature are in llm-config.json, which was not asked for
    assert "files.llm-config-absent" not in [d.rule for d in result.diagnostics]
    both = lint(directory)
    assert [(d.rule, d.pointer) for d in both.diagnostics] == [
        ("routing.model-unreachable", "/endpoints/openai-compatible/enabled"),
        ("merge.temperature-zero", "/defaults/temperature"),
    ]


def test_a_partner_that_is_a_fifo_is_never_opened(tmp_path):
    directory = write_config(tmp_path / "c", ONLY_CREDENTIALS)
    os.mkfifo(directory / "llm-config.json")  # opening it would block for ever
    result = lint(directory, paths=[directory / "credentials.json"])
    assert result.files == [str(directory / "credentials.json")]
    assert summary(result) == []  # and it is there, so it is not said to be absent


# -- 4. tier and agent names PonyBunny does not read -------------------------------------------------------


def test_a_tier_name_typo_is_reported_at_its_key_with_did_you_mean(tmp_path):
    llm = (
        '{\n  "endpoints": {"aws-bedrock": {"enabled": false}, "codex": {"enabled": false}},\n'
        '  "tiers": {\n    "simpel": {"primary": "gpt-5.2", "fallback": []}\n  }\n}\n'
    )
    result = lint(write_config(tmp_path / "c", None, llm))
    assert summary(result) == [("llm-config.json", "routing.unused-name", "/tiers/simpel", 4, "warning")]
    assert (
        result.diagnostics[0].message == "PonyBunny never reads tier 'simpel': it reads only simple, medium and complex"
    )
    assert result.diagnostics[0].hint == "did you mean 'simple'?"


def test_agent_names_pony_bunny_never_looks_up(tmp_path):
    agents = {
        "conversaton": {"primary": "gpt-5.2"},  # a typo
        "planning": {"tier": "simple"},  # in the defaults, changed, and never looked up
        "verification": {"tier": "medium"},
    }  # the default as `pb init` writes it: harmless
    result = lint(write_config(tmp_path / "c", None, {"endpoints": PINS, "agents": agents}))
    assert [(d.pointer, d.message, d.hint) for d in result.diagnostics] == [
        (
            "/agents/conversaton",
            "PonyBunny never reads agent 'conversaton': it reads only conversation, "
            "agent_a_market_listener and execution",
            "did you mean 'conversation'?",
        ),
        (
            "/agents/planning",
            "PonyBunny never reads agent 'planning' (it is in PonyBunny's defaults, but no code "
            "looks it up): it reads only conversation, agent_a_market_listener and execution",
            "this entry has no effect; remove it",
        ),
    ]


# -- 5. cascades: the cause, once, with its consequences ---------------------------------------------------

CAUSE = (
    "openai-compatible is not enabled in llm-config.json, and PonyBunny's defaults leave it off, so model "
    "'llama3.1:8b' has no usable endpoint"
)
READ_CHAINS = "tiers simple, medium and complex and agents conversation, agent_a_market_listener and execution"


@pytest.mark.parametrize(
    "fallback, rule, severity, consequence",
    [
        (None, "routing.model-unreachable", "warning", f"; {READ_CHAINS} skip it"),  # the preset's cloud fallbacks
        ([], "routing.chain-unusable", "error", f" and {READ_CHAINS} have no usable model"),
    ],
)
def test_openai_compatible_not_enabled_is_one_finding_at_the_cause(tmp_path, fallback, rule, severity, consequence):
    credentials, llm = ollama()
    del llm["endpoints"]["openai-compatible"]["enabled"]
    for tier in llm["tiers"].values():
        tier["fallback"] = tier["fallback"] if fallback is None else fallback
    result = lint(write_config(tmp_path / "c", credentials, llm))
    assert summary(result) == [("llm-config.json", rule, "/endpoints/openai-compatible", 3, severity)]
    assert result.diagnostics[0].message == CAUSE + consequence
    assert result.diagnostics[0].hint.startswith(
        'add "enabled": true to endpoints.openai-compatible in llm-config.json'
    )


def test_where_the_environment_is_checked_the_missing_keys_join_the_same_finding(tmp_path):
    credentials, llm = ollama()
    del llm["endpoints"]["openai-compatible"]["enabled"]
    result = lint(write_config(tmp_path / "c", credentials, llm), environment="check")
    directory = tmp_path / "c"
    assert summary(result) == [
        ("llm-config.json", "routing.chain-unusable", "/endpoints/openai-compatible", 3, "error")
    ]
    assert result.diagnostics[0].message == (
        "openai-compatible is not enabled in llm-config.json, and PonyBunny's defaults leave it off; aws-bedrock is "
        "disabled in llm-config.json; anthropic-direct has no apiKey (not in credentials.json, and "
        "$ANTHROPIC_API_KEY is not set), so model 'llama3.1:8b' has no usable endpoint and tiers simple, medium and "
        "complex and agents conversation, agent_a_market_listener and execution have no usable model"
    )
    assert result.notes == [
        "2 enabled endpoints lack credentials in this environment and are skipped: "
        f"openai-direct and google-ai-studio (`pbcfg status {directory}` shows each)"
    ]


def test_rules_run_on_the_file_that_validates_when_the_other_one_does_not(tmp_path):
    credentials = (
        '{"endpoints": {\n  "openai-compatible": {"apiKey": "ollama", "baseUrl": "http://localhost:11434/v1/"}\n}}'
    )
    llm = {"defaults": {"timeout": 10}}  # schema.minimum: PonyBunny refuses this file
    result = lint(write_config(tmp_path / "c", credentials, llm))
    assert summary(result) == [
        ("credentials.json", "url.trailing-slash", "/endpoints/openai-compatible/baseUrl", 2, "warning"),
        ("llm-config.json", "schema.minimum", "/defaults/timeout", 3, "error"),
    ]
    broken_credentials = {"endpoints": {"openai-compatible": {"baseURL": "http://localhost:11434/v1"}}}
    result = lint(write_config(tmp_path / "d", broken_credentials, {"endpoints": PINS, "defaults": {"temperature": 0}}))
    assert [(d.rule, d.pointer) for d in result.diagnostics] == [
        ("ponybunny.credentials-refused", "/endpoints/openai-compatible/baseURL"),
        ("merge.temperature-zero", "/defaults/temperature"),
    ]


# -- 6. --fix per file, and what was not fixed ----------------------------------------------------------------

CREDENTIALS_SLASH = """{
  "endpoints": {
    "openai-compatible": {"enabled": true, "apiKey": "ollama", "baseUrl": "http://localhost:11434/v1/"}
  }
}
"""
LLM_COMMENT = """{
  // my local server
  "endpoints": {"openai-compatible": {"enabled": true}}
}
"""


def test_fix_with_a_json_comment_fixes_the_other_file_and_says_why_not_this_one(run, tmp_path):
    directory = write_config(tmp_path / "c", CREDENTIALS_SLASH, LLM_COMMENT)
    result = run("lint", directory, "--fix")
    assert (directory / "credentials.json").read_text() == CREDENTIALS_SLASH.replace("/v1/", "/v1")
    assert (directory / "llm-config.json").read_text() == LLM_COMMENT
    assert f"fixed: edit {directory / 'credentials.json'} (1 fix)\n" in result.err
    assert (
        f"{directory / 'llm-config.json'}: not fixed: it does not validate (1 error: json.comment), so lint's "
        f"rules and their fixes did not run on it; `pbcfg migrate {directory} --only strict-json` removes comments and "
        "trailing commas\n"
    ) in result.err
    assert result.code == 1 and "error json.comment" in result.out and "url.trailing-slash" not in result.out


# -- 8. a port and the key it gets -------------------------------------------------------------------------


def test_an_ollama_key_on_lm_studios_port_is_a_copy_from_another_setup(tmp_path):
    credentials = (
        '{"endpoints": {\n  "openai-compatible": {"apiKey": "ollama", "baseUrl": "http://localhost:1234/v1"}\n}}'
    )
    llm = {
        "endpoints": {**PINS, "openai-compatible": {"enabled": True}},
        "models": {
            "m": {"displayName": "M", "endpoints": ["openai-compatible"], "costPer1kTokens": {"input": 0, "output": 0}}
        },
    }
    result = lint(write_config(tmp_path / "c", credentials, llm))
    assert summary(result) == [
        ("credentials.json", "url.port-key-mismatch", "/endpoints/openai-compatible/apiKey", 2, "info")
    ]
    assert result.diagnostics[0].message == (
        "apiKey 'ollama' is Ollama's no-key value, but port 1234 in 'http://localhost:1234/v1' is LM Studio's: "
        "a value copied from another setup?"
    )
    assert result.diagnostics[0].hint == (
        "for LM Studio write 'lm-studio'; if the server is Ollama, the port is likely wrong (Ollama listens on 11434)"
    )


def test_lints_table_of_ports_and_no_key_values_is_the_presets():
    from pbcfg.lint.rules.url import KNOWN_PORTS, NO_KEY_PORTS
    from pbcfg.presets.service_presets import presets

    local = [preset for preset in presets().values() if preset.port]
    assert {preset.port for preset in local} == set(KNOWN_PORTS)
    table: dict = {}
    for preset in local:
        table.setdefault(preset.no_key_value, set()).add(preset.port)
    assert table == NO_KEY_PORTS


@pytest.mark.parametrize(
    "key, url",
    [
        ("ollama", "http://localhost:11434/v1"),
        ("EMPTY", "http://gpu.lan:8000/v1"),
        ("not-needed", "http://localhost:8080/v1"),
        ("sk-no-key-required", "http://localhost:8080/v1"),
        ("lm-studio", "http://localhost:9999/v1"),
        ("my-key", "http://localhost:1234/v1"),
    ],
)
def test_a_key_that_fits_its_port_or_an_unknown_one_is_fine(tmp_path, key, url):
    credentials = {"endpoints": {"openai-compatible": {"apiKey": key, "baseUrl": url}}}
    llm = {"endpoints": {**PINS, "openai-compatible": {"enabled": True}}}
    assert [
        d for d in lint(write_config(tmp_path / "c", credentials, llm)).diagnostics if d.rule == "url.port-key-mismatch"
    ] == []


# -- 9. /v1 where the port names the server: an unsafe fix ---------------------------------------------------

CREDENTIALS_NO_V1 = """{
  "endpoints": {
    "openai-compatible": {"enabled": true, "apiKey": "ollama", "baseUrl": "http://localhost:11434/"}
  }
}
"""
LLM_LOCAL = json.dumps(
    {
        "endpoints": {**PINS, "openai-compatible": {"enabled": True}},
        "models": {
            "m": {"displayName": "M", "endpoints": ["openai-compatible"], "costPer1kTokens": {"input": 0, "output": 0}}
        },
    },
    indent=2,
)


def test_fix_strips_the_slash_and_names_the_unsafe_fix_it_left(run, tmp_path):
    directory = write_config(tmp_path / "c", CREDENTIALS_NO_V1, LLM_LOCAL)
    diff = run("lint", directory, "--diff")
    assert (
        '+    "openai-compatible": {"enabled": true, "apiKey": "ollama", "baseUrl": "http://localhost:11434"}\n'
        in diff.out
    )
    assert (
        f"{directory / 'credentials.json'}:3: url.missing-v1: not fixed: an unsafe fix would write "
        '"http://localhost:11434/v1"; pass --unsafe-fixes to apply it\n'
    ) in diff.err
    fixed = run("lint", directory, "--fix")
    assert (
        json.loads((directory / "credentials.json").read_text())["endpoints"]["openai-compatible"]["baseUrl"]
        == "http://localhost:11434"
    )
    assert (
        "warning url.missing-v1 'http://localhost:11434' has no /v1-style suffix; port 11434 is Ollama's" in fixed.out
    )


def test_unsafe_fixes_add_v1_in_diff_and_fix(run, tmp_path):
    directory = write_config(tmp_path / "c", CREDENTIALS_NO_V1, LLM_LOCAL)
    diff = run("lint", directory, "--diff", "--unsafe-fixes")
    assert (
        '+    "openai-compatible": {"enabled": true, "apiKey": "ollama", "baseUrl": "http://localhost:11434/v1"}\n'
        in diff.out
    )
    assert "(1 fix)" in diff.err and "--unsafe-fixes to apply" not in diff.err
    assert (directory / "credentials.json").read_text() == CREDENTIALS_NO_V1
    fixed = run("lint", directory, "--fix", "--unsafe-fixes", "--format", "json")
    assert (directory / "credentials.json").read_text() == CREDENTIALS_NO_V1.replace("11434/", "11434/v1")
    assert (fixed.code, fixed.json["diagnostics"]) == (0, [])


@pytest.mark.parametrize("url", ["http://localhost:11434/api", "http://localhost:9999/", "http://localhost:11434/?x=1"])
def test_no_unsafe_fix_where_the_path_or_the_port_says_otherwise(run, tmp_path, url):
    directory = write_config(tmp_path / "c", CREDENTIALS_NO_V1.replace("http://localhost:11434/", url), LLM_LOCAL)
    assert run("lint", directory, "--fix", "--unsafe-fixes").code == 0
    assert json.loads((directory / "credentials.json").read_text())["endpoints"]["openai-compatible"][
        "baseUrl"
    ] == url.rstrip("/")


# -- 7. type slips: a hint that fixes them ----------------------------------------------------------------------


def validated(run, path):
    return [
        (d["rule"], d["pointer"], d["line"], d["column"], d["message"], d["hint"])
        for d in run("validate", path, "--format", "json").json["diagnostics"]
    ]


@pytest.mark.parametrize(
    "member, rule, pointer, column, message, hint",
    [
        (
            '"enabled": "true"',
            "schema.type",
            "/endpoints/openai-compatible/enabled",
            38,
            "expected a boolean, found a string",
            "write true, without quotes",
        ),
        (
            '"enabled": "False"',
            "schema.type",
            "/endpoints/openai-compatible/enabled",
            38,
            "expected a boolean, found a string",
            "write false, without quotes",
        ),
        (
            '"priority": "2"',
            "schema.type",
            "/endpoints/openai-compatible/priority",
            39,
            "expected an integer, found a string",
            "write 2, without quotes",
        ),
        (
            '"protocol": "openai-compatible"',
            "schema.enum",
            "/endpoints/openai-compatible/protocol",
            39,
            '"openai-compatible" is not allowed; allowed values: anthropic, openai, gemini, codex',
            "did you mean 'openai'? openai-compatible is an endpoint id; the protocol it speaks is openai",
        ),
    ],
)
def test_a_type_slip_gets_the_hint_that_fixes_it(run, tmp_path, member, rule, pointer, column, message, hint):
    path = tmp_path / "llm-config.json"
    path.write_text('{\n  "endpoints": {\n    "openai-compatible": {' + member + "}\n  }\n}\n")
    assert validated(run, path) == [(rule, pointer, 3, column, message, hint)]


def test_a_timeout_in_seconds_gets_its_unit_and_likely_meaning(run, tmp_path):
    path = tmp_path / "llm-config.json"
    path.write_text('{"defaults": {"timeout": 30}}')
    assert validated(run, path) == [
        (
            "schema.minimum",
            "/defaults/timeout",
            1,
            26,
            "must be ≥ 1000, found 30",
            "timeout is in milliseconds: 30 means 30 ms; for 30 seconds write 30000",
        )
    ]
    path.write_text('{"defaults": {"timeout": 0}}')  # no likely meaning: no guess
    assert validated(run, path)[0][5] is None


def test_a_quoted_secret_field_never_echoes_its_value(run, tmp_path):
    path = tmp_path / "credentials.json"
    path.write_text('{"endpoints": {"openai-direct": {"enabled": "true", "apiKey": 4242424242}}}')
    assert [hint for *_, hint in validated(run, path)] == ["write true, without quotes", None]


@pytest.mark.parametrize(
    "text, line, column, message",
    [
        (
            "endpoints:\n\topenai-compatible:\n\t\tenabled: true\n",
            2,
            1,
            "YAML does not allow tabs for indentation; use spaces",
        ),
        (
            "endpoints:\n  openai-compatible:\n  \tenabled: true\n",
            3,
            3,
            "YAML does not allow tabs for indentation; use spaces",
        ),
        ("defaults:\n  timeout:\t30\n", 2, 11, "a tab where YAML takes only spaces; use spaces"),
    ],
)
def test_yaml_indented_with_tabs_says_so(run, tmp_path, text, line, column, message):
    path = tmp_path / "llm-config.yaml"
    path.write_text(text)
    assert validated(run, path) == [("yaml.syntax", None, line, column, message, "replace the tabs with spaces")]


@pytest.mark.parametrize(
    "name, text, message, hint",
    [
        (
            "llm-config.json",
            "",
            "the file is empty; PonyBunny will warn that it cannot load it and run on its built-in defaults",
            "write {} to run on the defaults, or a config (`pbcfg render ollama` prints one; `pbcfg presets` "
            "lists the others)",
        ),
        (
            "credentials.json",
            "\n  \n",
            "the file is empty; PonyBunny will warn that it cannot load it, ignore it and take "
            "keys only from environment variables",
            "write {} if every key comes from the environment, or the keys (`pbcfg render openai` prints a file; `pbcfg "
            "presets` lists the others)",
        ),
    ],
)
def test_an_empty_file_says_what_pony_bunny_will_do(run, tmp_path, name, text, message, hint):
    path = tmp_path / name
    path.write_text(text)
    assert validated(run, path) == [("json.syntax", None, 1, 1, message, hint)]


def test_an_empty_yaml_source_says_it_is_empty(run, tmp_path):
    path = tmp_path / "llm-config.yaml"
    path.write_text("# to do\n")
    assert validated(run, path) == [
        (
            "schema.type",
            "",
            1,
            1,
            "expected an object, found null",
            "the file is empty; write the config in it, or delete it: `pbcfg build` builds nothing from it",
        )
    ]


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
def test_nan_is_one_error_not_a_second_found_null(run, tmp_path, constant):
    path = tmp_path / "llm-config.json"
    path.write_text('{"defaults": {"temperature": ' + constant + ', "timeout": 5}}')
    assert [(rule, pointer) for rule, pointer, *_ in validated(run, path)] == [
        ("json.syntax", None),
        ("schema.minimum", "/defaults/timeout"),
    ]
