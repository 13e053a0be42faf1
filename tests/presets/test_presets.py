"""Presets: goldens, the seed's reference values, validity and lint, hostile parameters, init/render/add."""

from __future__ import annotations

import json
import os
import stat

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from helpers import FIXTURES
from pbcfg.errors import UsageError
from pbcfg.ponybunny.builtins import builtin_endpoints
from pbcfg.presets.render import Parameters, render
from pbcfg.presets.service_presets import get_preset, presets

GOLDEN = FIXTURES.parent / "golden"
PROXY = Parameters(base_url="https://api.fast-ai.chat/v1", api_key="tb_test_key_0001")
AZURE = Parameters(models=("my-deployment",))  # the deployment's name, which only the user knows
OFFICIAL_ENV = {
    "OPENAI_API_KEY": "sk-test-1",
    "ANTHROPIC_API_KEY": "sk-ant-test-1",
    "GEMINI_API_KEY": "g-test-1",
    "AZURE_OPENAI_API_KEY": "az-1",
    "AZURE_OPENAI_ENDPOINT": "https://r.openai.azure.com",
    "AWS_ACCESS_KEY_ID": "AKIATEST",
    "AWS_SECRET_ACCESS_KEY": "s3cr3t-test-value",
    "GOOGLE_CLOUD_PROJECT": "my-project",
}


def params_for(name: str) -> Parameters:
    return PROXY if name == "openai-proxy" else AZURE if name == "azure-openai" else Parameters()


def test_there_is_a_preset_per_service():
    assert list(presets()) == [
        "anthropic",
        "aws-bedrock",
        "azure-openai",
        "fastchat",
        "google-ai-studio",
        "google-vertex-ai",
        "llama-cpp",
        "lm-studio",
        "localai",
        "ollama",
        "openai",
        "openai-proxy",
        "text-generation-webui",
        "vllm",
    ]


@pytest.mark.parametrize("name", list(presets()))
def test_golden(name):
    rendered = render(get_preset(name), params_for(name))
    for file_name, text in rendered.files.items():
        assert text == (GOLDEN / name / file_name).read_text(), f"{name}/{file_name}"


@pytest.mark.parametrize(
    "name, base_url, key",
    [
        ("localai", "http://localhost:8080/v1", "not-needed"),
        ("vllm", "http://localhost:8000/v1", "EMPTY"),
        ("ollama", "http://localhost:11434/v1", "ollama"),
        ("lm-studio", "http://localhost:1234/v1", "lm-studio"),
    ],
)
def test_the_seeds_base_urls_and_no_key_values_come_out_exactly(name, base_url, key):
    entry = render(get_preset(name), Parameters()).data["credentials.json"]["endpoints"]["openai-compatible"]
    assert entry == {"enabled": True, "apiKey": key, "baseUrl": base_url}


@pytest.mark.parametrize("name", list(presets()))
def test_every_preset_renders_a_config_that_validates_and_lints_without_error(name, tmp_path):
    from pbcfg.lint.linter import lint_paths
    from pbcfg.lint.settings import Settings
    from pbcfg.presets.scaffold import write_config

    rendered = render(get_preset(name), params_for(name))
    write_config(str(tmp_path / "c"), rendered.files, force=False, schemas=True)
    result = lint_paths(
        [str(tmp_path / "c")],
        config_dir=str(tmp_path),
        kind=None,
        settings=Settings(),
        env=OFFICIAL_ENV,
        home=str(tmp_path),
    )
    assert [(d.rule, d.pointer) for d in result.diagnostics if d.severity.label == "error"] == []


# what each preset needs to be complete: openai-proxy refuses to render without its URL and key; on Azure
# the model id is the deployment's name, which only the user knows (the preset's notes: "pass it with --model")
REQUIRED = {
    "openai-proxy": ("--base-url", "https://api.fast-ai.chat/v1", "--api-key", "tb_test_key_0001"),
    "azure-openai": ("--model", "my-deployment"),
}
CLOUD_ENV = sorted({name for endpoint in builtin_endpoints().values() for name in endpoint.env.values()})


@pytest.fixture
def no_cloud_keys(monkeypatch, tmp_path):
    for name in CLOUD_ENV + ["PONYBUNNY_CONFIG_DIR", "AWS_REGION", "GOOGLE_CLOUD_REGION"]:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))


