"""`pbcfg migrate`: one fixture per era of the format, idempotence, conflicts, crash safety, the move."""

from __future__ import annotations

import json
import os
import stat

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pbcfg.migrate.file_migration import migrate_file
from pbcfg.migrate.migrations import Options
from pbcfg.schema_store import schema_text
from pbcfg.source.reading import Source


def write(directory, name, text, mode=0o644):
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / name
    path.write_text(text)
    path.chmod(mode)
    return path


# -- eras ------------------------------------------------------------------------------------------------

ERA_LOOSE_CREDENTIALS = """{
  "endpoints": {
    "openai-direct": {"api_key": "sk-old-0123456789abcdef", "enabled": "true"},
    "openai-compatible": {
      "key": 1234567890,
      "base_url": "http://localhost:8000/v1"
    }
  }
}
"""


def test_era_before_the_strict_schema(run, tmp_path):
    path = write(tmp_path, "credentials.json", ERA_LOOSE_CREDENTIALS, 0o600)
    result = run("migrate", path)
    assert result.code == 0, result.err
    assert (
        path.read_text()
        == """{
  "endpoints": {
    "openai-direct": {"apiKey": "sk-old-0123456789abcdef", "enabled": true},
    "openai-compatible": {
      "apiKey": "1234567890",
      "baseUrl": "http://localhost:8000/v1"
    }
  }
}
"""
    )
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert (tmp_path / "credentials.json.bak").read_text() == ERA_LOOSE_CREDENTIALS
    assert "0123456789abcdef" not in result.out + result.err
    assert run("validate", path).code == 0


@pytest.mark.parametrize("written", ["1e400", "-0", "12345678901234567890.123456789", "1.50", "2E3", "-1e-400"])
def test_a_key_written_as_a_number_becomes_the_string_of_its_digits_as_written(written):
    text = f'{{"endpoints": {{"openai-direct": {{"apiKey": {written}, "accessKeyId": {written}}}}}}}'
    migrated = migrate_file(Source("credentials.json", "credentials.json", "credentials", text), Options())
    assert json.loads(migrated.after) == {"endpoints": {"openai-direct": {"apiKey": written, "accessKeyId": written}}}
    assert [d.message for d in migrated.pending] == ["apiKey: a number → a string", "accessKeyId: a number → a string"]


README_ERA = """{
  "endpoints": {
    "openai-compatible": {
      "priority": 1  // Higher priority
    }
  },
  "tiers": {
    "simple": {
      "primary": "llama-3-70b",
      "fallback": "claude-haiku-4-5",
    }
  },
  "models": {
    "llama-3-70b": {"displayName": "Llama 3 70B", "endpoints": ["openai-compatible"],
                    "costPer1kTokens": {"input": 0.0, "output": 0.0}}
  }
}
"""


def test_era_of_the_readme_snippets(run, tmp_path):
    path = write(tmp_path, "llm-config.json", README_ERA)
    result = run("migrate", path)
    assert result.code == 0, result.err
    assert (
        path.read_text()
        == """{
  "endpoints": {
    "openai-compatible": {
      "priority": 1
    }
  },
  "tiers": {
    "simple": {
      "primary": "llama-3-70b",
      "fallback": ["claude-haiku-4-5-20251001"]
    }
  },
  "models": {
    "llama-3-70b": {"displayName": "Llama 3 70B", "endpoints": ["openai-compatible"],
                    "costPer1kTokens": {"input": 0.0, "output": 0.0}}
  }
}
"""
    )
    assert result.err.splitlines() == [
        f"{path}:4:22: [strict-json] comment → removed: // Higher priority",
        f"{path}:10:37: [strict-json] trailing comma → removed",
        f"{path}:10:19: [fallback-array] a string → a one-element array",
        f"{path}:10:19: [model-references] 'claude-haiku-4-5' is not defined → 'claude-haiku-4-5-20251001'",
        f"wrote {path} (kept {path}.bak)",
    ]
    assert result.out == "1 file checked: 0 errors, 0 warnings, 0 infos\n"
    assert run("validate", path).code == 0


