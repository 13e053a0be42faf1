"""`pbcfg rename` and `pbcfg remove`: every reference follows, everything else stays byte for byte, a refusal
writes nothing, and --diff shows the change with the keys masked."""

from __future__ import annotations

import json
import os
import stat

import pytest
from two_endpoints import CREDENTIALS, KEY, LLM


@pytest.fixture
def config(tmp_path):
    directory = tmp_path / "pb"
    directory.mkdir(mode=0o700)
    (directory / "llm-config.json").write_text(LLM)
    (directory / "credentials.json").write_text(CREDENTIALS)
    (directory / "credentials.json").chmod(0o600)
    return directory


def unchanged(config) -> bool:
    return (
        (config / "llm-config.json").read_text() == LLM
        and (config / "credentials.json").read_text() == CREDENTIALS
        and not any(name.endswith(".bak") for name in os.listdir(config))
    )


def test_rename_model_renames_every_reference_and_nothing_else(run, config):
    result = run("rename", "model", "m1", "m1-big", "--config-dir", config)
    assert (result.code, result.out) == (0, "")
    assert (config / "llm-config.json").read_text() == LLM.replace('"m1"', '"m1-big"')
    assert (config / "credentials.json").read_text() == CREDENTIALS
    assert (config / "llm-config.json.bak").read_text() == LLM
    path = config / "llm-config.json"
    assert result.err.splitlines() == [
        f"{path}: /models/m1: renamed to 'm1-big'",
        f"{path}: /tiers/simple/primary: 'm1' → 'm1-big'",
        f"{path}: /tiers/complex/fallback/0: 'm1' → 'm1-big'",
        f"{path}: /agents/planning/fallback/0: 'm1' → 'm1-big'",
        f"updated {path} (kept {path}.bak)",
    ]


def test_rename_endpoint_renames_it_in_both_files_and_in_every_model(run, config):
    result = run("rename", "endpoint", "box", "gpu-1", "--config-dir", config, "--no-backup")
    assert result.code == 0, result.err
    assert (config / "llm-config.json").read_text() == LLM.replace('"box"', '"gpu-1"')
    assert (config / "credentials.json").read_text() == CREDENTIALS.replace('"box"', '"gpu-1"')
    assert stat.S_IMODE(os.stat(config / "credentials.json").st_mode) == 0o600
    assert sorted(os.listdir(config)) == ["credentials.json", "llm-config.json"]
    assert KEY[3:] not in result.out + result.err


def test_diff_shows_the_change_masked_and_writes_nothing(run, config):
    result = run("rename", "endpoint", "box", "gpu-1", "--config-dir", config, "--diff")
    assert result.code == 0
    assert unchanged(config)
    assert f"--- {config / 'credentials.json'} (before)\n+++ {config / 'credentials.json'} (after)\n" in result.out
    assert (
        '-    "box": {"apiKey": "sk-***************", "baseUrl": "http://box:8000/v1"},\n'
        '+    "gpu-1": {"apiKey": "sk-***************", "baseUrl": "http://box:8000/v1"},\n' in result.out
    )
    assert "box-secret" not in result.out + result.err
    assert (
        result.err.splitlines()[0] == f"would change {config / 'llm-config.json'}: /endpoints/box: renamed to 'gpu-1'"
    )


@pytest.mark.parametrize(
    "what, old, new, pointer, line, message",
    [
        ("model", "m1", "m2", "/models/m2", 8, "model 'm2' is already defined here"),
        ("model", "m1", "gpt-5.2", "/models/gpt-5.2", None, "'gpt-5.2' is one of PonyBunny's built-in models"),
        ("endpoint", "box", "spare", "/endpoints/spare", 4, "endpoint 'spare' is already defined here"),
        (
            "endpoint",
            "box",
            "openai-direct",
            "/endpoints/openai-direct",
            None,
            "'openai-direct' is one of PonyBunny's built-in endpoints",
        ),
    ],
)
def test_rename_to_a_taken_id_is_a_conflict_and_writes_nothing(run, config, what, old, new, pointer, line, message):
    result = run("rename", what, old, new, "--config-dir", config, "--format", "json")
    assert result.code == 1
    assert [(d["rule"], d["pointer"], d["line"], d["message"]) for d in result.json["diagnostics"]] == [
        ("edit.conflict", pointer, line, message)
    ]
    assert result.err == "pbcfg: error: nothing was written: the id is taken (above)\n"
    assert unchanged(config)