@pytest.mark.parametrize("name", list(presets()))
def test_a_fresh_init_of_every_preset_lints_with_zero_diagnostics_at_fail_on_info(name, run, tmp_path, no_cloud_keys):
    """Nothing the user did not write and cannot act on is a diagnostic."""
    directory = tmp_path / "config"
    assert run("init", name, "--config-dir", directory, *REQUIRED.get(name, ())).code == 0
    result = run("lint", directory, "--fail-on", "info", "--format", "json")
    assert (result.code, result.json["diagnostics"]) == (0, [])
    # the cloud endpoints PonyBunny's defaults (or the preset, keys left to env) enable: one line of the summary
    skipped = {"anthropic-direct", "openai-direct", "google-ai-studio"} | (
        {get_preset(name).endpoint_id} - {"openai-compatible"}
    )
    [note] = result.json["summary"]["notes"]
    assert note.startswith(f"{len(skipped)} enabled endpoints lack credentials in this environment and are skipped: ")
    assert set(note.split(": ", 1)[1].split(" (")[0].replace(" and ", ", ").split(", ")) == skipped
    # with no key at all, what a cloud preset sets up cannot run in this shell: said, on the same line
    here = (
        ""
        if get_preset(name).local
        else "; here, tiers simple, medium and complex and agents conversation, "
        "agent_a_market_listener and execution have no usable model"
    )
    assert note.endswith(f"(`pbcfg status {directory}` shows each)" + here)
    text = run("lint", directory, "--fail-on", "info")
    assert text.out == f"2 files checked: 0 errors, 0 warnings, 0 infos\nnote: {note}\n"


def test_a_local_preset_routes_every_tier_and_the_execution_agent_to_its_model():
    llm = render(get_preset("ollama"), Parameters(models=("qwen2.5:14b",))).data["llm-config.json"]
    assert llm["tiers"] == {
        "simple": {"primary": "qwen2.5:14b", "fallback": ["claude-haiku-4-5-20251001"]},
        "medium": {"primary": "qwen2.5:14b", "fallback": ["claude-sonnet-4-5-20250929"]},
        "complex": {"primary": "qwen2.5:14b", "fallback": ["claude-opus-4-5-20251101"]},
    }
    assert llm["agents"] == {"execution": {"primary": "qwen2.5:14b"}}


def test_tier_makes_the_first_model_primary_and_the_old_chain_its_fallback():
    llm = render(get_preset("vllm"), Parameters(models=("a", "b"), tier="simple")).data["llm-config.json"]
    assert llm["tiers"] == {
        "simple": {"primary": "a", "fallback": ["claude-haiku-4-5-20251001", "gpt-5.2", "gemini-2.0-flash"]}
    }
    assert list(llm["models"]) == ["a", "b"] and "agents" not in llm


def test_custom_endpoint_id_gets_its_own_slot():
    rendered = render(get_preset("vllm"), Parameters(endpoint_id="gpu-box", base_url="http://gpu-box.lan:8000/v1"))
    assert rendered.data["credentials.json"]["endpoints"] == {
        "gpu-box": {"enabled": True, "apiKey": "EMPTY", "baseUrl": "http://gpu-box.lan:8000/v1"}
    }
    assert rendered.data["llm-config.json"]["endpoints"] == {
        "gpu-box": {"enabled": True, "protocol": "openai", "priority": 3},
        "aws-bedrock": {"enabled": False},
        "codex": {"enabled": False},
    }


def test_api_key_env_writes_nothing_secret():
    rendered = render(
        get_preset("openai-proxy"),
        Parameters(base_url="https://p.example.com/v1", api_key_env="OPENAI_COMPATIBLE_API_KEY"),
    )
    assert rendered.data["credentials.json"]["endpoints"]["openai-compatible"] == {
        "enabled": True,
        "baseUrl": "https://p.example.com/v1",
    }
    assert rendered.notes[0] == (
        "The key stays in $OPENAI_COMPATIBLE_API_KEY; nothing secret is written. Only PonyBunny's Path A (work items, "
        "planning) and pbcfg's runtime read $OPENAI_COMPATIBLE_API_KEY: PonyBunny's conversation agent (Path B) "
        "ignores it and calls the server without a key. Pass --api-key instead if the server checks keys."
    )
    # no note or error advises the variable without saying which path ignores it
    assert not any("OPENAI_COMPATIBLE_API_KEY" in note and "Path B" not in note for note in rendered.notes)


