"""Commands that print data rather than findings report through the reporters: text as before, and --format json
the standard shape with the data under one documented key."""

from __future__ import annotations

import json

import pytest
from two_endpoints import CREDENTIALS, KEY, LLM

from helpers import configure
from pbcfg.catalog import RULES
from pbcfg.presets.service_presets import presets
from pbcfg.schema_store import schema_text

EMPTY = {"files": 0, "errors": 0, "warnings": 0, "infos": 0}


def standard(result, key: str):
    """The data under ``key``, once the rest of the report is the empty standard shape."""
    assert result.code == 0, result.err
    assert sorted(result.json) == sorted(["diagnostics", "summary", key])
    assert (result.json["diagnostics"], result.json["summary"]) == ([], EMPTY)
    return result.json[key]


def test_presets_json_lists_every_preset_and_shows_one(run):
    listed = standard(run("presets", "--format", "json"), "presets")
    assert [preset["name"] for preset in listed] == list(presets())
    (ollama,) = standard(run("presets", "ollama", "--format", "json"), "presets")
    assert ollama == {
        "name": "ollama",
        "description": "Ollama, the local LLM runtime, through its OpenAI-compatible API",
        "endpointId": "openai-compatible",
        "baseUrl": "http://localhost:11434/v1",
        "baseUrlRequired": False,
        "keyField": "apiKey",
        "noKeyValue": "ollama",
        "models": ["llama3.1:8b"],
        "modelRequired": False,
        "defaultModel": None,
        "maxContextTokens": 8192,
        "settable": ["priority", "requestsPerMinute", "maxContextTokens"],
        "notes": list(presets()["ollama"].notes),
    }


def test_presets_text_is_unchanged(run):
    result = run("presets", "ollama")
    assert result.out.splitlines()[:4] == [
        "ollama: Ollama, the local LLM runtime, through its OpenAI-compatible API",
        "",
        "  endpoint id     openai-compatible",
        "  base URL        http://localhost:11434/v1",
    ]


def test_presets_writes_its_report_with_output(run, tmp_path):
    report = tmp_path / "presets.json"
    result = run("presets", "ollama", "--format", "json", "--output", report)
    assert (result.code, result.out) == (
        0,
        f"0 files checked: 0 errors, 0 warnings, 0 infos; report written to {report}\n",
    )
    assert [preset["name"] for preset in json.loads(report.read_text())["presets"]] == ["ollama"]


def test_lint_list_rules_and_explain_json(run):
    listed = standard(run("lint", "--list-rules", "--format", "json"), "rules")
    assert [rule["id"] for rule in listed] == list(RULES)
    (rule,) = standard(run("lint", "--explain", "url.missing-v1", "--format", "json"), "rules")
    catalog = RULES["url.missing-v1"]
    assert rule == {
        "id": "url.missing-v1",
        "group": "url",
        "severity": "warning",
        "fixable": False,
        "summary": catalog.summary,
        "explanation": catalog.explanation,
    }


def test_schema_json_gives_the_schema_the_settings_or_the_files_written(run, tmp_path, monkeypatch):
    assert standard(run("schema", "llm-config", "--format", "json"), "schema") == json.loads(schema_text("llm-config"))
    monkeypatch.chdir(tmp_path)
    (tmp_path / "config").mkdir()
    vscode = standard(run("schema", "--vscode", "config", "--format", "json"), "vscode")
    assert vscode["json.schemas"][0] == {
        "fileMatch": ["/config/credentials.json"],
        "url": "./config/credentials.schema.json",
    }
    written = run("schema", "--output", "config", "--format", "json")
    assert standard(written, "written") == ["config/credentials.schema.json", "config/llm-config.schema.json"]
    assert written.err == "wrote config/credentials.schema.json\nwrote config/llm-config.schema.json\n"


@pytest.mark.parametrize("shell", ["bash", "fish"])
def test_completion_json_holds_the_script(run, shell):
    text = run("completion", shell).out
    assert standard(run("completion", shell, "--format", "json"), "completion") == {"shell": shell, "script": text}


def test_codegen_check_json_has_no_diff_when_generated_is_current(run):
    assert standard(run("codegen", "--check", "--format", "json"), "codegen") == {"diffs": [], "written": []}


@pytest.mark.parametrize("stream", [[], ["--stream"]])
def test_chat_json_gives_the_answer_and_its_attempts(run, llmock, tmp_path, stream):
    llmock.state.reset()
    configure(tmp_path, {"proxy": llmock.base_url()}, {"gpt-4o": ["proxy"]})
    result = run("chat", "--config-dir", tmp_path, "--tier", "simple", *stream, "--format", "json", "hi")
    answer = standard(result, "answer")
    assert answer == {
        "content": "Simulated answer from gpt-4o for 'hi'.",
        "model": "gpt-4o",
        "endpoint": "proxy",
        "usage": {"prompt_tokens": 0, "completion_tokens": 9, "total_tokens": 9},
        "cost": 0.018,
        "finishReason": "stop",
        "attempts": [
            {"model": "gpt-4o", "endpoint": "proxy", "outcome": "ok", "detail": "", "status": 200, "hint": None}
        ],
    }
    assert result.err.splitlines()[-1] == "— gpt-4o @ proxy, 0 in / 9 out tokens, $0.018000"


def test_rename_json_lists_the_changes_and_with_diff_the_masked_diffs(run, tmp_path):
    (tmp_path / "llm-config.json").write_text(LLM)
    (tmp_path / "credentials.json").write_text(CREDENTIALS)
    tmp_path.chmod(0o700)
    (tmp_path / "credentials.json").chmod(0o600)
    preview = run("rename", "endpoint", "box", "gpu", "--config-dir", tmp_path, "--diff", "--format", "json")
    assert preview.code == 0
    assert sorted(preview.json) == ["changes", "diagnostics", "diffs", "summary", "written"]
    assert (preview.json["diagnostics"], preview.json["written"]) == ([], False)
    assert preview.json["changes"][0] == f"{tmp_path / 'llm-config.json'}: /endpoints/box: renamed to 'gpu'"
    assert [diff.splitlines()[:2] for diff in preview.json["diffs"]] == [
        [f"--- {tmp_path / 'credentials.json'} (before)", f"+++ {tmp_path / 'credentials.json'} (after)"],
        [f"--- {tmp_path / 'llm-config.json'} (before)", f"+++ {tmp_path / 'llm-config.json'} (after)"],
    ]
    assert KEY not in preview.out and (tmp_path / "llm-config.json").read_text() == LLM
    done = run("rename", "endpoint", "box", "gpu", "--config-dir", tmp_path, "--no-backup", "--format", "json")
    assert (done.code, done.json["written"], done.json["diffs"]) == (0, True, [])
    assert done.json["changes"][-2:] == [
        f"updated {tmp_path / 'credentials.json'}",
        f"updated {tmp_path / 'llm-config.json'}",
    ]


def test_init_json_lists_what_it_wrote(run, tmp_path):
    directory = tmp_path / "pb"
    result = run("init", "ollama", "--config-dir", directory, "--format", "json")
    assert standard(result, "written") == [
        f"created {directory} (mode 0700)",
        f"wrote {directory / 'credentials.json'} (mode 0600)",
        f"wrote {directory / 'llm-config.json'}",
        f"wrote {directory / 'credentials.schema.json'}",
        f"wrote {directory / 'llm-config.schema.json'}",
    ]
    assert result.err.splitlines()[:5] == standard(result, "written")
    assert run("init", "ollama", "--config-dir", tmp_path / "other").out == ""
