"""`pbcfg lint --fix` parses and checks each file twice and reports what it fixed; which finding supersedes which,
and what a fix is, are the catalog's data; one splicer with one rule for overlapping edits serves every edit."""

from __future__ import annotations

import json
import os
from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pbcfg.source import json_edit, yaml_edit
from pbcfg.source.edits import Edit, OverlappingEdits, splice

CREDENTIALS = """{
  "endpoints": {
    "openai-compatible": {
      "enabled": true,
      "apiKey": "ollama",
      "baseUrl": "http://localhost:11434/v1/"
    }
  }
}
"""
LLM_CONFIG = """{
  "endpoints": {
    "openai-compatible": {"enabled": true, "priority": 1}
  },
  "models": {
    "llama3.1:8b": {"displayName": "Llama", "endpoints": ["openai-compatible", "openai-compatible"],
                    "costPer1kTokens": {"input": 0, "output": 0}}
  },
  "tiers": {
    "simple": {"primary": "llama3.1:8b", "fallback": ["gpt-5.2", "llama3.1:8b", "gpt-5.2", "gpt-5.2"]}
  }
}
"""


@pytest.fixture
def config(tmp_path, monkeypatch):
    for name in ("OPENAI_COMPATIBLE_BASE_URL", "OPENAI_COMPATIBLE_API_KEY"):
        monkeypatch.delenv(name, raising=False)
    directory = tmp_path / "config"
    directory.mkdir(mode=0o700)
    (directory / "credentials.json").write_text(CREDENTIALS)
    (directory / "credentials.json").chmod(0o600)
    (directory / "llm-config.json").write_text(LLM_CONFIG)
    return directory


@pytest.fixture
def counted(monkeypatch):
    """Parses and checks per file name, counted at the pipeline's two entry points."""
    from pbcfg.check import pipeline

    counts = {"parsed": Counter(), "checked": Counter()}
    parse, check = pipeline.parse_source, pipeline.check_loading

    def counting_parse(source):
        counts["parsed"][os.path.basename(source.name)] += 1
        return parse(source)

    def counting_check(document, *args, **kwargs):
        counts["checked"][os.path.basename(document.name)] += 1
        return check(document, *args, **kwargs)

    monkeypatch.setattr(pipeline, "parse_source", counting_parse)
    monkeypatch.setattr(pipeline, "check_loading", counting_check)
    return counts


def found(result) -> list[tuple[str, str | None]]:
    return [(d["rule"], d["pointer"]) for d in result.json["diagnostics"]]


def test_lint_fix_parses_and_checks_each_file_twice_and_reports_what_it_wrote(run, config, counted):
    result = run("lint", config, "--fix", "--format", "json")
    twice = {"credentials.json": 2, "llm-config.json": 2}
    assert counted == {"parsed": twice, "checked": twice}
    assert (config / "credentials.json").read_text() == CREDENTIALS.replace("11434/v1/", "11434/v1")
    assert (config / "llm-config.json").read_text() == LLM_CONFIG.replace(
        '"openai-compatible", "openai-compatible"]', '"openai-compatible"]'
    ).replace('["gpt-5.2", "llama3.1:8b", "gpt-5.2", "gpt-5.2"]', '["gpt-5.2"]')
    assert result.err.splitlines()[:2] == [
        f"fixed: edit {config / 'credentials.json'} (1 fix)",
        f"fixed: edit {config / 'llm-config.json'} (4 fixes)",
    ]
    again = run("lint", config, "--format", "json")
    assert found(result) == found(again)
    assert result.code == again.code


def test_plain_lint_parses_and_checks_each_file_once(run, config, counted):
    run("lint", config, "--format", "json")
    once = {"credentials.json": 1, "llm-config.json": 1}
    assert counted == {"parsed": once, "checked": once}


