"""`pbcfg validate`: exact rules, pointers and positions, exit codes, output shapes."""

from __future__ import annotations

import os

import pytest

from helpers import PONYBUNNY

BROKEN_LLM_CONFIG = """\
{
  "endpoints": {
    "openai-compatible": {
      "priorty": 1,
      "protocol": "opnai",
      "baseUrl": "localhost:8000"
    },
    "my-server": {"enabled": true, "protocol": "openai"}
  },
  "models": {
    "llama3.1:8b": {"displayName": "L", "endpoints": ["openai-compatable"], "costPer1kTokens": {"input": 0, "output": 0}},
    "org/model~v1": {"displayName": "x", "endpoints": ["openai-compatible"], "costPer1kTokens": {"input": -1, "output": 0}}
  },
  "tiers": {"simple": {"primary": "claude-haiku-4-5", "fallback": "gpt-4o"}},
  "agents": {"planning": {"primary": "gpt-5.2", "fallback": ["gpt-5.2", "gemini-2.0-pro", "gemini-2.0-pro"]}},
  "defaults": {"timeout": 10}
}
"""


def found(result):
    return [(d["rule"], d["pointer"], d["line"], d["column"]) for d in result.json["diagnostics"]]


def test_every_error_has_its_rule_pointer_line_and_column(run, write):
    path = write("llm-config.json", BROKEN_LLM_CONFIG)
    result = run("validate", path, "--format", "json")
    assert result.code == 1
    assert found(result) == [
        ("schema.additionalProperties", "/endpoints/openai-compatible/priorty", 4, 7),
        ("schema.enum", "/endpoints/openai-compatible/protocol", 5, 19),
        ("schema.format", "/endpoints/openai-compatible/baseUrl", 6, 18),
        ("schema.required", "/endpoints/my-server", 8, 5),
        ("ref.unknown-endpoint", "/models/llama3.1:8b/endpoints/0", 11, 55),
        ("schema.minimum", "/models/org~1model~0v1/costPer1kTokens/input", 12, 107),
        ("ref.unknown-model", "/tiers/simple/primary", 14, 35),
        ("schema.type", "/tiers/simple/fallback", 14, 67),
        ("ref.fallback-repeat", "/agents/planning/fallback/0", 15, 62),
        ("ref.fallback-repeat", "/agents/planning/fallback/2", 15, 91),
        ("schema.minimum", "/defaults/timeout", 16, 27),
    ]
    assert result.json["summary"] == {"files": 1, "errors": 9, "warnings": 2, "infos": 0}


def test_messages_say_what_to_do(run, write):
    path = write("llm-config.json", BROKEN_LLM_CONFIG)
    by_pointer = {d["pointer"]: d for d in run("validate", path, "--format", "json").json["diagnostics"]}
    assert by_pointer["/endpoints/openai-compatible/priorty"]["hint"] == "did you mean 'priority'?"
    enum = by_pointer["/endpoints/openai-compatible/protocol"]
    assert enum["message"] == '"opnai" is not allowed; allowed values: anthropic, openai, gemini, codex'
    assert enum["hint"] == "did you mean 'openai'?"
    assert by_pointer["/endpoints/my-server"]["hint"] == "custom endpoint needs: enabled, protocol, priority"
    assert by_pointer["/models/llama3.1:8b/endpoints/0"]["hint"] == "did you mean 'openai-compatible'?"
    assert by_pointer["/tiers/simple/primary"]["hint"] == "did you mean 'claude-haiku-4-5-20251001'?"
    assert by_pointer["/tiers/simple/fallback"]["hint"] == (
        f'write it as an array: ["gpt-4o"] (`pbcfg migrate {path.parent}` does this)'
    )
    assert by_pointer["/defaults/timeout"]["message"] == "must be ≥ 1000, found 10"


def test_text_output_is_file_line_col_severity_rule_message_snippet_hint(run, write):
    path = write("llm-config.json", '{"defaults": {"timeout": 10}}\n')
    result = run("validate", path, "--no-color")
    assert result.code == 1
    assert result.out == (
        f"{path}:1:26: error schema.minimum must be ≥ 1000, found 10\n"
        '    {"defaults": {"timeout": 10}}\n'
        "                             ^\n"
        "  hint: timeout is in milliseconds: 10 means 10 ms; for 10 seconds write 10000\n"
        "1 file checked: 1 error, 0 warnings, 0 infos\n"
    )


def test_ponybunny_example_files_are_valid(run):
    result = run("validate", PONYBUNNY / "credentials.example.json", PONYBUNNY / "llm-config.example.json")
    assert (result.code, result.out) == (0, "2 files checked: 0 errors, 0 warnings, 0 infos\n")


