"""YAML sources: positions in validate, the commented output of render/init, and `pbcfg build`."""

from __future__ import annotations

import json
import os
import stat

import pytest

from pbcfg.presets.render import Parameters, render
from pbcfg.presets.service_presets import get_preset, presets
from pbcfg.presets.yamlemit import to_commented_yaml

LLM_YAML = """\
# our team's config
endpoints:
  openai-compatible:
    enabled: true
    priorty: 2      # typo
models:
  llama3.1:8b:
    displayName: Llama
    endpoints: [openai-compatable]
    costPer1kTokens: {input: 0, output: 0}
"""


def test_yaml_diagnostics_have_pointers_lines_and_columns(run, write):
    path = write("llm-config.yaml", LLM_YAML)
    result = run("validate", path, "--format", "json")
    assert result.code == 1
    assert [(d["rule"], d["pointer"], d["line"], d["column"]) for d in result.json["diagnostics"]] == [
        ("schema.additionalProperties", "/endpoints/openai-compatible/priorty", 5, 5),
        ("ref.unknown-endpoint", "/models/llama3.1:8b/endpoints/0", 9, 17),
    ]


@pytest.mark.parametrize(
    "text, rule, line, column",
    [
        ("a: [1\n", "yaml.syntax", 2, 1),
        ("a: 1\na: 2\n", "yaml.duplicate-key", 2, 1),
        ("endpoints: &x {}\nmodels: *x\n", "yaml.unsupported", 1, 12),
        ("defaults:\n  timeout: 2026-01-01\n", "yaml.unsupported", 2, 12),
        ("defaults: !!binary aGk=\n", "yaml.unsupported", 1, 11),
    ],
)
def test_yaml_that_json_cannot_hold_is_refused_with_a_position(run, write, text, rule, line, column):
    result = run("validate", write("llm-config.yaml", text), "--format", "json")
    assert result.code == 1
    assert [(d["rule"], d["line"], d["column"]) for d in result.json["diagnostics"]] == [(rule, line, column)]


def test_secrets_in_yaml_snippets_are_masked(run, write):
    path = write("credentials.yml", "endpoints:\n  openai-direct:\n    apiKey: sk-abcdefghijklmnop\n    bad: 1\n")
    result = run("validate", path)
    assert "abcdefghijkl" not in result.out and "apiKey: sk-****************" not in result.out
    assert result.code == 1


@pytest.mark.parametrize("name", sorted(set(presets()) - {"openai-proxy"}))
def test_commented_yaml_holds_exactly_the_rendered_data(name):
    from ruamel.yaml import YAML

    rendered = render(get_preset(name), Parameters(models=("my-deployment",) if name == "azure-openai" else ()))
    for file_name, data in rendered.data.items():
        text = to_commented_yaml(file_name.split(".")[0], data)
        assert json.loads(json.dumps(YAML(typ="safe").load(text))) == data
        assert text.count("\n#") + text.count("  #") >= len(data)  # a comment above every key


def test_every_key_gets_the_schemas_description_above_it():
    text = to_commented_yaml("credentials", render(get_preset("ollama"), Parameters()).data["credentials.json"])
    assert (
        "    # Secret key sent with every request. For a local server that needs none, any string: not-needed,\n"
        "    # EMPTY, ollama, lm-studio, sk-no-key-required.\n    apiKey: ollama\n"
    ) in text