def test_era_of_gpt_4o_needs_an_explicit_rename(run, tmp_path):
    path = write(
        tmp_path, "llm-config.json", '{"tiers": {"medium": {"primary": "gpt-4o", "fallback": ["gpt-4o-mini"]}}}\n'
    )
    assert run("migrate", path, "--check").code == 0  # nothing this migration may decide alone
    assert run("validate", path).code == 1
    result = run("migrate", path, "--rename-model", "gpt-4o=gpt-5.2", "--rename-model", "gpt-4o-mini=gpt-5.2")
    assert result.code == 0
    assert path.read_text() == '{"tiers": {"medium": {"primary": "gpt-5.2", "fallback": ["gpt-5.2"]}}}\n'


def test_era_before_codex_rewrites_the_stale_schema(run, tmp_path):
    path = write(tmp_path, "llm-config.json", '{"$schema": "./llm-config.schema.json"}\n')
    write(
        tmp_path, "llm-config.schema.json", '{"properties": {"protocol": {"enum": ["anthropic", "openai", "gemini"]}}}'
    )
    check = run("migrate", path, "--check")
    assert (check.code, check.out) == (
        1,
        f"{tmp_path / 'llm-config.schema.json'}: error migrate.schema-files "
        "llm-config.schema.json is stale → the current schema\n"
        f"  hint: run `pbcfg migrate {path}` to write it\n"
        "1 file checked: 1 error, 0 warnings, 0 infos\n",
    )
    assert run("migrate", path).code == 0
    assert (tmp_path / "llm-config.schema.json").read_text() == schema_text("llm-config")


def test_era_before_bedrock_was_enabled_pins_with_pin_defaults(run, tmp_path):
    text = '{\n  "endpoints": {\n    "aws-bedrock": {"region": "eu-west-1"}\n  }\n}\n'
    path = write(tmp_path, "llm-config.json", text)
    assert run("migrate", path, "--check").code == 0
    assert run("migrate", path, "--pin-defaults").code == 0
    assert json.loads(path.read_text())["endpoints"] == {
        "aws-bedrock": {"region": "eu-west-1", "enabled": False},
        "codex": {"enabled": False},
    }


def test_today_is_already_up_to_date_and_nothing_is_written(run, tmp_path):
    path = write(tmp_path, "llm-config.json", '{"tiers": {"simple": {"primary": "gpt-5.2", "fallback": []}}}\n')
    before = os.stat(path).st_mtime_ns
    result = run("migrate", path)
    assert (result.code, result.err) == (0, "already up to date\n")
    assert os.stat(path).st_mtime_ns == before and not (tmp_path / "llm-config.json.bak").exists()


# -- behaviour ----------------------------------------------------------------------------------------------


def test_conflicting_spellings_stop_with_exit_1_and_nothing_written(run, tmp_path):
    text = '{"endpoints": {"openai-direct": {"apiKey": "sk-a-0000000000", "api_key": "sk-b-1111111111"}}}\n'
    path = write(tmp_path, "credentials.json", text, 0o600)
    result = run("migrate", path)
    assert result.code == 1
    assert "'api_key' and 'apiKey' are both set in 'openai-direct', to different values" in result.out
    assert path.read_text() == text and not (tmp_path / "credentials.json.bak").exists()
    assert "1111111111" not in result.out + result.err


def test_same_value_duplicate_spelling_is_dropped(run, tmp_path):
    path = write(tmp_path, "credentials.json", '{"endpoints": {"openai-direct": {"apiKey": "k", "api_key": "k"}}}\n')
    assert run("migrate", path).code == 0
    assert path.read_text() == '{"endpoints": {"openai-direct": {"apiKey": "k"}}}\n'


