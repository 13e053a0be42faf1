"""Schemas, validator, oracle and generated models agree; mutations are caught where they are made."""

from __future__ import annotations

import copy

import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from pbcfg.check.schema_errors import check_schema
from pbcfg.generated import Credentials, LlmConfig
from pbcfg.schema_store import schema, validator
from pbcfg.util.pointer import join
from strategies import instances, walk

MODELS = {"credentials": Credentials, "llm-config": LlmConfig}
KINDS = list(MODELS)
FAST = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True, database=None
)


def mutated(instance, path: tuple, value=None, *, add_key: str | None = None):
    """A deep copy of ``instance`` with the value at ``path`` replaced, or ``add_key`` added to it."""
    copied = copy.deepcopy(instance)
    target = copied
    for token in path if add_key else path[:-1]:
        target = target[token]
    if add_key:
        target[add_key] = 1
    else:
        target[path[-1]] = value
    return copied


def diagnostics_of(kind: str, data):
    import json

    from pbcfg.source.document import Document
    from pbcfg.source.reading import Source

    text = json.dumps(data, indent=2)
    return check_schema(Document(Source("f.json", "f.json", kind, text), data, text))


@pytest.mark.parametrize("kind", KINDS)
def test_our_schemas_are_valid_draft_2020_12(kind):
    jsonschema.Draft202012Validator.check_schema(schema(kind))


@pytest.mark.parametrize("kind", KINDS)
@FAST
@given(data=st.data())
def test_valid_instances_pass_the_validator_the_oracle_and_the_models(kind, data):
    instance = data.draw(instances(kind))
    assert list(validator(kind).iter_errors(instance)) == []
    assert list(jsonschema.Draft202012Validator(schema(kind)).iter_errors(instance)) == []
    MODELS[kind].model_validate(instance)


@pytest.mark.parametrize("kind", KINDS)
@FAST
@given(data=st.data())
def test_an_unknown_key_is_rejected_with_a_pointer_to_it(kind, data):
    instance = data.draw(instances(kind))
    closed = [
        path
        for path, value, node in walk(kind, instance)
        if isinstance(value, dict) and node.get("additionalProperties") is False
    ]
    path = data.draw(st.sampled_from(closed))
    changed = mutated(instance, path, add_key="zzUnknownKey")
    found = [(d.rule, d.pointer) for d in diagnostics_of(kind, changed)]
    assert ("schema.additionalProperties", join(path + ("zzUnknownKey",))) in found
    with pytest.raises(ValueError):
        MODELS[kind].model_validate(changed)


@pytest.mark.parametrize("kind", KINDS)
@FAST
@given(data=st.data())
def test_a_wrong_type_is_rejected_with_a_pointer_to_it(kind, data):
    instance = data.draw(instances(kind))
    leaves = [
        path
        for path, value, node in walk(kind, instance)
        if path and not isinstance(value, (dict, list)) and path[-1] != "$schema"
    ]
    if not leaves:
        return
    path = data.draw(st.sampled_from(leaves))
    changed = mutated(instance, path, [[]])
    assert join(path) in {d.pointer for d in diagnostics_of(kind, changed)}
    with pytest.raises(ValueError):
        MODELS[kind].model_validate(changed)


@FAST
@given(data=st.data())
def test_a_bad_enum_value_is_rejected_naming_the_allowed_values(data):
    instance = data.draw(instances("llm-config"))
    enums = [path for path, value, node in walk("llm-config", instance) if "enum" in node]
    if not enums:
        return
    path = data.draw(st.sampled_from(enums))
    found = {d.pointer: d for d in diagnostics_of("llm-config", mutated(instance, path, "zz-not-allowed"))}
    assert found[join(path)].rule == "schema.enum"
    assert found[join(path)].message.startswith('"zz-not-allowed" is not allowed; allowed values: ')