def test_lint_diff_checks_twice_and_reports_the_files_as_they_are(run, config, counted):
    before = run("lint", config, "--format", "json")
    counted["parsed"].clear()
    counted["checked"].clear()
    report = config.parent / "report.json"
    result = run("lint", config, "--diff", "--format", "json", "--output", report)
    twice = {"credentials.json": 2, "llm-config.json": 2}
    assert counted == {"parsed": twice, "checked": twice}
    assert '+      "baseUrl": "http://localhost:11434/v1"\n' in result.out
    assert [(d["rule"], d["pointer"]) for d in json.loads(report.read_text())["diagnostics"]] == found(before)
    assert (config / "llm-config.json").read_text() == LLM_CONFIG


def test_a_refused_fix_costs_one_more_check_and_leaves_its_file_as_it_was(run, config, counted, monkeypatch):
    from pbcfg.lint.rules import url

    monkeypatch.setattr(
        url, "edit_value", lambda document, tokens, value: Edit("set-value", list(tokens), 5, file=document.source.path)
    )  # a number where a URL goes: a schema error
    result = run("lint", config, "--fix", "--format", "json")
    thrice = {"credentials.json": 3, "llm-config.json": 3}
    assert counted == {"parsed": thrice, "checked": thrice}
    assert (config / "credentials.json").read_text() == CREDENTIALS
    assert f"{config / 'credentials.json'}: not fixed, the result would have 1 error instead of 0" in result.err
    assert ("url.trailing-slash", "/endpoints/openai-compatible/baseUrl") in found(result)
    assert ("ref.fallback-repeat", "/tiers/simple/fallback/1") not in found(result)


def test_a_validation_rule_is_fixed_by_the_fix_its_catalog_entry_declares(run, config, monkeypatch):
    from pbcfg import catalog

    monkeypatch.setitem(catalog.RULES, "ref.fallback-repeat", catalog.RULES["ref.fallback-repeat"]._replace(fix=None))
    run("lint", config, "--fix")
    assert '["gpt-5.2", "llama3.1:8b", "gpt-5.2", "gpt-5.2"]' in (config / "llm-config.json").read_text()


def diagnostic(rule: str, pointer: str, hint: str | None = None):
    from pbcfg.catalog import diagnostic

    return diagnostic(rule, "llm-config.json", "m", hint, pointer=pointer)


def test_supersedes_is_read_from_the_catalog(monkeypatch):
    from pbcfg import catalog
    from pbcfg.check.supersede import supersede

    at_url = [
        diagnostic("url.trailing-slash", "/endpoints/e/baseUrl"),
        diagnostic("schema.format", "/endpoints/e/baseUrl"),
        diagnostic("schema.format", "/endpoints/f/baseUrl"),
    ]
    assert supersede(at_url) == at_url
    monkeypatch.setitem(
        catalog.RULES, "url.trailing-slash", catalog.RULES["url.trailing-slash"]._replace(supersedes=("schema.format",))
    )
    assert supersede(at_url) == [at_url[0], at_url[2]]


def test_every_other_keeps_a_root_cause_with_the_superseding_hint():
    from pbcfg.check.supersede import supersede

    key = diagnostic("secrets.key-in-public-field", "/models/m/displayName", "move the key")
    cause = diagnostic("ponybunny.config-refused", "/models/m/displayName", "another hint")
    other = diagnostic("schema.type", "/models/m/displayName")
    elsewhere = diagnostic("schema.type", "/models/n/displayName")
    assert supersede([cause, key, other, elsewhere]) == [cause._replace(hint="move the key"), key, elsewhere]


def test_a_credential_in_llm_config_supersedes_its_unknown_key_only(run, tmp_path):
    path = tmp_path / "llm-config.json"
    path.write_text(
        json.dumps(
            {
                "endpoints": {
                    "my-vllm": {
                        "enabled": True,
                        "protocol": "openai",
                        "priority": 1,
                        "apiKey": "not-needed",
                        "colour": "red",
                    }
                }
            }
        )
    )
    result = run("lint", path, "--select", "schema,secrets", "--format", "json")
    assert [(rule, pointer) for rule, pointer in found(result) if rule.startswith(("schema", "secrets"))] == [
        ("secrets.credential-in-llm-config", "/endpoints/my-vllm/apiKey"),
        ("schema.additionalProperties", "/endpoints/my-vllm/colour"),
    ]


