"""Editors: each schema's `$id` is the raw-file URL of this repository at the release tag, built from one
constant in pyproject.toml; YAML sources carry it in their modeline; the docs show the same URLs."""

from __future__ import annotations

import json
import tomllib

import pytest

from conftest import REPO
from pbcfg import __version__
from pbcfg.schema_store import SCHEMA_FILES, schema

PROJECT = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]


def expected_id(kind: str) -> str:
    repository = PROJECT["urls"]["Repository"]
    assert repository.startswith("https://github.com/") and repository.count("/") == 4, repository
    raw = repository.replace("https://github.com/", "https://raw.githubusercontent.com/", 1)
    return f"{raw}/v{__version__}/schemas/{SCHEMA_FILES[kind]}"


@pytest.mark.parametrize("kind", sorted(SCHEMA_FILES))
def test_each_schema_id_is_the_raw_url_of_its_file_at_the_release_tag(kind):
    assert schema(kind)["$id"] == expected_id(kind)
    assert json.loads((REPO / "schemas" / SCHEMA_FILES[kind]).read_text())["$id"] == expected_id(kind)


@pytest.mark.parametrize("kind", sorted(SCHEMA_FILES))
def test_yaml_sources_start_with_the_modeline(run, tmp_path, kind):
    assert run("init", "--preset", "vllm", "--config-dir", tmp_path, "--source", "yaml").code == 0
    first = (tmp_path / f"{kind}.yaml").read_text().splitlines()[0]
    assert first == f"# yaml-language-server: $schema={expected_id(kind)}"


def test_the_docs_show_the_same_urls_to_vs_code():
    readme = (REPO / "docs" / "guides" / "editors.md").read_text()
    blocks = [block.split("```", 1)[0] for block in readme.split("```json\n")[1:]]
    settings = json.loads(next(block for block in blocks if '"json.schemas"' in block))
    assert [entry["url"] for entry in settings["json.schemas"]] == [expected_id("credentials"),
                                                                     expected_id("llm-config")]
    assert list(settings["yaml.schemas"]) == [expected_id("credentials"), expected_id("llm-config")]
    for page in (REPO / "README.md", REPO / "docs" / "guides" / "ci.md"):
        text = page.read_text()
        assert f"rev: v{__version__} " in text and f"repo: {PROJECT['urls']['Repository']}\n" in text, page
