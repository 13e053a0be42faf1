"""Every JSON snippet of the seed document, placed in its file."""

from __future__ import annotations

import json
import re

import pytest

from helpers import FIXTURES

SEED = (FIXTURES / "seed" / "OPENAI-COMPATIBLE-ENDPOINTS.md").read_text(encoding="utf-8")
SNIPPETS = re.findall(r"```json\n(.*?)```", SEED, re.S)


def kind_of(snippet: str) -> str:
    return "credentials" if '"apiKey"' in snippet else "llm-config"


def test_the_seed_has_the_snippets_we_expect():
    assert len(SNIPPETS) == 11
    assert [kind_of(s) for s in SNIPPETS] == ["credentials", "llm-config", "llm-config"] + ["credentials"] * 5 + [
        "llm-config",
        "llm-config",
        "credentials",
    ]


@pytest.mark.parametrize("index", [i for i in range(len(SNIPPETS)) if i not in (8, 9)])
def test_snippet_is_valid_in_its_file(run, write, index):
    path = write(f"{kind_of(SNIPPETS[index])}.json", SNIPPETS[index])
    result = run("validate", path, "--format", "json")
    assert (result.code, result.json["diagnostics"]) == (0, [])


def test_the_priority_snippet_has_the_comment_ponybunny_silently_ignores_files_for(run, write):
    path = write("llm-config.json", SNIPPETS[9])
    result = run("validate", path, "--format", "json")
    assert result.code == 1
    assert [(d["rule"], d["line"], d["column"]) for d in result.json["diagnostics"]] == [("json.comment", 4, 22)]


def test_the_agents_snippet_names_an_undated_claude_id_that_no_longer_exists(run, write):
    merged = {**json.loads(SNIPPETS[2]), **json.loads(SNIPPETS[8])}
    result = run("validate", write("llm-config.json", merged), "--format", "json")
    assert result.code == 1
    assert [(d["rule"], d["pointer"], d["hint"]) for d in result.json["diagnostics"]] == [
        ("ref.unknown-model", "/tiers/simple/fallback/0", "did you mean 'claude-haiku-4-5-20251001'?"),
    ]
