"""Where secrets are registered (pbcfg.secrets.known) and the one boundary every printed byte passes
(pbcfg.cli.entry's masked stdout and stderr)."""

from __future__ import annotations

import io
import os

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pbcfg.secrets import known as known_secrets
from pbcfg.secrets.boundary import redact
from pbcfg.secrets.known import REDACTOR
from pbcfg.source.reading import Source

KEY = "sk-Hn4tR8vQz2Lw6Yp9Bx3M"


def test_every_key_variable_of_the_built_in_endpoints_is_registered_by_its_name():
    from pbcfg.ponybunny.builtins import builtin_endpoints
    from pbcfg.secrets.masking import is_secret_field

    names = {
        name
        for endpoint in builtin_endpoints().values()
        for field, name in endpoint.env.items()
        if is_secret_field(field)
    }
    assert names == {
        "ANTHROPIC_API_KEY",
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "OPENAI_API_KEY",
        "AZURE_OPENAI_API_KEY",
        "OPENAI_COMPATIBLE_API_KEY",
        "GEMINI_API_KEY",
    }
    known_secrets.register_environment({name: f"value-of-{name}" for name in names})
    assert all(redact(f"value-of-{name}") == "*" * len(f"value-of-{name}") for name in names)


def test_environment_names_that_say_secret_and_urls_in_the_others(tmp_path):
    known_secrets.register_environment(
        {
            "GITHUB_TOKEN": "ghp_Zx81mKq0aa",
            "DB_PASSWORD": "hunter2hunter2",
            "MY_SECRET_THING": "s3cr3t-value",
            "SSH_KEY_FILE": str(tmp_path),  # a path to a secret, not one
            "OPENAI_COMPATIBLE_BASE_URL": "http://pb:Pq7wX2e9Rt@127.0.0.1:8000/v1",
            "AZURE_OPENAI_ENDPOINT": "https://res.example.com/?api-key=Az93kfLq0&mode=fast",
            "AWS_REGION": "eu-central-1",
            "MONKEYS": "not-a-key-at-all",
            "PWD": "/home/someone/projects",
            "OPENAI_API_KEY": "EMPTY",
        }
    )
    shown = redact(
        "ghp_Zx81mKq0aa hunter2hunter2 s3cr3t-value pb:Pq7wX2e9Rt Az93kfLq0 fast eu-central-1 "
        f"not-a-key-at-all /home/someone/projects EMPTY {tmp_path}"
    )
    assert shown == (
        "************** ************** ************ ************* ********* fast eu-central-1 "
        f"not-a-key-at-all /home/someone/projects EMPTY {tmp_path}"
    )


@pytest.mark.parametrize(
    "url, secret",
    [
        ("http://user:Kq82jXz0Lm@host:8000/v1", "Kq82jXz0Lm"),
        ("https://Kq82jXz0Lm@host/v1", "Kq82jXz0Lm"),
        ("http://host:8000/v1?api_key=Kq82jXz0Lm", "Kq82jXz0Lm"),
        ("http://host/v1?x=1&token=Kq82jXz0Lm#frag", "Kq82jXz0Lm"),
        ("https://res.example.com/?sig=Kq82jXz0Lm", "Kq82jXz0Lm"),
        ("http://127.0.0.1:Kq82jXz0Lm/v1", "Kq82jXz0Lm"),  # a key pasted where the port goes
        ("http://u:Kq82%2DjXz0Lm@host/v1", "Kq82-jXz0Lm"),  # percent-encoded in the URL, plain in a message
    ],
)
def test_url_parts_that_hold_keys(url, secret):
    known_secrets.register_url_secrets(f'"baseUrl": "{url}"')
    assert secret not in redact(f"connect to {url} failed; key {secret}")