@pytest.mark.parametrize(
    "params, message",
    [
        (
            Parameters(base_url="localhost:11434"),
            "--base-url: expected an http:// or https:// URL such as http://localhost:11434/v1, got 'localhost:11434'",
        ),
        (Parameters(endpoint_id=""), "--endpoint-id: an endpoint id cannot be empty"),
        (
            Parameters(endpoint_id="constructor"),
            "--endpoint-id: PonyBunny's JavaScript reads 'constructor' as an object "
            "internal, so the endpoint would break it (`pbcfg lint --explain "
            "ids.prototype-name`); pick another id",
        ),
        (
            Parameters(endpoint_id="anthropic-direct"),
            "--endpoint-id: 'anthropic-direct' is a built-in anthropic endpoint; "
            "pick a new id for another OpenAI-compatible server",
        ),
        (Parameters(settings=(("priority", "0"),)), "--set priority: expected a whole number of at least 1, got '0'"),
        (
            Parameters(api_key="a", api_key_env="OPENAI_COMPATIBLE_API_KEY"),
            "--api-key and --api-key-env: give one, not both",
        ),
        (Parameters(models=(" ",)), "--model: a model id cannot be empty"),
    ],
)
def test_bad_parameters_name_the_parameter(params, message):
    with pytest.raises(UsageError) as raised:
        render(get_preset("ollama"), params)
    assert str(raised.value) == message


def test_unknown_preset_suggests_and_cannot_name_a_path(run):
    result = run("render", "olama")
    assert result.code == 2 and "no preset 'olama'; did you mean 'ollama'?" in result.err
    assert run("render", "../schemas").code == 2


URL_TEXT = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=40)


@pytest.mark.slow
@settings(max_examples=80, deadline=None, derandomize=True, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    name=st.sampled_from(sorted(set(presets()) - {"google-vertex-ai"})),
    key=URL_TEXT,
    models=st.lists(URL_TEXT.filter(lambda m: m.strip() and m != "__proto__"), min_size=1, max_size=3, unique=True),
    path=st.text(st.characters(codec="ascii", categories=("Ll", "Nd"), include_characters="-_/~"), max_size=20),
)
def test_values_are_serialised_never_pasted(name, key, models, path):
    base_url = f"https://host.example.com/{path}v1"
    params = Parameters(base_url=base_url, api_key=key + '"}{{ x }}\n\\', models=tuple(models))
    rendered = render(get_preset(name), params)
    credentials = json.loads(rendered.files["credentials.json"])
    (entry,) = credentials["endpoints"].values()
    assert entry[get_preset(name).key_field] == key + '"}{{ x }}\n\\'
    assert entry["baseUrl"] == base_url
    defined = set(json.loads(rendered.files["llm-config.json"]).get("models", {}))
    from pbcfg.ponybunny.builtins import builtin_models

    assert defined == set(models) - set(builtin_models())


def test_render_prints_both_files_with_the_key_masked(run):
    result = run(
        "render", "openai-proxy", "--base-url", "https://p.example.com/v1", "--api-key", "sk-live-abcdefgh1234"
    )
    assert result.code == 0
    assert "abcdefgh" not in result.out + result.err
    assert '"apiKey": "sk-*****************"' in result.out
    assert result.out.startswith("==> credentials.json <==\n{")