def test_unknown_keys_are_reported_then_dropped_only_when_asked(run, tmp_path):
    path = write(tmp_path, "credentials.json", '{"endpoints": {"x": {"apiKey": "k", "org": "acme"}}}\n')
    result = run("migrate", path, "--check")
    assert result.out == (
        f"{path}:1:37: warning migrate.unknown-key unknown key 'org' left in place: PonyBunny "
        "rejects it, and with it the whole file\n"
        '    {"endpoints": {"x": {"apiKey": "*", "org": "****"}}}\n'
        "                                        ^\n"
        "  hint: rename it by hand, or pass --drop-unknown\n"
        "1 file checked: 0 errors, 1 warning, 0 infos\n"
    )
    assert result.code == 0
    assert result.err == "already up to date\n"
    assert run("migrate", path, "--drop-unknown").code == 0
    assert path.read_text() == '{"endpoints": {"x": {"apiKey": "k"}}}\n'


def test_diff_writes_nothing_and_masks_secrets(run, tmp_path):
    path = write(tmp_path, "credentials.json", ERA_LOOSE_CREDENTIALS, 0o600)
    result = run("migrate", path, "--diff")
    assert path.read_text() == ERA_LOOSE_CREDENTIALS
    assert '+    "openai-direct": {"apiKey": "sk-********************", "enabled": true},\n' in result.out
    assert "0123456789ab" not in result.out


def test_only_and_list(run, tmp_path):
    path = write(tmp_path, "llm-config.json", README_ERA)
    unparseable = run("migrate", path, "--only", "fallback-array")  # without strict-json, the comment blocks it
    assert unparseable.code == 1
    assert unparseable.out.startswith(
        f"{path}: error migrate.blocked not strict JSON, and the strict-json migration "
        "is not selected\n  hint: add --only strict-json, or fix the JSON by hand\n"
    )
    partial = run("migrate", path, "--only", "strict-json")  # the string fallback still fails: nothing written
    assert partial.code == 1
    assert partial.out.startswith(
        f"{path}: error schema.type after migrating, still: expected an array, found a string\n"
    )
    assert "nothing was written" in partial.err and path.read_text() == README_ERA
    listing = run("migrate", "--list").out.splitlines()
    assert [line.split()[0] for line in listing] == [
        "location",
        "strict-json",
        "credential-keys",
        "fallback-array",
        "model-references",
        "pin-defaults",
        "schema-files",
    ]
    assert run("migrate", path, "--only", "strict-jsn").err.startswith(
        "pbcfg: error: --only strict-jsn: no such migration; did you mean 'strict-json'?"
    )


def test_a_result_that_would_not_validate_is_not_written(run, tmp_path):
    text = '{"tiers": {"simple": {"primary": "nope", "fallback": "gpt-5.2"}}}\n'
    path = write(tmp_path, "llm-config.json", text)
    result = run("migrate", path)
    assert result.code == 1
    assert "after migrating, still: 'nope' is not a model" in result.out and path.read_text() == text


def test_a_failing_rename_leaves_the_original_intact(run, tmp_path, monkeypatch):
    path = write(tmp_path, "llm-config.json", README_ERA)

    def broken_replace(source, target):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("pbcfg.util.atomic.os.replace", broken_replace)
    result = run("migrate", path, "--no-backup")
    assert result.code == 2
    assert path.read_text() == README_ERA
    assert sorted(p.name for p in tmp_path.iterdir()) == ["llm-config.json"]


def test_yaml_sources_keep_their_comments(run, tmp_path):
    text = "# team config\ntiers:\n  simple:\n    primary: gpt-5.2   # cheap\n    fallback: claude-haiku-4-5  # old style\n"
    path = write(tmp_path, "llm-config.yaml", text)
    assert run("migrate", path).code == 0
    assert path.read_text() == (
        "# team config\ntiers:\n  simple:\n    primary: gpt-5.2   # cheap\n"
        "    fallback:                   # old style\n    - claude-haiku-4-5-20251001\n"
    )