def test_init_yaml_then_build_then_check(run, tmp_path):
    sources, out = tmp_path / "src", tmp_path / "out"
    assert run("init", "vllm", "--config-dir", sources, "--source", "yaml").code == 0
    assert sorted(os.listdir(sources)) == [
        "credentials.schema.json",
        "credentials.yaml",
        "llm-config.schema.json",
        "llm-config.yaml",
    ]
    assert stat.S_IMODE(os.stat(sources / "credentials.yaml").st_mode) == 0o600
    assert run("build", sources, "--config-dir", out).code == 0
    assert stat.S_IMODE(os.stat(out / "credentials.json").st_mode) == 0o600
    expected = render(get_preset("vllm"), Parameters()).data
    assert json.loads((out / "llm-config.json").read_text()) == expected["llm-config.json"]
    assert json.loads((out / "credentials.json").read_text()) == expected["credentials.json"]
    first = (out / "llm-config.json").read_bytes()
    assert run("build", sources, "--config-dir", out).code == 0
    assert (out / "llm-config.json").read_bytes() == first  # deterministic
    check = run("build", sources, "--config-dir", out, "--check")
    assert (check.code, check.err) == (0, f"{out} is up to date\n")


def test_comments_survive_build_edit_build(run, tmp_path):
    from ruamel.yaml import YAML

    sources, out = tmp_path / "src", tmp_path / "out"
    run("init", "ollama", "--config-dir", sources, "--source", "yaml")
    run("build", sources, "--config-dir", out)
    yaml = YAML(typ="rt")
    data = yaml.load((sources / "llm-config.yaml").read_text())
    data["endpoints"]["openai-compatible"]["priority"] = 1  # an edit, as an editor or a script makes it
    with open(sources / "llm-config.yaml", "w") as handle:
        yaml.dump(data, handle)
    edited = (sources / "llm-config.yaml").read_text()
    assert "    # 1 is the highest. A model's endpoints are tried in ascending priority" in edited
    check = run("build", sources, "--config-dir", out, "--check")
    assert check.code == 1
    assert '-      "priority": 3\n+      "priority": 1\n' in check.out
    assert run("build", sources, "--config-dir", out).code == 0
    assert (sources / "llm-config.yaml").read_text() == edited  # build never touches its sources
    assert json.loads((out / "llm-config.json").read_text())["endpoints"]["openai-compatible"]["priority"] == 1


def test_build_refuses_sources_with_errors_and_writes_nothing(run, tmp_path):
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "llm-config.yaml").write_text(LLM_YAML)
    result = run("build", tmp_path / "src", "--config-dir", tmp_path / "out")
    assert result.code == 1
    assert "nothing was built: fix the errors above first" in result.err
    assert not (tmp_path / "out").exists()


def test_build_check_masks_secrets(run, tmp_path):
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "credentials.yaml").write_text(
        "endpoints:\n  openai-direct:\n    apiKey: sk-live-abcdefghijklmnop\n"
    )
    result = run("build", tmp_path / "src", "--config-dir", tmp_path / "out", "--check")
    assert result.code == 1
    assert "abcdefghijkl" not in result.out and "sk-*********************" in result.out


def test_add_to_yaml_sources_keeps_every_comment(run, tmp_path):
    sources = tmp_path / "src"
    run("init", "ollama", "--config-dir", sources, "--source", "yaml")
    before = (sources / "llm-config.yaml").read_text()
    result = run(
        "add",
        "vllm",
        "--config-dir",
        sources,
        "--endpoint-id",
        "gpu-box",
        "--base-url",
        "http://gpu-box.lan:8000/v1",
        "--model",
        "big",
    )
    assert result.code == 0, result.err
    after = (sources / "llm-config.yaml").read_text()
    assert [line for line in before.splitlines() if line.lstrip().startswith("#")] == [
        line for line in after.splitlines() if line.lstrip().startswith("#")
    ]
    assert (
        after.replace("  gpu-box:\n    enabled: true\n    protocol: openai\n    priority: 3\n", "", 1).replace(
            "  big:\n    displayName: big (vllm)\n    endpoints: [gpu-box]\n    costPer1kTokens:\n"
            "      input: 0.0\n      output: 0.0\n    maxContextTokens: 8192\n    capabilities: [text]\n"
            "    streaming: true\n",
            "",
            1,
        )
        == before
    )
    assert run("validate", sources).code == 0