def test_init_writes_a_private_config_and_refuses_to_overwrite(run, tmp_path):
    target = tmp_path / "pb"
    assert run("init", "ollama", "--config-dir", target).code == 0
    assert sorted(os.listdir(target)) == [
        "credentials.json",
        "credentials.schema.json",
        "llm-config.json",
        "llm-config.schema.json",
    ]
    assert stat.S_IMODE(os.stat(target).st_mode) == 0o700
    assert stat.S_IMODE(os.stat(target / "credentials.json").st_mode) == 0o600
    assert run("validate", target).code == 0
    (target / "llm-config.json").write_text("mine")
    refused = run("init", "vllm", "--config-dir", target)
    assert refused.code == 1
    assert refused.err.startswith(
        f"pbcfg: error: {target / 'credentials.json'} already exists (and 3 more); nothing was written"
    )
    assert (target / "llm-config.json").read_text() == "mine"
    forced = run("init", "vllm", "--config-dir", target, "--force")
    assert forced.code == 0
    backups = [n for n in os.listdir(target) if n.startswith("llm-config.json.") and n.endswith(".bak")]
    assert len(backups) == 1 and (target / backups[0]).read_text() == "mine"
    assert json.loads((target / "credentials.json").read_text())["endpoints"]["openai-compatible"]["apiKey"] == "EMPTY"


HAND_WRITTEN = """{
    "$schema": "./llm-config.schema.json",
    "endpoints": {
        "openai-compatible": {"enabled": true, "protocol": "openai", "priority": 1}
    },
    "models": {
        "llama3.1:8b": {"displayName": "Llama", "endpoints": ["openai-compatible"], "costPer1kTokens": {"input": 0, "output": 0}}
    },
    "defaults": {"temperature": 0.2}
}
"""


def test_add_inserts_entries_and_leaves_every_other_byte(run, tmp_path):
    (tmp_path / "llm-config.json").write_text(HAND_WRITTEN)
    (tmp_path / "credentials.json").write_text(
        '{"endpoints": {"openai-compatible": {"apiKey": "ollama", "baseUrl": "http://localhost:11434/v1"}}}\n'
    )
    (tmp_path / "credentials.json").chmod(0o600)
    result = run(
        "add",
        "vllm",
        "--config-dir",
        tmp_path,
        "--endpoint-id",
        "gpu-box",
        "--base-url",
        "http://gpu-box.lan:8000/v1",
        "--model",
        "big",
    )
    assert result.code == 0, result.err
    assert (tmp_path / "llm-config.json").read_text() == HAND_WRITTEN.replace(
        '"priority": 1}\n    },',
        '"priority": 1},\n        "gpu-box": {\n            "enabled": true,\n'
        '            "protocol": "openai",\n            "priority": 3\n        }\n    },',
    ).replace(
        '"output": 0}}\n    },',
        '"output": 0}},\n        "big": {\n            "displayName": "big (vllm)",\n'
        '            "endpoints": [\n                "gpu-box"\n            ],\n            "costPer1kTokens": {\n'
        '                "input": 0.0,\n                "output": 0.0\n            },\n'
        '            "maxContextTokens": 8192,\n            "capabilities": [\n                "text"\n'
        '            ],\n            "streaming": true\n        }\n    },',
    )
    assert (tmp_path / "credentials.json").read_text() == (
        '{"endpoints": {"openai-compatible": {"apiKey": "ollama", "baseUrl": "http://localhost:11434/v1"}, '
        '"gpu-box": {"enabled": true, "apiKey": "EMPTY", "baseUrl": "http://gpu-box.lan:8000/v1"}}}\n'
    )
    assert stat.S_IMODE(os.stat(tmp_path / "credentials.json").st_mode) == 0o600
    assert (tmp_path / "llm-config.json.bak").read_text() == HAND_WRITTEN


def test_init_takes_the_preset_as_an_argument_like_add_and_render(run, tmp_path):
    assert run("init", "ollama", "--config-dir", tmp_path / "a").code == 0
    old = run("init", "--preset", "ollama", "--config-dir", tmp_path / "b")
    assert (old.code, old.err.splitlines()[0]) == (
        2,
        "pbcfg: error: no such option '--preset'. Did you mean '--set'? (try `pbcfg init --help`)",
    )
    assert not (tmp_path / "b").exists()


def test_an_identical_add_says_unchanged_and_writes_nothing(run, tmp_path):
    args = (
        "add",
        "vllm",
        "--config-dir",
        tmp_path,
        "--endpoint-id",
        "gpu",
        "--base-url",
        "http://gpu:8000/v1",
        "--model",
        "big",
    )
    assert run("init", "ollama", "--config-dir", tmp_path).code == 0
    assert run(*args).code == 0
    before = {name: (tmp_path / name).read_bytes() for name in os.listdir(tmp_path)}
    again = run(*args)
    assert (again.code, again.out) == (0, "")
    assert again.err == f"unchanged: {tmp_path} already holds everything this add would write; nothing was written\n"
    assert {name: (tmp_path / name).read_bytes() for name in os.listdir(tmp_path)} == before  # no new backup either