def test_known_gap_models_do_not_enforce_unique_items():
    """datamodel-code-generator drops uniqueItems; `pbcfg codegen` says so, and this pins the gap."""
    instance = {
        "models": {
            "m": {
                "displayName": "M",
                "endpoints": ["openai-direct"],
                "capabilities": ["text", "text"],
                "costPer1kTokens": {"input": 0, "output": 0},
            }
        }
    }
    assert [d.rule for d in diagnostics_of("llm-config", instance)] == ["schema.uniqueItems"]
    LlmConfig.model_validate(instance)


def test_models_enforce_the_url_pattern_and_accept_what_fetch_accepts():
    with pytest.raises(ValidationError):
        LlmConfig.model_validate({"endpoints": {"openai-compatible": {"baseUrl": "ftp://host/v1"}}})
    for url in ("HTTP://LOCALHOST:8000/v1", "http://bücher.example/v1", "http://[::1]:8000/v1/"):
        instance = {"endpoints": {"openai-compatible": {"baseUrl": url}}}
        assert diagnostics_of("llm-config", instance) == []
        assert LlmConfig.model_validate(instance).endpoints.openai_compatible.baseUrl == url


def test_codegen_check_passes_and_names_what_the_models_drop(run):
    result = run("codegen", "--check")
    assert result.code == 0
    assert "generated/ is up to date" in result.err
    assert result.err.splitlines() == [
        "note: llm_config.py: uniqueItems at /$defs/modelOverride/properties/capabilities is not enforced by the "
        "models (lists, not sets)",
        "generated/ is up to date",
    ]


def test_codegen_check_fails_with_a_diff_when_generated_is_stale(run, monkeypatch, tmp_path):
    from pbcfg.util import resources

    real = resources.resource_dir

    def fake(name):
        return str(tmp_path) if name == "generated" else real(name)

    (tmp_path / "__init__.py").write_text("stale\n")
    monkeypatch.setattr(resources, "resource_dir", fake)
    result = run("codegen", "--check")
    assert result.code == 1
    assert "-stale\n" in result.out and "+++ generated/credentials.py (from schemas/)" in result.out


def test_codegen_check_fails_when_only_the_generated_validators_are_stale(run, monkeypatch, tmp_path):
    import shutil

    from pbcfg.util import resources

    real = resources.resource_dir
    shutil.copytree(real("generated"), tmp_path / "generated")
    validators = tmp_path / "generated" / "validators.py"
    validators.write_text(validators.read_text().replace("_BIG = 2 ** 53", "_BIG = 2 ** 64"))  # looser by hand
    monkeypatch.setattr(
        resources, "resource_dir", lambda name: str(tmp_path / name) if name == "generated" else real(name)
    )
    result = run("codegen", "--check")
    assert result.code == 1
    assert "+++ generated/validators.py (from schemas/)" in result.out
    assert "-_BIG = 2 ** 64\n+_BIG = 2 ** 53\n" in result.out
    assert "generated/credentials.py" not in result.out and "generated/__init__.py" not in result.out


def test_load_returns_the_generated_models_and_raises_on_errors(write, tmp_path):
    import pbcfg
    from pbcfg.errors import InvalidConfigError

    write(
        "llm-config.json",
        {
            "models": {
                "m": {"displayName": "M", "endpoints": ["openai-direct"], "costPer1kTokens": {"input": 0, "output": 0}}
            }
        },
    )
    loaded = pbcfg.load(tmp_path)
    assert isinstance(loaded.llm_config, LlmConfig) and loaded.credentials is None
    assert loaded.llm_config.models.model_extra["m"].endpoints[0].root == "openai-direct"
    write("llm-config.json", {"defaults": {"timeout": 1}})
    with pytest.raises(InvalidConfigError) as raised:
        pbcfg.load(tmp_path)
    assert [(d.rule, d.pointer) for d in raised.value.diagnostics] == [("schema.minimum", "/defaults/timeout")]