@pytest.mark.parametrize(
    "args, message",
    [
        (["rename", "model", "m11", "x"], "no model 'm11' is defined in the config; did you mean 'm1'?"),
        (
            ["rename", "model", "gpt-5.2", "x"],
            "model 'gpt-5.2' is one of PonyBunny's built-in models: it cannot be renamed",
        ),
        (["rename", "model", "m1", "m1"], "rename model: the old and the new id are both 'm1'"),
        (
            ["remove", "endpoint", "openai-direct"],
            "endpoint 'openai-direct' is one of PonyBunny's built-in endpoints: it "
            "cannot be removed (disable it with enabled: false instead)",
        ),
        (["remove", "endpoint", "bx"], "no endpoint 'bx' is defined in the config; did you mean 'box'?"),
    ],
)
def test_an_id_that_is_not_there_is_a_usage_error(run, config, args, message):
    result = run(*args, "--config-dir", config)
    assert (result.code, result.err) == (2, f"pbcfg: error: {message}\n")
    assert unchanged(config)


def test_a_rename_whose_result_would_not_validate_writes_nothing(run, config):
    result = run("rename", "endpoint", "box", "__proto__", "--config-dir", config, "--format", "json")
    assert result.code == 1
    assert [(d["rule"], d["file"], d["pointer"]) for d in result.json["diagnostics"]] == [
        ("edit.invalid-result", str(config / "llm-config.json"), "/endpoints/__proto__")
    ]
    assert result.json["diagnostics"][0]["message"].startswith("after the edit: ids.prototype-name ")
    assert result.err == "pbcfg: error: nothing was written: the config would not validate after the edit\n"
    assert unchanged(config)


def test_remove_refuses_while_references_remain_and_names_each(run, config):
    result = run("remove", "model", "m2", "--config-dir", config, "--format", "json")
    assert result.code == 1
    assert [(d["rule"], d["pointer"], d["line"], d["column"]) for d in result.json["diagnostics"]] == [
        ("edit.referenced", "/tiers/simple/fallback/0", 11, 46),
        ("edit.referenced", "/tiers/complex/primary", 12, 28),
        ("edit.referenced", "/agents/execution/primary", 15, 30),
        ("edit.referenced", "/agents/planning/fallback/1", 16, 56),
    ]
    assert result.err == (
        "pbcfg: error: nothing was written: the references above remain; pass --cascade to change them too\n"
    )
    assert unchanged(config)


def test_remove_model_cascade_lists_and_makes_every_change(run, config):
    result = run("remove", "model", "m2", "--cascade", "--config-dir", config)
    assert result.code == 0, result.err
    assert (config / "llm-config.json").read_text() == LLM.replace(
        '"output": 0}},\n    "m2": {"displayName": "M2", "endpoints": ["box"], "costPer1kTokens": {"input": 0, '
        '"output": 0}}',
        '"output": 0}}',
    ).replace('["m2", "gpt-5.2"]', '["gpt-5.2"]').replace(
        '"complex": {"primary": "m2", "fallback": ["m1"]}', '"complex": {"primary": "m1", "fallback": []}'
    ).replace('"execution": {"primary": "m2"}', '"execution": {}').replace('["m1", "m2"]', '["m1"]')
    path = config / "llm-config.json"
    assert result.err.splitlines() == [
        f"{path}: /models/m2: removed",
        f"{path}: /tiers/simple/fallback/0: 'm2' removed from the fallback",
        f"{path}: /tiers/complex/primary: 'm2' → 'm1', its first fallback",
        f'{path}: /tiers/complex/fallback: ["m1"] → []',
        f"{path}: /agents/execution/primary: 'm2' removed: the agent starts from PonyBunny's default primary for it, "
        "'claude-sonnet-4-5-20250929'",
        f"{path}: /agents/planning/fallback/1: 'm2' removed from the fallback",
        f"updated {path} (kept {path}.bak)",
    ]
    assert run("validate", config).code == 0