def test_add_conflict_is_refused_unless_replace(run, tmp_path):
    (tmp_path / "llm-config.json").write_text(HAND_WRITTEN)
    refused = run("add", "ollama", "--config-dir", tmp_path)
    assert refused.code == 1
    # the model exists and already uses the endpoint: only the endpoint's other values conflict
    assert [
        (d["rule"], d["pointer"], d["line"], d["message"])
        for d in run("add", "ollama", "--config-dir", tmp_path, "--format", "json").json["diagnostics"]
    ] == [("add.conflict", "/endpoints/openai-compatible", 4, "endpoints.openai-compatible is already defined here")]
    assert refused.err == (
        "pbcfg: error: nothing was written: those entries already exist; pass --replace to "
        "overwrite them, or --endpoint-id for a new slot\n"
    )
    assert (tmp_path / "llm-config.json").read_text() == HAND_WRITTEN
    assert run("add", "ollama", "--config-dir", tmp_path, "--replace").code == 0
    assert (tmp_path / "llm-config.json").read_text() == HAND_WRITTEN.replace(  # replaced where it stands
        '{"enabled": true, "protocol": "openai", "priority": 1}',
        '{"enabled": true, "protocol": "openai", "priority": 3}',
    )


def test_presets_command_lists_and_shows(run):
    listing = run("presets")
    assert listing.code == 0
    assert "ollama                 Ollama, the local LLM runtime, through its OpenAI-compatible API\n" in listing.out
    shown = run("presets", "ollama").out
    assert "  base URL        http://localhost:11434/v1\n" in shown
    assert "  API key         'ollama' (the server needs none; PonyBunny needs a string)\n" in shown


def test_add_refuses_a_config_with_errors_and_reports_them(run, tmp_path):
    broken = '{\n  "defaults": {"timeout": 30}, // short\n}\n'
    (tmp_path / "llm-config.json").write_text(broken)
    result = run("add", "vllm", "--config-dir", tmp_path, "--format", "json")
    assert result.code == 1
    assert [(d["rule"], d["line"], d["column"]) for d in result.json["diagnostics"]] == [
        ("schema.minimum", 2, 27),
        ("json.trailing-comma", 2, 30),
        ("json.comment", 2, 32),
    ]
    assert result.json["summary"]["files"] == 1
    assert result.err == (
        f"pbcfg: error: nothing was written: fix the config's errors above (`pbcfg validate "
        f"{tmp_path}`) before adding to it\n"
    )
    assert (tmp_path / "llm-config.json").read_text() == broken
    assert sorted(p.name for p in tmp_path.iterdir()) == ["llm-config.json"]


SECOND_BOX = [
    "add",
    "vllm",
    "--endpoint-id",
    "second-box",
    "--base-url",
    "http://box2.lan:8000/v1",
    "--model",
    "llama3.1:8b",
]


def test_add_attaches_a_second_server_to_a_model_that_exists_after_its_own(run, tmp_path):
    (tmp_path / "llm-config.json").write_text(HAND_WRITTEN)
    (tmp_path / "credentials.json").write_text(
        '{"endpoints": {"openai-compatible": {"apiKey": "ollama", "baseUrl": "http://localhost:11434/v1"}}}\n'
    )
    result = run(*SECOND_BOX, "--set", "priority=1", "--config-dir", tmp_path)
    assert (result.code, result.out) == (0, ""), result.err
    assert (tmp_path / "llm-config.json").read_text() == HAND_WRITTEN.replace(
        '"priority": 1}\n    },',
        '"priority": 1},\n        "second-box": {\n            "enabled": true,\n'
        '            "protocol": "openai",\n            "priority": 1\n        }\n    },',
    ).replace('"endpoints": ["openai-compatible"]', '"endpoints": ["openai-compatible", "second-box"]')
    assert json.loads((tmp_path / "credentials.json").read_text())["endpoints"] == {
        "openai-compatible": {"apiKey": "ollama", "baseUrl": "http://localhost:11434/v1"},
        "second-box": {"enabled": True, "apiKey": "EMPTY", "baseUrl": "http://box2.lan:8000/v1"},
    }
    from pbcfg.runtime import load_runtime

    plan = load_runtime(str(tmp_path), env={}).plan(model="llama3.1:8b")
    assert [(c.model, c.endpoint.id) for c in plan.attempts] == [
        ("llama3.1:8b", "openai-compatible"),
        ("llama3.1:8b", "second-box"),
    ]
    written = (tmp_path / "llm-config.json").read_text()
    again = run(*SECOND_BOX, "--set", "priority=1", "--config-dir", tmp_path)  # nothing left to add
    assert again.code == 0 and "updated" not in again.err
    assert (tmp_path / "llm-config.json").read_text() == written