def test_urls_are_read_from_their_separator_each_character_once_in_text_of_long_words(monkeypatch):
    scanned = []
    scan = known_secrets._scan

    def counting(text, start, ends):
        end = scan(text, start, ends)
        scanned.append((start, end))
        return end

    monkeypatch.setattr(known_secrets, "_scan", counting)
    words = " ".join(["x" * 5000] * 20)  # a reader that starts from the scheme would try again at every letter
    first, second = '"http://user-a:pw-0a1b2c3d@h:1/v1"', "https://h/v1?api_key=qk-9f8e7d6c5b4a://not-another-url"
    text = f"{words} {first} {words} {second}"
    known_secrets.register_url_secrets(text)
    after_first, after_second = text.index("://") + 3, text.rindex("https://") + len("https://")
    # the first URL: its authority, then its path; the second: authority, path, query (the "://" in it is its own)
    assert scanned == [
        (after_first, after_first + len("user-a:pw-0a1b2c3d@h:1")),
        (after_first + len("user-a:pw-0a1b2c3d@h:1"), after_first + len("user-a:pw-0a1b2c3d@h:1/v1")),
        (after_second, after_second + 1),
        (after_second + 1, after_second + 4),
        (after_second + 5, len(text)),
    ]
    value = "qk-9f8e7d6c5b4a://not-another-url"
    assert redact(f"pw-0a1b2c3d {value}") == "*" * 11 + " " + "*" * len(value)


def test_public_url_parts_are_not_registered():
    known_secrets.register_url_secrets("http://gpu-box.lan:8000/v1?model=llama-3.1-8b")
    assert redact("gpu-box.lan:8000 llama-3.1-8b") == "gpu-box.lan:8000 llama-3.1-8b"


@pytest.mark.parametrize(
    "text",
    [
        '{"endpoints": {"x": {"apiKey": "%s" "baseUrl": "http://h/v1"}}}',  # a missing comma
        '{"endpoints": {"x": {"apiKey": "%s",}}}',  # a trailing comma
        '{"endpoints": {"x": {\n  // a comment\n  "apiKey": "%s"\n',  # cut off
        "endpoints:\n  x:\n    apiKey: %s\n    apiKey: other-value-2\n",  # YAML, the key twice
        "endpoints:\n  x:\n    api_key:\n      - %s\n",  # YAML, a list
        "{endpoints: {x: {apiKey: '%s'}}}",  # YAML flow style
    ],
)
def test_credentials_text_that_does_not_parse_is_read_as_tokens(text):
    known_secrets.register_credentials_text(text % KEY)
    assert redact(KEY) == "*" * len(KEY)


def test_only_secret_fields_of_credentials_are_registered():
    known_secrets.register_credentials_text(
        '{"endpoints": {"azure-openai": {"apiKey": 123456789012, "region": "westeurope", '
        '"endpoint": "https://res.example.com", "projectId": "my-project-1", "enabled": true,'
        ' "accessKeyId": ["AKIAABCDEFGH"]}}'
    )
    assert (
        redact("123456789012 AKIAABCDEFGH westeurope https://res.example.com my-project-1 azure-openai endpoints")
        == "************ ************ westeurope https://res.example.com my-project-1 azure-openai endpoints"
    )


def test_a_credentials_file_that_parses_registers_duplicates_and_numbers_as_written():
    known_secrets.register(
        known_secrets.source_secrets(
            Source(
                "c.json",
                "c.json",
                "credentials",
                '{"endpoints": {"x": {"apiKey": "first-key-1", "apiKey": 1.50e30, "key": "sk-no-key-required"}}}',
            )
        )
    )
    assert redact("first-key-1 1.50e30 sk-no-key-required") == "*********** ******* sk-no-key-required"


def test_llm_config_registers_only_keys_in_urls():
    known_secrets.register(
        known_secrets.source_secrets(
            Source(
                "l.json",
                "l.json",
                "llm-config",
                '{"endpoints": {"box": {"baseUrl": "http://u:Mv72kQp0Zr@box/v1"}}, "models": {"box-model": {}}}',
            )
        )
    )
    assert redact("Mv72kQp0Zr box-model") == "********** box-model"


def test_the_output_boundary_masks_a_key_written_in_pieces(monkeypatch):
    """stdout and stderr mask whatever writes to them, Click included, even a key split across writes."""
    from pbcfg.secrets.boundary import RedactingStream

    REDACTOR.add(KEY)
    sink = io.StringIO()
    stream = RedactingStream(sink)
    for piece in ("key: sk-Hn4t", "R8vQz2", "Lw6Yp9Bx3M", " done\n", "next ", "line"):
        stream.write(piece)
    assert sink.getvalue() == f"key: {'*' * len(KEY)} done\nnext"  # at most 5 characters wait for the next write
    stream.flush()
    assert sink.getvalue() == f"key: {'*' * len(KEY)} done\nnext line"
    stream.write("held ")
    stream.buffer.write(f"bytes {KEY}\n".encode())  # Click's shell completion writes bytes
    assert sink.getvalue().endswith(f"next lineheld bytes {'*' * len(KEY)}\n")
    with pytest.raises(TypeError):
        stream.write(b"bytes")


