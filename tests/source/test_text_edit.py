"""The text edits behind add, rename and remove (source/json_edit.py, source/yaml_edit.py): on any ids, each edit
gives exactly the data it means, keeps the order of keys, and (YAML) keeps every comment it does not remove."""

from __future__ import annotations

import copy
import json
import os

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pbcfg.presets.yamlemit import to_commented_yaml
from pbcfg.source import json_edit, yaml_edit

IDS = st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc", "Zl", "Zp")), min_size=1, max_size=10)
CONFIGS = st.dictionaries(IDS, st.lists(IDS, min_size=1, max_size=3), min_size=1, max_size=4).map(
    lambda models: {
        "models": {
            model: {"displayName": f"{model} (test)", "endpoints": endpoints} for model, endpoints in models.items()
        },
        "tiers": {"simple": {"primary": next(iter(models)), "fallback": list(models)[1:]}},
    }
)
EXAMPLES = int(os.environ.get("PBCFG_FUZZ_EXAMPLES", 40))


def load(text: str, is_yaml: bool):
    if is_yaml:
        from ruamel.yaml import YAML

        return json.loads(json.dumps(YAML(typ="safe").load(text)))
    return json.loads(text)


def comments(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.lstrip().startswith("#")]


def renamed(mapping: dict, old: str, new: str) -> dict:
    return {new if key == old else key: value for key, value in mapping.items()}


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(config=CONFIGS, new_id=IDS, data=st.data())
def test_each_edit_means_exactly_its_change(config, new_id, data):
    model = data.draw(st.sampled_from(sorted(config["models"])), label="model")
    index = data.draw(st.integers(0, len(config["models"][model]["endpoints"]) - 1), label="index")
    entry = {"displayName": new_id, "endpoints": [new_id, model]}
    expected = copy.deepcopy(config)
    edits = {
        "rename": (
            lambda m, t: m.rename_key(t, ["models", model], new_id),
            {**expected, "models": renamed(expected["models"], model, new_id)},
        ),
        "remove member": (
            lambda m, t: m.remove_member(t, ["models", model]),
            {**expected, "models": {k: v for k, v in expected["models"].items() if k != model}},
        ),
        "remove item": (lambda m, t: m.remove_item(t, ["models", model, "endpoints", index]), None),
        "replace": (lambda m, t: m.replace_value(t, ["tiers", "simple", "fallback"], [new_id, model]), None),
        "set": (lambda m, t: m.set_member(t, ["models"], new_id, entry), None),
        "set deep": (
            lambda m, t: m.set_member(t, ["agents", "execution"], "primary", new_id),
            {**expected, "agents": {"execution": {"primary": new_id}}},
        ),
    }
    item_removed = copy.deepcopy(config)
    del item_removed["models"][model]["endpoints"][index]
    edits["remove item"] = (edits["remove item"][0], item_removed)
    replaced = copy.deepcopy(config)
    replaced["tiers"]["simple"]["fallback"] = [new_id, model]
    edits["replace"] = (edits["replace"][0], replaced)
    added = copy.deepcopy(config)
    added["models"][new_id] = entry
    edits["set"] = (edits["set"][0], added)
    name = data.draw(st.sampled_from(sorted(edits)), label="edit")
    edit, result = edits[name]
    if name == "rename" and new_id in config["models"] and new_id != model:
        return  # rename refuses a taken id before it edits
    for module, text in (
        (json_edit, json.dumps(config, indent=2, ensure_ascii=False) + "\n"),
        (json_edit, json.dumps(config, ensure_ascii=False)),
        (yaml_edit, to_commented_yaml("llm-config", config)),
    ):
        after = edit(module, text)
        is_yaml = module is yaml_edit
        assert json.dumps(load(after, is_yaml)) == json.dumps(result), (name, module.__name__, after)
        if is_yaml and name not in ("remove member", "set deep"):
            assert comments(after) == comments(text)


YAML = """# top
models:
  # about a
  a:
    displayName: A  # inline a
    endpoints:
      - e1
      - e2
  # about b
  b:
    displayName: B
    endpoints: [e1]   # flow
  # about c
  c:
    displayName: C
# about tiers
tiers:
  simple: {primary: a, fallback: [b, c]}
"""


