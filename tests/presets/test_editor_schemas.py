"""Editors work offline: YAML modelines and `$schema` name the schema file beside the config, `pbcfg schema
--output DIR` writes those files, and `pbcfg schema --vscode DIR` prints settings scoped to DIR's files."""

from __future__ import annotations

import json
import os
import stat

import jsonschema
import pytest
from ruamel.yaml import YAML

from pbcfg.schema_store import SCHEMA_FILES, schema_text

KINDS = sorted(SCHEMA_FILES)


@pytest.mark.parametrize("kind", KINDS)
def test_a_yaml_source_points_at_the_schema_file_beside_it(run, tmp_path, kind):
    assert run("init", "vllm", "--config-dir", tmp_path, "--source", "yaml").code == 0
    text = (tmp_path / f"{kind}.yaml").read_text()
    first = text.splitlines()[0]
    assert first == f"# yaml-language-server: $schema=./{kind}.schema.json"
    beside = tmp_path / first.split("$schema=", 1)[1]
    assert beside.read_text() == schema_text(kind)
    data = YAML(typ="safe").load(text)
    assert data["$schema"] == f"./{kind}.schema.json"
    jsonschema.Draft202012Validator(json.loads(beside.read_text())).validate(data)  # resolved with no network


@pytest.mark.parametrize("kind", KINDS)
def test_json_files_point_at_the_schema_file_beside_them(run, tmp_path, kind):
    assert run("init", "ollama", "--config-dir", tmp_path).code == 0
    data = json.loads((tmp_path / f"{kind}.json").read_text())
    assert data["$schema"] == f"./{kind}.schema.json"
    assert (tmp_path / data["$schema"]).read_text() == schema_text(kind)


def test_nothing_written_names_a_url_an_editor_would_fetch(run, tmp_path):
    assert run("init", "ollama", "--config-dir", tmp_path / "json").code == 0
    assert run("init", "ollama", "--config-dir", tmp_path / "yaml", "--source", "yaml").code == 0
    assert run("render", "ollama", "--source", "yaml", "--config-dir", tmp_path / "rendered").code == 0
    for directory in ("json", "yaml", "rendered"):
        for name in os.listdir(tmp_path / directory):
            if not name.endswith(".schema.json"):
                assert "://" not in (tmp_path / directory / name).read_text().replace("http://localhost", ""), name


def test_schema_output_dir_writes_both_schema_files(run, tmp_path):
    target = tmp_path / "config"
    result = run("schema", "--output", target)
    assert (result.code, result.out) == (0, "")
    assert result.err == f"wrote {target / 'credentials.schema.json'}\nwrote {target / 'llm-config.schema.json'}\n"
    assert sorted(os.listdir(target)) == ["credentials.schema.json", "llm-config.schema.json"]
    for kind in KINDS:
        assert (target / SCHEMA_FILES[kind]).read_text() == schema_text(kind)
    assert stat.S_IMODE(os.stat(target).st_mode) == 0o700
    one = run("schema", "llm-config", "--output", target)  # a directory: the file of its name goes in it
    assert (one.code, one.err) == (0, f"wrote {target / 'llm-config.schema.json'}\n")


def test_schema_without_kind_or_output_says_what_to_give(run):
    result = run("schema")
    assert (result.code, result.out) == (2, "")
    assert result.err.startswith(
        "pbcfg: error: give KIND (credentials or llm-config) to print its schema, or "
        "--output DIR to write both schema files"
    )
    assert run("schema", "llm-config", "--out", "x").code == 2  # one spelling: --output, as everywhere


def test_vscode_settings_are_scoped_to_the_directory_and_resolve_offline(run, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert run("init", "ollama", "--config-dir", "team/config").code == 0
    result = run("schema", "--vscode", "team/config")
    assert (result.code, result.err) == (0, "")
    settings = json.loads(result.out)
    assert settings == {
        "json.schemas": [
            {"fileMatch": ["/team/config/credentials.json"], "url": "./team/config/credentials.schema.json"},
            {"fileMatch": ["/team/config/llm-config.json"], "url": "./team/config/llm-config.schema.json"},
        ],
        "yaml.schemas": {
            "./team/config/credentials.schema.json": ["/team/config/credentials.yaml", "/team/config/credentials.yml"],
            "./team/config/llm-config.schema.json": ["/team/config/llm-config.yaml", "/team/config/llm-config.yml"],
        },
    }
    for entry in settings["json.schemas"]:
        assert (tmp_path / entry["url"]).is_file()  # relative to the workspace folder, as VS Code reads it
        assert all("*" not in pattern for pattern in entry["fileMatch"])  # never every credentials.json anywhere
    here = run("schema", "credentials", "--vscode", ".")
    assert json.loads(here.out)["json.schemas"] == [
        {"fileMatch": ["/credentials.json"], "url": "./credentials.schema.json"}
    ]
    assert here.err == "note: . has no credentials.schema.json yet: `pbcfg schema credentials --output .` writes it\n"


def test_vscode_refuses_a_directory_outside_the_workspace(run, tmp_path, monkeypatch):
    (tmp_path / "workspace").mkdir()
    monkeypatch.chdir(tmp_path / "workspace")
    result = run("schema", "--vscode", "../elsewhere")
    assert (result.code, result.out) == (2, "")
    assert result.err.startswith(
        "pbcfg: error: --vscode ../elsewhere: not inside the current directory; run pbcfg "
        "from the workspace folder whose .vscode/settings.json gets these settings"
    )