def test_the_legacy_directory_moves_once_and_never_overwrites(run, tmp_path, monkeypatch):
    home, target = tmp_path / "home", tmp_path / "home" / ".config" / "ponybunny"
    monkeypatch.setenv("HOME", str(home))
    legacy = home / ".ponybunny"
    write(legacy, "credentials.json", '{"endpoints": {"openai-direct": {"baseURL": "https://x.example/v1"}}}\n', 0o644)
    write(legacy, "llm-config.json", "{}\n")
    check = run("migrate", "--config-dir", target, "--check")
    assert check.code == 1
    assert (
        f"{legacy / 'credentials.json'}: error migrate.location → {target / 'credentials.json'}, where PonyBunny "
        "reads it"
    ) in check.out
    result = run("migrate", "--config-dir", target)
    assert result.code == 0, result.err + result.out
    assert sorted(os.listdir(target)) == ["credentials.json", "llm-config.json"]
    assert sorted(os.listdir(legacy)) == ["credentials.json.bak"]  # the original of the migrated file, and only that
    assert stat.S_IMODE(os.stat(target).st_mode) == 0o700
    assert stat.S_IMODE(os.stat(target / "credentials.json").st_mode) == 0o600
    assert json.loads((target / "credentials.json").read_text()) == {
        "endpoints": {"openai-direct": {"baseUrl": "https://x.example/v1"}}
    }
    write(legacy, "llm-config.json", '{"defaults": {"timeout": 5000}}\n')
    again = run("migrate", "--config-dir", target)
    assert (
        f"{legacy / 'llm-config.json'}: warning files.legacy-copy {target / 'llm-config.json'} exists too, so "
        "this one does not move; PonyBunny reads only that one"
    ) in again.out
    assert (legacy / "llm-config.json").exists() and (target / "llm-config.json").read_text() == "{}\n"


# -- idempotence ----------------------------------------------------------------------------------------------

ALIASES = st.sampled_from(["apiKey", "api_key", "apikey", "key", "API-KEY"])
URL_KEYS = st.sampled_from(["baseUrl", "baseURL", "base_url"])


@st.composite
def old_credentials(draw):
    endpoints = {}
    for endpoint_id in draw(st.lists(st.sampled_from(["openai-direct", "openai-compatible", "my-box"]), unique=True)):
        entry = {draw(ALIASES): draw(st.one_of(st.text(max_size=8), st.integers(), st.booleans()))}
        entry[draw(URL_KEYS)] = "http://localhost:8000/v1"
        if draw(st.booleans()):
            entry["enabled"] = draw(st.sampled_from([True, False, "true", "false"]))
        endpoints[endpoint_id] = entry
    return json.dumps({"endpoints": endpoints}, indent=draw(st.sampled_from([None, 2, 4])))


@st.composite
def old_llm_configs(draw):
    tiers = {
        name: {
            "primary": draw(st.sampled_from(["gpt-5.2", "claude-haiku-4-5", "claude-sonnet-4-5"])),
            "fallback": draw(
                st.one_of(
                    st.sampled_from(["gemini-2.0-flash", "claude-opus-4-5"]),
                    st.lists(st.sampled_from(["gpt-5.2", "claude-haiku-4-5"]), max_size=2),
                )
            ),
        }
        for name in draw(st.lists(st.sampled_from(["simple", "medium", "complex"]), unique=True))
    }
    text = json.dumps({"tiers": tiers}, indent=2)
    if draw(st.booleans()):
        text = text.replace("{\n", "{ // comment\n", 1)
    return text


