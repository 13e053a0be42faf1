"""Each schema's `$id` is the raw-file URL of this repository at the release tag, built from one constant in
pyproject.toml. It is an identifier only: nothing an editor must fetch points at it (YAML modelines and `$schema`
name the schema file beside the config; tests/presets/test_editor_schemas.py)."""

from __future__ import annotations

import json
import tomllib

import pytest

from helpers import REPO
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


def test_the_readme_and_the_ci_guide_pin_the_hook_to_the_release_tag():
    for page in (REPO / "README.md", REPO / "docs" / "guides" / "ci.md"):
        text = page.read_text()
        assert f"rev: v{__version__} " in text and f"repo: {PROJECT['urls']['Repository']}\n" in text, page