def test_add_to_a_built_in_model_keeps_its_built_in_endpoints_first(run, tmp_path):
    (tmp_path / "llm-config.json").write_text('{"defaults": {"temperature": 0.2}}\n')
    result = run(
        "add",
        "vllm",
        "--endpoint-id",
        "box",
        "--base-url",
        "http://box.lan:8000/v1",
        "--model",
        "gpt-5.2",
        "--config-dir",
        tmp_path,
    )
    assert result.code == 0, result.err
    data = json.loads((tmp_path / "llm-config.json").read_text())
    assert data["models"] == {"gpt-5.2": {"endpoints": ["openai-direct", "box"]}}
    assert data["defaults"] == {"temperature": 0.2}


def test_add_refuses_a_model_field_the_command_line_contradicts_unless_replace(run, tmp_path):
    (tmp_path / "llm-config.json").write_text(
        HAND_WRITTEN.replace('"costPer1kTokens"', '"maxContextTokens": 8192, "costPer1kTokens"')
    )
    before = (tmp_path / "llm-config.json").read_text()
    refused = run(*SECOND_BOX, "--set", "maxContextTokens=32768", "--config-dir", tmp_path, "--format", "json")
    assert refused.code == 1
    assert [
        (d["rule"], d["pointer"], d["line"], d["column"], d["message"], d["hint"]) for d in refused.json["diagnostics"]
    ] == [
        (
            "add.conflict",
            "/models/llama3.1:8b/maxContextTokens",
            7,
            85,
            "models.llama3.1:8b has maxContextTokens 8192; --set maxContextTokens=32768 says otherwise",
            "pass --replace to overwrite it, or leave out --set maxContextTokens to keep it",
        )
    ]
    assert (tmp_path / "llm-config.json").read_text() == before
    assert not (tmp_path / "credentials.json").exists()
    assert run(*SECOND_BOX, "--set", "maxContextTokens=32768", "--config-dir", tmp_path, "--replace").code == 0
    model = json.loads((tmp_path / "llm-config.json").read_text())["models"]["llama3.1:8b"]
    assert (model["maxContextTokens"], model["endpoints"]) == (32768, ["openai-compatible", "second-box"])


def test_add_attaches_to_a_model_in_a_yaml_source_and_keeps_its_comments(run, tmp_path):
    sources = tmp_path / "src"
    run("init", "ollama", "--model", "llama3.1:8b", "--config-dir", sources, "--source", "yaml")
    before = (sources / "llm-config.yaml").read_text()
    assert run(*SECOND_BOX, "--config-dir", sources).code == 0
    after = (sources / "llm-config.yaml").read_text()
    assert after == before.replace(
        "    endpoints: [openai-compatible]\n", "    endpoints: [openai-compatible, second-box]\n"
    ).replace(
        "    enabled: false\n# Models",
        "    enabled: false\n  second-box:\n    enabled: true\n    protocol: openai\n    priority: 3\n# Models",
    )


TIERED = """{
  "models": {
    "llama3.1:8b": {"displayName": "L", "endpoints": ["openai-compatible"], "costPer1kTokens": {"input": 0, "output": 0}}
  },
  "tiers": {
    "complex": {"primary": "claude-opus-4-5-20251101", "fallback": ["llama3.1:8b", "gpt-5.2"]}
  }
}
"""


