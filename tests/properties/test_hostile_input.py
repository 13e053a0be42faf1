"""Hostile input: whatever the bytes, every command ends with 0, 1 or 2, one clear message, no traceback.

Runs a bounded number of examples with a fixed seed in CI; `make fuzz` runs many more.
"""

from __future__ import annotations

import json
import os

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pbcfg.source.limits import MAX_BYTES
from strategies import huge_numbers, json_strings_with_surrogates, nested

EXAMPLES = int(os.environ.get("PBCFG_FUZZ_EXAMPLES", "40"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)

VALID = json.dumps(
    {
        "endpoints": {"openai-compatible": {"enabled": True, "priority": 1}},
        "models": {
            "m": {"displayName": "M", "endpoints": ["openai-compatible"], "costPer1kTokens": {"input": 0, "output": 0}}
        },
        "tiers": {"simple": {"primary": "m", "fallback": ["gpt-5.2"]}},
    },
    indent=2,
).encode()


def mutations():
    """Valid configs bent out of shape: truncated, spliced, with bytes flipped or inserted; nesting around the limit,
    half surrogate pairs and numbers no field can mean (tests/strategies.py)."""
    return st.one_of(
        st.integers(0, len(VALID)).map(lambda n: VALID[:n]),
        st.tuples(st.integers(0, len(VALID)), st.binary(max_size=8)).map(
            lambda t: VALID[: t[0]] + t[1] + VALID[t[0] :]
        ),
        st.tuples(st.integers(0, len(VALID) - 1), st.integers(0, 255)).map(
            lambda t: VALID[: t[0]] + bytes([t[1]]) + VALID[t[0] + 1 :]
        ),
        nested().map(lambda case: ('{"defaults": ' + case[1] + "}").encode()),
        json_strings_with_surrogates().map(lambda literal: ('{"models": {' + literal + ": {}}}").encode()),
        huge_numbers().map(lambda number: ('{"defaults": {"timeout": ' + number + "}}").encode()),
        st.sampled_from(
            [
                b"\xef\xbb\xbf" + VALID,
                VALID.replace(b"0,", b"NaN,"),
                VALID.replace(b"1,", b"1" * 5000 + b","),
                VALID.replace(b'"M"', b'"' + b"x" * 200_000 + b'"'),
                b'{"a": 1, "a": 2}',
                b"[" * 100_000,
                b"\xff\xfe\x00",
                b"// only a comment",
            ]
        ),
    )


YAML_INPUTS = st.sampled_from(
    [
        b"a: &a [1, 2]\nb: &b [*a, *a, *a, *a]\nc: &c [*b, *b, *b, *b]\nd: [*c, *c, *c, *c, *c]\n",
        b"endpoints: !!python/object:os.system {}\n",
        b"defaults: {timeout: !!float nan}\n",
        b"? [1, 2]\n: x\n",
        b"models:\n  m: {displayName: M, endpoints: [x], costPer1kTokens: {input: 0, output: 0}}\n  m: {}\n",
        b"\t- broken: [\n",
        b"tiers: 2026-02-07\n",
        b"%YAML 1.1\n---\na: 1\n---\nb: 2\n",
    ]
)


def check_outcome(result):
    assert result.code in (0, 1, 2), (result.code, result.err)
    assert "internal error" not in result.err and "Traceback" not in result.err + result.out


@FUZZ
@given(data=st.one_of(st.binary(max_size=300), mutations()))
@pytest.mark.parametrize("command", ["validate", "lint", "migrate-diff"])
def test_json_commands_survive_anything(run, tmp_path, command, data):
    path = tmp_path / "llm-config.json"
    path.write_bytes(data)
    args = ["migrate", path, "--diff"] if command == "migrate-diff" else [command, path, "--format", "json"]
    result = run(*args)
    check_outcome(result)
    if command != "migrate-diff" and result.code == 1:
        for diagnostic in result.json["diagnostics"]:
            if diagnostic["rule"].startswith(("json.", "yaml.", "limits.")):
                assert diagnostic["line"] is not None and diagnostic["column"] is not None, diagnostic


@FUZZ
@given(data=st.one_of(YAML_INPUTS, st.binary(max_size=200)))
def test_yaml_sources_and_build_survive_anything(run, tmp_path, data):
    (tmp_path / "src").mkdir(exist_ok=True)
    (tmp_path / "src" / "llm-config.yaml").write_bytes(data)
    for args in (
        ["validate", tmp_path / "src" / "llm-config.yaml"],
        ["build", tmp_path / "src", "--config-dir", tmp_path / "out"],
    ):
        check_outcome(run(*args))


@FUZZ
@given(value=st.text(max_size=300))
def test_render_survives_any_parameter_value(run, value):
    for args in (
        ["render", "ollama", "--base-url", value],
        ["render", "vllm", "--model", value, "--api-key", value],
        ["render", "ollama", "--endpoint-id", value],
        ["render", "ollama", "--set", value],
        ["render", "ollama", "--tier", value],
    ):
        check_outcome(run(*args))


def test_the_input_limits_and_their_messages(run, tmp_path):
    big = tmp_path / "llm-config.json"
    with open(big, "wb") as handle:
        handle.truncate(100 * 1024 * 1024)  # a 100 MB file
    result = run("validate", big)
    assert (result.code, result.err) == (
        2,
        f"pbcfg: error: {big}: larger than {MAX_BYTES // (1024 * 1024)} MiB "
        "(limits.file-size); no PonyBunny config is this big, so pbcfg does not "
        "read it\n",
    )
    deep = tmp_path / "deep" / "llm-config.json"
    deep.parent.mkdir()
    deep.write_text("[" * 100_000)
    result = run("validate", deep, "--format", "json")
    assert result.code == 1
    assert [(d["rule"], d["line"], d["column"], d["message"]) for d in result.json["diagnostics"]] == [
        (
            "limits.depth",
            1,
            129,
            "more than 128 nested objects and arrays: pbcfg reads at most 128; no PonyBunny "
            "config nests more than a few levels",
        )
    ]
    huge = tmp_path / "huge" / "llm-config.json"
    huge.parent.mkdir()
    huge.write_text('{"defaults": {"timeout": ' + "9" * 5000 + "}}")
    result = run("validate", huge, "--format", "json")
    assert [(d["rule"], d["column"], d["message"].split(":")[0]) for d in result.json["diagnostics"]] == [
        ("json.syntax", 26, "number with 5000 digits; at most 4300 are accepted")
    ]


ANY_BASE_URL = st.one_of(
    st.sampled_from(
        [
            "http://[sk-Hn4tR8vQz2Lw6Yp9Bx3MaaaaXX]/v1",
            "http://[::1/v1",
            "http://]x[/v1",
            "http://[1:2:3]/",
            "http://host:99999/v1",
            "http://host:-1/v1",
            "http://host:80a/v1",
            "http://[::1]x/v1",
            "http://u:p@[zz]:8/v1",
            "https://[v1.x]/",
        ]
    ),
    st.text(st.sampled_from("htp:/[]@:9a.-v1?#%"), max_size=30),
)


@FUZZ
@given(url=ANY_BASE_URL)
def test_any_base_url_in_the_environment_or_the_files_never_ends_lint_with_an_internal_error(run, tmp_path, url):
    """OPENAI_COMPATIBLE_BASE_URL=http://[sk-…]/v1, or any other base URL, ends lint with a finding or none, never an
    internal error."""
    (tmp_path / "llm-config.json").write_text(VALID.decode())
    (tmp_path / "credentials.json").write_text(
        json.dumps({"endpoints": {"openai-compatible": {"apiKey": "Zq81mKq0aa77Pw", "baseUrl": url}}})
    )
    os.environ["OPENAI_COMPATIBLE_BASE_URL"] = url
    try:
        results = [run(command, str(tmp_path)) for command in ("lint", "validate")]
    finally:
        del os.environ["OPENAI_COMPATIBLE_BASE_URL"]
    for result in results:
        assert result.code in (0, 1), result.err
        assert "internal error" not in result.err and "Traceback" not in result.err + result.out


def test_a_key_in_the_brackets_of_an_environment_base_url_is_neither_a_crash_nor_shown(run, tmp_path, monkeypatch):
    key = "sk-Hn4tR8vQz2Lw6Yp9Bx3MaaaaXX"
    (tmp_path / "llm-config.json").write_text(VALID.decode())
    (tmp_path / "credentials.json").write_text(json.dumps({"endpoints": {"openai-compatible": {"apiKey": "ollama"}}}))
    monkeypatch.setenv("OPENAI_COMPATIBLE_BASE_URL", f"http://[{key}]/v1")
    result = run("lint", str(tmp_path))
    assert result.code in (0, 1) and "internal error" not in result.err
    assert "Hn4tR8" not in result.out + result.err
