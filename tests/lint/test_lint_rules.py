"""Every lint rule: a fixture that triggers it (exact pointer and line) and one that must not."""

from __future__ import annotations

import json
import os

import pytest

from helpers import fingerprint
from pbcfg.lint.linter import lint_paths
from pbcfg.lint.settings import Settings

SCHEMA_REF = '"$schema": "./llm-config.schema.json"'


def run_lint(tmp_path, rule, *, credentials=None, llm_config=None, env=None, home=None, environment=None):
    """Findings of ``rule`` as (file name, pointer, line, severity, message)."""
    config = tmp_path / "config"
    config.mkdir(exist_ok=True)
    config.chmod(0o700)
    for name, content in (("credentials.json", credentials), ("llm-config.json", llm_config)):
        path = config / name
        if content is None:
            path.unlink(missing_ok=True)
        else:
            path.write_text(content if isinstance(content, str) else json.dumps(content, indent=2))
            path.chmod(0o600)
    result = lint_paths(
        [str(config)],
        config_dir=str(config),
        kind=None,
        settings=Settings(environment=environment),
        env=env or {},
        home=str(home or tmp_path / "home"),
    )
    return [
        (os.path.basename(d.file), d.pointer, d.line, d.severity.label, d.message)
        for d in result.diagnostics
        if d.rule == rule
    ]


def where(findings):
    return [f[:4] for f in findings]


# -- secrets ---------------------------------------------------------------------------------------


def test_credential_in_llm_config(tmp_path):
    llm = '{\n  "endpoints": {\n    "openai-direct": {"apiKey": "sk-proj-abcdefghijklmnop"}\n  }\n}'
    found = run_lint(tmp_path, "secrets.credential-in-llm-config", llm_config=llm)
    assert where(found) == [("llm-config.json", "/endpoints/openai-direct/apiKey", 3, "error")]
    assert "abcdefghijklmnop" not in found[0][4] and f"sk-…{fingerprint('sk-proj-abcdefghijklmnop')}" in found[0][4]
    assert run_lint(tmp_path, "schema.additionalProperties", llm_config=llm) == []  # not reported twice


def test_no_credential_in_llm_config(tmp_path):
    assert (
        run_lint(
            tmp_path,
            "secrets.credential-in-llm-config",
            llm_config={"endpoints": {"aws-bedrock": {"region": "us-east-1"}}},
        )
        == []
    )


def test_placeholder_key(tmp_path):
    creds = '{"endpoints": {\n  "openai-direct": {"enabled": true, "apiKey": "sk-xxx"}\n}}'
    assert where(run_lint(tmp_path, "secrets.placeholder-key", credentials=creds)) == [
        ("credentials.json", "/endpoints/openai-direct/apiKey", 2, "error")
    ]


def test_no_key_value_on_a_vendor_api_is_a_placeholder_but_fine_locally(tmp_path):
    creds = {
        "endpoints": {
            "openai-direct": {"apiKey": "EMPTY"},
            "openai-compatible": {"apiKey": "ollama", "baseUrl": "http://localhost:11434/v1"},
        }
    }
    llm = {"endpoints": {"openai-compatible": {"enabled": True}}}
    assert where(run_lint(tmp_path, "secrets.placeholder-key", credentials=creds, llm_config=llm)) == [
        ("credentials.json", "/endpoints/openai-direct/apiKey", 4, "error")
    ]


def test_placeholder_in_a_disabled_endpoint_is_fine(tmp_path):
    creds = {"endpoints": {"openai-direct": {"enabled": False, "apiKey": "sk-xxx"}}}
    assert run_lint(tmp_path, "secrets.placeholder-key", credentials=creds) == []


def test_file_permissions(tmp_path):
    creds = tmp_path / "config" / "credentials.json"
    (tmp_path / "config").mkdir()
    creds.write_text("{}")
    creds.chmod(0o644)
    result = lint_paths(
        [str(creds)], config_dir=str(tmp_path), kind=None, settings=Settings(), env={}, home=str(tmp_path)
    )
    (tmp_path / "config").chmod(0o755)
    result = lint_paths(
        [str(creds)], config_dir=str(tmp_path), kind=None, settings=Settings(), env={}, home=str(tmp_path)
    )
    assert [(d.pointer, d.line, d.message) for d in result.diagnostics if d.rule == "secrets.file-permissions"] == [
        (None, None, "credentials file has mode 0644: group or others can read it"),
        (None, None, f"its directory {tmp_path / 'config'} has mode 0755, not 0700"),
    ]
    fix = f"`pbcfg lint {tmp_path / 'config'} --fix` does"
    assert [d.hint for d in result.diagnostics if d.rule == "secrets.file-permissions"] == [
        f"chmod 600 it ({fix})",
        f"chmod 700 it ({fix})",
    ]


