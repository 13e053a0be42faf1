"""The redactor: any run of 6 characters of a secret, in any form a server may echo it, is masked."""

from __future__ import annotations

import json
from urllib.parse import quote

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers import fingerprint
from pbcfg.secrets.known import Redactor
from pbcfg.secrets.masking import MIN_RUN
from pbcfg.secrets.values import Secret

KEY = "sk-canary-7f3a9c1e"


@pytest.fixture
def redactor():
    redactor = Redactor()
    redactor.add(KEY)
    return redactor


def test_the_whole_key_and_every_cut_of_it_are_masked(redactor):
    for start in range(len(KEY)):
        for end in range(start + MIN_RUN, len(KEY) + 1):
            piece = KEY[start:end]
            shown = redactor.redact(f"Incorrect API key provided: {piece}.")
            assert piece not in shown, piece
            assert shown == f"Incorrect API key provided: {'*' * len(piece)}."


def test_shorter_runs_are_left_alone(redactor):
    assert redactor.redact("sk-ca and 9c1e") == "sk-ca and 9c1e"


@pytest.mark.parametrize(
    "form",
    [
        quote(KEY, safe=""),
        "sk%2Dcanary%2D7f3a9c1e",
        "sk%2dcanary%2d7f3a9c1e",
        json.dumps(KEY)[1:-1],
        f"b'Bearer {KEY}\\n'",
    ],
)
def test_encoded_forms_are_masked(form):
    redactor = Redactor()
    redactor.add(KEY + "\n")  # a key with a trailing newline is trimmed before it is known
    shown = redactor.redact(f"echo: {form}")
    assert "canary" not in shown and "7f3a9c" not in shown and "Dcanar" not in shown


def test_non_string_secrets_and_no_key_values():
    redactor = Redactor()
    redactor.add(12345678901)
    redactor.add(["abcdefgh12", {"k": "zyxwvu98"}])
    redactor.add("not-needed")
    redactor.add("short")
    assert (
        redactor.redact("12345678901 abcdefgh12 zyxwvu98 not-needed short")
        == "*********** ********** ******** not-needed short"
    )


def test_the_end_of_a_key_after_stars_is_masked(redactor):
    """OpenAI echoes a wrong key as its prefix, stars and its last four characters: those four are starred too."""
    assert redactor.redact("Incorrect API key provided: sk-************9c1e. See ***9c1ex and 9c1e") == (
        "Incorrect API key provided: sk-****************. See *******x and 9c1e"
    )


@pytest.mark.parametrize(
    "echo, shown",
    [
        ("sk-wo...9c1e", "sk-wo...****"),
        ("sk-wo\u20269c1e", "sk-wo\u2026****"),
        ("sk-w**9c1e", "sk-w******"),
        ("sk-\u2022\u2022\u2022\u20229c1e", "sk-\u2022\u2022\u2022\u2022****"),
        ("sk-****  9c1e.", "sk-****  ****."),
        ("***\u00a09c1e", "***\u00a0****"),
        ("***c1e", "******"),  # three characters
        ("sk-****9c1", "sk-****9c1"),  # not the end of the key
        ("a.b 9c1e, a*b 9c1e", "a.b 9c1e, a*b 9c1e"),  # no masking run before them
    ],
)
def test_the_end_of_a_key_after_any_masking_run_is_masked(redactor, echo, shown):
    """Servers mask an echoed key with stars, bullets, dots or an ellipsis, sometimes a space after them."""
    assert redactor.redact(f"Incorrect API key provided: {echo}") == f"Incorrect API key provided: {shown}"


def test_overlapping_and_adjacent_runs_merge(redactor):
    assert redactor.redact(KEY + KEY) == "*" * (2 * len(KEY))


def test_secret_is_masked_in_str_and_repr_and_registers_itself():
    import pbcfg.secrets.boundary as redaction

    secret = Secret("sk-proj-abcdefghijklmnop")
    shown = f"sk-…{fingerprint('sk-proj-abcdefghijklmnop')}"
    assert str(secret) == shown and repr(secret) == f"Secret({shown!r})"
    assert secret.reveal() == "sk-proj-abcdefghijklmnop"
    assert "abcdefgh" not in redaction.redact(f"echo {secret.reveal()}")
    redaction.REDACTOR.clear()


@settings(max_examples=200, derandomize=True, database=None)
@given(
    secret=st.text(min_size=MIN_RUN, max_size=40).filter(lambda s: len(s.strip()) >= MIN_RUN and "*" not in s),
    before=st.text(max_size=20),
    after=st.text(max_size=20),
    data=st.data(),
)
def test_no_run_of_a_secret_survives(secret, before, after, data):
    redactor = Redactor()
    redactor.add(secret)
    trimmed = secret.strip()
    start = data.draw(st.integers(0, len(trimmed) - MIN_RUN))
    end = data.draw(st.integers(start + MIN_RUN, len(trimmed)))
    shown = redactor.redact(before + trimmed[start:end] + after)
    assert not any(trimmed[i : i + MIN_RUN] in shown for i in range(len(trimmed) - MIN_RUN + 1))


@pytest.mark.parametrize("value", ["ollama", "EMPTY", "not-needed", "lm-studio", "sk-no-key-required"])
def test_the_documented_no_key_values_are_shown_as_written(run, write, value):
    """A snippet shows a placeholder key such as ollama's as it is, so a user can tell which value the file holds."""
    from pbcfg.secrets.masking import mask, mask_text

    line = f'{{"endpoints": {{"openai-compatible": {{"apiKey": "{value}", "baseUrl": "http://h.example:8000/v1/"}}}}}}'
    assert mask_text(line, "credentials") == line
    assert mask(value) == value
    path = write("credentials.json", line + "\n")
    result = run("lint", path, "--select", "url.trailing-slash")
    assert result.out.splitlines()[1] == "    " + line
    assert mask_text('{"apiKey": "Kq82jXz0Lm4Tr9"}', "credentials") == '{"apiKey": "**************"}'