def test_bundled_examples_are_valid(run):
    from helpers import REPO

    assert run("validate", REPO / "examples").code == 0


def test_credentials_built_in_ids_admit_only_their_fields(run, write):
    path = write(
        "credentials.json",
        {
            "endpoints": {
                "openai-compatible": {"enabled": True, "apiKey": "x", "baseUrl": "http://h:1/v1", "region": "eu"},
                "my-box": {"apiKey": "x", "region": "eu"},
                "codex": {"enabled": True, "apiKey": "x"},
            }
        },
    )
    result = run("validate", path, "--format", "json")
    assert [(d["rule"], d["pointer"], d["hint"]) for d in result.json["diagnostics"]] == [
        (
            "schema.additionalProperties",
            "/endpoints/openai-compatible/region",
            "endpoint 'openai-compatible' takes only: enabled, apiKey, baseUrl",
        ),
        ("schema.additionalProperties", "/endpoints/codex/apiKey", "endpoint 'codex' takes only: enabled"),
    ]


def test_typo_keys_in_credentials_are_caught_with_a_suggestion(run, write):
    path = write("credentials.json", '{"endpoints": {"openai-direct": {"baseURL": "http://x/v1", "api_key": "k"}}}')
    result = run("validate", path, "--format", "json")
    assert [(d["pointer"], d["line"], d["column"], d["hint"]) for d in result.json["diagnostics"]] == [
        (
            "/endpoints/openai-direct/baseURL",
            1,
            34,
            f"did you mean 'baseUrl'? (`pbcfg migrate {path.parent}` renames it)",
        ),
        (
            "/endpoints/openai-direct/api_key",
            1,
            60,
            f"did you mean 'apiKey'? (`pbcfg migrate {path.parent}` renames it)",
        ),
    ]


def test_urls_are_really_checked(run, write):
    path = write(
        "credentials.json",
        {
            "endpoints": {
                "openai-compatible": {"baseUrl": "ftp://host/v1"},
                "openai-direct": {"baseUrl": ""},
                "anthropic-direct": {"baseUrl": "http://"},
            }
        },
    )
    result = run("validate", path, "--format", "json")
    assert [(d["rule"], d["pointer"]) for d in result.json["diagnostics"]] == [
        ("schema.format", "/endpoints/openai-compatible/baseUrl"),
        ("schema.format", "/endpoints/anthropic-direct/baseUrl"),
    ]


def test_secret_values_are_masked_in_messages(run, write):
    path = write("credentials.json", {"endpoints": {"openai-direct": {"apiKey": 1234567890123456789}}})
    result = run("validate", path, "--format", "json")
    assert "1234567890123456789" not in result.out
    assert [(d["rule"], d["message"]) for d in result.json["diagnostics"]] == [
        (
            "ponybunny.credentials-refused",
            "PonyBunny will refuse credentials.json, so none of its keys are used: expected a string, found an integer",
        )
    ]


def test_cross_file_check_runs_when_both_files_of_a_directory_are_checked(run, write, tmp_path):
    write("credentials.json", {"endpoints": {"my-vllm": {"apiKey": "EMPTY"}, "my-box": {"apiKey": "x"}}})
    write("llm-config.json", {"endpoints": {"my-vllm": {"enabled": True, "protocol": "openai", "priority": 2}}})
    result = run("validate", tmp_path, "--format", "json")
    assert [(d["rule"], d["file"], d["pointer"], d["line"], d["column"]) for d in result.json["diagnostics"]] == [
        ("ref.undefined-endpoint", str(tmp_path / "credentials.json"), "/endpoints/my-box", 6, 5),
    ]
    assert run("validate", tmp_path / "credentials.json").code == 0


def test_no_path_means_the_config_directory(run, write, tmp_path, monkeypatch):
    write("llm-config.json", {"defaults": {"maxTokens": 0}})
    monkeypatch.setenv("PONYBUNNY_CONFIG_DIR", str(tmp_path))
    result = run("validate", "--format", "json")
    assert [d["pointer"] for d in result.json["diagnostics"]] == ["/defaults/maxTokens"]
    other = tmp_path / "elsewhere"
    other.mkdir()
    assert run("validate", "--config-dir", other).code == 2


@pytest.mark.parametrize(
    "content, expected",
    [
        ('{"$schema": "./credentials.schema.json", "endpoints": {}}', 0),
        ('{"$schema": "./llm-config.schema.json", "endpoints": 1}', 1),
    ],
)
def test_kind_comes_from_schema_key_when_the_name_does_not_tell(run, write, content, expected):
    assert run("validate", write("mine.json", content)).code == expected


