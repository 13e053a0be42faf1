"""The plain YAML values credentials text is searched for: the same secrets as the plain reading (the key,
stripped, before the first colon; the value to the first comment or the line's end, stripped), on any text."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from pbcfg.secrets import known

# the reading with one lazy quantifier per part, as a specification: each part is easy to read, and three of its
# quantifiers can take the same spaces, so it is cubic in a run of them; only for short texts
REFERENCE = r"""(?m)^[ \t]*(?:-[ \t]+)?["']?([^"'\n#:]+?)["']?[ \t]*:[ \t]+([^\s"'\[{#][^\n#]*?)[ \t]*(?:#.*)?$"""
PIECES = st.sampled_from(
    [" ", "  ", "\t", "\n", "\r", ":", "#", '"', "'", "-", "[", "a", "x1", "apiKey", "api_key", "secretAccessKey"]
)


@given(st.lists(PIECES, max_size=24).map("".join))
def test_the_plain_values_found_are_the_references(text):
    found = known.credentials_text_secrets(text)
    saved = known._YAML_PLAIN_VALUE
    known._YAML_PLAIN_VALUE = REFERENCE
    try:
        expected = known.credentials_text_secrets(text)
    finally:
        known._YAML_PLAIN_VALUE = saved
    assert found == expected


def test_a_long_run_of_spaces_is_one_pass_of_the_line():
    """Leading spaces, spaces inside a key and inside a value: each line is still read (a cubic pattern would
    not return on 600 KB)."""
    text = " " * 600_000 + "\n  apiKey" + " " * 200_000 + ":  sk-" + "a" * 20 + " " * 200_000 + "b  # note\n"
    assert ("sk-" + "a" * 20 + " " * 200_000 + "b") in known.credentials_text_secrets(text)