def test_add_tier_keeps_the_old_primary_then_every_old_fallback(run, tmp_path):
    (tmp_path / "llm-config.json").write_text(TIERED)
    result = run(
        "add",
        "vllm",
        "--endpoint-id",
        "box",
        "--base-url",
        "http://box.lan:8000/v1",
        "--model",
        "big",
        "--tier",
        "complex",
        "--config-dir",
        tmp_path,
    )
    assert result.code == 0, result.err
    text = (tmp_path / "llm-config.json").read_text()
    assert '"complex": {"primary": "big", "fallback": ["claude-opus-4-5-20251101", "llama3.1:8b", "gpt-5.2"]}' in text
    # the new primary was a fallback already: it moves up, and is not tried twice
    result = run(
        "add",
        "vllm",
        "--endpoint-id",
        "box",
        "--base-url",
        "http://box.lan:8000/v1",
        "--model",
        "llama3.1:8b",
        "--tier",
        "complex",
        "--config-dir",
        tmp_path,
    )
    assert result.code == 0, result.err
    assert json.loads((tmp_path / "llm-config.json").read_text())["tiers"]["complex"] == {
        "primary": "llama3.1:8b",
        "fallback": ["big", "claude-opus-4-5-20251101", "gpt-5.2"],
    }
    # a tier the file does not have yet starts from PonyBunny's: its primary, then its fallbacks
    assert (
        run(
            "add",
            "vllm",
            "--endpoint-id",
            "box",
            "--base-url",
            "http://box.lan:8000/v1",
            "--model",
            "big",
            "--tier",
            "medium",
            "--config-dir",
            tmp_path,
        ).code
        == 0
    )
    assert json.loads((tmp_path / "llm-config.json").read_text())["tiers"]["medium"] == {
        "primary": "big",
        "fallback": ["claude-sonnet-4-5-20250929", "gpt-5.2", "gemini-2.0-pro", "claude-haiku-4-5-20251001"],
    }


def test_an_official_preset_attaches_only_a_model_named_on_the_command_line(run, tmp_path):
    azure = [
        "add",
        "azure-openai",
        "--api-key",
        "az-test-key-1",
        "--set",
        "endpoint=https://r.openai.azure.com",
        "--config-dir",
        tmp_path,
    ]
    assert run("init", "ollama", "--config-dir", tmp_path).code == 0
    before = (tmp_path / "llm-config.json").read_text()
    refused = run(*azure)  # no model would use the endpoint: nothing is added
    assert (refused.code, refused.err) == (
        2,
        "pbcfg: error: --model: preset 'azure-openai' needs the model id, which "
        "is yours to name (on Azure, your deployment's name): without one no "
        "model would use the endpoint\n",
    )
    assert (tmp_path / "llm-config.json").read_text() == before
    assert run(*azure, "--model", "gpt-5.2").code == 0
    assert json.loads((tmp_path / "llm-config.json").read_text())["models"]["gpt-5.2"] == {
        "endpoints": ["openai-direct", "azure-openai"]
    }


def test_add_after_init_turns_on_a_built_in_endpoint_that_init_pinned_off(run, tmp_path):
    assert run("init", "ollama", "--config-dir", tmp_path).code == 0
    assert json.loads((tmp_path / "llm-config.json").read_text())["endpoints"]["aws-bedrock"] == {"enabled": False}
    added = run(
        "add",
        "aws-bedrock",
        "--config-dir",
        tmp_path,
        "--set",
        "accessKeyId=AKIAIOSFODNN7EXAMPLE",
        "--api-key",
        "wJalrXUtnFEMIK7MDENGbPxRfiCYEXAMPLEKEY",
    )
    assert added.code == 0, added.out + added.err
    assert json.loads((tmp_path / "llm-config.json").read_text())["endpoints"]["aws-bedrock"] == {
        "enabled": True,
        "priority": 2,
    }
    again = run("add", "aws-bedrock", "--config-dir", tmp_path, "--set", "priority=5", "--format", "json")
    assert again.code == 1
    assert [(d["file"], d["rule"], d["pointer"], d["hint"]) for d in again.json["diagnostics"]] == [
        (str(tmp_path / name), "add.conflict", "/endpoints/aws-bedrock", "pass --replace to overwrite it")
        for name in ("credentials.json", "llm-config.json")
    ]