def test_file_permissions_0600_in_0700_pass(tmp_path):
    assert run_lint(tmp_path, "secrets.file-permissions", credentials={"endpoints": {}}) == []


# -- credentials vs environment ----------------------------------------------------------------------


def test_disabled_silences_env(tmp_path):
    creds = '{"endpoints": {\n  "openai-direct": {"enabled": false}\n}}'
    found = run_lint(tmp_path, "env.disabled-silences-env", credentials=creds, env={"OPENAI_API_KEY": "sk-abc"})
    assert where(found) == [("credentials.json", "/endpoints/openai-direct/enabled", 2, "warning")]
    assert run_lint(tmp_path, "env.disabled-silences-env", credentials=creds, env={"OPENAI_API_KEY": " "}) == []


def test_env_conflict_is_for_the_cloud_endpoints_where_every_path_agrees(tmp_path):
    creds = (
        '{"endpoints": {\n  "anthropic-direct": {"apiKey": "sk-ant-file-0123456789"},\n'
        '  "openai-compatible": {"apiKey": "x", "baseUrl": "http://localhost:8000/v1"}\n}}'
    )
    env = {"ANTHROPIC_API_KEY": "sk-ant-env-9876543210", "OPENAI_COMPATIBLE_BASE_URL": "http://localhost:9000/v1"}
    found = run_lint(tmp_path, "env.conflict", credentials=creds, env=env)
    assert where(found) == [("credentials.json", "/endpoints/anthropic-direct/apiKey", 2, "warning")]
    assert found[0][4] == (
        f"apiKey here (sk-…{fingerprint('sk-ant-file-0123456789')}) differs from $ANTHROPIC_API_KEY "
        f"(sk-…{fingerprint('sk-ant-env-9876543210')}): the docs, pbcfg and "
        "both of PonyBunny's code paths use the env var, so this value is dead"
    )


def test_env_equal_to_file_is_no_conflict(tmp_path):
    creds = {"endpoints": {"openai-direct": {"apiKey": "sk-same"}}}
    assert run_lint(tmp_path, "env.conflict", credentials=creds, env={"OPENAI_API_KEY": "sk-same"}) == []


def test_missing_credential_error_when_your_file_enables_it(tmp_path):
    creds = '{\n  "endpoints": {\n    "openai-compatible": {"apiKey": "x"}\n  }\n}'
    llm = {"endpoints": {"azure-openai": {"enabled": True}}}
    found = run_lint(tmp_path, "env.missing-credential", credentials=creds, llm_config=llm, environment="check")
    assert [f[:4] for f in found] == [("llm-config.json", "/endpoints/azure-openai", 3, "error")]
    assert found[0][4] == (
        "azure-openai has no apiKey and endpoint (not in credentials.json, and "
        "$AZURE_OPENAI_API_KEY and $AZURE_OPENAI_ENDPOINT are not set), so it is skipped"
    )


def test_missing_credential_is_a_note_unless_the_environment_is_checked(tmp_path):
    """The keys this process holds say nothing about the machine that runs PonyBunny, unless asked."""
    llm = {
        "endpoints": {
            "azure-openai": {"enabled": True},
            "aws-bedrock": {"enabled": False},
            "codex": {"enabled": False},
        },
        "models": {"deployment": model(["azure-openai"])},
    }
    assert run_lint(tmp_path, "env.missing-credential", llm_config=llm) == []
    config = tmp_path / "config"
    result = lint_paths(
        [str(config)], config_dir=str(config), kind=None, settings=Settings(), env={}, home=str(tmp_path)
    )
    assert result.diagnostics == []
    assert result.notes == [
        "4 enabled endpoints lack credentials in this environment and are skipped: "
        "anthropic-direct, openai-direct, azure-openai and google-ai-studio "
        f"(`pbcfg status {config}` shows each); here, tiers simple, medium and complex and agents "
        "conversation, agent_a_market_listener and execution have no usable model"
    ]
    checked = lint_paths(
        [str(config)],
        config_dir=str(config),
        kind=None,
        settings=Settings(environment="check"),
        env={"AZURE_OPENAI_API_KEY": "k", "ANTHROPIC_API_KEY": "sk-ant-k"},
        home=str(tmp_path),
    )
    assert [(d.rule, d.pointer, d.severity.label, d.message) for d in checked.diagnostics] == [
        (
            "env.missing-credential",
            "/endpoints/azure-openai",
            "error",
            "azure-openai has no endpoint (not in credentials.json, and $AZURE_OPENAI_ENDPOINT is not set), "
            "so model 'deployment' has no usable endpoint",
        )
    ]
    assert checked.notes == [
        "2 enabled endpoints lack credentials in this environment and are skipped: "
        f"openai-direct and google-ai-studio (`pbcfg status {config}` shows each)"
    ]


