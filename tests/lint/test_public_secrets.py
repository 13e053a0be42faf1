"""Secrets in public places: a URL's password or a pasted key where nothing keeps it secret, and keys of one
vendor under another's endpoint. Each case as a user met it."""

from __future__ import annotations

import pytest

from helpers import fingerprint

OPENAI_KEY = "sk-proj-Zq81mKq0aa77PwZq81mKq0bb77Pw"
ANTHROPIC_KEY = "sk-ant-api03-Hn4tR8vQz2Lw6Yp9Bx3MaaaaXX"
GOOGLE_KEY = "AIzaSyHn4tR8vQz2Lw6Yp9Bx3MaaaaXXbbbbccc"
PASSWORD = "Pq7wX2e9RtLm"
NOT_PUBLIC = "llm-config.json is not kept secret (world-readable, committed, copied by `pbcfg build`)"


def found(result) -> list[tuple]:
    return [(d["rule"], d["pointer"], d["line"], d["column"]) for d in result.json["diagnostics"]]


@pytest.fixture
def pair(write, tmp_path):
    """A directory with the two files; ``pair(llm_config, credentials)`` writes them and returns it."""

    def _pair(llm_config: dict, credentials: dict | None = None):
        write("llm-config.json", llm_config)
        path = write("credentials.json", credentials or {"endpoints": {}})
        path.chmod(0o600)
        tmp_path.chmod(0o700)
        return tmp_path

    return _pair


def test_a_password_in_a_base_url_of_llm_config_is_an_error_in_validate_and_lint(run, pair):
    """A key in a URL's password (http://u:sk-…@host/v1) is an error of validate and lint, and never printed."""
    directory = pair(
        {"endpoints": {"openai-compatible": {"enabled": True, "baseUrl": f"http://pb:{PASSWORD}@box.example:8000/v1"}}}
    )
    for command in ("validate", "lint"):
        result = run(command, directory, "--format", "json")
        assert result.code == 1
        diagnostic = next(d for d in result.json["diagnostics"] if d["rule"] == "secrets.url-credentials")
        assert (diagnostic["file"], diagnostic["line"], diagnostic["column"]) == (f"{directory}/llm-config.json", 5, 18)
        assert diagnostic["message"] == (
            f"baseUrl of openai-compatible holds a user name or password before its host, and {NOT_PUBLIC}"
        )
        assert diagnostic["hint"].startswith(
            "remove `user:password@` from the URL; put the key in `apiKey` of openai-compatible in credentials.json"
        )
        assert PASSWORD not in result.out + result.err


def test_a_key_in_a_query_parameter_of_llm_config_is_an_error(run, pair):
    directory = pair(
        {"endpoints": {"openai-compatible": {"enabled": True, "baseUrl": f"https://box.example/v1?api_key={PASSWORD}"}}}
    )
    result = run("validate", directory, "--format", "json")
    assert found(result) == [("secrets.url-credentials", "/endpoints/openai-compatible/baseUrl", 5, 18)]
    assert result.json["diagnostics"][0]["message"].startswith(
        "baseUrl of openai-compatible holds a secret in its query (api_key=…)"
    )


def test_a_key_pasted_into_base_url_of_credentials_is_named_as_a_key_and_nothing_else_quotes_it(run, pair):
    """A key pasted as a URL is named as a key and never printed; the hint moves it to apiKey."""
    directory = pair(
        {"endpoints": {"openai-compatible": {"enabled": True}}},
        {"endpoints": {"openai-compatible": {"apiKey": "not-needed", "baseUrl": OPENAI_KEY}}},
    )
    for command in ("validate", "lint"):
        result = run(command, directory, "--format", "json")
        assert result.code == 1
        at_key = [d for d in result.json["diagnostics"] if d["pointer"] == "/endpoints/openai-compatible/baseUrl"]
        assert [(d["rule"], d["line"], d["column"]) for d in at_key] == [("secrets.key-in-public-field", 5, 18)]
        assert at_key[0]["message"] == (
            f"baseUrl of openai-compatible holds an OpenAI API key (sk-…{fingerprint(OPENAI_KEY)}): baseUrl is "
            "a public field, which PonyBunny and pbcfg show in full"
        )
        assert at_key[0]["hint"].startswith("move the key to `apiKey` of openai-compatible in credentials.json")
        for fmt in ("text", "json", "sarif", "github", "junit"):
            shown = run(command, directory, "--format", fmt)
            assert "Zq81mKq0" not in shown.out + shown.err