SPANS = st.lists(st.tuples(st.integers(0, 30), st.integers(0, 5), st.text("xyz", max_size=3)), max_size=8)


def overlapping(spans) -> bool:
    for i, (start, end, _) in enumerate(spans):
        for other_start, other_end, _ in spans[i + 1 :]:
            if start < other_end and other_start < end or start == end == other_start == other_end:
                return True
    return False


@pytest.mark.slow
@settings(max_examples=300, deadline=None, derandomize=True, database=None)
@given(text=st.text("abcdefghij", min_size=30, max_size=40), raw=SPANS, order=st.randoms(use_true_random=False))
def test_splice_gives_one_text_in_any_order_and_refuses_every_overlap(text, raw, order):
    spans = [(start, min(start + length, len(text)), replacement) for start, length, replacement in raw]
    shuffled = list(spans)
    order.shuffle(shuffled)
    if overlapping(spans):
        with pytest.raises(OverlappingEdits):
            splice(text, spans)
        with pytest.raises(OverlappingEdits):
            splice(text, shuffled)
        return
    expected, offset = text, 0
    for start, end, replacement in sorted(spans, key=lambda span: span[:2]):
        expected = expected[: start + offset] + replacement + expected[end + offset :]
        offset += len(replacement) - (end - start)
    assert splice(text, spans) == splice(text, shuffled) == expected


CONFIG = {
    "models": {"a": {"displayName": "A", "endpoints": ["e", "f", "g", "h"]}},
    "tiers": {"simple": {"primary": "a", "fallback": ["a", "b", "c"]}},
}


@settings(max_examples=40, deadline=None, derandomize=True, database=None)
@given(
    removed=st.sets(st.integers(0, 3), min_size=1),
    order=st.randoms(use_true_random=False),
    yaml=st.booleans(),
    indent=st.sampled_from([None, 2]),
)
def test_removals_from_one_array_in_any_order_are_one_edit(removed, order, yaml, indent):
    from pbcfg.presets.yamlemit import to_commented_yaml

    edits = [Edit("remove-item", ["models", "a", "endpoints", index]) for index in removed]
    order.shuffle(edits)
    text = to_commented_yaml("llm-config", CONFIG) if yaml else json.dumps(CONFIG, indent=indent)
    after = (yaml_edit if yaml else json_edit).apply_edits(text, edits)
    from ruamel.yaml import YAML

    data = YAML(typ="safe").load(after) if yaml else json.loads(after)
    assert data["models"]["a"]["endpoints"] == [e for i, e in enumerate("efgh") if i not in removed]
    assert data["tiers"] == CONFIG["tiers"]


@pytest.mark.parametrize("module", [json_edit, yaml_edit], ids=["json", "yaml"])
def test_overlapping_edits_are_refused_alike_in_json_and_yaml(module):
    from pbcfg.presets.yamlemit import to_commented_yaml

    text = to_commented_yaml("llm-config", CONFIG) if module is yaml_edit else json.dumps(CONFIG, indent=2)
    with pytest.raises(OverlappingEdits):
        module.apply_edits(
            text,
            [
                Edit("set-value", ["tiers", "simple"], {"primary": "b"}),
                Edit("set-value", ["tiers", "simple", "primary"], "c"),
            ],
        )


def test_every_fix_is_the_one_its_rule_declares(config):
    from pbcfg.catalog import RULES
    from pbcfg.lint.linter import lint_paths
    from pbcfg.lint.settings import find_settings

    result = lint_paths(
        [str(config)],
        config_dir=str(config),
        kind=None,
        settings=find_settings(str(config)),
        env={},
        home=str(config.parent),
    )
    fixes = sorted({(f.diagnostic.rule, f.fix.op) for f in result.findings if f.fix is not None})
    assert fixes == [
        ("ref.fallback-repeat", "remove-item"),
        ("routing.repeated-endpoint", "remove-item"),
        ("url.trailing-slash", "set-value"),
    ]
    assert all(RULES[rule].fix == op for rule, op in fixes)
