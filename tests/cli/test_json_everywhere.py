"""Every command with --format json prints exactly one JSON document on stdout: when it succeeds, when it finds
something (exit 1) and when it cannot run as asked (exit 2, the error inside the document too)."""

from __future__ import annotations

import json

import pytest

from helpers import KEY, closed_port, configure
from pbcfg.cli.commands import COMMANDS

pytest.importorskip("llmock.testing")

# (command line with {dir} for a config directory whose one endpoint answers, {dead} for one whose endpoint
# refuses connections, {old} for a config in last year's format, {tmp} for an empty scratch directory; exit code)
OLD_LLM = '{"tiers": {"medium": {"primary": "gpt-4o", "fallback": "claude-haiku-4-5"}}}\n'

TIERS = {tier: {"primary": "gpt-4o", "fallback": []} for tier in ("simple", "medium", "complex")}
PONYBUNNYS_AGENTS = (
    "input-analysis",
    "planning",
    "execution",
    "verification",
    "response-generation",
    "conversation",
    "agent_a_market_listener",
)
PONYBUNNYS_ENDPOINTS = ("anthropic-direct", "aws-bedrock", "openai-direct", "google-ai-studio", "codex")

CASES = {
    "add": (["add", "vllm", "--config-dir", "{dir}", "--endpoint-id", "two", "--base-url", "http://b:8000/v1"], 0),
    "add refused": (["add", "vllm", "--config-dir", "{dir}", "--endpoint-id", "box", "--model", "gpt-4o"], 1),
    "add unknown preset": (["add", "nope", "--config-dir", "{dir}"], 2),
    "backups": (["backups", "{dir}"], 0),
    "backups nothing to restore": (["backups", "{dir}", "--restore", "credentials.json"], 2),
    "build": (["build", "{yaml}", "--config-dir", "{tmp}/built"], 0),
    "build no sources": (["build", "{tmp}/none"], 2),
    "chat": (["chat", "{dir}", "--tier", "simple", "hi"], 0),
    "chat dead endpoint": (["chat", "{dead}", "--tier", "simple", "--timeout", "2", "hi"], 1),
    "chat no tier": (["chat", "{dir}", "--tier", "nope", "hi"], 2),
    "completion": (["completion", "bash"], 0),
    "completion unknown shell": (["completion", "tcsh"], 2),
    "doctor": (["doctor", "{dir}", "--timeout", "2"], 0),
    "doctor dead endpoint": (["doctor", "{dead}", "--timeout", "2"], 1),
    "doctor no config": (["doctor", "{tmp}"], 2),
    "init": (["init", "ollama", "--config-dir", "{tmp}/new"], 0),
    "init unknown preset": (["init", "nope", "--config-dir", "{tmp}/new"], 2),
    "lint": (["lint", "{dir}"], 0),
    "lint findings": (["lint", "{old}"], 1),
    "lint diff": (["lint", "{fixable}", "--diff"], 0),
    "lint list rules": (["lint", "--list-rules"], 0),
    "lint unknown rule": (["lint", "--explain", "nope"], 2),
    "migrate": (["migrate", "{dir}", "--check"], 0),
    "migrate pending": (["migrate", "{old}", "--check"], 1),
    "migrate diff": (["migrate", "{old}", "--diff"], 1),
    "migrate list": (["migrate", "--list"], 0),
    "migrate unknown migration": (["migrate", "{dir}", "--only", "nope"], 2),
    "presets": (["presets"], 0),
    "presets unknown": (["presets", "nope"], 2),
    "remove": (["remove", "model", "gpt-4o-mini", "--config-dir", "{dir}"], 0),
    "remove referenced": (["remove", "model", "gpt-4o", "--config-dir", "{dir}"], 1),
    "remove unknown": (["remove", "model", "nope", "--config-dir", "{dir}"], 2),
    "rename": (["rename", "model", "gpt-4o-mini", "extra", "--config-dir", "{dir}", "--diff"], 0),
    "rename taken": (["rename", "model", "gpt-4o-mini", "gpt-4o", "--config-dir", "{dir}"], 1),
    "render": (["render", "ollama"], 0),
    "render unknown preset": (["render", "nope"], 2),
    "render force without directory": (["render", "ollama", "--force"], 2),
    "resolve": (["resolve", "{dir}", "--tier", "simple"], 0),
    "resolve as ponybunny": (["resolve", "{dir}", "--tier", "simple", "--as", "ponybunny"], 0),
    "resolve no config": (["resolve", "{tmp}", "--tier", "simple"], 2),
    "schema": (["schema", "credentials"], 0),
    "schema unknown kind": (["schema", "settings"], 2),
    "status": (["status", "{dir}", "--timeout", "2"], 0),
    "status dead endpoint": (["status", "{dead}", "--timeout", "2"], 1),
    "validate": (["validate", "{dir}"], 0),
    "validate findings": (["validate", "{broken}"], 1),
    "validate missing file": (["validate", "{tmp}/missing.json"], 2),
    "chat stream": (["chat", "{dir}", "--tier", "simple", "--stream", "hi"], 0),
    "codegen": (["codegen", "--check"], 0),
    **{f"{name} unknown option": ([name, "--bogus"], 2) for name in COMMANDS},
}