def test_a_key_in_a_base_url_of_llm_config_silences_the_url_rules_at_that_value(run, pair):
    directory = pair(
        {
            "endpoints": {
                "my": {"enabled": True, "protocol": "openai", "priority": 2, "baseUrl": f"http://[{OPENAI_KEY}]/v1/"}
            },
            "models": {"m": {"displayName": "M", "endpoints": ["my"], "costPer1kTokens": {"input": 0, "output": 0}}},
        }
    )
    result = run("lint", directory, "--format", "json")
    at_url = [
        (d["rule"], d["line"], d["column"])
        for d in result.json["diagnostics"]
        if d["pointer"] == "/endpoints/my/baseUrl"
    ]
    assert at_url == [("secrets.key-in-public-field", 7, 18)]
    assert "Zq81mKq0" not in result.out + result.err


@pytest.mark.parametrize("field", ["region", "projectId", "endpoint"])
def test_a_key_in_any_public_field_of_credentials_names_the_field(run, pair, field):
    directory = pair({}, {"endpoints": {"google-vertex-ai": {field: GOOGLE_KEY}}})
    result = run("validate", directory / "credentials.json", "--format", "json")
    assert [(d["rule"], d["pointer"]) for d in result.json["diagnostics"]] == [
        ("secrets.key-in-public-field", f"/endpoints/google-vertex-ai/{field}")
    ]
    assert result.json["diagnostics"][0]["message"].startswith(
        f"{field} of google-vertex-ai holds a Google API key (…{fingerprint(GOOGLE_KEY)}): {field} is a public field"
    )


def test_a_key_in_a_display_name_of_llm_config_is_an_error(run, pair):
    directory = pair(
        {
            "models": {
                "m": {
                    "displayName": ANTHROPIC_KEY,
                    "endpoints": ["anthropic-direct"],
                    "costPer1kTokens": {"input": 0, "output": 0},
                }
            }
        }
    )
    result = run("validate", directory / "llm-config.json", "--format", "json")
    assert found(result) == [("secrets.key-in-public-field", "/models/m/displayName", 4, 22)]
    assert result.json["diagnostics"][0]["message"] == (
        f"displayName of model m holds an Anthropic API key (sk-…{fingerprint(ANTHROPIC_KEY)}): {NOT_PUBLIC}"
    )


def test_build_refuses_to_write_a_password_into_llm_config(run, tmp_path):
    source = tmp_path / "src"
    source.mkdir()
    (source / "llm-config.yaml").write_text(
        f"endpoints:\n  openai-compatible:\n    enabled: true\n    baseUrl: http://pb:{PASSWORD}@box.example:8000/v1\n"
    )
    result = run("build", source, "--config-dir", tmp_path / "out")
    assert result.code == 1
    assert result.out.splitlines()[0] == (
        f"{source}/llm-config.yaml:4:14: error secrets.url-credentials baseUrl of openai-compatible holds a user "
        "name or password before its host, and llm-config.yaml is not kept secret (world-readable, committed, "
        "copied by `pbcfg build`)"
    )
    assert not (tmp_path / "out" / "llm-config.json").exists()
    assert PASSWORD not in result.out + result.err