def test_yaml_removal_takes_the_comment_above_an_entry_and_leaves_the_next_ones():
    assert yaml_edit.remove_member(YAML, ["models", "a"]) == YAML.replace(
        "  # about a\n  a:\n    displayName: A  # inline a\n    endpoints:\n      - e1\n      - e2\n", ""
    )
    assert yaml_edit.remove_member(YAML, ["models", "c"]) == YAML.replace("  # about c\n  c:\n    displayName: C\n", "")
    assert yaml_edit.remove_item(YAML, ["models", "a", "endpoints", 0]) == YAML.replace("      - e1\n", "")
    assert yaml_edit.remove_item(YAML, ["models", "b", "endpoints", 0]) == YAML.replace("[e1]   # flow", "[]   # flow")
    assert yaml_edit.remove_item(YAML, ["tiers", "simple", "fallback", 1]) == YAML.replace("[b, c]", "[b]")
    assert yaml_edit.remove_member(YAML, ["tiers", "simple", "primary"]) == YAML.replace("primary: a, ", "")


def test_yaml_values_keep_their_style_and_new_keys_get_quoted_only_when_they_must():
    assert yaml_edit.replace_value(YAML, ["models", "a", "endpoints"], ["e1", "e2", "e3"]) == YAML.replace(
        "      - e2\n", "      - e2\n      - e3\n"
    )
    assert yaml_edit.replace_value(YAML, ["tiers", "simple", "primary"], "llama3.1:8b") == YAML.replace(
        "primary: a,", "primary: llama3.1:8b,"
    )
    assert yaml_edit.rename_key(YAML, ["models", "a"], "x: y") == YAML.replace("  a:\n", '  "x: y":\n')
    assert yaml_edit.rename_key(YAML, ["models", "a"], "yes") == YAML.replace("  a:\n", '  "yes":\n')
    assert yaml_edit.set_member(
        YAML, ["models"], "d", {"displayName": "big (vllm)", "endpoints": ["e1"]}
    ) == YAML.replace(
        "    displayName: C\n", "    displayName: C\n  d:\n    displayName: big (vllm)\n    endpoints: [e1]\n"
    )
    assert yaml_edit.set_member(YAML, ["tiers", "simple"], "x", True) == YAML.replace("[b, c]}", "[b, c], x: true}")


class Edit:
    def __init__(self, op: str, tokens: list, value: object = None) -> None:
        self.op, self.tokens, self.value = op, tokens, value


MANY = {
    "models": {name: {"displayName": name, "endpoints": ["e1", "e2"]} for name in ("m1", "m2", "m3")},
    "tiers": {f"t{i}": {"primary": "m1", "fallback": ["m2", "m1"]} for i in range(20)},
}


def one_by_one(module, text: str, edits: list[Edit]) -> str:
    for edit in edits:
        text = module.apply_edits(text, [edit])
    return text


def test_many_edits_at_once_equal_the_same_edits_one_by_one():
    rename = [
        Edit("rename-key", ["models", "m1"], "big"),
        *[Edit("set-value", ["tiers", f"t{i}", "primary"], "big") for i in range(20)],
        *[Edit("set-value", ["tiers", f"t{i}", "fallback", 1], "big") for i in range(20)],
    ]
    expected = json.loads(
        json.dumps(MANY).replace('"m1"', '"big"').replace('"displayName": "big"', '"displayName": "m1"')
    )
    for module, text in (
        (json_edit, json.dumps(MANY, indent=2)),
        (json_edit, json.dumps(MANY)),
        (yaml_edit, to_commented_yaml("llm-config", MANY)),
    ):
        at_once = module.apply_edits(text, rename)
        assert at_once == one_by_one(module, text, rename)
        assert json.dumps(load(at_once, module is yaml_edit)) == json.dumps(expected)


def test_edits_that_touch_are_made_one_after_the_other():
    touching = [
        Edit("remove-item", ["tiers", "t0", "fallback", 1]),
        Edit("remove-item", ["tiers", "t0", "fallback", 0]),
        Edit("remove-member", ["models", "m2"]),
        Edit("remove-member", ["models", "m3"]),
    ]
    expected = copy.deepcopy(MANY)
    expected["tiers"]["t0"]["fallback"] = []
    expected["models"] = {"m1": MANY["models"]["m1"]}
    for module, text in (
        (json_edit, json.dumps(MANY, indent=2)),
        (json_edit, json.dumps(MANY)),
        (yaml_edit, to_commented_yaml("llm-config", MANY)),
    ):
        after = module.apply_edits(text, touching)
        assert after == one_by_one(module, text, touching)
        assert json.dumps(load(after, module is yaml_edit)) == json.dumps(expected)