def test_unknown_kind_is_a_usage_error_naming_the_file(run, write):
    path = write("mine.json", "{}")
    result = run("validate", path)
    assert result.code == 2
    assert result.err == (
        f"pbcfg: error: {path}: cannot tell whether this is credentials or llm-config from its "
        "name or $schema; pass --kind credentials or --kind llm-config\n"
    )
    assert run("validate", path, "--kind", "llm-config").code == 0


def test_missing_file_exits_2_with_one_line(run, tmp_path):
    result = run("validate", tmp_path / "llm-config.json")
    assert (result.code, result.err) == (
        2,
        f"pbcfg: error: {tmp_path / 'llm-config.json'}: no such file; check the "
        "path (a directory stands for its PonyBunny files)\n",
    )


@pytest.mark.parametrize("command", ["validate", "lint"])
def test_an_empty_path_is_a_usage_error(run, command):
    result = run(command, "")
    assert (result.code, result.err) == (2, "pbcfg: error: an empty path was given; pass a file or a directory\n")


def test_unreadable_file_exits_2(run, write, monkeypatch):
    path = write("llm-config.json", "{}")
    path.chmod(0)
    if os.geteuid() == 0:  # root reads any file: make the open fail as it would for a user
        real_open = os.open

        def denied(target, *args, **kwargs):
            if os.fspath(target) == str(path):
                raise PermissionError(13, "Permission denied")
            return real_open(target, *args, **kwargs)

        monkeypatch.setattr(os, "open", denied)
    result = run("validate", path)
    assert (result.code, result.err) == (
        2,
        f"pbcfg: error: {path}: permission denied; check the file's owner and mode\n",
    )


def test_not_utf8_exits_2_with_position(run, write):
    path = write("llm-config.json", b'{\n  "x": "\xff"}')
    result = run("validate", path)
    assert (result.code, result.err) == (
        2,
        f"pbcfg: error: {path}:2:9: not valid UTF-8 (byte 0xff); save the file as UTF-8\n",
    )


def test_unknown_command_suggests(run):
    result = run("valdate")
    assert result.code == 2
    assert "no command 'valdate'; did you mean 'validate'?" in result.err


@pytest.mark.parametrize("content, expected", [("null", ("schema.type", "", 1, 1)), ("", ("json.syntax", None, 1, 1))])
def test_a_file_that_is_not_an_object_is_an_error(run, write, content, expected):
    result = run("validate", write("llm-config.json", content), "--format", "json")
    assert result.code == 1
    assert [(d["rule"], d["pointer"], d["line"], d["column"]) for d in result.json["diagnostics"]] == [expected]


@pytest.mark.parametrize("name", ["credentials.schema.json", "llm-config.schema.json"])
def test_example_schema_copies_match_the_schemas(name):
    from helpers import REPO

    assert (REPO / "examples" / name).read_bytes() == (REPO / "schemas" / name).read_bytes()


def test_secrets_in_credentials_snippets_are_masked_and_carets_stay_put(run, write):
    path = write(
        "credentials.json", '{"endpoints": {"my box": {"api_key": "sk-abcdefghijklmnop1234", "enabled": "yes"}}}'
    )
    result = run("validate", path, "--no-color")
    assert "abcdefghijklmnop" not in result.out
    assert result.out.splitlines()[1:4] == [
        '    {"endpoints": {"my box": {"api_key": "sk-********************", "enabled": "yes"}}}',
        "                              ^",
        f"  hint: did you mean 'apiKey'? (`pbcfg migrate {path.parent}` renames it)",
    ]


def test_secrets_in_syntax_error_snippets_are_masked(run, write):
    path = write("credentials.json", '{"endpoints": {"openai-direct": {"apiKey": "sk-proj-abcdefghijkl9876",}}}')
    result = run("validate", path)
    assert result.code == 1
    assert "abcdefghijkl" not in result.out and "sk-*********************" in result.out


def test_keys_that_look_like_numbers_keep_their_spelling(run, write):
    path = write(
        "llm-config.json",
        {"models": {"¹": {"endpoints": [1]}, "00": {"endpoints": [2]}, "0": {"endpoints": ["openai-direct"]}}},
    )
    pointers = [d["pointer"] for d in run("validate", path, "--format", "json").json["diagnostics"]]
    assert "/models/00/endpoints/0" in pointers and "/models/¹/endpoints/0" in pointers
    assert "/models/0/endpoints/0" not in pointers
