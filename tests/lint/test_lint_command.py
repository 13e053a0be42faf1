"""`pbcfg lint`: fixes round-trip, settings, --explain and --list-rules."""

from __future__ import annotations

import json
import os

import pytest

CREDENTIALS = """{
  "$schema": "./credentials.schema.json",
  "endpoints": {
    "openai-compatible": {
      "enabled": true,
      "apiKey": "ollama",
      "baseUrl": "http://localhost:11434/v1/"
    }
  }
}
"""
LLM_CONFIG = """{
  "endpoints": {
    "openai-compatible": {"enabled": true, "priority": 1}
  },
  "models": {
    "llama3.1:8b": {"displayName": "Llama", "endpoints": ["openai-compatible"],
                    "costPer1kTokens": {"input": 0, "output": 0}}
  },
  "tiers": {
    "simple": {"primary": "llama3.1:8b", "fallback": ["gpt-5.2", "llama3.1:8b", "gpt-5.2"]}
  }
}
"""


@pytest.fixture
def config(tmp_path, monkeypatch):
    for name in ("OPENAI_COMPATIBLE_BASE_URL", "OPENAI_COMPATIBLE_API_KEY"):
        monkeypatch.delenv(name, raising=False)
    directory = tmp_path / "config"
    directory.mkdir(mode=0o755)
    (directory / "credentials.json").write_text(CREDENTIALS)
    (directory / "credentials.json").chmod(0o644)
    (directory / "llm-config.json").write_text(LLM_CONFIG)
    return directory


def rules_of(result):
    return sorted({(d["rule"], d["pointer"]) for d in result.json["diagnostics"]})


FIXABLE = {
    ("url.trailing-slash", "/endpoints/openai-compatible/baseUrl"),
    ("ref.fallback-repeat", "/tiers/simple/fallback/1"),
    ("ref.fallback-repeat", "/tiers/simple/fallback/2"),
    ("secrets.file-permissions", None),
    ("files.stale-schema", "/$schema"),
}


def test_fix_removes_exactly_the_fixable_findings_and_keeps_every_other_byte(run, config):
    before = rules_of(run("lint", config, "--format", "json"))
    assert FIXABLE <= set(before)
    result = run("lint", config, "--fix", "--format", "json")
    after = rules_of(result)
    assert set(after) == set(before) - FIXABLE
    assert (config / "credentials.json").read_text() == CREDENTIALS.replace("11434/v1/", "11434/v1")
    assert (config / "llm-config.json").read_text() == LLM_CONFIG.replace(
        '["gpt-5.2", "llama3.1:8b", "gpt-5.2"]', '["gpt-5.2"]'
    )
    assert (config / "credentials.json.bak").read_text() == CREDENTIALS
    assert (config / "llm-config.json.bak").read_text() == LLM_CONFIG
    assert os.stat(config / "credentials.json").st_mode & 0o777 == 0o600
    assert os.stat(config).st_mode & 0o777 == 0o700
    from pbcfg.schema_store import schema_text

    assert (config / "credentials.schema.json").read_text() == schema_text("credentials")
    assert run("validate", config).code == 0
    assert "fixed: edit" in result.err


def test_diff_shows_the_fixes_and_writes_nothing(run, config):
    result = run("lint", config, "--diff", "--format", "json")
    assert (config / "llm-config.json").read_text() == LLM_CONFIG
    assert not (config / "credentials.schema.json").exists()
    diffs = "".join(result.json["diffs"])
    assert '-      "baseUrl": "http://localhost:11434/v1/"\n+      "baseUrl": "http://localhost:11434/v1"\n' in diffs
    assert "would chmod 600" in result.err
    assert '       "apiKey": "ollama",\n' in diffs  # a documented no-key value is no secret: shown as written


def test_no_backup(run, config):
    run("lint", config, "--fix", "--no-backup")
    assert not (config / "llm-config.json.bak").exists()