def test_missing_credential_from_env_is_fine(tmp_path):
    llm = {"endpoints": {"azure-openai": {"enabled": True}}}
    env = {"AZURE_OPENAI_API_KEY": "k", "AZURE_OPENAI_ENDPOINT": "https://r.openai.azure.com"}
    assert run_lint(tmp_path, "env.missing-credential", llm_config=llm, env=env, environment="check") == []


# -- URLs --------------------------------------------------------------------------------------------


def test_trailing_slash(tmp_path):
    creds = '{"endpoints": {\n  "openai-compatible": {"apiKey": "x", "baseUrl": "http://localhost:11434/v1/"}\n}}'
    assert where(run_lint(tmp_path, "url.trailing-slash", credentials=creds)) == [
        ("credentials.json", "/endpoints/openai-compatible/baseUrl", 2, "warning")
    ]
    assert (
        run_lint(
            tmp_path,
            "url.trailing-slash",
            credentials={"endpoints": {"openai-compatible": {"baseUrl": "http://localhost:11434/v1"}}},
        )
        == []
    )


def test_missing_v1_names_the_server_by_port(tmp_path):
    creds = '{"endpoints": {\n  "openai-compatible": {"apiKey": "ollama", "baseUrl": "http://localhost:11434"}\n}}'
    found = run_lint(tmp_path, "url.missing-v1", credentials=creds)
    assert where(found) == [("credentials.json", "/endpoints/openai-compatible/baseUrl", 2, "warning")]
    assert found[0][4] == "'http://localhost:11434' has no /v1-style suffix; port 11434 is Ollama's, which serves /v1"


def test_missing_v1_not_for_versioned_or_non_openai(tmp_path):
    creds = {
        "endpoints": {
            "openai-compatible": {"baseUrl": "http://localhost:8000/v1"},
            "anthropic-direct": {"baseUrl": "https://proxy.example.com"},
        }
    }
    assert run_lint(tmp_path, "url.missing-v1", credentials=creds) == []


def test_plain_http_with_key(tmp_path):
    creds = '{"endpoints": {\n  "openai-compatible": {"apiKey": "sk-real-123456789", "baseUrl": "http://gpu-box.lan:8000/v1"}\n}}'
    llm = {"endpoints": {"openai-compatible": {"enabled": True}}}
    assert where(run_lint(tmp_path, "url.plain-http-with-key", credentials=creds, llm_config=llm)) == [
        ("credentials.json", "/endpoints/openai-compatible/baseUrl", 2, "warning")
    ]


def test_plain_http_to_loopback_or_without_key_is_fine(tmp_path):
    llm = {"endpoints": {"openai-compatible": {"enabled": True}}}
    for creds in (
        {"endpoints": {"openai-compatible": {"apiKey": "sk-real-123456789", "baseUrl": "http://127.0.0.1:8000/v1"}}},
        {"endpoints": {"openai-compatible": {"apiKey": "EMPTY", "baseUrl": "http://gpu-box.lan:8000/v1"}}},
    ):
        assert run_lint(tmp_path, "url.plain-http-with-key", credentials=creds, llm_config=llm) == []


# -- routing -----------------------------------------------------------------------------------------

LOCAL_CREDS = {"endpoints": {"openai-compatible": {"apiKey": "ollama", "baseUrl": "http://localhost:11434/v1"}}}


def model(endpoints, context=8192, capabilities=("text",)):
    return {
        "displayName": "M",
        "endpoints": list(endpoints),
        "costPer1kTokens": {"input": 0, "output": 0},
        "maxContextTokens": context,
        "capabilities": list(capabilities),
    }


def test_unused_endpoint(tmp_path):
    llm = '{\n  "endpoints": {\n    "spare": {"enabled": true, "protocol": "openai", "priority": 2}\n  }\n}'
    assert where(run_lint(tmp_path, "routing.unused-endpoint", llm_config=llm)) == [
        ("llm-config.json", "/endpoints/spare", 3, "warning")
    ]
    used = {
        "endpoints": {"spare": {"enabled": True, "protocol": "openai", "priority": 2}},
        "models": {"m": model(["spare"])},
    }
    assert run_lint(tmp_path, "routing.unused-endpoint", llm_config=used) == []