@settings(max_examples=60, deadline=None, derandomize=True, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_migrate_is_idempotent(data):
    kind = data.draw(st.sampled_from(["credentials", "llm-config"]))
    text = data.draw(old_credentials() if kind == "credentials" else old_llm_configs())
    options = Options(drop_unknown=True)
    once = migrate_file(Source(f"{kind}.json", f"{kind}.json", kind, text), options)
    if once.blocked:
        return  # two spellings with different values: refused, by design
    twice = migrate_file(Source(f"{kind}.json", f"{kind}.json", kind, once.after), options)
    assert twice.after == once.after
    assert twice.pending == []


def test_the_env_only_era_has_nothing_to_migrate_and_says_so(run, tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("OPENAI_API_KEY", "sk-env-only-0000000000")
    empty = tmp_path / "config"
    empty.mkdir()
    result = run("migrate", "--config-dir", empty)
    assert result.code == 2
    assert result.err == (
        f"pbcfg: error: {empty}: no credentials.json or llm-config.json in the config directory, nor "
        f"in {tmp_path / 'home' / '.ponybunny'}: nothing to migrate. Pass the files, or point "
        "--config-dir at your PonyBunny config directory\n"
    )


def test_check_reports_one_diagnostic_per_pending_step_in_every_format(run, tmp_path):
    path = write(tmp_path, "llm-config.json", README_ERA)
    result = run("migrate", tmp_path, "--check", "--format", "json")
    assert result.code == 1
    found = [(d["rule"], d["line"], d["column"], d["pointer"]) for d in result.json["diagnostics"]]
    assert found == [
        ("migrate.strict-json", 4, 22, None),
        ("migrate.strict-json", 10, 37, None),
        ("migrate.fallback-array", 10, 19, "/tiers/simple/fallback"),
        ("migrate.model-references", 10, 19, "/tiers/simple/fallback/0"),
    ]
    assert result.json["summary"] == {"files": 1, "errors": 4, "warnings": 0, "infos": 0}
    sarif = json.loads(run("migrate", tmp_path, "--check", "--format", "sarif").out)
    rules = {rule["id"]: rule for rule in sarif["runs"][0]["tool"]["driver"]["rules"]}
    assert rules["migrate.fallback-array"]["shortDescription"]["text"] == "A fallback written as a string."
    assert path.read_text() == README_ERA


def _cut_one_by_one(text: str, cuts: list[tuple[int, int]]) -> str:
    """The rule of ``_cut``, made the slow way (the rest of the text rebuilt after each cut): the oracle."""
    for start, end in sorted(cuts, reverse=True):
        line_start = text.rfind("\n", 0, start) + 1
        line_end = text.find("\n", end)
        line_end = len(text) if line_end == -1 else line_end
        if not text[line_start:start].strip() and not text[end:line_end].strip() and line_end < len(text):
            text = text[:line_start] + text[line_end + 1 :]
        elif not text[end:line_end].strip():
            text = text[:start].rstrip(" \t") + text[end:]
        else:
            text = text[:start] + text[end:]
    return text


# what a line of JSON with comments is made of: cuts (block comments, some spanning lines, and commas) and the rest
_SEGMENTS = st.lists(
    st.sampled_from([" ", "  ", "\t", "x", '"a": 1', "/*c*/", "/* a\nb */", ",", "\n", "\n  "]), max_size=14
)


@pytest.mark.slow
@settings(max_examples=300, deadline=None, derandomize=True, database=None)
@given(
    lines=st.lists(st.tuples(_SEGMENTS, st.sampled_from(["", "// note", "// note  "])), max_size=8),
    last_newline=st.booleans(),
)
def test_cutting_comments_at_once_is_cutting_them_one_by_one(lines, last_newline):
    from pbcfg.migrate.file_migration import _cut

    text, cuts = "", []
    for segments, comment in lines:
        for segment in segments + ([comment] if comment else []):
            if segment.startswith(("/", ",")):
                cuts.append((len(text), len(text) + len(segment)))
            text += segment
        text += "\n"
    text = text if last_newline else text[:-1]
    assert _cut(text, cuts) == _cut_one_by_one(text, cuts)