def test_remove_endpoint_cascade_takes_its_credentials_and_a_model_left_without_endpoints(run, config):
    result = run("remove", "endpoint", "box", "--cascade", "--config-dir", config)
    assert result.code == 0, result.err
    llm = json.loads((config / "llm-config.json").read_text())
    assert llm["endpoints"] == {"spare": {"enabled": True, "protocol": "openai", "priority": 2}}
    assert llm["models"] == {
        "m1": {"displayName": "M1", "endpoints": ["spare"], "costPer1kTokens": {"input": 0, "output": 0}}
    }
    assert llm["tiers"] == {
        "simple": {"primary": "m1", "fallback": ["gpt-5.2"]},
        "complex": {"primary": "m1", "fallback": []},
    }
    assert (config / "credentials.json").read_text() == CREDENTIALS.replace(
        f'    "box": {{"apiKey": "{KEY}", "baseUrl": "http://box:8000/v1"}},\n', ""
    )
    assert f"{config / 'llm-config.json'}: /models/m2: removed: 'box' was its only endpoint" in result.err
    assert f"{config / 'credentials.json'}: /endpoints/box: removed, with its credentials" in result.err
    assert KEY[3:] not in result.out + result.err
    assert stat.S_IMODE(os.stat(config / "credentials.json").st_mode) == 0o600


def test_removing_a_built_in_models_override_needs_no_cascade(run, config):
    (config / "llm-config.json").write_text(
        LLM.replace('"models": {', '"models": {\n    "gpt-5.2": {"maxContextTokens": 1000},')
    )
    result = run("remove", "model", "gpt-5.2", "--config-dir", config)
    assert result.code == 0, result.err
    assert (config / "llm-config.json").read_text() == LLM
    assert result.err.splitlines()[0] == (
        f"{config / 'llm-config.json'}: /models/gpt-5.2: removed: PonyBunny's built-in definition applies again"
    )


def test_a_config_with_errors_is_not_edited(run, config):
    broken = LLM.replace('"priority": 2}', '"priority": 0}')
    (config / "llm-config.json").write_text(broken)
    result = run("rename", "model", "m1", "x", "--config-dir", config, "--format", "json")
    assert result.code == 1
    assert [(d["rule"], d["pointer"]) for d in result.json["diagnostics"]] == [
        ("schema.minimum", "/endpoints/spare/priority")
    ]
    assert result.err == (
        f"pbcfg: error: nothing was written: fix the config's errors above (`pbcfg validate {config}`) first\n"
    )
    assert (config / "llm-config.json").read_text() == broken


def test_an_edit_never_writes_through_a_link_out_of_the_directory(run, config, tmp_path):
    elsewhere = tmp_path / "elsewhere.json"
    elsewhere.write_text(LLM)
    (config / "llm-config.json").unlink()
    (config / "llm-config.json").symlink_to(elsewhere)
    result = run("rename", "model", "m1", "x", "--config-dir", config)
    assert result.code == 2  # a planted link is refused like any failed write
    assert result.err.startswith(f"pbcfg: error: {config / 'llm-config.json'} is a symbolic link to {elsewhere}")
    assert elsewhere.read_text() == LLM


def test_yaml_sources_keep_every_comment_but_those_of_what_is_removed(run, tmp_path):
    sources = tmp_path / "src"
    assert (
        run("init", "ollama", "--model", "m1", "--model", "m2", "--config-dir", sources, "--source", "yaml").code == 0
    )
    before = (sources / "llm-config.yaml").read_text()
    assert run("rename", "model", "m1", "first", "--config-dir", sources).code == 0
    renamed = (sources / "llm-config.yaml").read_text()
    assert renamed == before.replace("  m1:\n", "  first:\n").replace("primary: m1\n", "primary: first\n")
    assert run("remove", "model", "m2", "--config-dir", sources).code == 0
    removed = (sources / "llm-config.yaml").read_text()
    start = renamed.index("  # A model PonyBunny does not know", renamed.index("  first:"))
    end = renamed.index("# Model chains by tier")
    assert removed == renamed[:start] + renamed[end:]  # m2's lines and the comment above it, nothing else
    assert run("validate", sources).code == 0