def test_a_fix_that_would_make_the_file_less_valid_is_refused():
    from pbcfg.lint.linter import apply_fixes
    from pbcfg.lint.registry import Finding
    from pbcfg.source.edits import Edit
    from pbcfg.source.reading import Source

    text = '{"defaults": {"timeout": 120000}}'
    source = Source("/nonexistent/llm-config.json", "llm-config.json", "llm-config", text)
    bad = Edit("set-value", ["defaults", "timeout"], "soon", file=source.path)
    outcome = apply_fixes([Finding(None, bad)], [source], dry_run=False, backup=True)
    assert outcome.refused == ["/nonexistent/llm-config.json: not fixed, the result would have 1 error instead of 0"]
    assert outcome.applied == []


def test_settings_select_ignore_severity_and_per_pointer(run, config, tmp_path):
    (tmp_path / ".pbcfg.toml").write_text(
        '[lint]\nignore = ["secrets", "files.stale-schema"]\n'
        'severity = { "url.trailing-slash" = "error" }\n'
        'per-pointer-ignores = { "/tiers/simple/fallback/2" = ["ref.fallback-repeat"] }\n'
    )
    result = run("lint", config, "--format", "json")
    found = {(d["rule"], d["pointer"]): d["severity"] for d in result.json["diagnostics"]}
    assert not [rule for rule, _ in found if rule.startswith("secrets.") or rule == "files.stale-schema"]
    assert found[("url.trailing-slash", "/endpoints/openai-compatible/baseUrl")] == "error"
    assert ("ref.fallback-repeat", "/tiers/simple/fallback/1") in found
    assert ("ref.fallback-repeat", "/tiers/simple/fallback/2") not in found


def test_settings_in_pyproject_with_per_file_ignores(run, config, tmp_path):
    (tmp_path / "pyproject.toml").write_text(
        '[tool.pbcfg.lint]\nselect = ["url"]\nper-file-ignores = { "config/credentials.json" = ["url.trailing-slash"] }\n'
    )
    assert rules_of(run("lint", config, "--format", "json")) == []


def test_unknown_settings_are_reported_with_did_you_mean(run, config, tmp_path):
    (tmp_path / ".pbcfg.toml").write_text('[lint]\nignroe = []\nselect = ["url.trailing-slahs"]\n')
    result = run("lint", config, "--format", "json")
    problems = [
        (d["rule"], d["line"], d["message"], d["hint"])
        for d in result.json["diagnostics"]
        if d["rule"] == "config.unknown"
    ]
    assert problems == [
        ("config.unknown", 2, "unknown lint setting 'ignroe'", "did you mean 'ignore'?"),
        (
            "config.unknown",
            3,
            "unknown rule or group 'url.trailing-slahs' in select",
            "did you mean 'url.trailing-slash'?",
        ),
    ]
    assert result.code == 1


def test_explain_prints_the_paragraph(run):
    result = run("lint", "--explain", "merge.temperature-zero")
    assert result.code == 0
    assert result.out.startswith("merge.temperature-zero (warning): defaults.temperature is 0.\n\nOne of PonyBunny's")
    unknown = run("lint", "--explain", "merge.temperature")
    assert (unknown.code, unknown.err) == (
        2,
        "pbcfg: error: no rule 'merge.temperature'; did you mean 'merge.temperature-zero'?\n",
    )


def test_every_rule_has_a_summary_and_an_explanation():
    from pbcfg.catalog import RULES

    for rule in RULES.values():
        assert rule.summary.endswith(".") and len(rule.explanation) > 40, rule.id


def test_lint_reports_in_sarif_too(run, config):
    sarif = json.loads(run("lint", config, "--format", "sarif").out)
    rules = {r["id"] for r in sarif["runs"][0]["tool"]["driver"]["rules"]}
    assert "url.trailing-slash" in rules and "secrets.file-permissions" in rules