def test_main_masks_stdout_and_stderr_and_restores_them(run, write, monkeypatch, capsys):
    import sys

    monkeypatch.setenv("MY_API_TOKEN", KEY)
    path = write("llm-config.json", {"tiers": {"simple": {"primary": KEY}}})
    before = (sys.stdout, sys.stderr)
    result = run("validate", path)
    assert (sys.stdout, sys.stderr) == before
    assert KEY not in result.out and f'"primary": "{"*" * len(KEY)}"' in result.out
    assert result.code == 1


def test_no_key_values_are_not_secrets():
    known_secrets.register_environment(
        {"OPENAI_COMPATIBLE_API_KEY": "not-needed", "OPENAI_API_KEY": "sk-no-key-required"}
    )
    known_secrets.register_credentials_text(
        '{"endpoints": {"openai-compatible": {"apiKey": "lm-studio"}, "x": {"apiKey": "ollama"}}}'
    )
    assert redact("not-needed sk-no-key-required lm-studio ollama") == "not-needed sk-no-key-required lm-studio ollama"
    assert not REDACTOR


def test_entry_registers_the_environment_before_anything_runs(run, monkeypatch):
    monkeypatch.setenv("OPENAI_COMPATIBLE_API_KEY", KEY)
    result = run("valdate", KEY)  # an unknown command: Click's own message quotes its arguments? never the key
    assert KEY not in result.out + result.err
    assert os.environ["OPENAI_COMPATIBLE_API_KEY"] == KEY


@settings(max_examples=200, derandomize=True, database=None)
@given(
    before=st.text(alphabet="ab \n*", max_size=12),
    after=st.text(alphabet="ab \n*", max_size=12),
    cut=st.tuples(st.integers(0, len(KEY) - 6), st.integers(6, len(KEY))),
    data=st.data(),
)
def test_any_split_of_the_output_is_masked_as_the_whole_would_be(before, after, cut, data):
    from pbcfg.secrets.boundary import RedactingStream

    REDACTOR.add(KEY)
    start, length = cut
    text = before + KEY[start : start + length] + after
    points = sorted(data.draw(st.lists(st.integers(0, len(text)), max_size=6)))
    sink = io.StringIO()
    stream = RedactingStream(sink)
    for left, right in zip([0, *points], [*points, len(text)]):
        stream.write(text[left:right])
    stream.flush()
    assert sink.getvalue() == redact(text)


def test_checking_registers_nothing_and_the_cli_registers_what_it_finds(run, write):
    """check_paths returns the secrets it found and leaves the registry alone; a CLI run registers them, so a
    URL's password and a key pasted in llm-config.json never reach the output."""
    from pbcfg.check.pipeline import check_paths

    password = "Mv72kQp0Zr"
    path = write(
        "llm-config.json",
        '{"endpoints": {"box": {"protocol": "openai", "enabled": true, "priority": 1, '
        f'"baseUrl": "http://u:{password}@box/v1"}}}}, '
        f'"tiers": {{"simple": {{"primary": "{KEY}"}}}}}}\n',
    )
    result = check_paths([str(path)], config_dir=str(path.parent))
    assert [d.rule for d in result.diagnostics] == ["secrets.url-credentials", "secrets.key-in-public-field"]
    assert set(result.secrets) == {KEY, "u:" + password, "u", password}
    assert not REDACTOR and redact(f"{KEY} {password}") == f"{KEY} {password}"

    shown = run("validate", path)
    assert shown.code == 1
    assert KEY not in shown.out + shown.err and password not in shown.out + shown.err
    assert f'"baseUrl": "http://{"*" * len("u:" + password)}@box/v1"' in shown.out
    assert f'"primary": "{"*" * len(KEY)}"' in shown.out
    assert not REDACTOR.registers_what_is_found  # the run's registering ends with the run
