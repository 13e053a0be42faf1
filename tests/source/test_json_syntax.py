"""Strict JSON as PonyBunny's JSON.parse reads it: each deviation gets its own message and position."""

from __future__ import annotations

from pbcfg.source.jsonparse import parse_json
from pbcfg.source.limits import MAX_DEPTH


def rules(text: str, kind: str = "llm-config"):
    parsed = parse_json(text, "f.json", kind)
    return [(d.rule, d.line, d.column, d.pointer) for d in parsed.diagnostics], parsed


def test_clean_json_parses_with_no_diagnostics():
    found, parsed = rules('{"a": [1, 2.5, true, null, "x"]}')
    assert found == [] and parsed.data == {"a": [1, 2.5, True, None, "x"]}


def test_the_docs_comment_example_is_reported_and_the_rest_still_read():
    text = '{\n  "endpoints": {\n    "openai-compatible": {\n      "priority": 1  // Higher priority\n    }\n  }\n}\n'
    found, parsed = rules(text)
    assert found == [("json.comment", 4, 22, None)]
    assert parsed.diagnostics[0].message == (
        "JSON does not allow comments: PonyBunny's loader would silently "
        "ignore this whole file and run on its built-in defaults"
    )
    assert parsed.data == {"endpoints": {"openai-compatible": {"priority": 1}}}


def test_block_comments_and_trailing_commas_each_get_a_diagnostic():
    found, parsed = rules('{\n  /* note */ "a": [1, 2,],\n  "b": 1,\n}')
    assert found == [
        ("json.comment", 2, 3, None),
        ("json.trailing-comma", 2, 24, None),
        ("json.trailing-comma", 3, 9, None),
    ]
    assert parsed.data == {"a": [1, 2], "b": 1}


def test_a_comment_after_a_trailing_comma_leaves_the_rest_readable():
    # the comma is known to be trailing only after the comment behind it was read: both are blanked all the same
    found, parsed = rules('{\n  "defaults": {"timeout": 3000}, // short\n  /* x */ "b": [1, /* y */],\n}\n')
    assert sorted(found, key=lambda d: d[1:3]) == [
        ("json.comment", 2, 34, None),
        ("json.comment", 3, 3, None),
        ("json.trailing-comma", 3, 18, None),
        ("json.comment", 3, 20, None),
        ("json.trailing-comma", 3, 28, None),
    ]
    assert parsed.data == {"defaults": {"timeout": 3000}, "b": [1]}


def test_comment_message_for_credentials_says_no_key_is_used():
    parsed = parse_json('{"endpoints": {}} // x', "c.json", "credentials")
    assert parsed.diagnostics[0].message == (
        "JSON does not allow comments: PonyBunny's loader would fail to read "
        "this file, so none of its credentials would be used"
    )


def test_duplicate_keys_point_at_the_later_key_and_name_the_earlier_line():
    found, parsed = rules('{\n  "models": {\n    "m": {},\n    "m": {"x": 1}\n  }\n}')
    assert found == [("json.duplicate-key", 4, 5, "/models/m")]
    assert parsed.diagnostics[0].message == (
        "duplicate key 'm': JSON.parse keeps only this last one, so the value at line 3 is silently lost"
    )
    assert parsed.data == {"models": {"m": {"x": 1}}}


def test_bom_is_an_error_at_1_1():
    found, parsed = rules("\ufeff{}")
    assert found == [("json.bom", 1, 1, "")] and not parsed.readable


def test_nan_and_infinity_are_not_json():
    found, _ = rules('{"a": NaN,\n "b": -Infinity}')
    assert found == [("json.syntax", 1, 7, None), ("json.syntax", 2, 7, None)]


def test_truncated_json_points_at_the_end():
    found, parsed = rules('{"a": [1, 2')
    assert found == [("json.syntax", 1, 12, None)] and not parsed.readable
    assert parsed.diagnostics[0].message.startswith("unexpected end of file: expected ',' or ']'")


def test_deep_nesting_stops_at_the_limit_with_a_position():
    found, parsed = rules("[" * 100_000)
    assert found == [("limits.depth", 1, MAX_DEPTH + 1, "/0" * MAX_DEPTH)] and not parsed.readable
    assert parsed.diagnostics[0].message == (
        "more than 128 nested objects and arrays: pbcfg reads at most 128; "
        "no PonyBunny config nests more than a few levels"
    )


def test_huge_integers_are_refused_with_a_position():
    found, _ = rules('{"a": ' + "9" * 5000 + "}")
    assert found == [("json.syntax", 1, 7, None)]


def test_single_quotes_are_a_syntax_error_with_a_caret():
    _, parsed = rules("{'a': 1}")
    diagnostic = parsed.diagnostics[0]
    assert (diagnostic.rule, diagnostic.line, diagnostic.column) == ("json.syntax", 1, 2)
    assert diagnostic.snippet == "{'a': 1}\n ^"
