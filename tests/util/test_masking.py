"""How a secret is shown: by its vendor prefix and a fingerprint, never by any of its characters; starred text
keeps the prefix and the length only. The fingerprint still tells two keys apart, in every command alike."""

from __future__ import annotations

import json
import re

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from helpers import configure, fingerprint
from pbcfg.secrets.masking import _same_length, mask, mask_json_text, mask_yaml_text, masked_diff


@pytest.mark.parametrize(
    "secret, shown",
    [
        ("sk-proj-abcdefghijklmnop", "sk-…" + fingerprint("sk-proj-abcdefghijklmnop")),
        ("AIzaSyHn4tR8vQz2Lw6Yp9Bx3M", "…" + fingerprint("AIzaSyHn4tR8vQz2Lw6Yp9Bx3M")),
        ("abcde-fghijklmnop", "…" + fingerprint("abcde-fghijklmnop")),  # a head of 5 is no vendor prefix
        ("a1b2-c3d4e5f6g7h8i9", "…" + fingerprint("a1b2-c3d4e5f6g7h8i9")),  # nor one of 4: it is the key's own
        ("xai-abcdefghijklmnop", "…" + fingerprint("xai-abcdefghijklmnop")),
        ("sk-\ud800\ud800\ud800\ud800\ud800\ud800\ud800\ud800\ud800", "sk-…" + fingerprint("sk-" + "\ud800" * 9)),
        ("sk-abcdefgh", "…"),  # 11 characters: a fingerprint would make it easy to guess
        ("ollama", "ollama"),
        ("sk-no-key-required", "sk-no-key-required"),
        ("", '""'),
        (123456789012345, "…"),
    ],
)
def test_mask_shows_the_vendor_prefix_and_a_fingerprint(secret, shown):
    assert mask(secret) == shown


def test_the_fingerprint_is_the_first_four_hex_digits_of_the_sha256():
    assert mask("sk-proj-abcdefghijklmnop") == "sk-…#88ea"  # sha256(b"sk-proj-abcdefghijklmnop") = 88ea…


@pytest.mark.parametrize(
    "raw, starred",
    [
        ("sk-abcdefghijkl1234", "sk-" + "*" * 16),
        ("Kq82jXz0Lm4Tr9", "*" * 14),
        ("9f3a-77c1-4be2-a0d1", "*" * 19),
        ("sk-abcdefgh", "*" * 11),  # short: not even the prefix
        ("EMPTY", "EMPTY"),
    ],
)
def test_same_length_keeps_the_prefix_and_the_columns(raw, starred):
    assert _same_length(raw) == starred


_BODY = st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-", min_size=12, max_size=64)
_KEY = st.builds(lambda prefix, body: prefix + body, st.sampled_from(["", "sk-", "sk-ant-api03-", "xai-"]), _BODY)


def _runs(key: str) -> set[str]:
    """Every 4-character run of ``key`` that is not wholly inside the vendor prefix it is shown with (``sk-``)."""
    public = 3 if key.startswith("sk-") else 0
    return {key[i : i + 4] for i in range(len(key) - 3) if i + 4 > public}


@settings(max_examples=300, derandomize=True, database=None)
@given(key=_KEY, other=_KEY)
def test_no_four_characters_of_a_key_appear_in_any_masked_output(key, other):
    json_text = json.dumps({"endpoints": {"openai-direct": {"apiKey": key, "baseUrl": "http://h:1/v1"}}}, indent=2)
    other_json = json_text.replace(key, other)
    yaml_text = f"endpoints:\n  openai-direct:\n    apiKey: {key}\n    token: '{key}'\n"
    scaffold = json_text.replace(key, "") + yaml_text.replace(key, "") + "--- +++ @@ a b"
    runs = _runs(key)
    assume(not any(run in scaffold or run in other for run in runs))
    shown = [
        mask(key),
        _same_length(key),
        mask_json_text(json_text),
        mask_yaml_text(yaml_text),
        masked_diff(json_text, other_json, kind="credentials", yaml=False, old_label="a", new_label="b"),
        masked_diff(other_json, json_text, kind="credentials", yaml=False, old_label="a", new_label="b"),
    ]
    assert [(run, text) for run in sorted(runs) for text in shown if run in text] == []


def test_two_keys_ending_alike_are_told_apart_in_lint_s_differs_from(run, tmp_path, monkeypatch):
    """The two keys share their prefix and their last four characters: only the fingerprint tells them apart."""
    in_file, in_env = "sk-ant-file-00001234", "sk-ant-env-99991234"
    (tmp_path / "credentials.json").write_text(json.dumps({"endpoints": {"anthropic-direct": {"apiKey": in_file}}}))
    (tmp_path / "credentials.json").chmod(0o600)
    (tmp_path / "llm-config.json").write_text("{}")
    tmp_path.chmod(0o700)
    monkeypatch.setenv("ANTHROPIC_API_KEY", in_env)
    result = run("lint", tmp_path, "--select", "env.conflict", "--format", "json")
    (message,) = [d["message"] for d in result.json["diagnostics"]]
    here, there = re.fullmatch(
        r"apiKey here \((.*?)\) differs from \$ANTHROPIC_API_KEY \((.*?)\): .*", message
    ).groups()
    assert (here, there) == (f"sk-…{fingerprint(in_file)}", f"sk-…{fingerprint(in_env)}")
    assert here != there
    assert "1234" not in message


def test_the_same_key_has_the_same_display_in_lint_and_resolve(run, tmp_path):
    key = "sk-ant-api03-Hn4tR8vQz2Lw6Yp9Bx3MaaaaXX"  # an Anthropic key under an OpenAI-protocol endpoint
    configure(tmp_path, {"openai-direct": "https://api.openai.com/v1"}, {"m": ["openai-direct"]})
    credentials = json.loads((tmp_path / "credentials.json").read_text())
    credentials["endpoints"]["openai-direct"]["apiKey"] = key
    (tmp_path / "credentials.json").write_text(json.dumps(credentials))
    tmp_path.chmod(0o700)
    linted = run("lint", tmp_path, "--select", "secrets.key-for-another-service", "--format", "json")
    (message,) = [d["message"] for d in linted.json["diagnostics"]]
    resolved = run("resolve", tmp_path, "--tier", "simple", "--format", "json")
    (attempt,) = resolved.json["plan"]["attempts"]
    shown = attempt["credentials"]["apiKey"]["value"]
    assert shown == f"sk-…{fingerprint(key)}"
    assert f"is an Anthropic API key ({shown}), but openai-direct speaks" in message