@pytest.fixture
def places(tmp_path, llmock, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("PONYBUNNY_CONFIG_DIR", str(tmp_path / "unused"))
    monkeypatch.chdir(tmp_path)
    made = {"tmp": tmp_path / "scratch"}
    for name in ("dir", "dead", "old", "fixable", "broken", "yaml"):
        made[name] = tmp_path / name
        made[name].mkdir()
    made["tmp"].mkdir()
    configure(made["dir"], {"box": llmock.base_url()}, {"gpt-4o": ["box"], "gpt-4o-mini": ["box"]}, tiers=TIERS)
    config = json.loads((made["dir"] / "llm-config.json").read_text())
    config["endpoints"].update({name: {"enabled": False} for name in PONYBUNNYS_ENDPOINTS})
    config["agents"] = {name: {"tier": "simple", "primary": "gpt-4o"} for name in PONYBUNNYS_AGENTS}
    (made["dir"] / "llm-config.json").write_text(json.dumps(config))
    configure(made["dead"], {"box": f"http://127.0.0.1:{closed_port()}/v1"}, {"m1": ["box"]})
    (made["old"] / "credentials.json").write_text('{"endpoints": {"openai-direct": {"api_key": "%s"}}}\n' % KEY)
    (made["old"] / "llm-config.json").write_text(OLD_LLM)
    configure(made["fixable"], {"box": llmock.base_url() + "/"}, {"m1": ["box"]})
    (made["broken"] / "llm-config.json").write_text('{"tiers": 3}')
    for kind in ("credentials", "llm-config"):
        data = json.loads((made["dir"] / f"{kind}.json").read_text())
        (made["yaml"] / f"{kind}.yaml").write_text(json.dumps(data))  # JSON is YAML
    for directory in made.values():
        directory.chmod(0o700)
    return made


def test_every_command_has_a_case():
    assert {args[0] for args, _ in CASES.values()} == set(COMMANDS)


@pytest.mark.parametrize("case", sorted(CASES))
def test_format_json_prints_one_json_document(run, places, case):
    args, code = CASES[case]
    result = run(*[arg.format(**places) for arg in args], "--format", "json")
    assert result.code == code, result.err
    document = json.loads(result.out)
    assert set(document) >= {"diagnostics", "summary"}
    said = result.err.splitlines()[-1] if result.err else ""
    if said.startswith("pbcfg: error: ") and not document["diagnostics"]:  # no report explains the failure
        assert document["error"] == {"message": said.removeprefix("pbcfg: error: "), "exitCode": code}
    else:
        assert "error" not in document
    assert KEY not in result.out


def test_a_usage_error_is_the_one_json_document_with_equals_spelling_too(run):
    result = run("lint", "--format=json", "--bogus")
    assert (result.code, result.err) == (2, "pbcfg: error: no such option '--bogus' (try `pbcfg lint --help`)\n")
    assert json.loads(result.out) == {
        "diagnostics": [],
        "summary": {"files": 0, "errors": 0, "warnings": 0, "infos": 0},
        "error": {"message": "no such option '--bogus' (try `pbcfg lint --help`)", "exitCode": 2},
    }


def test_a_failure_in_sarif_is_an_unsuccessful_invocation(run, tmp_path):
    result = run("validate", tmp_path / "missing.json", "--format", "sarif")
    assert result.code == 2
    (run_,) = json.loads(result.out)["runs"]
    assert run_["results"] == []
    assert run_["invocations"] == [
        {
            "executionSuccessful": False,
            "exitCode": 2,
            "toolExecutionNotifications": [
                {"level": "error", "message": {"text": result.err.removeprefix("pbcfg: error: ").rstrip("\n")}}
            ],
        }
    ]


def test_a_failure_in_junit_is_one_errored_testcase(run):
    from xml.etree import ElementTree

    result = run("render", "nope", "--format", "junit")
    assert result.code == 2
    suite = ElementTree.fromstring(result.out).find("testsuite")
    assert (suite.get("tests"), suite.get("errors"), suite.get("failures")) == ("1", "1", "0")
    error = suite.find("testcase/error")
    assert (error.get("type"), error.get("message")) == (
        "exit 2",
        result.err.removeprefix("pbcfg: error: ").rstrip("\n"),
    )


def test_a_failure_with_the_report_going_to_a_file_prints_nothing_on_stdout(run, tmp_path):
    result = run("validate", tmp_path / "missing.json", "--format", "json", "--output", tmp_path / "report.json")
    assert (result.code, result.out) == (2, "")
    assert not (tmp_path / "report.json").exists()


def test_render_json_holds_the_files_the_text_shows_with_the_key_masked(run):
    text = run("render", "openai", "--api-key", KEY)
    document = json.loads(run("render", "openai", "--api-key", KEY, "--format", "json").out)["render"]
    assert text.out == "".join(f"==> {name} <==\n{body}" for name, body in document["files"].items())
    assert list(document["files"]) == ["credentials.json", "llm-config.json"]
    assert KEY not in text.out + json.dumps(document)
    assert '"apiKey": "sk-*******************"' in document["files"]["credentials.json"]
    assert document["written"] == []
    assert text.err == "".join(f"note: {note}\n" for note in document["notes"])


def test_render_json_into_a_directory_lists_what_it_wrote(run, tmp_path):
    result = run("render", "ollama", "--config-dir", tmp_path / "pb", "--format", "json")
    document = json.loads(result.out)["render"]
    assert result.code == 0 and document["files"] == {}
    assert document["written"] == [
        f"created {tmp_path / 'pb'} (mode 0700)",
        f"wrote {tmp_path / 'pb' / 'credentials.json'} (mode 0600)",
        f"wrote {tmp_path / 'pb' / 'llm-config.json'}",
        f"wrote {tmp_path / 'pb' / 'credentials.schema.json'}",
        f"wrote {tmp_path / 'pb' / 'llm-config.schema.json'}",
    ]
    assert result.err.splitlines()[:5] == document["written"]


def test_migrate_list_in_json_and_in_its_text(run):
    from pbcfg.catalog import RULES
    from pbcfg.migrate.migrations import MIGRATIONS

    listed = json.loads(run("migrate", "--list", "--format", "json").out)["migrations"]
    assert listed == [{"id": m.id, "summary": RULES["migrate." + m.id].summary} for m in MIGRATIONS]
    assert run("migrate", "--list").out.splitlines()[:2] == [
        "location          Files in ~/.ponybunny and none in the new directory.",
        "strict-json       JSON with comments or trailing commas.",
    ]


def test_add_json_lists_the_files_it_wrote(run, places):
    args = ["add", "vllm", "--config-dir", places["dir"], "--endpoint-id", "two", "--base-url", "http://b:8000/v1"]
    result = run(*args, "--format", "json")
    assert result.code == 0
    written = json.loads(result.out)["written"]
    assert written == [
        f"updated {places['dir'] / name} (kept {places['dir'] / name}.bak)"
        for name in ("credentials.json", "llm-config.json")
    ]
    assert result.err.startswith("".join(line + "\n" for line in written) + "note: ")


def test_migrate_diff_json_holds_the_masked_diffs_and_writes_nothing(run, tmp_path):
    tmp_path.chmod(0o700)
    old = '{"endpoints": {"openai-direct": {"api_key": "%s"}}}\n' % KEY
    (tmp_path / "credentials.json").write_text(old)
    (tmp_path / "credentials.json").chmod(0o600)
    result = run("migrate", tmp_path, "--diff", "--format", "json")
    document = json.loads(result.out)
    assert (result.code, document["diagnostics"], document["moves"]) == (1, [], [])
    assert document["diffs"] == [
        f"--- {tmp_path}/credentials.json (before)\n+++ {tmp_path}/credentials.json (after)\n@@ -1 +1 @@\n"
        '-{"endpoints": {"openai-direct": {"api_key": "sk-*******************"}}}\n'
        '+{"endpoints": {"openai-direct": {"apiKey": "sk-*******************"}}}\n'
    ]
    assert KEY not in result.out + result.err
    assert (tmp_path / "credentials.json").read_text() == old
