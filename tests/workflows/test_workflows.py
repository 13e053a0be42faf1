"""The workflows behind doctor and resolve --as ponybunny, called from Python, and the JSON shape each command
prints through the reporters."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import pytest

from helpers import closed_port, fingerprint
from pbcfg.workflows.checkup import doctor
from pbcfg.workflows.path_b_comparison import CREDENTIAL_VARIABLES, compare_with_path_b
from pbcfg.workflows.readiness import Ready

KEY = "sk-workflow-0123456789"
SERVED = "gpt-4o, gpt-4o-mini, gpt-4-turbo, gpt-3.5-turbo, gpt-image-1, text-embedding-3-small, text-embedding-3-large"
MISSING_KEY_ENV = (
    "ANTHROPIC_API_KEY",
    "OPENAI_API_KEY",
    "GEMINI_API_KEY",
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
)


@pytest.fixture
def doctored(tmp_path, llmock):
    """proxy (llmock) serves gpt-4o and gpt-4o-mini, not the typo gpt-4o-mni; dead refuses every connection."""
    port = closed_port()
    endpoints = {"proxy": llmock.base_url(), "dead": f"http://127.0.0.1:{port}/v1"}
    (tmp_path / "credentials.json").write_text(
        json.dumps({"endpoints": {name: {"apiKey": KEY, "baseUrl": url} for name, url in endpoints.items()}})
    )
    models = {"gpt-4o": ["proxy"], "gpt-4o-mni": ["proxy"], "gpt-4o-mini": ["proxy"], "gone": ["dead"]}
    config = {
        "endpoints": {
            name: {"enabled": True, "protocol": "openai", "priority": n} for n, name in enumerate(endpoints, 1)
        },
        "models": {
            m: {"displayName": m, "endpoints": e, "costPer1kTokens": {"input": 1, "output": 2}}
            for m, e in models.items()
        },
        "tiers": {
            "simple": {"primary": "gpt-4o", "fallback": []},
            "medium": {"primary": "gpt-4o-mni", "fallback": ["gpt-4o-mini"]},
            "complex": {"primary": "gone", "fallback": []},
        },
    }
    (tmp_path / "llm-config.json").write_text(json.dumps(config))
    (tmp_path / "credentials.json").chmod(0o600)
    tmp_path.chmod(0o700)
    return tmp_path, port


def test_doctor_returns_verdicts_causes_and_diagnostics(doctored):
    directory, port = doctored
    checked = doctor(str(directory), timeout=2, env={}, home=str(directory))
    typo = (
        "gpt-4o-mni @ proxy: model-absent: the server does not serve 'gpt-4o-mni' (did you mean 'gpt-4o-mini'?) "
        f"(it serves: {SERVED})"
    )
    dead = f"gone @ dead: unreachable: connection refused or host not found (is the server running on port {port}?)"
    anthropic = (
        "claude-sonnet-4-5-20250929 @ anthropic-direct: missing credential apiKey (set it in credentials.json or "
        "$ANTHROPIC_API_KEY)"
    )
    assert checked.planned is True
    assert checked.files == [str(directory / "credentials.json"), str(directory / "llm-config.json")]
    assert [(s.endpoint, s.state) for s in checked.statuses if s.state != "skipped"] == [
        ("proxy", "model-absent"),
        ("dead", "unreachable"),
    ]
    assert [(v.label, v.state, v.model, v.endpoint, v.fix, v.configured) for v in checked.verdicts] == [
        ("simple", Ready.OK, "gpt-4o", "proxy", None, True),
        ("medium", Ready.FALLS_BACK, "gpt-4o-mini", "proxy", typo, True),
        ("complex", Ready.CANNOT_RUN, None, None, dead, True),
        ("agent input-analysis", Ready.OK, "gpt-4o", "proxy", None, False),
        ("agent planning", Ready.CANNOT_RUN, None, None, dead, False),
        ("agent execution", Ready.FALLS_BACK, "gpt-4o-mini", "proxy", anthropic, False),
        ("agent verification", Ready.FALLS_BACK, "gpt-4o-mini", "proxy", typo, False),
        ("agent response-generation", Ready.OK, "gpt-4o", "proxy", None, False),
        ("agent conversation", Ready.FALLS_BACK, "gpt-4o-mini", "proxy", typo, False),
        ("agent agent_a_market_listener", Ready.FALLS_BACK, "gpt-4o-mini", "proxy", typo, False),
    ]
    assert checked.causes == [typo, dead]
    ours = [(d.rule, d.pointer, d.message) for d in checked.diagnostics if d.rule.startswith("doctor.")]
    assert ours == [
        (
            "doctor.falls-back",
            "/tiers/medium",
            f"medium: falls-back (it runs on gpt-4o-mini @ proxy); fix first: {typo}",
        ),
        ("doctor.cannot-run", "/tiers/complex", f"complex: cannot-run; fix first: {dead}"),
    ]
    assert checked.diagnostics[: len(checked.lint)] == checked.lint  # lint's findings come first
    assert checked.text().splitlines()[:6] == [
        "lint: 0 errors, 1 warning, 2 infos",
        "status: proxy model-absent; dead unreachable",
        "simple → gpt-4o @ proxy: ok",
        "medium → gpt-4o-mini @ proxy: falls-back (first fix: cause 1)",
        "complex: cannot run; fix first: cause 2",
        "agent input-analysis (PonyBunny's default) → gpt-4o @ proxy: ok",
    ]


def test_doctor_on_a_config_with_errors_plans_nothing(tmp_path):
    (tmp_path / "llm-config.json").write_text('{"tiers": {"simple": {"primary": 1}}}')
    checked = doctor(str(tmp_path), env={}, home=str(tmp_path))
    assert (checked.planned, checked.statuses, checked.verdicts, checked.causes) == (False, [], [], [])
    assert checked.diagnostics == checked.lint
    assert [(d.rule, d.pointer) for d in checked.lint if d.severity.label == "error"] == [
        ("schema.type", "/tiers/simple/primary")
    ]
    assert checked.text().splitlines()[1] == (
        f"cannot plan: the config has errors (above); fix them first (`pbcfg lint {tmp_path}` lists each one)"
    )
    assert checked.extra() == {"verdicts": [], "causes": []}


def test_doctor_format_json_shape(run, doctored, monkeypatch):
    for name in MISSING_KEY_ENV:
        monkeypatch.delenv(name, raising=False)
    directory, port = doctored
    result = run("doctor", "--config-dir", directory, "--format", "json")
    assert result.code == 1  # complex, which llm-config.json configures, cannot run
    body = result.json
    assert sorted(body) == ["causes", "diagnostics", "summary", "verdicts"]
    assert sorted(body["summary"]) == ["errors", "files", "infos", "notes", "warnings"]
    assert (body["summary"]["files"], body["summary"]["errors"]) == (2, 1)
    assert body["verdicts"][1] == {
        "section": "tiers",
        "name": "medium",
        "chain": ["gpt-4o-mni", "gpt-4o-mini"],
        "state": "falls-back",
        "model": "gpt-4o-mini",
        "endpoint": "proxy",
        "fix": body["causes"][0],
        "configured": True,
        "text": f"medium → gpt-4o-mini @ proxy: falls-back (first fix: {body['causes'][0]})",
    }
    assert body["causes"][1] == (
        f"gone @ dead: unreachable: connection refused or host not found (is the server running on port {port}?)"
    )
    assert KEY not in result.out


LOCAL = {
    "endpoints": {"openai-compatible": {"enabled": True}},
    "models": {
        m: {"displayName": m, "endpoints": ["openai-compatible"], "costPer1kTokens": {"input": 0, "output": 0}}
        for m in ("m1", "m2")
    },
    "tiers": {"simple": {"primary": "m1", "fallback": ["m2"]}},
}
FILE_KEY = "sk-file-0123456789abcdef"
SKIPPED = "failed earlier in this call, so Path B skips it for 30 s"


@pytest.fixture
def local(tmp_path, monkeypatch):
    for name in CREDENTIAL_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    (tmp_path / "llm-config.json").write_text(json.dumps(LOCAL))
    (tmp_path / "credentials.json").write_text(
        json.dumps({"endpoints": {"openai-compatible": {"apiKey": FILE_KEY, "baseUrl": "http://file-host:2/v1"}}})
    )
    return tmp_path


def test_compare_with_path_b_returns_both_sides_per_environment(local):
    compared = compare_with_path_b(
        str(local), {"tier": "simple"}, {"OPENAI_COMPATIBLE_BASE_URL": "http://env-host:3/v1"}
    )
    assert compared.config_files == [str(local / "llm-config.json"), str(local / "credentials.json")]
    assert compared.files == {
        "llm-config.json": {"state": "loaded", "reason": None},
        "credentials.json": {"state": "loaded", "reason": None},
    }
    yours, bare = compared.scenarios
    assert (yours["env"], bare["env"]) == ("your environment", "no credential variables")
    assert [(a["model"], a["baseUrl"]) for a in yours["pbcfg"]["attempts"]] == [
        ("m1", {"value": "http://env-host:3/v1", "source": "env OPENAI_COMPATIBLE_BASE_URL"}),
        ("m2", {"value": "http://env-host:3/v1", "source": "env OPENAI_COMPATIBLE_BASE_URL"}),
    ]
    assert yours["pbcfg"]["attempts"][0]["credentials"] == {
        "apiKey": {
            "value": f"sk-…{fingerprint(FILE_KEY)}",
            "source": "credentials.json /endpoints/openai-compatible/apiKey",
        }
    }
    assert [(a["model"], a["url"], a["auth"]) for a in yours["ponybunny"]["attempts"]] == [
        ("m1", "http://file-host:2/v1/chat/completions", "Authorization: Bearer")
    ]
    assert yours["ponybunny"]["skipped"] == [{"model": "m2", "endpoint": "openai-compatible", "reason": SKIPPED}]
    assert yours["differences"] == [
        "m1 @ openai-compatible: Path B uses http://file-host:2/v1 (credentials.json /endpoints/openai-compatible/"
        "baseUrl), pbcfg's runtime http://env-host:3/v1 (env OPENAI_COMPATIBLE_BASE_URL)",
        f"m2 @ openai-compatible: pbcfg's runtime tries it, Path B does not ({SKIPPED})",
    ]
    assert bare["differences"] == [f"m2 @ openai-compatible: pbcfg's runtime tries it, Path B does not ({SKIPPED})"]
    assert len(compared.notes) == 3 and compared.notes[2].startswith("No PonyBunny code runs a tier through Path B")
    assert compare_with_path_b(str(local), {"model": "m1"}, {}).scenarios[0]["differences"] == []


def test_resolve_as_ponybunny_format_json_shape(run, local):
    result = run("resolve", "--as", "ponybunny", "--tier", "simple", "--config-dir", local, "--format", "json")
    assert result.code == 0
    body = result.json
    assert sorted(body) == ["diagnostics", "files", "notes", "scenarios", "summary"]
    assert (body["diagnostics"], body["summary"]) == ([], {"files": 2, "errors": 0, "warnings": 0, "infos": 0})
    (scenario,) = body["scenarios"]  # no credential variable is set: one scenario
    assert sorted(scenario) == ["differences", "env", "pbcfg", "ponybunny"]
    assert sorted(scenario["pbcfg"]) == ["attempts", "chain", "dropped"]
    assert sorted(scenario["ponybunny"]) == ["attempts", "chain", "error", "skipped"]
    assert sorted(scenario["ponybunny"]["attempts"][0]) == [
        "auth",
        "baseUrl",
        "credentials",
        "endpoint",
        "fails",
        "model",
        "priority",
        "url",
    ]
    assert body["files"]["credentials.json"] == {"state": "loaded", "reason": None}
    assert FILE_KEY[3:] not in result.out and FILE_KEY[-4:] not in result.out


def test_resolve_as_ponybunny_speaks_the_other_formats_and_writes_a_report(run, local):
    command = ["resolve", "--as", "ponybunny", "--tier", "simple", "--config-dir", local]
    assert run(*command, "--format", "github").out == ""
    sarif = json.loads(run(*command, "--format", "sarif").out)
    assert sarif["runs"][0]["results"] == []
    suites = ET.fromstring(run(*command, "--format", "junit").out)
    assert (suites.get("tests"), suites.get("failures")) == ("2", "0")
    report = local / "report.json"
    written = run(*command, "--format", "json", "--output", report)
    assert (written.code, written.out) == (
        0,
        f"2 files checked: 0 errors, 0 warnings, 0 infos; report written to {report}\n",
    )
    assert sorted(json.loads(report.read_text())) == ["diagnostics", "files", "notes", "scenarios", "summary"]