@pytest.mark.parametrize(
    "endpoint, key, service, protocol",
    [
        ("openai-direct", ANTHROPIC_KEY, "an Anthropic API key", "openai"),
        ("anthropic-direct", OPENAI_KEY, "an OpenAI API key", "anthropic"),
        ("anthropic-direct", GOOGLE_KEY, "a Google API key", "anthropic"),
        ("openai-direct", GOOGLE_KEY, "a Google API key", "openai"),
        ("google-ai-studio", ANTHROPIC_KEY, "an Anthropic API key", "gemini"),
    ],
)
def test_a_key_of_another_vendor_is_a_warning(run, pair, endpoint, key, service, protocol):
    """An Anthropic key under openai-direct and an OpenAI key under anthropic-direct are each a finding."""
    directory = pair({}, {"endpoints": {endpoint: {"apiKey": key}}})
    result = run("lint", directory, "--select", "secrets.key-for-another-service", "--format", "json")
    assert result.code == 0
    assert found(result) == [("secrets.key-for-another-service", f"/endpoints/{endpoint}/apiKey", 4, 17)]
    assert result.json["diagnostics"][0]["message"].startswith(f"apiKey of {endpoint} is {service} (")
    assert result.json["diagnostics"][0]["message"].endswith(
        f"but {endpoint} speaks the {protocol} protocol: the server refuses it"
    )
    assert key[8:16] not in result.out


@pytest.mark.parametrize(
    "endpoint, key",
    [
        ("anthropic-direct", ANTHROPIC_KEY),
        ("openai-direct", OPENAI_KEY),
        ("google-ai-studio", GOOGLE_KEY),
        ("openai-compatible", GOOGLE_KEY),
        ("openai-compatible", "sk-or-v1-Zq81mKq0aa77PwZq81mKq0aa77Pw"),
    ],
)
def test_a_key_of_the_endpoints_own_vendor_or_under_a_proxy_is_fine(run, pair, endpoint, key):
    directory = pair(
        {"endpoints": {"openai-compatible": {"enabled": True, "baseUrl": "https://proxy.example/v1"}}},
        {"endpoints": {endpoint: {"apiKey": key}}},
    )
    result = run("lint", directory, "--select", "secrets.key-for-another-service", "--format", "json")
    assert result.json["diagnostics"] == []


def test_a_key_of_another_vendor_from_the_environment_is_said_to_come_from_there(run, pair, monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", ANTHROPIC_KEY)
    directory = pair({}, {"endpoints": {"openai-direct": {"enabled": True}}})
    (directory / ".pbcfg.toml").write_text('[lint]\nenvironment = "check"\n')
    result = run("lint", directory, "--select", "secrets.key-for-another-service", "--format", "json")
    assert [d["message"].split(" is ")[0] for d in result.json["diagnostics"]] == [
        "apiKey of openai-direct (from $OPENAI_API_KEY)"
    ]


def test_the_rules_are_in_the_catalog_with_the_severity_they_are_reported_at():
    from pbcfg.catalog import RULES

    assert {
        rule: RULES[rule].severity.label
        for rule in ("secrets.url-credentials", "secrets.key-in-public-field", "secrets.key-for-another-service")
    } == {
        "secrets.url-credentials": "error",
        "secrets.key-in-public-field": "error",
        "secrets.key-for-another-service": "warning",
    }


def test_with_a_schema_file_beside_the_refusal_is_kept_masked_and_gives_the_same_fix(run, pair):
    """With a schema file beside it, ponybunny.credentials-refused keeps the key masked and gives the same fix."""
    directory = pair({}, {"endpoints": {"openai-compatible": {"apiKey": "not-needed", "baseUrl": OPENAI_KEY}}})
    (directory / "credentials.schema.json").write_text(run("schema", "credentials").out)
    result = run("validate", directory, "--format", "json")
    at_key = [d for d in result.json["diagnostics"] if d["pointer"] == "/endpoints/openai-compatible/baseUrl"]
    assert [d["rule"] for d in at_key] == ["ponybunny.credentials-refused", "secrets.key-in-public-field"]
    assert at_key[0]["hint"] == at_key[1]["hint"]
    assert at_key[0]["message"].startswith("PonyBunny will refuse credentials.json, so none of its keys are used: ")
    assert "Zq81mKq0" not in result.out