def test_model_unreachable_is_reported_at_its_cause(tmp_path):
    found = run_lint(tmp_path, "routing.model-unreachable", llm_config={"models": {"m": model(["azure-openai"])}})
    assert where(found) == [("llm-config.json", "/models/m/endpoints/0", 6, "warning")]
    assert found[0][4] == (
        "azure-openai is not enabled in llm-config.json, and PonyBunny's defaults leave it off, "
        "so model 'm' has no usable endpoint"
    )
    llm = {"endpoints": {"openai-compatible": {"enabled": True}}, "models": {"m": model(["openai-compatible"])}}
    assert run_lint(tmp_path, "routing.model-unreachable", credentials=LOCAL_CREDS, llm_config=llm) == []


def test_chain_unusable_is_an_error_at_its_cause(tmp_path):
    llm = {"models": {"m": model(["azure-openai"])}, "tiers": {"simple": {"primary": "m", "fallback": []}}}
    found = run_lint(tmp_path, "routing.chain-unusable", llm_config=llm)
    assert where(found) == [("llm-config.json", "/models/m/endpoints/0", 6, "error")]
    assert found[0][4] == (
        "azure-openai is not enabled in llm-config.json, and PonyBunny's defaults leave it off, "
        "so model 'm' has no usable endpoint and tier simple has no usable model"
    )
    assert run_lint(tmp_path, "routing.model-unreachable", llm_config=llm) == []  # folded into the cause


def test_chain_usable_with_a_local_model(tmp_path):
    llm = {
        "endpoints": {"openai-compatible": {"enabled": True}},
        "models": {"m": model(["openai-compatible"])},
        "tiers": {"simple": {"primary": "m", "fallback": []}},
    }
    assert run_lint(tmp_path, "routing.chain-unusable", credentials=LOCAL_CREDS, llm_config=llm) == []


def test_fallback_weaker(tmp_path):
    llm = {
        "models": {
            "a": model(["openai-compatible"], 8000, ["text", "vision"]),
            "b": model(["openai-compatible"], 4000, ["text"]),
        },
        "tiers": {"simple": {"primary": "a", "fallback": ["b"]}},
    }
    found = run_lint(tmp_path, "routing.fallback-weaker", llm_config=llm)
    assert [f[:4] for f in found] == [("llm-config.json", "/tiers/simple/fallback/0", 37, "warning")]
    assert found[0][4] == "fallback 'b' is weaker than primary 'a': context 4000 < 8000; lacks vision"
    llm["models"]["b"] = model(["openai-compatible"], 8000, ["text", "vision"])
    assert run_lint(tmp_path, "routing.fallback-weaker", llm_config=llm) == []


def test_priority_tie(tmp_path):
    llm = {
        "endpoints": {
            "e1": {"enabled": True, "protocol": "openai", "priority": 2},
            "e2": {"enabled": True, "protocol": "openai", "priority": 2},
        },
        "models": {"m": model(["e1", "e2"])},
    }
    assert where(run_lint(tmp_path, "routing.priority-tie", llm_config=llm)) == [
        ("llm-config.json", "/models/m/endpoints/1", 19, "info")
    ]
    llm["endpoints"]["e2"]["priority"] = 3
    assert run_lint(tmp_path, "routing.priority-tie", llm_config=llm) == []


# -- merge surprises ---------------------------------------------------------------------------------


def test_partial_tier_shows_the_effective_chain(tmp_path):
    found = run_lint(tmp_path, "merge.partial-tier", llm_config={"tiers": {"simple": {"primary": "gpt-5.2"}}})
    assert where(found) == [("llm-config.json", "/tiers/simple", 3, "info")]
    assert found[0][4] == "tier 'simple' keeps the built-in fallback; effective chain: gpt-5.2 → gemini-2.0-flash"
    assert (
        run_lint(
            tmp_path, "merge.partial-tier", llm_config={"tiers": {"simple": {"primary": "gpt-5.2", "fallback": []}}}
        )
        == []
    )


def test_agent_tier_without_primary_keeps_the_default_primary(tmp_path):
    found = run_lint(tmp_path, "merge.agent-default-primary", llm_config={"agents": {"execution": {"tier": "complex"}}})
    assert where(found) == [("llm-config.json", "/agents/execution/tier", 4, "warning")]
    assert (
        run_lint(tmp_path, "merge.agent-default-primary", llm_config={"agents": {"planning": {"tier": "simple"}}}) == []
    )