def test_command_line_select_and_ignore_take_rules_and_groups(run, config):
    assert rules_of(run("lint", config, "--format", "json", "--select", "url,ref")) == [
        ("ref.fallback-repeat", "/tiers/simple/fallback/1"),
        ("ref.fallback-repeat", "/tiers/simple/fallback/2"),
        ("url.trailing-slash", "/endpoints/openai-compatible/baseUrl"),
    ]
    assert rules_of(
        run("lint", config, "--format", "json", "--select", "url", "--select", "ref", "--ignore", "ref.fallback-repeat")
    ) == [("url.trailing-slash", "/endpoints/openai-compatible/baseUrl")]
    unknown = run("lint", config, "--select", "url,secret")
    assert (unknown.code, unknown.err) == (
        2,
        "pbcfg: error: --select secret: no such rule or group; did you mean 'secrets'?\n",
    )


@pytest.mark.parametrize(
    "args, found",
    [
        ([], [("secrets.file-permissions", None)]),  # the file: select url and secrets, ignore url.trailing-slash
        (["--select", "url"], [("url.trailing-slash", "/endpoints/openai-compatible/baseUrl")]),  # starts over
        (["--ignore", "secrets"], []),  # adjusts the file's selection
        (["--select", "url", "--ignore", "url"], []),
    ],
)
def test_command_line_combines_with_the_settings_file_as_ruff_does(run, config, tmp_path, args, found):
    (tmp_path / ".pbcfg.toml").write_text('[lint]\nselect = ["url", "secrets"]\nignore = ["url.trailing-slash"]\n')
    assert rules_of(run("lint", config, "--format", "json", *args)) == found


def test_a_rule_beats_its_group_in_one_layer_as_in_ruff(run, config, tmp_path):
    (tmp_path / ".pbcfg.toml").write_text(
        '[lint]\nselect = ["url.trailing-slash", "ref"]\nignore = ["url", "ref.fallback-repeat"]\n'
    )
    assert rules_of(run("lint", config, "--format", "json")) == [
        ("url.trailing-slash", "/endpoints/openai-compatible/baseUrl")
    ]


def test_quiet_prints_the_diagnostics_and_nothing_else(run, config):
    loud = run("lint", config, "--select", "url")
    quiet = run("lint", config, "--select", "url", "-q")
    assert quiet.code == loud.code == 0
    assert loud.out == quiet.out + (
        f"2 files checked: 0 errors, 1 warning, 0 infos\n1 fixable with `pbcfg lint --fix --select url {config}`\n"
    )
    assert quiet.out.startswith(f"{config / 'credentials.json'}:7:18: warning url.trailing-slash")
    fixed = run("lint", config, "--select", "url", "--quiet", "--fix")
    assert (fixed.code, fixed.out, fixed.err) == (0, "", "")
    assert (
        json.loads((config / "credentials.json").read_text())["endpoints"]["openai-compatible"]["baseUrl"]
        == "http://localhost:11434/v1"
    )


def test_lint_reads_stdin_like_validate(run, monkeypatch, tmp_path):
    import io
    import sys

    def stdin(data: bytes) -> None:
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))

    monkeypatch.chdir(tmp_path)
    text = b'{\n  "defaults": {"timeout": 10},\n  "tiers": {"simple": {"primary": "gpt-5.2", "fallback": ["gpt-5.2"]}}\n}\n'
    stdin(text)
    result = run("lint", "-", "--kind", "llm-config", "--format", "json")
    assert result.code == 1
    assert [(d["file"], d["rule"], d["line"], d["column"]) for d in result.json["diagnostics"]] == [
        ("<stdin>", "schema.minimum", 2, 27),
        ("<stdin>", "ref.fallback-repeat", 3, 59),
    ]
    stdin(text)
    assert run("lint", "-").err == (
        "pbcfg: error: - reads the config from stdin: pass --kind credentials or --kind llm-config\n"
    )
    stdin(text)
    fixing = run("lint", "-", "--kind", "llm-config", "--fix")
    assert (fixing.code, fixing.err) == (
        2,
        "pbcfg: error: --fix and --diff change files, and - (stdin) is none: pass the file's path instead\n",
    )
    assert os.listdir(tmp_path) == []