def test_changed_defaults_want_pinning(tmp_path):
    found = run_lint(tmp_path, "merge.changed-default", llm_config={"endpoints": {}})
    assert where(found) == [
        ("llm-config.json", "/endpoints/aws-bedrock", 2, "info"),
        ("llm-config.json", "/endpoints/codex", 2, "info"),
    ]
    pinned = {"endpoints": {"aws-bedrock": {"enabled": False}, "codex": {"enabled": True}}}
    assert run_lint(tmp_path, "merge.changed-default", llm_config=pinned) == []


def test_temperature_zero(tmp_path):
    assert where(run_lint(tmp_path, "merge.temperature-zero", llm_config={"defaults": {"temperature": 0}})) == [
        ("llm-config.json", "/defaults/temperature", 3, "warning")
    ]
    assert run_lint(tmp_path, "merge.temperature-zero", llm_config={"defaults": {"temperature": 0.01}}) == []


# -- files -------------------------------------------------------------------------------------------


def test_legacy_copy(tmp_path):
    home = tmp_path / "home"
    (home / ".ponybunny").mkdir(parents=True)
    (home / ".ponybunny" / "llm-config.json").write_text("{}")
    found = run_lint(tmp_path, "files.legacy-copy", llm_config={}, home=home)
    assert where(found) == [("llm-config.json", None, None, "warning")]
    assert run_lint(tmp_path, "files.legacy-copy", credentials={}, home=home) == []


@pytest.mark.parametrize("on_disk, state", [(None, "missing"), ('{"enum": ["anthropic"]}', "stale")])
def test_stale_or_missing_schema(tmp_path, on_disk, state):
    (tmp_path / "config").mkdir()
    if on_disk is not None:
        (tmp_path / "config" / "llm-config.schema.json").write_text(on_disk)
    found = run_lint(tmp_path, "files.stale-schema", llm_config=f"{{{SCHEMA_REF}}}")
    expected = {
        "missing": ("llm-config.json", "/$schema", "$schema names llm-config.schema.json, which is missing"),
        "stale": ("llm-config.schema.json", None, "llm-config.schema.json is stale"),
    }
    assert [(f[0], f[1], f[4]) for f in found] == [expected[state]]  # never at a file that does not exist


def test_current_schema_or_no_reference_is_fine(tmp_path):
    from pbcfg.schema_store import schema_text

    assert run_lint(tmp_path, "files.stale-schema", llm_config="{}") == []
    (tmp_path / "config" / "llm-config.schema.json").write_text(schema_text("llm-config"))
    assert run_lint(tmp_path, "files.stale-schema", llm_config=f"{{{SCHEMA_REF}}}") == []


def test_missing_v1_covers_openai_direct_but_not_azure(tmp_path):
    creds = (
        '{"endpoints": {\n  "openai-direct": {"apiKey": "x", "baseUrl": "https://api.openai.com"},\n'
        '  "azure-openai": {"apiKey": "x", "endpoint": "https://res.openai.azure.com", '
        '"baseUrl": "https://res.openai.azure.com"}\n}}'
    )
    found = run_lint(tmp_path, "url.missing-v1", credentials=creds)
    assert found == [
        (
            "credentials.json",
            "/endpoints/openai-direct/baseUrl",
            2,
            "warning",
            "'https://api.openai.com' has no /v1-style suffix",
        )
    ]


def test_a_trailing_slash_and_a_missing_v1_give_one_fix(tmp_path):
    creds = '{"endpoints": {\n  "openai-compatible": {"apiKey": "ollama", "baseUrl": "http://192.168.1.20:11434/"}\n}}'
    config = tmp_path / "config"
    run_lint(tmp_path, "url.missing-v1", credentials=creds)
    result = lint_paths(
        [str(config)], config_dir=str(config), kind=None, settings=Settings(), env={}, home=str(tmp_path / "home")
    )
    hints = {d.rule: (d.message, d.hint) for d in result.diagnostics if d.rule.startswith("url.")}
    assert hints == {
        "url.trailing-slash": (
            "'http://192.168.1.20:11434/' ends with '/', which makes request paths start with "
            "'//'; it lacks /v1 too (url.missing-v1)",
            "write 'http://192.168.1.20:11434/v1'",
        ),
        "url.missing-v1": (
            "'http://192.168.1.20:11434/' has no /v1-style suffix; port 11434 is Ollama's, which serves /v1",
            "write 'http://192.168.1.20:11434/v1'",
        ),
    }
